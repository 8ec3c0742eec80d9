"""The ticket: QR that decodes to the exact URL, the page, the email with inline QR and .ics."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image, ImageDraw

from blueprints.rsvp import answers
from core.outbox_delivery import deliver_due
from core.qr import qr_png, qr_svg
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import make_invitation


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _accepted(org, event, locale="ar", companions=("سلمى",)):
    invitation = make_invitation(org, event, full_name="سعيد <b>المراكشي</b>", locale=locale)
    registration = answers.respond(
        invitation,
        answers.RsvpData(
            accept=True, locale=locale, companion_names=list(companions), consent=True
        ),
    )
    db.session.commit()
    return registration


def test_qr_png_decodes_to_the_exact_ticket_url_even_at_two_pixels_per_module(app, org):
    registration = _accepted(org, make_event(org))
    url = f"http://liqaa.test/t/{registration.ticket_code}"
    assert _decode(qr_png(url)) == [url]
    assert _decode(qr_png(url, box_size=2)) == [url]
    large = Image.open(io.BytesIO(qr_png(url, box_size=10)))
    modules = large.width // 10
    small = large.resize((modules * 2, modules * 2), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(small)] == [url]


def test_ticket_page_shows_a_large_svg_qr_and_the_people(client, org):
    registration = _accepted(org, make_event(org, map_url="https://www.openstreetmap.org/x"))
    html = client.get(f"/t/{registration.ticket_code}").get_data(as_text=True)
    assert "<svg" in html and 'dir="rtl"' in html
    assert "&lt;b&gt;المراكشي" in html and "سلمى" in html
    assert "openstreetmap" in html
    assert f"/t/{registration.ticket_code}/event.ics" in html
    assert "data-print" in html and "@media print" in client.get("/static/rsvp/rsvp.css").get_data(
        as_text=True
    )
    ics = client.get(f"/t/{registration.ticket_code}/event.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data


def test_confirmation_email_has_inline_qr_attachment_ics_and_cancel_link(app, org, smtp_server):
    event = make_event(org)
    registration = _accepted(org, event, locale="ar")
    assert deliver_due() == (1, 0)
    ((_, rcpt, message),) = smtp_server.wait_for(1)
    assert rcpt == [registration.email]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    url = f"http://liqaa.test/t/{registration.ticket_code}"
    assert 'dir="rtl"' in html and "cid:ticket-qr@liqaa" in html
    assert "&lt;b&gt;" in html and "<b>المراكشي" not in html
    assert url in text and url in html
    assert "كلمة الافتتاح" in text  # the programme, in Arabic
    inline = [p for p in message.walk() if p.get("Content-ID") == "<ticket-qr@liqaa>"]
    assert len(inline) == 1 and _decode(inline[0].get_content()) == [url]
    attachments = {p.get_filename(): p for p in message.iter_attachments()}
    assert "event.ics" in attachments and "ticket-qr.png" in attachments
    assert _decode(attachments["ticket-qr.png"].get_content()) == [url]
    assert "BEGIN:VEVENT" in attachments["event.ics"].get_content()


def test_a_door_action_registered_by_another_feature_appears_on_the_ticket(client, org):
    from core.templating import _TICKET_ACTIONS, Link, register_ticket_action

    def admit(registration):
        return Link("Admit-test", f"/admit/{registration.id}", method="POST")

    register_ticket_action(admit)
    try:
        registration = _accepted(org, make_event(org))
        html = client.get(f"/t/{registration.ticket_code}").get_data(as_text=True)
    finally:
        _TICKET_ACTIONS.remove(admit)
    assert 'action="/admit/' in html and "Admit-test" in html


def _svg_to_png(svg: str, scale: int = 4) -> bytes:
    """Draws qr_svg's path (runs of `M x,y h n v1 h-n z`) on a white image."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\3z", svg):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_qr_svg_decodes_to_the_exact_url_and_is_the_same_code_as_the_png(app, org):
    url = "https://liqaa.example.ma/r/" + "Zq9-" * 11
    svg = qr_svg(url, border=1)
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    assert re.fullmatch(r"(M\d+,\d+h\d+v1h-\d+z)+", path)  # nothing but the runs
    assert _decode(_svg_to_png(svg)) == [url]
    # the quiet zone of four modules by default, as the PNG has
    assert re.search(r'viewBox="0 0 (\d+)', qr_svg(url)).group(1) == str(
        int(re.search(r'viewBox="0 0 (\d+)', svg).group(1)) + 6
    )
