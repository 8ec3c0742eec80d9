"""In Debian's chromium, phone-sized, in Arabic: from the invitation email to the ticket."""

from __future__ import annotations

import os
import re

import pytest

from blueprints.rsvp.models import QuestionKind, RegistrationStatus
from core.outbox import enqueue
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import make_invitation, make_question, registration_of


@pytest.mark.browser
def test_invitee_answers_on_a_phone_in_arabic(
    app, org, live_server, smtp_server, browser, playwright, artifacts_dir
):
    event = make_event(org, capacity=50, max_companions=2)
    trade = make_question(
        event,
        QuestionKind.SINGLE_CHOICE,
        position=0,
        required=True,
        label_ar="قطاع النشاط",
        label_fr="Secteur",
        choices_ar="تجارة\nحرف",
        choices_fr="Commerce\nArtisanat",
    )
    concern = make_question(
        event,
        QuestionKind.LONG_TEXT,
        position=1,
        is_concern=True,
        label_ar="ما المشكلة التي تريد طرحها مع الضمان الاجتماعي؟",
        label_fr="Problème à soulever",
    )
    invitation = make_invitation(
        org, event, full_name="سعيد المراكشي", locale="ar", email="said@example.ma"
    )
    # the real invitation email, as the invitations feature sends it
    enqueue(
        db.session,
        key=f"invitation:{invitation.id}",
        kind="invitation",
        to_email="said@example.ma",
        locale="ar",
        payload={"invitation_id": invitation.id},
        organisation_id=org.id,
        subject=("invitation", invitation.id),
    )
    db.session.commit()
    assert deliver_due() == (1, 0)
    ((_, _, message),) = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    link = re.search(re.escape(live_server) + r"/r/[\w-]+", text).group(0)

    device = {k: v for k, v in playwright.devices["Pixel 5"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="ar-MA")
    page = context.new_page()
    try:
        page.goto(link)
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.get_by_label("سأحضر").check()
        page.get_by_label("المرافق 1").fill("سلمى المراكشي")
        page.get_by_label("حرف").check()
        page.get_by_label("ما المشكلة التي تريد طرحها مع الضمان الاجتماعي؟").fill(
            "تأخر تعويض ملف التأمين الإجباري عن المرض"
        )
        page.locator("#consent").check()
        page.get_by_role("button", name="إرسال ردي").click()
        page.wait_for_url(re.compile(r".*/t/[\w-]+$"))
        assert page.locator(".ticket-qr svg").is_visible()
        assert "سلمى المراكشي" in page.content()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= device["viewport"]["width"]  # nothing overflows the phone screen
        page.screenshot(
            path=os.path.join(artifacts_dir, "rsvp-ticket-ar-pixel5.png"), full_page=True
        )
    finally:
        context.close()
    registration = registration_of(invitation)
    assert registration.status == RegistrationStatus.ACCEPTED
    assert [c.full_name for c in registration.companion_list] == ["سلمى المراكشي"]
    answers = {a.question_id: a.value for a in registration.answers}
    assert answers[trade.id] == "1" and answers[concern.id].startswith("تأخر")
    assert registration.locale == "ar"
