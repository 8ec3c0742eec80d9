"""How generated tests are bounded: a fixed number of cases, the same ones on every run
(a CI failure replays here), no example database left in the working tree."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def bounded(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
