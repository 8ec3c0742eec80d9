"""What every feature's emails.py does alike: render a template pair in the recipient's
language, and send it in the organisation's name."""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from core.i18n import localized, text_direction
from core.outbox import BuiltEmail
from core.urls import external_url

# An email's HTML part shown in a frame (previews, the development mail viewer): no
# script, no form, nothing fetched from elsewhere, in an opaque origin that cannot read
# this site.
EMAIL_FRAME_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:;"
    " frame-ancestors 'self'"
)


def email_frame(html: str) -> Response:
    """An email's HTML part as a page of its own, for a sandboxed <iframe>."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def render_pair(template: str, locale: str, /, **context) -> tuple[str, str]:
    """`<template>.txt` and `<template>.html` rendered in `locale`; the context gets
    `locale`, `lang` and `dir` (and `direction`, the same) unless it has them."""
    context.setdefault("locale", locale)
    context.setdefault("lang", locale)
    context.setdefault("dir", text_direction(locale))
    context.setdefault("direction", context["dir"])
    with force_locale(locale):
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
        text_footer, html_footer = _my_data_footer()
    return text.rstrip("\n") + "\n\n" + text_footer + "\n", _before_body_end(html, html_footer)


def _my_data_footer() -> tuple[str, str]:
    """Every email ends with the way to the member's own page (their data, their rights)."""
    url = external_url("/my-data")
    label = _("Your data and your rights")
    html = (
        '<p style="margin:16px auto 0;max-width:560px;padding:0 24px;font-family:Tahoma,Arial,'
        f'sans-serif;font-size:13px;color:#666;"><a href="{escape(url)}" style="color:#666;">'
        f"{escape(label)}</a></p>"
    )
    text = _("Your data and your rights:")  # the colon in the string: «droits :»
    return f"{text} {url}", html


def _before_body_end(html: str, footer: str) -> str:
    at = html.rfind("</body>")
    return html + footer if at < 0 else html[:at] + footer + "\n" + html[at:]


def sender_name(organisation, locale: str) -> str:
    """The From name: the organisation's name in the recipient's language; where it has
    none in that language, its sender name (set in its settings), else another name."""
    own = getattr(organisation, f"name_{locale[:2]}", "") or ""
    return own or organisation.sender_name or localized(organisation, "name", locale)


def from_organisation(organisation, locale: str, /, **parts) -> BuiltEmail:
    """The email in the organisation's name (see `sender_name`) with its reply-to address;
    `parts` are BuiltEmail's others."""
    return BuiltEmail(
        reply_to=organisation.reply_to, sender_name=sender_name(organisation, locale), **parts
    )
