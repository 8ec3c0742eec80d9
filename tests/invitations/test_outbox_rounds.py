"""A delivery round: invitations rendered once per event and language give the same
email as a full rendering; headers are encoded; one commit per round keeps delivery
at-least-once with a stable Message-ID; claims never overlap."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from blueprints.invitations import emails
from blueprints.invitations.models import Invitation
from core import outbox_delivery
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from extensions import db
from tests.invitations.conftest import invite
from tests.invitations.test_outbox_workers import _queue

HOSTILE_NAMES = [
    "أمينة الريفي",
    'Élodie O\'Brien & "Co"',
    "<script>alert(1)</script>",
    "a\u202egnp.exe",
    "ن" * 10_000,
    "{{ 7*7 }} %(name)s",
]


def _ics_properties(ics: bytes) -> dict:
    (vevent,) = Calendar.from_ical(ics).walk("VEVENT")
    return {k: str(v.to_ical() if hasattr(v, "to_ical") else v) for k, v in vevent.items()
            if k != "DTSTAMP"}  # fmt: skip


@pytest.mark.parametrize("template", ["invitation", "reminder"])
def test_round_rendering_gives_the_same_email_as_a_full_rendering(app, event, template):
    event.description_ar = "وصف طويل " * 40
    event.description_fr = "Une description; avec, des \\ signes " * 8
    db.session.commit()
    for locale in ("ar", "fr", "en"):
        for n, name in enumerate(HOSTILE_NAMES):
            token = f"tok-{n}_{locale}AbC"
            fast = emails.invitation_content(event, locale, template, name, token, 40 + n)
            full = emails.render_invitation(event, locale, template, name, token, 40 + n)
            assert fast[:3] == full[:3], (locale, name[:20])
            assert _ics_properties(fast[3]) == _ics_properties(full[3])
            assert all(len(line) <= 75 for line in fast[3].split(b"\r\n"))
    html = emails.invitation_content(event, "fr", template, "<script>x</script>", "t", 1)[2]
    assert "<script>x" not in html and "&lt;script&gt;x" in html


def test_headers_are_encoded_and_parse_back(event, invitees, smtp_server):
    invite(event, everyone=True)
    assert deliver_due() == (3, 0)
    mails = {rcpt[0]: parsed for _, rcpt, parsed in smtp_server.wait_for(3)}
    arabic = mails["amina@example.ma"]
    raw = dict(arabic.raw_items())
    assert "=?utf-8?" in raw["Subject"] and all(v.isascii() for v in raw.values())
    assert arabic["Subject"].startswith("دعوة")
    assert arabic["From"].addresses[0].display_name == "جمعية تجريبية"  # the Arabic name
    assert arabic["To"].addresses[0].display_name == "أمينة الريفي"
    assert arabic["Date"].datetime is not None and arabic["MIME-Version"] == "1.0"
    assert arabic.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in arabic.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar",
    ]  # fmt: skip
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.member_id == invitees[0].id)
    )
    assert f"/r/{invitation.token}?answer=accept" in arabic.get_body(("plain",)).get_content()


def test_a_crash_after_sending_sends_the_round_again_with_the_same_message_ids(
    app, org, smtp_server, monkeypatch
):
    _queue(org, 5)

    def crash(session, outcomes, leases):
        raise RuntimeError("the worker died before recording")

    monkeypatch.setattr(outbox_delivery, "_record", crash)
    with pytest.raises(RuntimeError):
        deliver_due()
    db.session.rollback()
    first = smtp_server.wait_for(5)
    assert len(first) == 5
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {r.state for r in rows} == {OutboxState.SENDING}  # claimed, outcome not recorded
    ids = {r.to_email: r.message_id for r in rows}
    assert all(ids.values())
    assert {p["To"]: p["Message-ID"] for _, _, p in first} == ids
    monkeypatch.undo()
    assert deliver_due() == (0, 0)  # still leased
    after_lease = utcnow() + outbox_delivery.LEASE + timedelta(seconds=1)
    assert deliver_due(now=after_lease) == (5, 0)
    again = smtp_server.wait_for(10)[5:]
    assert {p["To"]: p["Message-ID"] for _, _, p in again} == ids  # the same Message-IDs
    db.session.expire_all()
    assert Counter(db.session.scalars(sa.select(OutboxMessage.state))) == {OutboxState.SENT: 5}


def test_a_failing_builder_does_not_undo_the_other_outcomes_of_its_round(app, org, smtp_server):
    _queue(org, 4)
    broken = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.key == "bulk:1"))
    broken.kind = "no-such-builder"
    db.session.commit()
    assert deliver_due() == (3, 1)
    db.session.expire_all()
    states = dict(db.session.execute(sa.select(OutboxMessage.key, OutboxMessage.state)).all())
    assert states == {"bulk:0": OutboxState.SENT, "bulk:1": OutboxState.FAILED,
                      "bulk:2": OutboxState.SENT, "bulk:3": OutboxState.SENT}  # fmt: skip


def test_concurrent_claims_take_each_message_once(app, org):
    _queue(org, 400)
    taken: list[list[int]] = []

    def claimer():
        mine: list[int] = []
        with app.app_context():
            while True:
                claimed = outbox_delivery.claim_due(db.session, limit=7)
                if not claimed:
                    break
                mine += [m.id for m in claimed]
            db.session.remove()
        taken.append(mine)

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    every = [i for mine in taken for i in mine]
    assert len(taken) == 4 and len(every) == 400 and len(set(every)) == 400
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert all(r.state == OutboxState.SENDING and r.attempts == 1 for r in rows)
    assert len({r.message_id for r in rows}) == 400
