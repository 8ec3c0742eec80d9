"""Why an email has not gone, told to the organiser in their language.

The outbox keeps the mail server's or Python's own words in `last_error`
(`ConnectionRefusedError: [Errno 111] Connection refused`); pages show `explain(message)`
instead, and the technical text only behind a "Technical details" toggle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

from flask_babel import gettext as _

from core.i18n import to_local
from core.outbox import OutboxMessage, OutboxState

# No answer from the server: refused or dropped connections, timeouts, name look-ups.
UNREACHABLE = re.compile(
    r"Connection|Errno|timed out|Timeout|OSError|gaierror|SMTPServerDisconnected|SMTPConnectError",
    re.I,
)
ADDRESS_REFUSED = re.compile(r"SMTPRecipientsRefused|\b55[0-3]\b|recipient", re.I)
REASONS = {
    "unsubscribed": lambda: _("Not sent: the person unsubscribed."),
    "the event was cancelled": lambda: _("Not sent: the event was cancelled."),
    "cancelled by the organiser": lambda: _("Not sent: cancelled by the organiser."),
}


@dataclass(frozen=True)
class Problem:
    text: str
    technical: str


def _clock(message: OutboxMessage) -> str:
    when = message.send_after
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return to_local(when).strftime("%H:%M")


def _explain(message: OutboxMessage) -> str:
    error = message.last_error
    if message.state == OutboxState.CANCELLED:
        reason = REASONS.get(error)
        return reason() if reason else _("Not sent: cancelled.")
    if message.state in (OutboxState.QUEUED, OutboxState.SENDING):
        if UNREACHABLE.search(error):
            return _(
                "The mail server did not answer; it will retry at %(time)s.", time=_clock(message)
            )
        return _("The mail server refused the email for now; it will retry at %(time)s.",
                 time=_clock(message))  # fmt: skip
    if ADDRESS_REFUSED.search(error):
        return _("The mail server refused this address: check it, then retry.")
    if UNREACHABLE.search(error):
        return _(
            "The mail server did not answer after several tries: check the mail settings, "
            "then retry."
        )
    return _("The email could not be sent: retry, or check the address.")


def explain(message: OutboxMessage | None) -> Problem | None:
    """What went wrong with this message, or None when nothing did."""
    if message is None or not message.last_error or message.state == OutboxState.SENT:
        return None
    return Problem(text=_explain(message), technical=message.last_error)
