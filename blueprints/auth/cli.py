"""`flask users …`: staff accounts from the command line."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from blueprints.auth import services
from blueprints.auth.forms import MIN_PASSWORD
from blueprints.orgs.models import Organisation
from core.roles import Role
from extensions import db

cli = AppGroup("users", help="Manage staff accounts.")


@cli.command("create")
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role if r != Role.PARTNER]),  # partners: invited
    default=Role.ORGANISER.value,
)
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--locale", type=click.Choice(["ar", "fr", "en"]), default="ar")
@click.password_option(help="Prompted for when not given.")
@click.argument("email")
def create(org_slug, role, full_name, locale, password, email):
    """Create a staff account EMAIL in organisation ORG."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise click.ClickException(f"No organisation with slug {org_slug!r}.")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD} characters.")
    try:
        user = services.create_user(
            organisation_id=org.id,
            email=email,
            password=password,
            role=Role(role),
            full_name=full_name,
            locale=locale,
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {org.slug}.")
