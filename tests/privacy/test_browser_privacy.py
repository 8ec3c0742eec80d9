"""The privacy pages in a real chromium, on a 360 px phone, in Arabic: a member asks for
the link, opens it from the email the SMTP server received, downloads the readable copy,
corrects a field, withdraws consent and asks for erasure; an owner reads the audit log
and the processing register."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blueprints.members.models import Member
from core.audit import AuditEntry
from core.db import utcnow
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import PASSWORD, make_event, make_member, make_partner, make_user
from tests.surveys.conftest import make_registration

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "ar-MA"}
LINK = re.compile(r"https?://\S+/my-data/open/[A-Za-z0-9_-]+")


def _fits_the_phone(page) -> None:
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll


def _actions(member_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "member", AuditEntry.object_id == member_id)
            .order_by(AuditEntry.id)
        )
    )


def test_a_member_asks_opens_downloads_corrects_withdraws_and_asks_for_erasure(
    browser, live_server, smtp_server, org, artifacts_dir, tmp_path
):
    member = make_member(org, "أمينة الريفي", email="amina@example.ma", locale="ar",
                         company="ورشة الريف", consent_at=utcnow(),
                         consent_source="استمارة ورقية")  # fmt: skip
    event = make_event(org, title_ar="لقاء الضمان الاجتماعي", starts_in=timedelta(hours=-5))
    make_registration(event, "أمينة الريفي", email="amina@example.ma", locale="ar",
                      member_id=member.id, companions=[("سعيد الريفي", None)])  # fmt: skip
    context = browser.new_context(**PHONE, accept_downloads=True)
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda dialog: dialog.accept())  # "Ask for your data to be erased?"
        page.goto(f"{live_server}/my-data")
        _fits_the_phone(page)
        page.fill('input[name="email"]', "Amina@Example.ma")
        page.locator("main form button[type=submit]").click()
        expect(page.locator('main [role="status"]')).to_be_visible()

        assert deliver_due() == (1, 0)
        ((_, rcpt, message),) = smtp_server.wait_for(1)
        assert rcpt == ["amina@example.ma"]
        link = LINK.search(message.get_body(("plain",)).get_content()).group(0)
        assert link.startswith(live_server)
        page.goto(link)
        page.wait_for_url(re.compile(r".*/my-data/me$"))
        _fits_the_phone(page)
        expect(page.locator("main")).to_contain_text("أمينة الريفي")
        expect(page.locator("main")).to_contain_text("لقاء الضمان الاجتماعي")
        expect(page.locator("main")).to_contain_text("سعيد الريفي")
        page.screenshot(path=os.path.join(artifacts_dir, "my-data-ar-360.png"), full_page=True)

        with page.expect_download() as download:
            page.locator("#download-html").click()
        copy = tmp_path / "my-data.html"
        download.value.save_as(copy)
        _readable_copy_offline(context, copy, artifacts_dir, tmp_path)

        page.fill('input[name="company"]', "ورشة الريف للنجارة")
        page.locator('form[action$="/my-data/me/correct"] button[type=submit]').click()
        expect(page.locator(".alert-success")).to_be_visible()
        page.locator('form[action$="/my-data/me/withdraw"] button').click()
        expect(page.locator(".alert-success")).to_be_visible()
        page.locator('form[action$="/my-data/me/erase"] button').click()
        expect(page.locator('form[action$="/my-data/me/erase"]')).to_have_count(0)
        _fits_the_phone(page)
    finally:
        context.close()
    assert requests and all(url.startswith(live_server) for url in requests), requests
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.company == "ورشة الريف للنجارة"
    assert member.consent_at is None and member.unsubscribed_at is not None
    assert member.erasure_requested_at is not None and member.erased_at is None
    assert _actions(member.id) == [
        "member.self_correct",
        "member.consent_withdrawn",
        "member.erasure_requested",
    ]


def _readable_copy_offline(context, copy, artifacts_dir, tmp_path) -> None:
    """Opened from the disk it fetches nothing, reads right to left and prints to PDF."""
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(copy.as_uri())
    assert fetched == [copy.as_uri()]
    _fits_the_phone(page)
    expect(page.locator("h1")).to_have_text("بياناتي")
    expect(page.locator("body")).to_contain_text("سعيد الريفي")
    expect(page.locator("body")).to_contain_text("رابط بياناتكم")  # the email, in words
    expect(page.locator("body")).not_to_contain_text("Copy made")
    page.screenshot(path=os.path.join(artifacts_dir, "my-data-copy-ar-360.png"), full_page=True)
    pdf = tmp_path / "my-data.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
    assert fetched == [copy.as_uri()]
    page.close()


def test_the_owner_reads_the_audit_log_and_the_register_on_a_phone_in_arabic(
    browser, live_server, org, artifacts_dir
):
    org.name_ar = "جمعية المقاولات الصغرى جدا"
    org.consent_text_ar = "أوافق على أن تحتفظ الجمعية ببياناتي لدعوتي إلى لقاءاتها."
    db.session.commit()
    owner = make_user(org, Role.OWNER, email="owner@assoc.example", locale="ar",
                      full_name="مريم بناني")  # fmt: skip
    make_partner(org, "CNSS Nador", name_ar="الضمان الاجتماعي الناظور")
    make_member(org, "كريم بنعلي", email="karim@example.ma")
    context = browser.new_context(**PHONE)
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{live_server}/login")
        page.fill("#email", owner.email)
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/home$"))
        page.goto(f"{live_server}/privacy/audit")
        _fits_the_phone(page)
        rows = page.locator("main table tbody tr")
        expect(rows.first).to_contain_text("تسجيل الدخول")  # the action by its name, not its code
        expect(rows.first).to_contain_text("مريم بناني")
        page.select_option("#action", "signin")
        page.locator("main form[role=search] button[type=submit]").click()
        page.wait_for_url(re.compile(r".*action=signin.*"))
        assert rows.count() == 1
        _fits_the_phone(page)
        page.screenshot(path=os.path.join(artifacts_dir, "audit-ar-360.png"), full_page=True)

        page.goto(f"{live_server}/privacy/register")
        _fits_the_phone(page)
        main = page.locator("main")
        expect(main).to_contain_text("جمعية المقاولات الصغرى جدا")
        expect(main).to_contain_text("الضمان الاجتماعي الناظور")
        expect(main).to_contain_text("أوافق على أن تحتفظ الجمعية ببياناتي")
        page.screenshot(path=os.path.join(artifacts_dir, "register-ar-360.png"), full_page=True)
        page.evaluate(
            "() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }"
        )
        page.locator("main [data-print-page]").click()  # works under the CSP: no inline script
        assert page.evaluate("window.printed") == 1
        page.emulate_media(media="print")  # printed: the register, without menus or buttons
        expect(page.locator("main .actions")).to_be_hidden()
        expect(page.locator("nav.navbar")).to_be_hidden()
        expect(page.locator("main table")).to_be_visible()
        page.emulate_media(media="screen")
        page.locator('main a[lang="fr"]').click()
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        expect(main).to_contain_text("CNSS Nador")
    finally:
        context.close()
    assert requests and all(url.startswith(live_server) for url in requests), requests
