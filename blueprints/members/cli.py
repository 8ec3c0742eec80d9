"""`flask members import FILE --org SLUG --consent "HOW" [--dry-run] [--update-existing]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from blueprints.members import importer, imports
from blueprints.orgs.models import Organisation
from extensions import db

cli = AppGroup("members", help="The member directory.")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "slug", required=True, help="The organisation's slug.")
@click.option("--dry-run", is_flag=True, help="Check the file and print the report only.")
@click.option("--update-existing", is_flag=True, help="Update members already in the directory.")
@click.option(
    "--consent",
    "consent",
    default="",
    help='How these members agreed to be contacted (law 09-08), e.g. "membership form 2018".'
    " Required to import; kept with each member.",
)
def import_command(file: Path, slug: str, dry_run: bool, update_existing: bool, consent: str):
    """Import members from a CSV or Excel file, with the same checks as the web page."""
    consent = " ".join(consent.split())[:200]
    if not dry_run and not consent:
        raise click.ClickException(
            'say how these members agreed to be contacted (law 09-08): --consent "…" '
            "(as the web import asks); --dry-run checks the file without it"
        )
    with force_locale("en"):  # no request here to choose a language from
        _import(file, slug, dry_run, update_existing, consent)


def _import(file: Path, slug: str, dry_run: bool, update_existing: bool, consent: str) -> None:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(f"no organisation with slug {slug!r}")
    if file.stat().st_size > importer.MAX_BYTES:
        raise click.ClickException("the file is larger than 20 MB; split it")
    try:
        table = importer.read_table(file.read_bytes(), file.name)
    except importer.ImportError_ as error:
        raise click.ClickException(str(error)) from None
    mapping = importer.guess_mapping(table.header)
    click.echo(f"{file.name}: {len(table.rows)} rows, {table.encoding or 'xlsx'}")
    for index, title in enumerate(table.header):
        click.echo(f"  column {index + 1} {title!r} -> {mapping.get(str(index), '(ignored)')}")
    for note in imports.import_notes(table, mapping):
        click.echo(f"  {note}")
    problem = importer.mapping_problem(mapping)
    if problem:
        raise click.ClickException(str(problem))

    report = importer.Report()
    with click.progressbar(
        length=len(table.rows),
        label="checking",
        file=sys.stderr,
        update_min_steps=1000,
    ) as bar:
        for result in importer.analyse(table, mapping, imports.existing_keys(org.id), bar.update):
            report.add(result)
    click.echo(
        f"new: {report.counts['new']}, already in the directory: {report.counts['existing']}, "
        f"repeated in the file: {report.counts['duplicate']}, "
        f"with errors: {report.counts['invalid']}"
    )
    for row in report.listed:
        click.echo(f"  line {row.line}: {'; '.join(str(p) for p in row.problems)}")
    if dry_run:
        click.echo("dry run: nothing was written")
        return
    with click.progressbar(
        length=len(table.rows),
        label="importing",
        file=sys.stderr,
        update_min_steps=1000,
    ) as bar:
        summary = imports.apply_rows(
            org.id,
            table,
            mapping,
            update_existing=update_existing,
            consent_source=f"{consent} (import of {file.name})"[:200],
            progress=bar.update,
        )
    db.session.commit()
    click.echo(
        "created: {created}, updated: {updated}, skipped: {skipped}, "
        "not imported (errors): {invalid}".format(**summary)
    )
