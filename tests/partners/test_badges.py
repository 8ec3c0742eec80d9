"""Name badges: accepted registrants and their companions, names shaped and isolated, the
ticket's QR code that the door reads, all / arrived only / one person."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import RegistrationStatus
from extensions import db
from tests.conftest import login, make_org, make_user
from tests.partners.test_report_pdf import pdf_text, squeeze
from tests.surveys.conftest import make_registration

HOSTILE = "<script>x</script>\u202eموح"


@pytest.fixture
def people(event):
    arrived = make_registration(
        event, "عبد الرحيم الناظوري", email="a@example.ma", checked_in=True,
        company="مقاولة الريف للبناء", companions=[("Fatima Zahra", None)],
        category=MemberCategory.OFFICIAL,
    )  # fmt: skip
    arrived.ticket_code = "ticket-code-arrived-123456"
    waiting = make_registration(event, f"Karim {HOSTILE}", email="k@example.ma", checked_in=False)
    waiting.ticket_code = "ticket-code-waiting-123456"
    make_registration(
        event, "Refusé Personne", email="r@example.ma", status=RegistrationStatus.DECLINED,
        checked_in=False,
    )  # fmt: skip
    db.session.commit()
    return arrived, waiting


def test_the_sheet_has_the_accepted_and_their_companions(app, as_organiser, event, people):
    arrived, _waiting = people
    page = as_organiser.get(f"/events/{event.id}/badges").get_data(as_text=True)
    assert page.count('class="badge badge-') == 3
    assert "عبد الرحيم الناظوري" in page and "Fatima Zahra" in page and "Refusé" not in page
    assert "badge-official" in page and "badge-companion" in page and "<svg" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "\u202e" not in page
    assert '<bdi dir="auto">' in page
    only = as_organiser.get(f"/events/{event.id}/badges?who=arrived").get_data(as_text=True)
    assert only.count('class="badge badge-') == 2 and "Karim" not in only
    one = as_organiser.get(f"/events/{event.id}/badges?person=r{arrived.id}").get_data(as_text=True)
    assert one.count('class="badge badge-') == 1 and "Fatima" not in one
    companion = arrived.companion_list[0]
    alone = as_organiser.get(f"/events/{event.id}/badges?person=c{companion.id}")
    assert alone.get_data(as_text=True).count('class="badge badge-') == 1
    for junk in ("x1", "r", "c99999", "r" + "9" * 30):
        junk_page = as_organiser.get(f"/events/{event.id}/badges?person={junk}")
        assert junk_page.status_code == 200
        assert 'class="badge badge-' not in junk_page.get_data(as_text=True)


def test_the_pdf_names_are_shaped_and_the_qr_opens_the_ticket(
    app, as_organiser, event, people, artifacts_dir
):
    arrived, _ = people
    response = as_organiser.get(f"/events/{event.id}/badges.pdf?who=arrived")
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert squeeze("عبد الرحيم الناظوري") in squeeze(text)
    assert squeeze("مقاولة الريف للبناء") in squeeze(text) and "Fatima Zahra" in text
    path = os.path.join(artifacts_dir, "badges.pdf")
    with open(path, "wb") as handle:
        handle.write(response.data)
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed: the QR is not read back")
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", path, path[:-4]], check=True)
    image = Image.open(path[:-4] + ".png")
    found = {result.text for result in zxingcpp.read_barcodes(image)}
    assert f"http://liqaa.test/t/{arrived.ticket_code}" in found


def test_door_staff_print_one_badge_and_other_organisations_get_nothing(
    app, client, as_door, event, people
):
    arrived, _ = people
    assert as_door.get(f"/events/{event.id}/badges?person=r{arrived.id}").status_code == 200
    beta = make_org("beta", name_fr="Beta")
    make_user(beta, email="owner@beta.example")
    other = app.test_client()
    login(other, "owner@beta.example")
    assert other.get(f"/events/{event.id}/badges").status_code == 404
    assert other.get(f"/events/{event.id}/badges.pdf").status_code == 404


def test_the_door_prints_the_badge_of_a_walk_in_and_a_lost_one(app, as_door, event):
    import re

    import sqlalchemy as sa

    from blueprints.rsvp.models import Registration
    from tests.conftest import csrf_token_from

    page = f"/door/events/{event.id}"
    html = as_door.get(page).get_data(as_text=True)
    assert 'id="walk-in-badge"' not in html
    assert f'data-badge-url="/events/{event.id}/badges.pdf"' in html  # lost ones: in search
    walk_in = {"csrf_token": csrf_token_from(html), "door": "A", "full_name": "Nadia Walk-in",
               "phone": "0661234567", "company": "Atelier", "consent": "y"}  # fmt: skip
    response = as_door.post(f"{page}/walk-in", data=walk_in)
    registration = db.session.scalar(sa.select(Registration))
    assert f"badge=r{registration.id}" in response.headers["Location"]
    html = as_door.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="walk-in-badge" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == f"/events/{event.id}/badges.pdf?person=r{registration.id}"
    pdf = as_door.get(link)
    assert pdf.status_code == 200 and "Nadia Walk-in" in pdf_text(pdf.data)
    for junk in ("x", "r1;drop", "c1", "r" + "9" * 20, "<script>"):
        assert 'id="walk-in-badge"' not in as_door.get(f"{page}?badge={junk}").get_data(
            as_text=True
        )
