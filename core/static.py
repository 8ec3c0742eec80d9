"""Static files named by their content: `url_for("static", …)` adds `?v=<digest>`, and a
request with the current digest is cached for a year (immutable). A new release changes
the digest, so phones fetch the new file at once; an old digest gets no long cache."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"


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


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            digest = version(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache(response):
        if request.endpoint == "static" and response.status_code == 200:
            wanted = request.args.get("v")
            filename = (request.view_args or {}).get("filename", "")
            if wanted and wanted == version(app.static_folder, filename):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
