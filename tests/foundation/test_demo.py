"""`flask demo` builds the demo meetings and their story once; a second run changes nothing."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.events.models import Event, EventStatus
from blueprints.followups.models import FollowUp, FollowUpStatus
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation
from blueprints.rsvp.models import Registration, RegistrationStatus
from blueprints.surveys.models import Survey, SurveyResponse, SurveyStatus
from core import i18n
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.roles import Role
from demo import around, data
from extensions import db
from tests.conftest import csrf_token_from, login

# Tables the story must fill (every table is compared before and after a second run).
STORY_TABLES = (
    "invitation",
    "outbox_message",
    "rsvp_question",
    "rsvp_answer",
    "registration",
    "companion",
    "checkin",
    "survey",
    "survey_question",
    "survey_invite",
    "survey_response",
    "follow_up",
)


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _event(suffix: str = "") -> Event:
    return db.session.scalar(
        sa.select(Event).where(Event.title_fr == data.EVENT["title_fr"] + suffix)
    )


def _links(output: str) -> dict[str, str]:
    """The printed "label  URL" lines, as label -> path."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s+(.+?)\s+(https?://\S+)$", line)
        if match:
            url = urlsplit(match.group(2))
            found[match.group(1)] = url.path
    return found


def _demo(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_is_idempotent_and_matches_the_meeting(app):
    runner = app.test_cli_runner()
    started = time.perf_counter()
    first = runner.invoke(args=["demo"])
    took = time.perf_counter() - started
    assert first.exit_code == 0, first.output
    assert took < 20, f"flask demo took {took:.1f} s"
    assert "organiser@demo.liqaa.example" in first.output
    counts = _counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _counts() == counts
    assert all(counts[name] > 0 for name in STORY_TABLES), counts
    listed = list(csv.DictReader(io.StringIO(data.MEMBERS_CSV.read_text(encoding="utf-8"))))
    assert counts["member"] == len(listed)  # every row of the CSV came through the importer
    officials = db.session.scalars(sa.select(Member).where(Member.category == "official")).all()
    assert len(officials) == sum(row["Catégorie"] == "official" for row in listed)
    board = db.session.scalar(sa.select(Member).where(Member.email == listed[0]["Email"]))
    assert board.tag_names == listed[0]["Tags"].split(",") and board.ice == listed[0]["ICE"]
    assert counts["event"] == 3
    assert counts["programme_item"] == 18

    event = _event()
    assert event.status == EventStatus.PUBLISHED and event.capacity == 120
    local_start, local_end = i18n.to_local(event.starts_at), i18n.to_local(event.ends_at)
    assert (local_start.hour, local_start.minute) == (15, 30)
    assert (local_end.hour, local_end.minute) == (19, 30)
    assert local_start.weekday() == 3  # a Thursday, as in the article
    assert "CNSS" in event.cohosts[0].name_fr
    phones = db.session.scalars(sa.select(Member.phone).where(Member.phone.is_not(None)))
    assert all(p.startswith("+2126") or p.startswith("+2127") for p in phones)
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == {Role.OWNER, Role.ORGANISER, Role.DOOR, Role.PARTNER}
    agent = db.session.scalar(sa.select(User).where(User.role == Role.PARTNER))
    assert agent.partner is not None and "CNSS" in agent.partner.name_fr
    assert agent.email in first.output  # its sign-in is printed with the others


def test_demo_organiser_sees_the_meeting_in_arabic_and_french(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    event = _event()
    assert login(client, "organiser@demo.liqaa.example", data.DEMO_PASSWORD).status_code == 302
    arabic = client.get(f"/events/{event.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and data.PROGRAMME[0]["title_ar"] in arabic
    french = client.get(f"/events/{event.id}?lang=fr").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in french
    assert data.PROGRAMME[3]["title_fr"].replace("'", "&#39;") in french


def test_orgs_create_command(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["orgs", "create", "nador-tpe", "--name-fr", "TPE Nador"])
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(sa.select(Organisation.name_fr)) == "TPE Nador"
    bad = runner.invoke(args=["orgs", "create", "Bad Slug!", "--name-fr", "X"])
    assert bad.exit_code != 0
    taken = runner.invoke(args=["orgs", "create", "nador-tpe", "--name-fr", "Y"])
    assert taken.exit_code != 0


def _registrations(event: Event, status: RegistrationStatus | None = None) -> list[Registration]:
    stmt = sa.select(Registration).where(Registration.event_id == event.id)
    if status is not None:
        stmt = stmt.where(Registration.status == status)
    return list(db.session.scalars(stmt))


def test_demo_tells_the_story_of_each_feature(app):
    _demo(app)
    main, today, past = (
        _event(),
        _event(around.TODAY_SUFFIX["fr"]),
        _event(around.PAST_SUFFIX["fr"]),
    )

    # Main meeting: everyone invited, about fifteen answers, concerns become follow-ups.
    answers = _registrations(main)
    assert len(answers) == len(around.MAIN_RSVPS)
    declined = [r for r in answers if r.status == RegistrationStatus.DECLINED]
    assert len(declined) == 4 and all(r.decline_reason for r in declined)
    assert sum(r.companions for r in answers) == 4
    queued = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.state == OutboxState.QUEUED)
    )
    assert {"invitation", "rsvp_ticket", "survey_invite"} <= set(queued)
    assert not db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.state == OutboxState.SENT).limit(1)
    )

    # Today's session: an hour after the first run, tickets, a few already in at door A.
    assert today.status == EventStatus.PUBLISHED and today.capacity == around.TODAY_CAPACITY
    assert timedelta(minutes=55) < today.starts_at - utcnow() <= timedelta(hours=1)
    accepted = _registrations(today, RegistrationStatus.ACCEPTED)
    assert len(accepted) == len(around.TODAY_GUESTS) and all(r.ticket_code for r in accepted)
    arrived = [r for r in accepted if r.checked_in_at is not None]
    assert len(arrived) == around.TODAY_CHECKED_IN and {r.checked_in_door for r in arrived} == {"A"}

    # Past edition: a month ago, closed, its arrivals at the time of the meeting.
    assert past.status == EventStatus.CLOSED
    # 28 days ago at its afternoon hour: just under 28 days before 14:30, just over after
    assert timedelta(days=27) < utcnow() - past.starts_at < timedelta(days=29)
    came = [r for r in _registrations(past) if r.checked_in_at is not None]
    assert len(came) == len(around.PAST_GUESTS) - len(around.PAST_NO_SHOWS)
    assert all(past.starts_at - timedelta(hours=1) < r.checked_in_at < past.ends_at for r in came)
    survey = db.session.scalar(sa.select(Survey).where(Survey.event_id == past.id))
    assert survey.status == SurveyStatus.OPEN
    responses = db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    )
    assert responses == len(around.SURVEY_ANSWERS)
    followups = list(db.session.scalars(sa.select(FollowUp)))
    assert {f.status for f in followups} == set(FollowUpStatus)
    resolved = [f for f in followups if f.status == FollowUpStatus.RESOLVED]
    assert resolved and all(f.resolution for f in resolved)
    cnss = [f for f in followups if f.status == FollowUpStatus.IN_PROGRESS and f.partner]
    assert cnss and all("CNSS" in f.partner.name_fr for f in cnss)
    assert {f.event_id for f in followups} == {main.id, past.id}
    # The past edition's concerns were raised then, so the board's answer times are positive.
    from blueprints.followups.thread import partner_figures

    assert all(
        f.created_at < past.ends_at + timedelta(days=2) for f in followups if f.event_id == past.id
    )
    times = [
        (f.first_answer_hours, f.resolution_hours) for f in partner_figures(main.organisation_id)
    ]
    assert times and all(hours is None or hours > 0 for pair in times for hours in pair), times

    # The past edition's press release, in both languages, built from its data.
    from blueprints.reports.models import PressRelease

    releases = {r.language: r for r in db.session.scalars(sa.select(PressRelease))}
    assert set(releases) == {"ar", "fr"} and {r.event_id for r in releases.values()} == {past.id}
    assert "الناظور" in releases["ar"].body + releases["ar"].title
    assert "Nador" in releases["fr"].body + releases["fr"].title


