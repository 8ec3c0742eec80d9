"""URL helpers shared by features."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request


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


def _follow_request_address(app: Flask) -> None:
    if app.config.get("BASE_URL_FOLLOWS_REQUESTS") and app.config.get("ENV_NAME") == "development":
        served = request.host_url.rstrip("/")
        if app.config["BASE_URL"] != served:
            app.config["BASE_URL"] = served


def init_app(app: Flask) -> None:
    """In development, links in emails follow the address the server is used on (its port
    above all); never in production, where BASE_URL alone decides (the Host header is the
    client's to choose)."""
    app.before_request(lambda: _follow_request_address(app))
