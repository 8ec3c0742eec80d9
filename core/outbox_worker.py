"""The outbox workers: `flask outbox work` processes, or one thread in the embedded setup.

Each loops over delivery rounds (core.outbox_delivery) and, every PERIODIC_EVERY seconds,
runs the periodic jobs the features registered (due reminders, survey schedules). Between
rounds it also gives the background work features registered (a large invitation, in
batches) up to BACKGROUND_SLICE seconds of steps: a step commits its own work, so a
killed worker loses at most the step it was in, which the next worker does again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import current_app

from core.outbox_delivery import deliver_due
from extensions import db

# Jobs the workers run between deliveries (due reminders, for example); a feature
# registers them so that core never imports features.
_PERIODIC: list[Callable[[], None]] = []
PERIODIC_EVERY = 30.0  # seconds
IDLE_SLEEP = 2.0
BATCH = 100  # messages claimed, sent over one connection and recorded in one commit
BACKGROUND_SLICE = 1.0  # seconds of background work between two delivery rounds


# Background work: each function does one short step (one batch, one commit) and returns
# how many items it handled, 0 when it has nothing to do.
_STEPS: list[Callable[[], int]] = []


def register_background(fn: Callable[[], int]) -> Callable[[], int]:
    if fn not in _STEPS:
        _STEPS.append(fn)
    return fn


def run_background() -> int:
    """One step of each registered background work; how many items they handled."""
    done = 0
    for step in _STEPS:
        try:
            done += step() or 0
        except Exception:  # noqa: BLE001 - a failing step must not stop delivery
            db.session.rollback()
            current_app.logger.exception("background step %s failed", step.__name__)
        finally:
            db.session.remove()
    return done


def run_background_for(seconds: float) -> int:
    """Steps of the background work, one after the other, until there is none left or
    `seconds` have passed (at least one round); how many items they handled.

    A worker gives a large job this slice between two delivery rounds: one step between
    rounds would hold a 200,000-member invitation to the pace of the deliveries (400
    rounds of 100 emails), while the other workers keep delivering meanwhile."""
    deadline = time.monotonic() + seconds
    done = 0
    while True:
        handled = run_background()
        done += handled
        if not handled or time.monotonic() >= deadline:
            return done


def register_periodic(fn: Callable[[], None]) -> Callable[[], None]:
    if fn not in _PERIODIC:
        _PERIODIC.append(fn)
    return fn


def run_periodic() -> None:
    for job in _PERIODIC:
        try:
            job()
            db.session.commit()
        except Exception:  # noqa: BLE001 - one failing job must not stop delivery
            db.session.rollback()
            current_app.logger.exception("outbox periodic job %s failed", job.__name__)


def work(app, *, once: bool = False, stop=None, batch: int = BATCH) -> int:
    """One worker's loop, in its own application context; returns how many it sent.

    With `once` it drains what is due now and returns; otherwise it runs until `stop`
    (a threading.Event) is set, sleeping a little when there is nothing to send.
    """
    total = 0
    last_periodic = 0.0
    with app.app_context():
        while stop is None or not stop.is_set():
            if time.monotonic() - last_periodic >= PERIODIC_EVERY or (once and not last_periodic):
                run_periodic()
                last_periodic = time.monotonic()
            try:
                sent, failed = deliver_due(limit=batch)
            except Exception:  # noqa: BLE001 - the database may be briefly unreachable
                db.session.rollback()
                current_app.logger.exception("outbox worker: delivery round failed")
                sent = failed = 0
                if once:
                    raise
            finally:
                db.session.remove()
            total += sent
            if sent + failed + run_background_for(BACKGROUND_SLICE) == 0:
                if once:
                    break
                if stop is not None:
                    stop.wait(IDLE_SLEEP)
                else:
                    time.sleep(IDLE_SLEEP)
    return total


_IN_PROCESS: dict[str, object] = {}


def start_in_process_worker(app):
    """The embedded (SQLite) setup's worker: one daemon thread in the web process.

    Call it from the factory when OUTBOX_IN_PROCESS_WORKER is true and the app is not
    testing. Idempotent per process; returns the thread's stop event.
    """
    if not app.config.get("OUTBOX_IN_PROCESS_WORKER") or app.testing:
        return None
    if "stop" in _IN_PROCESS:
        return _IN_PROCESS["stop"]
    stop = threading.Event()
    thread = threading.Thread(
        target=work, args=(app,), kwargs={"stop": stop}, name="outbox-worker", daemon=True
    )
    _IN_PROCESS.update(stop=stop, thread=thread)
    thread.start()
    return stop
