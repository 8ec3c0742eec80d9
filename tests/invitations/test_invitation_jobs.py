"""Inviting a very large audience: the request makes a job and returns at once, the
workers invite in batches, an interrupted batch is done again, nobody is invited twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.invitations import jobs, services
from blueprints.invitations.models import Invitation, InvitationJob, InvitationJobState
from blueprints.members.models import Member
from core import outbox_worker
from core.db import utcnow
from core.outbox import OutboxMessage
from core.outbox_worker import run_background
from extensions import db
from tests.conftest import csrf_token_from


def many_members(org, n: int) -> None:
    """`n` members in one INSERT; every tenth without an email address."""
    now = utcnow()
    db.session.execute(
        sa.insert(Member),
        [
            {
                "organisation_id": org.id,
                "full_name": f"Membre {i}",
                "email": None if i % 10 == 0 else f"membre{i}@example.ma",
                "phone": f"+2126{i:08d}",
                "locale": "ar" if i % 2 else "fr",
                "search_text": f"membre {i}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def test_a_large_invitation_returns_at_once_and_its_page_shows_progress(
    app, as_organiser, event, org, monkeypatch
):
    monkeypatch.setitem(app.config, "INVITE_JOB_THRESHOLD", 1000)
    many_members(org, 2500)
    url = f"/events/{event.id}/invitations/new"
    token = csrf_token_from(as_organiser.get(url).get_data(as_text=True))
    response = as_organiser.post(url, data={"csrf_token": token, "everyone": "y", "confirm": "1"})
    job = db.session.scalar(sa.select(InvitationJob))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/invitations/jobs/{job.id}")
    assert count(sa.select(sa.func.count(Invitation.id))) == 0  # nothing done in the request
    assert (job.total, job.done, job.state) == (2500, 0, InvitationJobState.QUEUED)

    page = as_organiser.get(f"/events/{event.id}/invitations/jobs/{job.id}?lang=fr")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # It updates itself in place with a script (an aria-live region, no reload: axe's
    # "meta-refresh" is critical); only without JavaScript does the page reload itself.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'aria-live="polite"' in html and 'data-running="1"' in html
    assert "js/job_progress.js" in html
    assert 'value="0"' in html and "En attente d’un processus" in html

    assert jobs.run_batch(batch=1000) == 1000
    html = as_organiser.get(f"/events/{event.id}/invitations/jobs/{job.id}?lang=ar").get_data(
        as_text=True
    )
    assert 'value="40"' in html and "قيد المعالجة" in html
    while jobs.run_batch(batch=1000):
        pass
    html = as_organiser.get(f"/events/{event.id}/invitations/jobs/{job.id}?lang=fr").get_data(
        as_text=True
    )
    assert 'value="100"' in html and "Terminé" in html and 'http-equiv="refresh"' not in html
    assert 'data-running=""' in html and "js/job_progress.js" not in html


def test_a_small_invitation_is_still_done_in_the_request(app, as_organiser, event, org):
    many_members(org, 30)
    url = f"/events/{event.id}/invitations/new"
    token = csrf_token_from(as_organiser.get(url).get_data(as_text=True))
    response = as_organiser.post(url, data={"csrf_token": token, "everyone": "y", "confirm": "1"})
    assert response.headers["Location"].endswith(f"/events/{event.id}/invitations")
    assert count(sa.select(sa.func.count(Invitation.id))) == 30
    assert count(sa.select(sa.func.count(InvitationJob.id))) == 0


def test_an_interrupted_batch_is_done_again_and_each_member_is_invited_once(
    event, org, monkeypatch
):
    many_members(org, 3000)
    job = jobs.start(event, services.Audience(everyone=True), None)
    db.session.commit()
    job_id = job.id
    assert jobs.run_batch(batch=1000) == 1000

    real = services.outbox.enqueue_many

    def killed_midway(session, messages):
        real(session, messages)  # the invitations and their emails are written…
        raise RuntimeError("worker killed")  # …and the worker dies before the commit

    monkeypatch.setattr(services.outbox, "enqueue_many", killed_midway)
    with pytest.raises(RuntimeError):
        jobs.run_batch(batch=1000)
    db.session.expire_all()
    job = db.session.get(InvitationJob, job_id)
    assert count(sa.select(sa.func.count(Invitation.id))) == 1000  # the batch left nothing
    assert (job.done, job.errors, job.state) == (1000, 1, InvitationJobState.RUNNING)
    assert "worker killed" in job.last_error

    monkeypatch.setattr(services.outbox, "enqueue_many", real)
    while run_background():  # what the workers do between deliveries
        pass
    db.session.expire_all()
    job = db.session.get(InvitationJob, job_id)
    assert (job.state, job.done, job.total, job.errors) == (InvitationJobState.DONE, 3000, 3000, 0)
    assert count(sa.select(sa.func.count(Invitation.id))) == 3000
    assert count(sa.select(sa.func.count(sa.distinct(Invitation.member_id)))) == 3000
    emails = count(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "invitation")
    )
    assert emails == job.emailed == 2700  # one each, none for the 300 without an address
    assert job.invited == 3000 and job.finished_at is not None


def test_a_job_stops_after_repeated_failures(event, org, monkeypatch):
    many_members(org, 20)
    job = jobs.start(event, services.Audience(everyone=True), None)
    db.session.commit()
    job_id = job.id

    def broken(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(jobs, "invite_members", broken)
    for _ in range(jobs.MAX_ERRORS):
        with pytest.raises(RuntimeError):
            jobs.run_batch()
    assert db.session.get(InvitationJob, job_id).state == InvitationJobState.FAILED
    assert jobs.run_batch() == 0  # a stopped job is left alone


def test_the_printable_cards_come_a_sheet_at_a_time(as_organiser, event, org):
    from blueprints.invitations.routes import PRINT_PER_PAGE

    many_members(org, PRINT_PER_PAGE * 2 + 10)
    services.invite(event, services.Audience(everyone=True), None)
    db.session.commit()
    url = f"/events/{event.id}/invitations/print"
    first = as_organiser.get(url + "?lang=fr").get_data(as_text=True)
    last = as_organiser.get(url + "?page=3&lang=fr").get_data(as_text=True)
    assert first.count('<section class="card"') == PRINT_PER_PAGE
    assert last.count('<section class="card"') == 10
    assert "page=2" in first and "Page\u00a0: 1 / 3" in first


def test_a_worker_gives_a_large_job_a_slice_not_one_batch_between_deliveries(
    app, event, org, monkeypatch
):
    """Between two delivery rounds a worker runs the job's batches for up to a slice of
    time, so 200,000 members are not held to one batch of 500 per round of 100 emails;
    a slice of nothing does one round, and an idle job ends the slice at once."""
    many_members(org, 2500)
    monkeypatch.setattr(jobs, "BATCH", 500)
    job = jobs.start(event, services.Audience(everyone=True), None)
    db.session.commit()
    job_id = job.id
    assert outbox_worker.run_background_for(0) == 500  # at least one round
    assert outbox_worker.run_background_for(60) == 2000 + 1  # the rest, and the finish
    assert outbox_worker.run_background_for(60) == 0  # nothing left: returns at once
    db.session.expire_all()
    job = db.session.get(InvitationJob, job_id)
    assert (job.state, job.done) == (InvitationJobState.DONE, 2500)
    assert count(sa.select(sa.func.count(Invitation.id))) == 2500


def test_a_direct_invitation_of_thousands_pairs_each_email_with_its_invitation(
    app, event, org, monkeypatch
):
    """Under the job threshold the request invites everyone at once: the invitations are
    one executemany and their ids are read back a thousand members at a time; each email
    must name the invitation of the member it goes to."""
    monkeypatch.setitem(app.config, "INVITE_JOB_THRESHOLD", 10_000)
    many_members(org, 2500)
    result = jobs.send(event, services.Audience(everyone=True), None)
    db.session.commit()
    assert (result.invited, result.emailed, result.without_email) == (2500, 2250, 250)
    invitation_of = dict(db.session.execute(sa.select(Invitation.id, Invitation.member_id)).all())
    member_email = dict(db.session.execute(sa.select(Member.id, Member.email)).all())
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert len(messages) == 2250
    for message in messages:
        invitation_id = message.payload["invitation_id"]
        assert message.key == f"invitation:{invitation_id}" == f"invitation:{message.subject_id}"
        assert member_email[invitation_of[invitation_id]] == message.to_email
