"""Static files carry their content's digest, and only the current one is cached long."""

from __future__ import annotations

import gzip
import re

import brotli
from flask import url_for

from core import static
from scripts import trim_bootstrap


def test_static_urls_carry_a_digest_of_the_content(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "a.css").write_text("body { color: red }")
    with app.test_request_context():
        first = url_for("static", filename="a.css")
        (tmp_path / "a.css").write_text("body { color: blue }")
        second = url_for("static", filename="a.css")
        missing = url_for("static", filename="nope.css")
    assert re.fullmatch(r"/static/a\.css\?v=[0-9a-f]{12}", first)
    assert first != second  # a new release names the file anew
    assert "v=" not in missing


def test_only_the_current_digest_is_cached_for_a_year(app, client):
    with app.test_request_context():
        current = url_for("static", filename="css/app.css")
    assert client.get(current).headers["Cache-Control"] == static.IMMUTABLE
    stale = client.get("/static/css/app.css?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")
    bare = client.get("/static/css/app.css")
    assert "immutable" not in bare.headers.get("Cache-Control", "")


def test_pages_link_the_versioned_files(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'href="/static/css/app\.css\?v=[0-9a-f]{12}"', html)


def test_static_files_come_compressed_as_the_browser_accepts(client):
    with client.application.test_request_context():
        css = url_for("static", filename="vendor/bootstrap/liqaa.rtl.min.css")
    plain = client.get(css)
    for accepted, encoding, decode in (
        ("br, gzip", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ):
        response = client.get(css, headers={"Accept-Encoding": accepted})
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Cache-Control"] == static.IMMUTABLE
        assert len(response.data) < len(plain.data) / 4
        assert decode(response.data) == plain.data
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in plain.headers


def test_pages_above_a_kilobyte_are_gzipped_when_accepted(client):
    for site in ("same-origin", "none"):
        headers = {"Accept-Encoding": "gzip, br", "Sec-Fetch-Site": site}
        response = client.get("/login", headers=headers)
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert b"<html" in gzip.decompress(response.data)
    assert "Content-Encoding" not in client.get("/login").headers


def test_pages_asked_for_by_another_site_are_not_compressed(client):
    """BREACH: the token and a reflected search term must not be compressed together for
    requests another site can make the browser send, nor for browsers that do not say."""
    page = "/login?next=/members"
    for headers in (
        {"Accept-Encoding": "gzip, br", "Sec-Fetch-Site": "cross-site"},
        {"Accept-Encoding": "gzip, br", "Sec-Fetch-Site": "same-site"},
        {"Accept-Encoding": "gzip, br"},
    ):
        response = client.get(page, headers=headers)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert b'name="csrf_token"' in response.data


def test_the_trimmed_bootstrap_is_up_to_date_with_the_templates():
    """Using a Bootstrap class no page used before needs `scripts/trim_bootstrap.py`."""
    for path, text in trim_bootstrap.build().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"run scripts/trim_bootstrap.py ({path.name})"
        )


def test_no_page_loads_bootstraps_javascript(client):
    assert "bootstrap.bundle" not in client.get("/login").get_data(as_text=True)
