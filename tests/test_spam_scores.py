"""SpamAssassin (Debian's package, local tests only: no network, no Bayes) scores every
kind of email, as the test SMTP server received it, at 1.0 or less.

Skipped where `spamassassin` is not installed, unless REQUIRE_SPAMASSASSIN=1 (CI sets it),
which makes a missing SpamAssassin a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from core import outbox
from tests.mail_kinds import send_every_kind

SPAMASSASSIN = shutil.which("spamassassin")
REQUIRED = os.environ.get("REQUIRE_SPAMASSASSIN") == "1"
MAX_SCORE = 1.0

pytestmark = pytest.mark.skipif(
    SPAMASSASSIN is None and not REQUIRED,
    reason="spamassassin is not installed (apt-get install spamassassin; "
    "REQUIRE_SPAMASSASSIN=1 makes this a failure)",
)


def spam_report(raw: bytes) -> tuple[float, str]:
    """(score, the rules that hit) of `spamassassin -L -t` on one message."""
    assert SPAMASSASSIN, "REQUIRE_SPAMASSASSIN=1 but spamassassin is not installed"
    done = subprocess.run(
        [SPAMASSASSIN, "-L", "-t"], input=raw, capture_output=True, timeout=120, check=False
    )
    report = done.stdout.decode("utf-8", "replace")
    match = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", report, re.MULTILINE)
    assert match, f"no score in the report: {done.stderr.decode(errors='replace')}"
    return float(match.group(1)), report[report.find("Content analysis details") :]


def _scores(received: dict) -> dict[str, tuple[float, str]]:
    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is ~4 s of one core's Perl
        reports = pool.map(spam_report, [raw for raw, _ in received.values()])
        return dict(zip(received, reports, strict=True))


def test_every_kind_of_email_scores_at_most_one(org, smtp_server):
    received = send_every_kind(org, smtp_server, "fr")
    kinds = {k for k in outbox.builder_kinds() if not k.startswith("test-")}  # tests' own
    assert {k.split(":")[0] for k in received} == kinds  # every kind Liqaa sends
    for kind, (score, rules) in _scores(received).items():
        assert score <= MAX_SCORE, f"{kind} scores {score}:\n{rules}"


@pytest.mark.parametrize("locale", ["ar", "en"])
def test_the_ticket_of_an_event_with_few_details_scores_at_most_one(org, smtp_server, locale):
    """The QR image with little text around it was what scored 2.1–2.8."""
    received = send_every_kind(org, smtp_server, locale, kinds={"rsvp_ticket"}, bare=True)
    ((score, rules),) = _scores(received).values()
    assert score <= MAX_SCORE, f"the ticket scores {score}:\n{rules}"
