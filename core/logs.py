"""Logs an administrator can use: one JSON line per request and per outbox delivery.

A request's line holds its id (also sent back as X-Request-ID), the method, the route
*pattern* (`/s/<token>`, never the path: the links in /r/, /t/, /s/ and /u/ are
credentials), the status, the duration and who asked (organisation and user ids).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

REQUESTS = logging.getLogger("liqaa.request")
OUTBOX = logging.getLogger("liqaa.outbox")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


class JsonLines(logging.Formatter):
    """The record's fields (passed as `extra={"fields": {...}}`) as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            **getattr(record, "fields", {"message": record.getMessage()}),
        }
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


def init_app(app: Flask) -> None:
    if not app.testing and not REQUESTS.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        for logger in (REQUESTS, OUTBOX):
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        request_id = getattr(g, "request_id", None) or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = getattr(g, "request_started", None)
        # The account if this request loaded it (never loaded here: the database may be
        # the reason this request failed).
        loaded = g.get("_login_user")
        user = loaded if loaded is not None and loaded.is_authenticated else None
        REQUESTS.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else "<unmatched>",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                    if started
                    else None,
                    "organisation_id": getattr(user, "organisation_id", None),
                    "user_id": getattr(user, "id", None),
                }
            },
        )
        return response


def outbox_outcome(message, outcome: str, detail: str = "") -> None:
    """One line per delivery, skip or failure: the row's id and kind, never its address."""
    OUTBOX.info(
        "outbox",
        extra={
            "fields": {
                "outbox_id": message.id,
                "kind": message.kind,
                "outcome": outcome,
                "attempts": message.attempts,
                "error": _ADDRESS.sub("<address>", detail)[:500],
            }
        },
    )
