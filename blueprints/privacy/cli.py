"""`flask privacy purge [--dry-run]`: anonymise what is past the retention period.

Run it daily (cron or a systemd timer). The dry run lists what a real run would do.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from blueprints.privacy import retention
from extensions import db

cli = AppGroup("privacy", help="Members' data: retention.")


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise registrations, door logs and sent email of events past retention."""
    reports = retention.purge(dry_run=dry_run)
    verb = "would anonymise" if dry_run else "anonymised"
    for r in reports:
        click.echo(
            f"{r.organisation} event {r.event_id} ({r.title}, ended {r.ended_at:%Y-%m-%d}): "
            f"{verb} {r.registrations} registration(s), {r.checkins} check-in log row(s), "
            f"{r.emails} email(s)"
        )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"privacy purge: {len(reports)} event(s){' (dry run)' if dry_run else ''}")
