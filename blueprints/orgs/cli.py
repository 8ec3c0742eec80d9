"""`flask orgs …`: organisations from the command line."""

import click
from flask.cli import AppGroup

from blueprints.orgs import services
from extensions import db

cli = AppGroup("orgs", help="Manage organisations.")


@cli.command("create")
@click.argument("slug")
@click.option("--name-fr", required=True)
@click.option("--name-ar", default="")
def create(slug, name_fr, name_ar):
    """Create the organisation SLUG."""
    try:
        org = services.create_organisation(slug, name_fr, name_ar)
    except services.OrgError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created organisation {org.slug}.")
