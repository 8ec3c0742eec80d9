"""Numbers typed in Arabic-Indic (٠-٩) or Persian (۰-۹) digits, or grouped with a space, are
read as the number they are in every numeric field: the event's capacity and companions,
the survey's hours and days, the retention months, a number question of the RSVP form.

A browser's <input type="number"> drops such digits before the form is sent, so these fields
are text inputs with the numeric keypad, and the server reads the digits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.rsvp.models import QuestionKind
from blueprints.surveys import services as surveys
from core.fields import typed_number
from extensions import db
from tests.conftest import form_page_token, make_event
from tests.foundation.test_events import event_form
from tests.rsvp.conftest import ACCEPT, answer, make_invitation, make_question, registration_of

ARABIC_INDIC = {"24": "٢٤", "3": "٣", "120": "١٢٠", "2": "٢"}
PERSIAN = {"24": "۲۴", "3": "۳", "120": "۱۲۰", "2": "۲"}


def test_typed_numbers_are_read_as_western_digits():
    assert typed_number("٢٤") == typed_number("۲۴") == "24"
    assert typed_number("١ ٠٠٠") == typed_number("1\u202f000") == typed_number("١٬٠٠٠") == "1000"
    assert typed_number("٣٫٥", decimal=True) == typed_number("3,5", decimal=True) == "3.5"
    assert typed_number("1,5") == "1,5"  # a whole number with a comma stays refused


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN], ids=["arabic-indic", "persian"])
def test_event_capacity_and_companions(as_organiser, org, digits):
    token = form_page_token(as_organiser, "/events/new")
    data = event_form(token, capacity=f"{digits['120']}", max_companions=digits["2"])
    assert as_organiser.post("/events/new", data=data).status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert (event.capacity, event.max_companions) == (120, 2)


def test_event_capacity_grouped_with_a_space(as_organiser, org):
    token = form_page_token(as_organiser, "/events/new")
    data = event_form(token, capacity="١ ٢٠٠", max_companions="0")
    assert as_organiser.post("/events/new", data=data).status_code == 302
    assert db.session.scalar(sa.select(Event.capacity)) == 1200


def test_numeric_fields_are_text_inputs_with_the_numeric_keypad(as_organiser, org):
    page = as_organiser.get("/events/new?lang=ar").get_data(as_text=True)
    for name in ("capacity", "max_companions"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="text"' in tag and 'inputmode="numeric"' in tag and 'dir="ltr"' in tag


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN], ids=["arabic-indic", "persian"])
def test_survey_hours_and_days(as_organiser, org, digits):
    event = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    survey = surveys.create_survey(event)
    db.session.commit()
    url = f"/events/{event.id}/survey"
    page = as_organiser.get(f"{url}?lang=ar").get_data(as_text=True)
    for name in ("delay_hours", "reminder_days"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="number"' not in tag and 'inputmode="numeric"' in tag
    token = form_page_token(as_organiser, url)
    data = {"csrf_token": token, "delay_hours": digits["24"], "reminder_days": digits["3"]}
    assert as_organiser.post(f"{url}/settings", data=data).status_code == 302
    db.session.refresh(survey)
    assert (survey.delay_hours, survey.reminder_days) == (24, 3)


@pytest.mark.parametrize("typed", ["٢٤", "۲۴"])
def test_retention_months(as_owner, org, typed):
    token = form_page_token(as_owner, "/privacy/settings")
    response = as_owner.post(
        "/privacy/settings", data={"csrf_token": token, "retention_months": typed}
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.retention_months == 24


@pytest.mark.parametrize(("typed", "stored"), [("٣٫٥", "3.5"), ("۱۲", "12"), ("3,5", "3.5")])
def test_rsvp_number_question(client, org, typed, stored):
    event = make_event(org, capacity=10)
    question = make_question(event, QuestionKind.NUMBER)
    invitation = make_invitation(org, event, full_name="أمينة الريفي", locale="ar")
    response = answer(client, invitation, {**ACCEPT, f"q_{question.id}": typed})
    assert response.status_code == 302
    assert registration_of(invitation).answers[0].value == stored


@pytest.mark.browser
def test_arabic_indic_digits_typed_in_chromium_reach_the_server(
    app, org, organiser, live_server, browser
):
    """What a phone's Arabic keyboard types: a number input would send nothing at all."""
    from tests.checkin.test_browser_door import sign_in

    event = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    survey = surveys.create_survey(event)
    db.session.commit()
    context = browser.new_context(locale="ar-MA")
    page = context.new_page()
    try:
        sign_in(page, live_server, organiser.email)
        page.goto(f"{live_server}/events/{event.id}/survey?lang=ar")
        for name, typed in (("delay_hours", "٢٤"), ("reminder_days", "۳")):
            page.locator(f"input[name={name}]").fill("")
            page.locator(f"input[name={name}]").press_sequentially(typed)
            assert page.locator(f"input[name={name}]").input_value() == typed
        page.locator("input[name=delay_hours]").press("Enter")
        page.wait_for_load_state()
    finally:
        context.close()
    db.session.expire_all()
    db.session.refresh(survey)
    assert (survey.delay_hours, survey.reminder_days) == (24, 3)
