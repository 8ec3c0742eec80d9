"""URL helpers shared by features."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (a path, no scheme or host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None  # a backslash, or a newline that would split the Location header
    return target


def external_url(path: str) -> str:
    """An absolute URL under BASE_URL, for emails and QR codes."""
    return current_app.config["BASE_URL"].rstrip("/") + path
