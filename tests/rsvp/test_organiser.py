"""The organiser's side: the list with counts, summaries, exports, promotion, tickets."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from blueprints.rsvp import answers as rsvp_answers
from blueprints.rsvp.models import QuestionKind, RegistrationStatus
from core.outbox import OutboxMessage
from extensions import db
from tests.conftest import csrf_token_from, login, make_event, make_member, make_org, make_user
from tests.rsvp.conftest import make_invitation, make_question, registration_of

HOSTILE = "<script>alert('x')</script>"


def _accept(invitation, companions=(), answers=None):
    registration = rsvp_answers.respond(
        invitation,
        rsvp_answers.RsvpData(
            accept=True,
            locale="fr",
            companion_names=list(companions),
            consent=True,
            answers=answers or {},
        ),
    )
    db.session.commit()
    return registration


def test_list_shows_counts_and_escapes_names(as_organiser, org):
    event = make_event(org, capacity=3, max_companions=1)
    hostile = make_member(org, full_name=HOSTILE)
    _accept(make_invitation(org, event, member=hostile), ["Compagnon"])
    _accept(make_invitation(org, event, full_name="Sara"))
    _accept(make_invitation(org, event, full_name="Waiting Walid"))
    html = as_organiser.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "3 / 3" in html
    filtered = as_organiser.get(f"/events/{event.id}/registrations?status=waitlisted").get_data(
        as_text=True
    )
    assert "Waiting Walid" in filtered and "Sara" not in filtered
    searched = as_organiser.get(f"/events/{event.id}/registrations?q=sara").get_data(as_text=True)
    assert "Sara" in searched and "Waiting Walid" not in searched


def test_manual_promotion_and_its_limit(as_organiser, org):
    event = make_event(org, capacity=2, max_companions=1)
    first = _accept(make_invitation(org, event), ["A"])
    waiting = _accept(make_invitation(org, event))
    assert waiting.status == RegistrationStatus.WAITLISTED
    url = f"/events/{event.id}/registrations/{waiting.id}/promote"
    token = csrf_token_from(
        as_organiser.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    )
    as_organiser.post(url, data={"csrf_token": token})
    db.session.expire_all()
    assert waiting.status == RegistrationStatus.WAITLISTED  # the hall is full: refused
    event.capacity = 3
    db.session.commit()
    as_organiser.post(url, data={"csrf_token": token})
    db.session.expire_all()
    assert waiting.status == RegistrationStatus.ACCEPTED and waiting.ticket_code
    assert first.status == RegistrationStatus.ACCEPTED
    assert as_organiser.post(url).status_code == 400  # no CSRF token


def test_revoke_and_reissue(as_organiser, org, client):
    event = make_event(org)
    registration = _accept(make_invitation(org, event))
    old = registration.ticket_code
    base = f"/events/{event.id}/registrations/{registration.id}"
    token = csrf_token_from(
        as_organiser.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    )
    as_organiser.post(f"{base}/revoke", data={"csrf_token": token})
    db.session.expire_all()
    assert registration.ticket_code is None and registration.status == RegistrationStatus.ACCEPTED
    assert as_organiser.get(f"/t/{old}").status_code == 410
    as_organiser.post(f"{base}/reissue", data={"csrf_token": token})
    db.session.expire_all()
    assert registration.ticket_code and registration.ticket_code != old
    assert as_organiser.get(f"/t/{registration.ticket_code}").status_code == 200
    tickets = db.session.scalars(
        sa.select(OutboxMessage.payload).where(OutboxMessage.kind == "rsvp_ticket")
    ).all()
    assert [p["reason"] for p in tickets] == ["accepted", "reissued"]


def test_summary_counts_choices(as_organiser, org):
    event = make_event(org)
    choice = make_question(
        event, QuestionKind.SINGLE_CHOICE, choices_fr="Oui\nNon", choices_ar="نعم\nلا"
    )
    for i in range(3):
        _accept(make_invitation(org, event), answers={choice.id: "0" if i else "1"})
    html = as_organiser.get(f"/events/{event.id}/registrations/summary").get_data(as_text=True)
    assert "<bdi>2</bdi>" in html and "<bdi>1</bdi>" in html and "67%" in html


def test_exports_are_safe_for_spreadsheets(as_organiser, org):
    event = make_event(org)
    question = make_question(event, QuestionKind.SHORT_TEXT, label_fr="Remarque")
    member = make_member(org, full_name='=HYPERLINK("http://evil")', company="@SUM(A1)")
    _accept(make_invitation(org, event, member=member), answers={question.id: "+212 mal"})
    _accept(make_invitation(org, event, full_name="محمد العلوي"))
    response = as_organiser.get(f"/events/{event.id}/registrations/export.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][-1] == "Remarque"
    flat = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil")' in flat and "'@SUM(A1)" in flat and "'+212 mal" in flat
    assert "محمد العلوي" in flat
    response = as_organiser.get(f"/events/{event.id}/registrations/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil")' in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert as_organiser.get(f"/events/{event.id}/registrations/export.pdf").status_code == 404


def test_other_organisation_gets_404_everywhere(client, org):
    event = make_event(org)
    registration = _accept(make_invitation(org, event))
    other = make_org("other", name_fr="Autre")
    make_user(other, email="boss@other.test")
    login(client, "boss@other.test")
    assert client.get(f"/events/{event.id}/registrations").status_code == 404
    assert client.get(f"/events/{event.id}/registrations/export.csv").status_code == 404
    html = client.get("/events").get_data(as_text=True)
    token = csrf_token_from(html) if "csrf_token" in html else ""
    response = client.post(
        f"/events/{event.id}/registrations/{registration.id}/revoke", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert registration_of(registration.invitation).ticket_code == registration.ticket_code


def test_registration_of_another_event_is_not_found(as_organiser, org):
    event, second = make_event(org), make_event(org)
    registration = _accept(make_invitation(org, event))
    token = csrf_token_from(
        as_organiser.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    )
    response = as_organiser.post(
        f"/events/{second.id}/registrations/{registration.id}/revoke", data={"csrf_token": token}
    )
    assert response.status_code == 404
