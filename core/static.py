"""Static files named by their content, sent compressed, and pages sent compressed.

`url_for("static", …)` adds `?v=<digest>`; WhiteNoise serves the files (gzip or brotli as
the browser accepts, ETag, ranges), and a request naming the current digest is cached
for a year (immutable). A new release changes the digest, so phones fetch the new file at
once; an old digest, or none, gets `no-cache`. The compressed copies are written next to
the files when the application starts (once; skipped when the folder is read-only, as
behind nginx, which compresses itself). HTML pages above 1 KB are gzipped when the
browser accepts it and the request comes from one of Liqaa's own pages or from the
address bar (BREACH, below).

BREACH: a compressed page's size tells about its content. A page holds secrets (the CSRF
token, a personal link) next to text the request chose (a search term), so an attacker who
can watch the sizes of encrypted responses and make the victim's browser send many
requests could guess a secret letter by letter. Those requests come from the attacker's
site, and browsers say so (`Sec-Fetch-Site: cross-site`). Pages are therefore compressed
only for `same-origin` and `none` (typed, bookmarked); a link followed from another site
(an email, WhatsApp) gets its first page uncompressed, and the static files compressed as
ever. Browsers that send no Fetch Metadata get no compressed pages. nginx applies the same
rule (deploy/nginx-liqaa.conf).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from urllib.parse import parse_qs

import brotli
from flask import Flask, request
from werkzeug.security import safe_join
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

IMMUTABLE = "public, max-age=31536000, immutable"
HTML_MIN_BYTES = 1024
COMPRESSED_FETCH_SITES = frozenset({"same-origin", "none"})
_COMPRESSOR = Compressor(quiet=True)
_BROTLI_BEST_UNDER = 200_000  # larger files (the decoder's .wasm) at a quicker level


@lru_cache(maxsize=1024)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()[:12]


def version(folder: str | None, filename: str) -> str | None:
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def _write_if_smaller(path: str, data: bytes, size: int, suffix: str) -> None:
    if len(data) > size * 0.95:
        return
    temporary = f"{path}{suffix}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path + suffix)


def compress_folder(folder: str) -> None:
    """Write `file.gz` and `file.br` beside each file whose copies are missing or older."""
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(directory, name)
            if name.endswith(".tmp") or not _COMPRESSOR.should_compress(name):
                continue
            mtime = os.stat(path).st_mtime_ns
            if all(
                os.path.exists(path + s) and os.stat(path + s).st_mtime_ns >= mtime
                for s in (".br", ".gz")
            ):
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            quality = 11 if len(data) < _BROTLI_BEST_UNDER else 9
            try:
                _write_if_smaller(path, brotli.compress(data, quality=quality), len(data), ".br")
                _write_if_smaller(path, _COMPRESSOR.compress_gzip(data), len(data), ".gz")
            except OSError:
                return  # a read-only folder: the files are served uncompressed


def _nosniff(headers, _path, _url) -> None:
    headers["X-Content-Type-Options"] = "nosniff"  # as core.security gives the pages


class VersionedStatic(WhiteNoise):
    """WhiteNoise, with the year-long cache only for the current digest (`?v=`)."""

    def __init__(self, application, app: Flask):
        super().__init__(
            application, max_age=None, autorefresh=app.debug, add_headers_function=_nosniff
        )
        self.flask_app = app
        self.prefix = app.static_url_path.rstrip("/") + "/"
        self.add_files(app.static_folder, prefix=self.prefix)

    def serve(self, static_file, environ, start_response):
        path = environ.get("PATH_INFO", "")[len(self.prefix) :]
        wanted = parse_qs(environ.get("QUERY_STRING", "")).get("v", [""])[0]
        current = version(self.flask_app.static_folder, path)
        cache = IMMUTABLE if wanted and wanted == current else "no-cache"

        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
            headers.append(("Cache-Control", cache))
            return start_response(status, headers, exc_info)

        return super().serve(static_file, environ, start)


def _gzip_html(response):
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or request.headers.get("Sec-Fetch-Site") not in COMPRESSED_FETCH_SITES
    ):
        return response
    body = response.get_data()
    if len(body) < HTML_MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    compress_folder(app.static_folder)
    app.wsgi_app = VersionedStatic(app.wsgi_app, app)

    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            digest = version(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

    app.after_request(_gzip_html)
