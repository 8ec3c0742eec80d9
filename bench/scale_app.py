"""Liqaa as gunicorn serves it, plus one line per request for bench/pages_at_scale.py:
the path, the server time (from the call to the last byte sent), the SQL statements run
and the rows they returned, appended to $SCALE_LOG. Not part of the product.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import sqlalchemy as sa

from app import create_app
from extensions import db

app = create_app()
logging.getLogger("liqaa.request").setLevel(logging.WARNING)  # this file logs requests
_request = threading.local()
LOG = os.environ.get("SCALE_LOG", "/dev/null")

with app.app_context():
    _engine = db.engine


@sa.event.listens_for(_engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    _request.sql = getattr(_request, "sql", 0) + 1


@sa.event.listens_for(_engine, "after_cursor_execute")
def _rows(conn, cursor, statement, parameters, context, executemany):
    if cursor.description is not None and cursor.rowcount and cursor.rowcount > 0:
        _request.rows = getattr(_request, "rows", 0) + cursor.rowcount


class _Measured:
    def __init__(self, body, path: str, start: float):
        self.body, self.path, self.start = body, path, start

    def __iter__(self):
        yield from self.body

    def close(self):
        if hasattr(self.body, "close"):
            self.body.close()
        took = (time.perf_counter() - self.start) * 1000
        line = f"{self.path}\t{took:.2f}\t{_request.sql}\t{_request.rows}\n"
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(line)


def _measure(wsgi_app):
    def wrapped(environ, start_response):
        _request.sql = _request.rows = 0
        path = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        start = time.perf_counter()
        return _Measured(wsgi_app(environ, start_response), path, start)

    return wrapped


app.wsgi_app = _measure(app.wsgi_app)
