"""`flask partners digest`: the weekly email of each partner account (run it weekly)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from blueprints.partners.digest import queue_digests
from extensions import db

cli = AppGroup("partners", help="Partner accounts.")


@cli.command("digest")
@click.option(
    "--now",
    "now_text",
    default="",
    help="Pretend it is this UTC time (ISO 8601), e.g. to catch up a missed week.",
)
def digest(now_text: str) -> None:
    """Queue this week's digest for every partner account with follow-ups waiting.

    Safe to run again: an account gets one digest per ISO week. The outbox workers send it.
    """
    now = datetime.fromisoformat(now_text).replace(tzinfo=UTC) if now_text else None
    run = queue_digests(now)
    db.session.commit()
    click.echo(
        f"partner digests: {run.queued} queued, {run.already} already queued this week, "
        f"{run.nothing_due} with nothing due"
    )