def test_door_page_of_today_session_admits_a_demo_ticket(app, client):
    links = _links(_demo(app))
    door_path = links["Door page, today's session (door)"]
    ticket_path = links["A ticket to scan or open (today's session)"]
    assert login(client, "door@demo.liqaa.example", data.DEMO_PASSWORD).status_code == 302
    page = client.get(door_path)
    assert page.status_code == 200
    token = re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True)).group(1)
    event_id = int(door_path.rsplit("/", 1)[1])
    scan = {"code": app.config["BASE_URL"] + ticket_path, "door": "A"}
    first = client.post(
        f"/api/v1/events/{event_id}/checkins",
        json={**scan, "nonce": "demo-1"},
        headers={"X-CSRFToken": token},
    )
    assert first.status_code == 200 and first.json["result"] == "admitted", first.json
    again = client.post(
        f"/api/v1/events/{event_id}/checkins",
        json={**scan, "nonce": "demo-2"},
        headers={"X-CSRFToken": token},
    )
    assert again.json["result"] == "already_checked_in"
    assert again.json["first_check_in"]["door"] == "A"


def test_past_edition_results_and_followups_for_the_organiser(app, client):
    links = _links(_demo(app))
    assert login(client, "organiser@demo.liqaa.example", data.DEMO_PASSWORD).status_code == 302
    results = client.get(links["Survey results, past edition (organiser)"] + "?lang=fr")
    assert results.status_code == 200
    html = results.get_data(as_text=True)
    assert "<svg" in html
    board = client.get(links["Follow-up board (organiser)"] + "?lang=ar")
    assert board.status_code == 200
    assert around.QA_CONCERNS[0]["text"][:20] in board.get_data(as_text=True)
    registrations = client.get(links["Registrations, main meeting (organiser)"])
    assert registrations.status_code == 200


def test_printed_links_answer_for_a_visitor(app, client):
    output = _demo(app)
    links = _links(output)
    for label in (
        "An invitation to answer (main meeting)",
        "A ticket to scan or open (today's session)",
        "A survey to answer (past edition)",
    ):
        response = client.get(links[label])
        assert response.status_code == 200, (label, response.status_code)
    # The same links again on a second run: they are read from the data, not made anew.
    assert _links(_demo(app)) == links
    csrf_token_from(client.get(links["A survey to answer (past edition)"]).get_data(as_text=True))
