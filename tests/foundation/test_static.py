"""Static files carry their content's digest, and only the current one is cached long."""

from __future__ import annotations

import re

from flask import url_for

from core import static


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
