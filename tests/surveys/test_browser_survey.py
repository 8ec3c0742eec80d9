"""In a real chromium on a phone-sized screen, in Arabic: open the emailed link and answer."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from blueprints.followups.models import FollowUp
from blueprints.surveys import services
from blueprints.surveys.models import QuestionKind, SurveyInvite, SurveyResponse
from core.outbox_delivery import deliver_due
from extensions import db
from tests.surveys.conftest import make_registration, open_survey, question_of


@pytest.mark.browser
def test_an_attendee_answers_the_emailed_survey_on_a_phone_in_arabic(
    app, live_server, smtp_server, survey, past_event, playwright, browser, artifacts_dir
):
    make_registration(past_event, "أمينة العلوي", email="amina@example.ma", locale="ar")
    open_survey(survey)
    services.send_now(survey)
    db.session.commit()
    assert deliver_due() == (1, 0)
    ((_, _, message),) = smtp_server.wait_for(1)
    body = message.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if word.startswith(live_server + "/s/"))
    rating = question_of(survey, QuestionKind.RATING)
    yes_no = question_of(survey, QuestionKind.YES_NO)
    concern = next(q for q in survey.questions if q.is_concern)

    context = browser.new_context(**playwright.devices["Pixel 5"], locale="ar")
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.viewport_size["width"] < 500
    page.locator(f'label:has(input[name="q{rating.id}"][value="4"])').click()
    page.locator(f'label:has(input[name="q{yes_no.id}"][value="yes"])').click()
    page.locator(f'textarea[name="q{concern.id}"]').fill("ما زال ملف التعويض عن المرض عالقًا")
    assert page.locator("#sv-progress-text").inner_text().startswith("الأسئلة المجاب عنها: 3 / ")
    tap_height = page.locator(f'label:has(input[name="q{rating.id}"][value="4"])').bounding_box()
    assert tap_height["height"] >= 44  # big touch targets

    # the connection drops while sending: nothing is lost
    context.set_offline(True)
    page.locator("#sv-submit").click()
    page.locator("#sv-offline").wait_for(state="visible")
    assert page.locator(f'textarea[name="q{concern.id}"]').input_value().startswith("ما زال")
    context.set_offline(False)
    page.locator("#sv-submit").click()
    page.locator("#sv-recorded").wait_for(state="visible")
    assert "تم تسجيل جوابكم" in page.locator("#sv-recorded").inner_text()
    # recorded for good: the draft kept on the phone is gone too
    assert page.evaluate("Object.keys(window.localStorage).length") == 0
    page.screenshot(path=os.path.join(artifacts_dir, "survey-phone-ar.png"), full_page=True)
    context.close()

    db.session.expire_all()
    (response,) = db.session.scalars(sa.select(SurveyResponse)).all()
    assert response.answers[str(rating.id)] == 4 and response.answers[str(yes_no.id)] is True
    followup = db.session.scalar(sa.select(FollowUp))
    assert followup.text.startswith("ما زال") and followup.registration_id is None


@pytest.mark.browser
def test_a_draft_survives_a_reload(
    app, live_server, survey, past_event, playwright, browser, artifacts_dir
):
    """What was typed stays on the phone even if the page is reloaded before sending."""
    make_registration(past_event, "Claire", email="claire@example.ma", locale="fr")
    open_survey(survey)
    token = db.session.scalar(sa.select(SurveyInvite)).token
    comment = survey.questions[-1]
    context = browser.new_context(**playwright.devices["Pixel 5"], locale="fr")
    page = context.new_page()
    page.goto(f"{live_server}/s/{token}")
    page.locator(f'textarea[name="q{comment.id}"]').fill("Bonne rencontre")
    page.reload()
    assert page.locator(f'textarea[name="q{comment.id}"]').input_value() == "Bonne rencontre"
    context.close()
