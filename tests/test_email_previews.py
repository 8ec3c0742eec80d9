"""Organisers preview every kind of email Liqaa sends, in Arabic and in French, built by
the kind's own builder on sample rows that are rolled back: nothing is sent or kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.followups.models import FollowUp, FollowUpMessage
from blueprints.invitations.models import EventNotice, Invitation
from blueprints.members.models import Member
from blueprints.orgs.models import Partner
from blueprints.privacy.models import MyDataLink
from blueprints.rsvp.models import Registration
from blueprints.surveys.models import Survey, SurveyInvite
from core import email_preview
from core.audit import AuditEntry
from core.outbox import OutboxMessage, builder_kinds
from core.roles import Role
from extensions import db
from tests.conftest import login, make_event, make_org, make_user

# Every kind Liqaa sends; the first test fails when a builder is added without a sample here.
KINDS = sorted(["invitation", "reminder", "event_notice", "rsvp_ticket", "rsvp_waitlisted",
                "rsvp_confirm", "rsvp_rejected", "survey_invite", "survey_reminder",
                "followup_resolved", "followup_answer", "my_data_link", "partner_invite",
                "partner_digest", "password_reset"])  # fmt: skip
KEPT = (User, Member, Invitation, EventNotice, Registration, Survey, SurveyInvite, FollowUp,
        FollowUpMessage, Partner, MyDataLink, OutboxMessage, AuditEntry)  # fmt: skip
# Each preview's subject, in the email's language (the event is "Rencontre CNSS").
AR_TITLE, FR_TITLE = "لقاء الضمان الاجتماعي", "Rencontre CNSS"
SUBJECTS = {
    "ar": {
        "invitation": f"دعوة: {AR_TITLE}",
        "reminder": f"تذكير: {AR_TITLE}",
        "event_notice": f"تغيير: {AR_TITLE}",
        "rsvp_ticket": f"تذكرتكم: {AR_TITLE}",
        "rsvp_waitlisted": f"لائحة الانتظار: {AR_TITLE}",
        "rsvp_confirm": f"أكّدوا تسجيلكم: {AR_TITLE}",
        "rsvp_rejected": f"تسجيلكم: {AR_TITLE}",
        "survey_invite": f"رأيكم في {AR_TITLE}",
        "survey_reminder": f"تذكير: رأيكم في {AR_TITLE}",
        "followup_resolved": f"جواب عن السؤال الذي طرحتموه في {AR_TITLE}",
        "followup_answer": f"جواب عن السؤال الذي طرحتموه في {AR_TITLE}",
        "my_data_link": "بياناتكم لدى جمعية تجريبية",
        "partner_invite": "جمعية تجريبية تدعوكم للإجابة عن المتابعات",
        "partner_digest": "ملفات متابعة تنتظر جوابكم: 1",
        "password_reset": "اختاروا كلمة مرور جديدة",
    },
    "fr": {
        "invitation": f"Invitation\u00a0: {FR_TITLE}",
        "reminder": f"Rappel\u00a0: {FR_TITLE}",
        "event_notice": f"Changement\u00a0: {FR_TITLE}",
        "rsvp_ticket": f"Votre billet\u00a0: {FR_TITLE}",
        "rsvp_waitlisted": f"Liste d’attente\u00a0: {FR_TITLE}",
        "rsvp_confirm": f"Confirmez votre inscription\u00a0: {FR_TITLE}",
        "rsvp_rejected": f"Votre inscription\u00a0: {FR_TITLE}",
        "survey_invite": f"Votre avis sur {FR_TITLE}",
        "survey_reminder": f"Rappel\u00a0: votre avis sur {FR_TITLE}",
        "followup_resolved": f"Une réponse à la question soulevée lors de {FR_TITLE}",
        "followup_answer": f"Une réponse à la question soulevée lors de {FR_TITLE}",
        "my_data_link": "Vos données chez Association test",
        "partner_invite": "Association test vous invite à répondre aux suivis",
        "partner_digest": "Suivis en attente de votre réponse\u00a0: 1",
        "password_reset": "Choisissez un nouveau mot de passe pour Liqaa",
    },
}


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in KEPT}


@pytest.fixture
def event(org):
    return make_event(org, title_ar=AR_TITLE, title_fr=FR_TITLE,
                      venue_address="Boulevard Principal, Nador")  # fmt: skip


def test_every_kind_liqaa_sends_has_a_preview(app):
    assert sorted(k for k in builder_kinds() if not k.startswith("test-")) == KINDS
    assert sorted(email_preview.preview_kinds()) == KINDS
    assert email_preview.preview_kinds()[0] == "invitation"  # the page opens on it
    staff = email_preview.preview_kinds()[-3:]
    assert set(staff) == {"password_reset", "partner_invite", "partner_digest"}


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_previews_in_each_language_and_nothing_stays(
    as_organiser, organiser, event, kind, language
):
    organiser.full_name = "Karim Benali"
    db.session.commit()
    before = _counts()
    base = f"/events/{event.id}/invitations/preview"
    page = as_organiser.get(f"{base}?language={language}&kind={kind}&lang=fr")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'aria-current="page" href="{base}?language={language}&amp;kind={kind}"' in html
    frame = as_organiser.get(f"{base}/html?language={language}&kind={kind}")
    assert frame.status_code == 200
    assert frame.headers["Content-Security-Policy"].startswith("sandbox;")
    body = frame.get_data(as_text=True)
    assert f'lang="{language}"' in body
    assert ('dir="rtl"' in body) == (language == "ar")
    assert "Karim Benali" in html or "Karim Benali" in body  # the reader's name, in place
    assert SUBJECTS[language][kind] in html.split("<main", 1)[1]
    db.session.rollback()
    assert _counts() == before  # no sample row, no outbox row, no audit entry was kept


def test_previews_are_escaped(as_organiser, organiser, event):
    organiser.full_name = '<img src=x onerror="alert(1)">'
    db.session.commit()
    base = f"/events/{event.id}/invitations/preview"
    for kind in KINDS:
        html = as_organiser.get(f"{base}?language=fr&kind={kind}").get_data(as_text=True)
        frame = as_organiser.get(f"{base}/html?language=fr&kind={kind}").get_data(as_text=True)
        assert "<img src=x" not in html and "<img src=x" not in frame, kind


def test_previews_are_for_organisers_of_the_event_only(app, event, door):
    url = f"/events/{event.id}/invitations/preview?language=ar&kind=partner_digest"
    frame = url.replace("preview?", "preview/html?")
    anonymous, at_the_door, elsewhere = (app.test_client() for _ in range(3))
    assert anonymous.get(url).status_code == 302  # to the sign-in
    login(at_the_door, door.email)
    assert at_the_door.get(url).status_code == 403
    assert at_the_door.get(frame).status_code == 403
    login(elsewhere, make_user(make_org(slug="elsewhere"), Role.ORGANISER).email)
    assert elsewhere.get(url).status_code == 404
    assert elsewhere.get(frame).status_code == 404


def test_the_preview_is_built_by_the_kind_s_own_builder(app, event):
    """The preview and the real email share their builder: a ticket preview has the QR
    code and the calendar file a real ticket has."""
    with app.test_request_context():
        built = email_preview.preview("rsvp_ticket", event, "ar", "أمينة الريفي")
        notice = email_preview.preview("event_notice", event, "fr", "Jean Dupont")
    assert [name for name, *_ in built.attachments] == [
        "ticket-qr.png",
        "ticket-qr.png",
        "event.ics",
    ]
    assert "أمينة الريفي" in built.text
    assert "Rencontre CNSS" in notice.subject


def test_a_preview_leaves_nothing_even_when_the_request_commits_after_it(app, event):
    before = _counts()
    with app.test_request_context():
        for kind in KINDS:
            for language in ("ar", "fr"):
                email_preview.preview(kind, event, language, "Karim Benali")
        db.session.commit()
    assert _counts() == before
