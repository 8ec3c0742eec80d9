"""Badges at size: a large sheet's PDF is made by the workers in parts while the organiser
watches its progress, then joined into one file kept for a day; the sheet's choices
(category, not printed yet) and the event's format (eight per A4 sheet, or A6)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from blueprints.members.models import MemberCategory
from blueprints.reports import badge_jobs
from blueprints.reports.models import BadgeJob, BadgeJobPart, BadgeJobState
from blueprints.rsvp.models import Companion, Registration
from core.db import utcnow
from core.outbox_worker import run_background
from extensions import db
from tests.conftest import csrf_token_from
from tests.partners.test_report_pdf import pdf_text
from tests.surveys.conftest import make_registration

A4 = (595, 842)  # points, rounded
A6 = (298, 420)


def crowd(event, n: int) -> list[Registration]:
    """`n` accepted people named in print order; the first has a companion."""
    people = []
    for i in range(n):
        companions = [("Compagne Zero", None)] if i == 0 else []
        category = MemberCategory.PRESS if i < 3 else MemberCategory.MEMBER
        registration = make_registration(
            event, f"Personne {i:03d}", email=f"p{i}@example.ma", checked_in=i % 2 == 0,
            companions=companions, category=category,
        )  # fmt: skip
        registration.ticket_code = f"ticket-code-{i:03d}-abcdefghij"
        people.append(registration)
    db.session.commit()
    return people


def _first_page_qr_decodes(data: bytes, folder: str, name: str, code: str) -> None:
    """Page 1 saved as PNG in test-artifacts/ and its QR code read back (zxing-cpp)."""
    path = os.path.join(folder, f"{name}.pdf")
    with open(path, "wb") as handle:
        handle.write(data)
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed: the QR is not read back")
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", path, path[:-4]], check=True)
    found = {r.text for r in zxingcpp.read_barcodes(Image.open(path[:-4] + ".png"))}
    assert f"http://liqaa.test/t/{code}" in found


def sizes(data: bytes) -> list[tuple[int, int]]:
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def test_a_large_sheet_is_made_in_parts_and_downloaded_when_ready(
    app, as_organiser, event, monkeypatch, artifacts_dir
):
    monkeypatch.setitem(app.config, "BADGE_JOB_THRESHOLD", 10)
    monkeypatch.setattr(badge_jobs, "PART", 8)
    crowd(event, 20)  # 21 badges with the companion
    event_id = event.id
    sheet = as_organiser.get(f"/events/{event_id}/badges?lang=fr").get_data(as_text=True)
    assert sheet.count('class="badge badge-') == 10  # the first ones only
    assert f"/events/{event_id}/badges/jobs" in sheet and "badges.pdf" not in sheet
    direct = as_organiser.get(f"/events/{event_id}/badges.pdf?category=member")
    assert direct.status_code == 302 and "/badges?category=member" in direct.headers["Location"]

    token = csrf_token_from(sheet)
    started = as_organiser.post(f"/events/{event_id}/badges/jobs", data={"csrf_token": token})
    job = db.session.scalar(sa.select(BadgeJob))
    assert started.status_code == 302
    job_id = job.id
    assert started.headers["Location"].endswith(f"/events/{event_id}/badges/jobs/{job_id}")
    assert (job.total, job.done, job.state) == (21, 0, BadgeJobState.QUEUED)
    assert job.people[:2] == [f"r{job.people[0][1:]}", f"c{job.people[1][1:]}"]
    page = as_organiser.get(f"/events/{event_id}/badges/jobs/{job_id}?lang=fr")
    html = page.get_data(as_text=True)
    assert 'http-equiv="refresh"' in html and "0 / 21" in html
    # updated in place while it runs (a bare meta refresh is an axe violation)
    assert 'aria-live="polite"' in html and 'data-running="1"' in html
    assert "js/job_progress.js" in html and '<noscript><meta http-equiv="refresh"' in html
    assert (
        as_organiser.get(f"/events/{event_id}/badges/jobs/{job_id}/badges.pdf").status_code == 404
    )

    assert run_background() == 8  # one part per step
    db.session.expire_all()
    job = db.session.get(BadgeJob, job_id)
    assert (job.done, job.state) == (8, BadgeJobState.RUNNING)
    assert db.session.scalar(sa.select(sa.func.count(BadgeJobPart.id))) == 1
    assert all(r.badge_printed_at is None for r in db.session.scalars(sa.select(Registration)))
    while run_background():
        pass
    db.session.expire_all()
    job = db.session.get(BadgeJob, job_id)
    assert job.state == BadgeJobState.DONE and job.finished_at is not None
    assert db.session.scalar(sa.select(sa.func.count(BadgeJobPart.id))) == 0
    done = as_organiser.get(f"/events/{event_id}/badges/jobs/{job_id}?lang=fr").get_data(
        as_text=True
    )
    assert 'http-equiv="refresh"' not in done and f"/badges/jobs/{job_id}/badges.pdf" in done
    assert 'data-running=""' in done and "js/job_progress.js" not in done

    response = as_organiser.get(f"/events/{event_id}/badges/jobs/{job_id}/badges.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)
    names = ["Personne 000", "Compagne Zero", *(f"Personne {i:03d}" for i in range(1, 20))]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)  # every badge, in print order, across the parts
    assert sizes(response.data) == [A4] * 3  # 8 + 8 + 5 badges: no half-empty sheet between
    _first_page_qr_decodes(response.data, artifacts_dir, "badges-job", "ticket-code-000-abcdefghij")
    printed = db.session.scalars(sa.select(Registration.badge_printed_at)).all()
    assert None not in printed
    assert db.session.scalar(sa.select(Companion.badge_printed_at)) is not None


def test_the_workers_render_in_the_organisers_language(app, as_organiser, event, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOB_THRESHOLD", 2)
    crowd(event, 3)
    sheet = as_organiser.get(f"/events/{event.id}/badges?lang=ar").get_data(as_text=True)
    token = csrf_token_from(sheet)
    as_organiser.post(f"/events/{event.id}/badges/jobs?lang=ar", data={"csrf_token": token})
    job = db.session.scalar(sa.select(BadgeJob))
    job_id = job.id
    assert job.language == "ar"
    while run_background():
        pass
    data = db.session.get(BadgeJob, job_id).pdf
    text = pdf_text(data)
    assert "Personne 000" in text and "Press" not in text and "Presse" not in text
    assert "صحافة" in text and "مرافق" in text  # the category bands, in Arabic


def test_a_small_sheet_stays_immediate_and_marks_what_was_printed(
    app, as_organiser, event, monkeypatch
):
    monkeypatch.setitem(app.config, "BADGE_JOB_THRESHOLD", 100)
    people = crowd(event, 5)
    press = as_organiser.get(f"/events/{event.id}/badges?category=press").get_data(as_text=True)
    assert press.count('class="badge badge-press"') == 3 and "badge-member" not in press
    companions = as_organiser.get(f"/events/{event.id}/badges?category=companion")
    assert companions.get_data(as_text=True).count('class="badge badge-') == 1

    pdf = as_organiser.get(f"/events/{event.id}/badges.pdf?category=press")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(sa.select(BadgeJob)) is None  # no job for a small sheet
    db.session.expire_all()
    assert [p.badge_printed_at is not None for p in people] == [True] * 3 + [False] * 2

    left = as_organiser.get(f"/events/{event.id}/badges?unprinted=1").get_data(as_text=True)
    assert left.count('class="badge badge-') == 3  # two members and the companion
    assert "Personne 000<" not in left and "Personne 003" in left and "Compagne Zero" in left
    for junk in ("category=<script>", "category=admin", "unprinted=maybe", "who=everyone"):
        page = as_organiser.get(f"/events/{event.id}/badges?{junk}")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('class="badge badge-') == 6


def test_the_format_is_chosen_per_event(app, as_organiser, event, org, artifacts_dir):
    crowd(event, 3)
    assert event.badge_format == "a4-8"
    sheet = as_organiser.get(f"/events/{event.id}/badges").get_data(as_text=True)
    token = csrf_token_from(sheet)
    bad = as_organiser.post(
        f"/events/{event.id}/badges/format", data={"csrf_token": token, "badge_format": "a0"}
    )
    assert bad.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(event), event.id).badge_format == "a4-8"
    assert sizes(as_organiser.get(f"/events/{event.id}/badges.pdf").data) == [A4]
    saved = as_organiser.post(
        f"/events/{event.id}/badges/format",
        data={"csrf_token": token, "badge_format": "a6", "category": "press"},
    )
    assert saved.headers["Location"].endswith(f"/events/{event.id}/badges?category=press")
    db.session.expire_all()
    assert db.session.get(type(event), event.id).badge_format == "a6"
    data = as_organiser.get(f"/events/{event.id}/badges.pdf").data
    assert sizes(data) == [A6] * 4  # one badge per page: three people and a companion
    _first_page_qr_decodes(data, artifacts_dir, "badges-a6", "ticket-code-000-abcdefghij")
    assert 'class="badge-sheet format-a6"' in as_organiser.get(
        f"/events/{event.id}/badges"
    ).get_data(as_text=True)


def test_a_failing_job_stops_and_an_old_file_is_forgotten(app, event, monkeypatch):
    crowd(event, 3)
    from blueprints.reports.badges import Choice

    job = badge_jobs.start(event, Choice(), "fr", None)
    db.session.commit()
    job_id = job.id

    def broken(*_args, **_kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(badge_jobs, "render", broken)
    for _ in range(badge_jobs.MAX_ERRORS):
        with pytest.raises(RuntimeError):
            badge_jobs.run_step()
    failed = db.session.get(BadgeJob, job_id)
    assert failed.state == BadgeJobState.FAILED and "out of memory" in failed.last_error
    assert badge_jobs.run_step() == 0  # a stopped job is left alone

    monkeypatch.undo()
    kept = badge_jobs.start(event, Choice(), "fr", None)
    db.session.commit()
    while badge_jobs.run_step():
        pass
    kept = db.session.get(BadgeJob, kept.id)
    assert kept.pdf_size > 1000
    badge_jobs.forget_old_files(utcnow() + timedelta(hours=23))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(BadgeJob, kept.id).pdf_size > 1000
    badge_jobs.forget_old_files(utcnow() + timedelta(hours=25))
    db.session.commit()
    db.session.expire_all()
    gone = db.session.get(BadgeJob, kept.id)
    assert gone.pdf is None and gone.pdf_size == 0


def test_a_step_another_worker_wrote_first_is_not_written_twice(app, event, monkeypatch):
    crowd(event, 3)
    from blueprints.reports.badges import Choice

    job = badge_jobs.start(event, Choice(), "fr", None)
    db.session.commit()
    job_id = job.id
    real = badge_jobs.render

    def slow_render(*args, **kwargs):
        data = real(*args, **kwargs)
        with db.engine.begin() as other:  # another worker stores the same part meanwhile
            other.execute(sa.update(BadgeJob.__table__).values(done=4, state="running"))
        return data

    monkeypatch.setattr(badge_jobs, "render", slow_render)
    assert badge_jobs.run_step() == 4
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(BadgeJobPart.id))) == 0  # not stored
    assert db.session.get(BadgeJob, job_id).done == 4


def test_erasing_a_member_drops_the_badge_sheets_that_hold_their_name(app, event, org):
    from blueprints.members.models import Member
    from blueprints.privacy.erasure import erase_member

    member = Member(organisation_id=org.id, full_name="Personne 000", email="p0@example.ma")
    db.session.add(member)
    db.session.commit()
    people = crowd(event, 3)
    people[0].member_id = member.id
    db.session.commit()
    from blueprints.reports.badges import Choice

    job = badge_jobs.start(event, Choice(), "fr", None)
    db.session.commit()
    job_id = job.id
    while badge_jobs.run_step():
        pass
    assert "Personne 000" in pdf_text(db.session.get(BadgeJob, job_id).pdf)
    erase_member(member)
    db.session.commit()
    assert db.session.get(BadgeJob, job_id) is None
    assert db.session.scalar(sa.select(sa.func.count(BadgeJobPart.id))) == 0
