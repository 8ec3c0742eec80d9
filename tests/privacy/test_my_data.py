"""The member's own page: a one-time emailed link, everything held shown in their language,
corrections, withdrawn consent, an erasure request; the "my data" link in every email."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from blueprints.members.models import Member
from blueprints.privacy import mydata
from blueprints.privacy.models import MyDataLink
from core.db import utcnow
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import csrf_token_from, login, make_event, make_member
from tests.surveys.conftest import make_registration

LINK = re.compile(r"https?://\S+/my-data/open/[A-Za-z0-9_-]+")


def _ask(client, email):
    page = client.get("/my-data").get_data(as_text=True)
    return client.post("/my-data", data={"csrf_token": csrf_token_from(page), "email": email})


def _emailed_link(smtp_server) -> str:
    assert deliver_due() == (1, 0)
    ((_, _rcpt, parsed),) = smtp_server.wait_for(1)
    return LINK.search(parsed.get_body(("plain",)).get_content()).group(0), parsed


def test_the_link_is_emailed_in_the_members_language_and_opens_once(client, org, smtp_server):
    member = make_member(org, "أمينة الريفي", email="amina@example.ma", locale="ar")
    known = _ask(client, "Amina@Example.ma ").get_data(as_text=True)
    unknown = _ask(client, "stranger@example.org").get_data(as_text=True)
    assert known == unknown  # nothing tells whether the address is known
    url, parsed = _emailed_link(smtp_server)
    assert 'dir="rtl"' in parsed.get_body(("html",)).get_content()
    assert db.session.scalar(sa.select(sa.func.count(MyDataLink.id))) == 1
    path = url.split("://", 1)[1].partition("/")[2]
    opened = client.get("/" + path)
    assert opened.status_code == 302
    page = client.get("/my-data/me").get_data(as_text=True)
    assert 'dir="rtl"' in page and "أمينة الريفي" in page and "amina@example.ma" in page
    other = client.application.test_client()
    again = other.get("/" + path)  # once only: gone, and the page says why
    assert again.status_code == 410 and "استُعمل" in again.get_data(as_text=True)
    assert other.get("/my-data/me").status_code == 403
    assert member.id == db.session.scalar(sa.select(MyDataLink.member_id))


def test_an_expired_link_does_not_open(client, org):
    link = mydata.issue_link(make_member(org, "Karim", email="k@example.ma"))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/my-data/open/{link.token}").status_code == 410
    assert client.get("/my-data/open/" + "x" * 500).status_code == 404


def _open(client, member) -> None:
    link = mydata.issue_link(member)
    db.session.commit()
    assert client.get(f"/my-data/open/{link.token}").status_code == 302


def test_the_page_shows_everything_held_but_not_anonymous_answers(client, org):
    member = make_member(
        org,
        "Karim Benali",
        email="karim@example.ma",
        locale="en",
        consent_at=utcnow(),
        consent_source="formulaire papier",
    )
    event = make_event(
        org,
        title_fr="Rencontre CNSS",
        title_en="Rencontre CNSS",
        starts_in=timedelta(hours=-5),
        hours=4,
    )
    make_registration(
        event,
        "Karim Benali",
        email="karim@example.ma",
        member_id=member.id,
        companions=[("Samira Benali", None)],
    )
    _open(client, member)
    page = client.get("/my-data/me").get_data(as_text=True)
    for shown in ("Karim Benali", "formulaire papier", "Rencontre CNSS", "Samira Benali"):
        assert shown in page
    assert "anonymous survey" in page
    data = json.loads(client.get("/my-data/me.json").get_data(as_text=True))
    assert data["profile"]["email"] == "karim@example.ma"
    assert data["registrations"][0]["companions"] == ["Samira Benali"]


def test_the_member_corrects_withdraws_and_asks_for_erasure(client, org, organiser):
    make_member(org, "Someone Else", phone="+212661000001")
    member = make_member(org, "Karim Benali", email="karim@example.ma", consent_at=utcnow())
    _open(client, member)
    token = csrf_token_from(client.get("/my-data/me").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "full_name": "Karim Ben Ali",
        "company": "Atlas",
        "phone": "0661 23 45 67",
        "locale": "fr",
    }
    assert client.post("/my-data/me/correct", data=form).status_code == 302
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert (member.full_name, member.company, member.phone) == (
        "Karim Ben Ali",
        "Atlas",
        "+212661234567",
    )
    bad = client.post("/my-data/me/correct", data={**form, "phone": "12", "full_name": ""})
    assert bad.status_code == 400 and 'id="phone-errors"' in bad.get_data(as_text=True)
    taken = client.post(
        "/my-data/me/correct", data={**form, "phone": "+212661000001"}, follow_redirects=True
    )
    assert "alert-danger" in taken.get_data(as_text=True)
    assert db.session.get(Member, member.id).phone == "+212661234567"
    client.post("/my-data/me/withdraw", data={"csrf_token": token})
    client.post("/my-data/me/erase", data={"csrf_token": token})
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.unsubscribed_at is not None and member.consent_at is None
    assert member.erasure_requested_at is not None and member.erased_at is None
    staff = client.application.test_client()
    login(staff, organiser.email)
    asked = staff.get(f"/members/{member.id}/privacy").get_data(as_text=True)
    assert 'class="alert alert-warning" role="status"' in asked


def test_an_organiser_makes_the_link_for_a_member_without_email(client, org, organiser):
    member = make_member(org, "Hassan Ouazzani", phone="+212662000000")
    login(client, organiser.email)
    page = client.get(f"/members/{member.id}/privacy").get_data(as_text=True)
    made = client.post(
        f"/members/{member.id}/my-data-link", data={"csrf_token": csrf_token_from(page)}
    ).get_data(as_text=True)
    url = LINK.search(made).group(0)
    visitor = client.application.test_client()
    assert visitor.get(url.split("://", 1)[1].partition("/")[2].join(["/", ""])).status_code == 302
    assert "Hassan Ouazzani" in visitor.get("/my-data/me").get_data(as_text=True)


def test_every_email_ends_with_the_my_data_link(app, org, smtp_server):
    from tests.mail_kinds import send_every_kind

    for kind, (_raw, parsed) in send_every_kind(org, smtp_server, "fr").items():
        assert "/my-data" in parsed.get_body(("plain",)).get_content(), kind
        assert "/my-data" in parsed.get_body(("html",)).get_content(), kind


def test_asking_for_links_is_rate_limited(db_url):
    from tests.conftest import build_app

    limited = build_app(db_url, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    with limited.app_context():
        client = limited.test_client()
        statuses = [
            client.post("/my-data", data={"email": "x@example.org"}).status_code for _ in range(7)
        ]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
