"""Every concern becomes a follow-up, is worked on the board, and its answer reaches the person."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.events.models import EventStatus
from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus
from core.db import utcnow
from core.outbox import OutboxMessage
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import csrf_token_from, make_event, make_org, make_partner
from tests.followups.conftest import raise_concern
from tests.surveys.conftest import make_registration

HOSTILE = '=HYPERLINK("http://evil")<script>alert(1)</script>\u202e'


def _one() -> FollowUp:
    db.session.expire_all()
    return db.session.scalar(sa.select(FollowUp))


def _resolve(client, followup, resolution, **extra):
    url = f"/followups/{followup.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "status": "resolved", "resolution": resolution, "partner_id": ""}
    data.update(extra)
    return client.post(url, data=data)


def test_a_concern_from_the_rsvp_form_reaches_the_board_and_its_answer_the_person(
    app, as_organiser, event, consenting, smtp_server
):
    raise_concern(event, "التصريح على Damancom يرفض رقم الانخراط", consenting)
    db.session.commit()
    followup = _one()
    assert followup.source == FollowUpSource.RSVP
    assert followup.raised_by_name == "يوسف التازي"
    assert followup.raised_by_contact == "youssef@example.ma"

    board = as_organiser.get("/followups").get_data(as_text=True)
    assert "Damancom" in board
    assert 'data-count="open">1<' in board

    partner = make_partner(followup.event.organisation, "CNSS Oujda")
    response = _resolve(
        as_organiser, followup, "تم تصحيح رقم الانخراط، يمكنكم التصريح الآن.", partner_id=partner.id
    )
    assert response.status_code == 302
    resolved = _one()
    assert resolved.status == FollowUpStatus.RESOLVED and resolved.resolved_at is not None
    assert resolved.partner_id == partner.id

    assert deliver_due() == (1, 0)
    ((_, rcpt, parsed),) = smtp_server.wait_for(1)
    assert rcpt == ["youssef@example.ma"]
    html = parsed.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html
    assert "تم تصحيح رقم الانخراط" in parsed.get_body(("plain",)).get_content()
    assert "Damancom" in html


def test_no_email_without_consent(app, as_organiser, event, smtp_server):
    silent = make_registration(event, "Sans accord", email="nope@example.ma", consent_at=None)
    raise_concern(event, "Problème de facturation", silent)
    db.session.commit()
    assert _resolve(as_organiser, _one(), "Réglé avec le service recouvrement.").status_code == 302
    assert _one().status == FollowUpStatus.RESOLVED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_member_consent_also_counts(app, as_organiser, event, org):
    from tests.conftest import make_member

    member = make_member(org, "Salma", email="salma@example.ma", consent_at=utcnow())
    registration = make_registration(event, "Salma", email="salma@example.ma", member_id=member.id)
    raise_concern(event, "Retard de remboursement", registration)
    db.session.commit()
    _resolve(as_organiser, _one(), "Le dossier est traité.")
    assert db.session.scalar(sa.select(OutboxMessage.to_email)) == "salma@example.ma"


def test_an_anonymous_concern_has_no_name_and_sends_nothing(app, as_organiser, event):
    raise_concern(event, "Une question anonyme", None, source="survey")
    db.session.commit()
    followup = _one()
    assert followup.registration_id is None and followup.raised_by_name == ""
    assert "Anonym" in as_organiser.get(f"/followups/{followup.id}").get_data(as_text=True)
    _resolve(as_organiser, followup, "Réponse publiée")
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_resolving_needs_an_answer(app, as_organiser, event, consenting):
    raise_concern(event, "Sans réponse", consenting)
    db.session.commit()
    response = _resolve(as_organiser, _one(), "   ")
    assert _one().status == FollowUpStatus.OPEN
    assert response.status_code == 200


def test_status_moves_open_in_progress_resolved(app, as_organiser, event, consenting):
    raise_concern(event, "Étapes", consenting)
    db.session.commit()
    followup = _one()
    url = f"/followups/{followup.id}"
    token = csrf_token_from(as_organiser.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "status": "in_progress", "department": "Recouvrement"}
    assert as_organiser.post(url, data=data).status_code == 302
    moved = _one()
    assert moved.status == FollowUpStatus.IN_PROGRESS and moved.started_at is not None
    assert moved.department == "Recouvrement"


def test_a_post_without_csrf_is_refused(app, as_organiser, event, consenting):
    raise_concern(event, "CSRF", consenting)
    db.session.commit()
    response = as_organiser.post(f"/followups/{_one().id}", data={"status": "resolved"})
    assert response.status_code == 400
    assert _one().status == FollowUpStatus.OPEN


def test_another_organisations_partner_cannot_be_assigned(app, as_organiser, event, consenting):
    raise_concern(event, "Partenaire", consenting)
    db.session.commit()
    foreign = make_partner(make_org("other", name_fr="Autre"), "Autre partenaire")
    _resolve(as_organiser, _one(), "ok", partner_id=foreign.id)
    assert _one().partner_id is None


def test_door_staff_note_a_concern_at_the_door(app, as_door, event):
    url = f"/events/{event.id}/followups/new"
    token = csrf_token_from(as_door.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "text": "Attestation CNSS introuvable", "raised_by_name": "Hamid"}
    assert as_door.post(url, data=data).status_code == 302
    followup = _one()
    assert followup.source == FollowUpSource.DOOR and followup.raised_by_name == "Hamid"
    assert followup.created_by_id is not None
    # and nothing else: the board and the follow-up stay closed to door staff
    assert as_door.get("/followups").status_code == 403
    assert as_door.get(f"/followups/{followup.id}").status_code == 403


def test_door_staff_cannot_note_for_a_draft_or_foreign_event(app, as_door, org):
    draft = make_event(org, status=EventStatus.DRAFT)
    foreign = make_event(make_org("other", name_fr="Autre"))
    assert as_door.get(f"/events/{draft.id}/followups/new").status_code == 404
    assert as_door.get(f"/events/{foreign.id}/followups/new").status_code == 404


def test_hostile_text_is_escaped_on_the_board_and_neutralised_in_exports(app, as_organiser, event):
    raise_concern(event, HOSTILE, None, source="survey")
    raise_concern(event, "x" * 10_000, None)
    db.session.commit()
    board = as_organiser.get("/followups").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in board
    assert "&lt;script&gt;" in board
    stored = db.session.scalars(sa.select(FollowUp.text)).all()
    assert max(len(t) for t in stored) == 5000
    csv = as_organiser.get("/followups/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv
    xlsx = as_organiser.get("/followups/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_board_filters_and_counts(app, as_organiser, org, event, consenting):
    other_event = make_event(org, title_fr="Deuxième rencontre")
    raise_concern(event, "Dossier ZX-old", consenting)
    raise_concern(other_event, "Autre rencontre", None)
    db.session.commit()
    old = db.session.scalar(sa.select(FollowUp).where(FollowUp.text == "Dossier ZX-old"))
    old.created_at = utcnow() - timedelta(days=20)
    old.status, old.resolved_at, old.resolution = FollowUpStatus.RESOLVED, utcnow(), "fait"
    db.session.commit()

    by_event = as_organiser.get(f"/followups?event={other_event.id}").get_data(as_text=True)
    assert "Autre rencontre" in by_event and "Dossier ZX-old" not in by_event
    older = as_organiser.get("/followups?older=14").get_data(as_text=True)
    assert "Dossier ZX-old" in older and "Autre rencontre" not in older
    resolved = as_organiser.get("/followups?status=resolved").get_data(as_text=True)
    assert 'data-count="resolved">1<' in resolved and 'data-count="open">1<' in resolved
    tab = as_organiser.get(f"/events/{event.id}/followups").get_data(as_text=True)
    assert "Dossier ZX-old" in tab and "Autre rencontre" not in tab


def test_another_organisation_sees_nothing(app, client, event, consenting):
    from core.roles import Role
    from tests.conftest import login, make_user

    raise_concern(event, "Privé", consenting)
    db.session.commit()
    stranger = make_user(make_org("other", name_fr="Autre"), Role.OWNER)
    login(client, stranger.email)
    assert client.get(f"/followups/{_one().id}").status_code == 404
    assert "Privé" not in client.get("/followups").get_data(as_text=True)
    assert client.get(f"/events/{event.id}/followups").status_code == 404


def test_a_concern_for_another_organisations_event_is_ignored(app, event):
    from blueprints.followups import services

    outsider = make_org("other", name_fr="Autre")
    assert (
        services.record_concern(
            organisation_id=outsider.id, event_id=event.id, text="x", source="rsvp"
        )
        is None
    )
