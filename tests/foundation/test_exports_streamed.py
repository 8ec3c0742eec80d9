"""Exports are streamed: rows are read from the database while the file is sent, so a
list of 100,000 members is never held whole (bench/exports_at_scale.py measures it)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import load_workbook

from blueprints.members import services
from blueprints.members.models import Member
from core import exports
from extensions import db
from tests.conftest import login

ROWS = 2500


def test_csv_is_written_as_the_rows_are_read():
    consumed = []

    def rows():
        for i in range(100_000):
            consumed.append(i)
            yield [f"Membre {i}", "=cmd" if i == 5 else "بنعلي"]

    chunks = exports.stream_csv(["name", "note"], rows())
    header = next(chunks)
    assert header == "\ufeffname,note\r\n".encode() and consumed == []  # before any row
    first = next(chunks)
    assert first.startswith(b"Membre 0,")
    assert len(consumed) < 5_000  # the first bytes left before the rest was read
    text = (header + first + b"".join(chunks)).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 100_001 and len(consumed) == 100_000
    assert lines[6] == ["Membre 5", "'=cmd"]  # still neutralised


def _members(org, n):
    db.session.execute(
        sa.insert(Member),
        [
            {
                "organisation_id": org.id,
                "full_name": f"Membre {i:05d}",
                "email": f"m{i}@example.ma",
                "search_text": f"membre {i:05d}",
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def test_member_export_queries_while_it_is_sent(organiser, org, app):
    _members(org, ROWS)
    client = FlaskClient(app, app.response_class, use_cookies=True)  # not buffered
    assert login(client, organiser.email).status_code == 302
    batches = []  # the members' tags are loaded once per batch of rows read (yield_per)

    def seen(conn, cursor, statement, *args):
        if "FROM member_tag" in statement:
            batches.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.get("/members/export.csv")
        assert response.is_streamed and response.status_code == 200
        chunks = iter(response.response)
        header = next(chunks)  # the header line leaves before the query runs
        assert header.decode("utf-8-sig").startswith(services.EXPORT_HEADER[0])
        assert batches == []
        first = next(chunks)
        read_for_the_first_bytes = len(batches)
        body = header + first + b"".join(chunks)
        read_in_all = len(batches)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    # 2,500 members in batches of 1,000: the first bytes needed only the first batches
    assert read_for_the_first_bytes < read_in_all
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(lines) == ROWS + 1
    assert lines[1][0] == "Membre 00000" and lines[-1][0] == f"Membre {ROWS - 1:05d}"


def test_member_export_in_excel_is_complete(as_organiser, org):
    _members(org, ROWS)
    response = as_organiser.get("/members/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == ROWS + 1 and rows[-1][0] == f"Membre {ROWS - 1:05d}"
