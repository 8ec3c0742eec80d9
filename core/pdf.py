"""PDF files from HTML templates: the meeting report, the press release, the badges.

WeasyPrint lays the page out with Pango and HarfBuzz, so Arabic is shaped (joined letters)
and ordered right to left, and the PDF keeps the text in logical order (it can be searched
and copied). The fonts are the system's (fontconfig: Noto Naskh Arabic, Noto Sans, from the
Debian packages), named in static/css/pdf.css; nothing is downloaded while rendering.

Rendering never reaches the network: the fetcher serves only our own static files (the
stylesheet, images) and `data:` URLs (the QR codes); any other URL fails, and WeasyPrint
leaves that resource out. The page is rendered with the print media type.
"""

from __future__ import annotations

import mimetypes
import os
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

# The base URL of the document: relative and root-relative URLs resolve against it and
# come back to StaticFetcher, which never opens a connection.
BASE_URL = "http://liqaa.invalid/"
PDF_MIMETYPE = "application/pdf"


class StaticFetcher(URLFetcher):
    """Serves `/static/...` from the application's static folder and `data:` URLs; refuses
    every other URL (remote, file:, path escapes)."""

    def __init__(self, static_folder: str, static_url_path: str) -> None:
        super().__init__(allowed_protocols=("data", "http"), allow_redirects=False)
        self.static_folder = static_folder
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # decoded in memory, no connection
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
            self.prefix
        ):
            raise ValueError(f"not one of Liqaa's static files: {url[:200]}")
        path = safe_join(self.static_folder, unquote(parts.path[len(self.prefix) :]))
        if path is None or not os.path.isfile(path):
            raise ValueError(f"no such static file: {parts.path[:200]}")
        with open(path, "rb") as handle:
            body = handle.read()
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": kind})


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document written by Liqaa (needs an application context)."""
    app = current_app
    fetcher = StaticFetcher(app.static_folder or "", app.static_url_path or "/static")
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """The PDF of a template (which should extend "pdf/base.html")."""
    return html_to_pdf(render_template(template, **context))


def render_pdf_detached(template: str, locale: str, **context) -> bytes:
    """`render_pdf` where there is no request (a background worker): templates build their
    URLs under BASE_URL above, which the fetcher serves, in `locale`."""
    with current_app.test_request_context("/", base_url=BASE_URL), force_locale(locale):
        return render_pdf(template, **context)


def pdf_response(data: bytes, filename: str) -> Response:
    """The PDF as a download with an ASCII file name (the title is inside the file)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in filename)
    response = Response(data, mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe or "liqaa.pdf"}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
