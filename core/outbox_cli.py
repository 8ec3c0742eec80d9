"""`flask outbox work [--once] [--concurrency N]` and `flask outbox status`."""

from __future__ import annotations

import signal
import threading

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from core.outbox import OutboxMessage
from core.outbox_worker import work
from extensions import db

cli = AppGroup("outbox", help="The email queue.")


@cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker threads (PostgreSQL; SQLite works best with 1).")  # fmt: skip
def work_command(once: bool, concurrency: int):
    """Deliver queued email until stopped (Ctrl-C or SIGTERM finish the current message)."""
    app = current_app._get_current_object()
    stop = None if once else threading.Event()
    if stop is not None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    totals: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: totals.append(work(app, once=once, stop=stop)), name=f"outbox-{n}"
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)
    click.echo(f"sent {sum(totals)} message(s)")


@cli.command("status")
def status_command():
    """How many messages are in each state."""
    rows = db.session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
    )
    for state, count in rows:
        click.echo(f"{state.value:<10} {count}")
