"""In a real chromium: a member raises a concern in the survey, the partner answers it on a
phone in Arabic, the member replies "still not solved", the partner sees it reopened."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.followups.models import FollowUp
from blueprints.surveys import answering, services
from blueprints.surveys.models import SurveyInvite
from core.db import utcnow
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import PASSWORD, make_event, make_partner, make_user
from tests.surveys.conftest import make_registration


def _link(message, prefix: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"(https?://\S+{prefix}/\S+)", text).group(1)


@pytest.mark.browser
def test_survey_concern_answered_by_the_partner_on_a_phone_then_reopened(
    app, org, live_server, smtp_server, playwright, browser, artifacts_dir
):
    event = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    partner = make_partner(org, "CNSS Nador")
    agent = make_user(org, Role.PARTNER, email="agent@cnss.example", locale="ar",
                      partner_id=partner.id, full_name="نادية المرابط")  # fmt: skip
    make_registration(event, "يوسف التازي", email="youssef@example.ma", locale="ar",
                      consent_at=utcnow())  # fmt: skip
    survey = services.create_survey(event)
    survey.anonymous = False
    services.send_now(survey)
    db.session.commit()
    invite = db.session.scalar(sa.select(SurveyInvite))
    concern = next(q for q in survey.questions if q.is_concern)
    answering.submit_response(invite, {str(concern.id): "رقم الانخراط في Damancom مرفوض"})
    db.session.commit()
    followup = db.session.scalar(sa.select(FollowUp))
    followup.partner_id = partner.id
    db.session.commit()

    context = browser.new_context(**playwright.devices["Pixel 5"], locale="ar")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill('input[name="email"]', agent.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/partner$"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("#partner-items a").first.click()
    page.locator("#answer-form textarea").fill("تم تصحيح رقم الانخراط، يمكنكم التصريح الآن.")
    page.locator('input[name="language"][value="ar"]').check()
    page.locator('input[name="outcome"][value="resolved"]').check()
    page.locator("#answer-form button[type=submit]").click()
    page.locator('#fu-status[data-status="resolved"]').wait_for()
    page.screenshot(path=os.path.join(artifacts_dir, "partner-answer-phone-ar.png"), full_page=True)

    smtp_server.messages.clear()
    deliver_due()
    message = next(m for _, rcpt, m in smtp_server.wait_for(2) if rcpt == ["youssef@example.ma"]
                   and "/f/" in m.get_body(("plain",)).get_content())  # fmt: skip
    member = browser.new_context(**playwright.devices["Pixel 5"], locale="ar").new_page()
    member.goto(_link(message, "/f"))
    member.locator('input[name="verdict"][value="not_solved"]').check()
    member.locator('textarea[name="text"]').fill("ما زال التصريح مرفوضا")
    member.locator("#reply-form button[type=submit]").click()
    member.locator("#reply-recorded").wait_for()

    page.reload()
    page.locator('#fu-status[data-status="open"]').wait_for()
    assert "ما زال التصريح مرفوضا" in page.locator("#thread").inner_text()
    context.close()
