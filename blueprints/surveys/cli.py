"""`flask surveys tick`: queue the survey invitations and reminders that are due.

Run it every few minutes (cron or a systemd timer); it is idempotent, and several
copies may run at once: the outbox keys make every message unique.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from blueprints.surveys import schedule
from extensions import db

cli = AppGroup("surveys", help="Feedback surveys.")


@cli.command("tick")
def tick_command() -> None:
    """Queue due survey invitations and reminders through the outbox."""
    invitations, reminders = schedule.tick()
    db.session.commit()
    click.echo(f"surveys: {invitations} invitation(s), {reminders} reminder(s) queued")
