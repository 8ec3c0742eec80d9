"""Bulk UPDATE and DELETE statements on audited tables cannot bypass the audit log.

The automatic tracking (core.audit.track) sees what the ORM flushes. A statement such as
`session.execute(sa.update(Registration)...)` changes rows behind its back, so each one is
marked with `audit.bulk(statement, "<the entry that records it>")`. An unmarked one is
refused under test (and logged as an error in production); a scan of the source finds
those that no test happens to run.
"""

from __future__ import annotations

import ast
import logging
import pathlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.events.models import Event
from blueprints.members.models import Member
from blueprints.rsvp.models import Registration
from core import audit
from core.outbox import OutboxMessage
from extensions import db
from tests.conftest import build_app, make_event, make_member
from tests.surveys.conftest import make_registration

ROOT = pathlib.Path(__file__).resolve().parents[2]
AUDITED = {"Registration", "Member", "Event", "User"}


def test_the_audited_tables_are_those_features_track(app):
    tracked = {model.__name__ for model in audit.audited_tables().values()}
    assert tracked == AUDITED


@pytest.mark.parametrize(
    "statement",
    [
        lambda: sa.update(Registration).values(full_name="x"),
        lambda: sa.delete(Member).where(Member.id == 0),
        lambda: sa.update(Event.__table__).values(capacity=1),
        lambda: sa.update(User).where(User.id == 0).values(full_name="x"),
    ],
    ids=["update-registration", "delete-member", "update-event-table", "update-user"],
)
def test_an_unmarked_bulk_statement_on_an_audited_table_is_refused(app, org, statement):
    make_registration(make_event(org), "Amina Rifi")
    with pytest.raises(audit.UnauditedBulkChange):
        db.session.execute(statement())
    db.session.rollback()
    with db.engine.connect() as conn, pytest.raises(audit.UnauditedBulkChange):
        conn.execute(statement())  # a bare connection too, as the door's hot path uses
    assert db.session.scalar(sa.select(Registration.full_name)) == "Amina Rifi"


def test_a_bulk_update_by_primary_key_through_the_session_is_refused(app, org):
    registration = make_registration(make_event(org), "Amina Rifi")
    rows = [{"id": registration.id, "company": "Atlas"}]
    with pytest.raises(audit.UnauditedBulkChange):
        db.session.execute(sa.update(Registration), rows)
    db.session.rollback()
    marked = audit.bulk(sa.update(Registration), "test.entry")
    db.session.execute(marked, rows)
    db.session.commit()
    assert db.session.scalar(sa.select(Registration.company)) == "Atlas"


def test_a_marked_statement_an_orm_change_and_other_tables_pass(app, org):
    registration = make_registration(make_event(org), "Amina Rifi")
    marked = audit.bulk(sa.update(Registration).values(company="Atlas"), "test.entry")
    assert db.session.execute(marked).rowcount == 1
    registration.full_name = "Amina R."  # flushed by the ORM: `track` logs it
    member = make_member(org, "Karim")
    db.session.delete(member)
    db.session.commit()
    db.session.execute(sa.update(OutboxMessage).values(last_error=""))  # not audited
    db.session.commit()
    with pytest.raises(ValueError):
        audit.bulk(sa.update(Registration), "")


def test_outside_tests_an_unmarked_statement_is_logged_as_an_error(app, org, caplog):
    make_registration(make_event(org), "Amina Rifi")
    production = build_app(app.config["SQLALCHEMY_DATABASE_URI"], TESTING=False)
    with production.app_context(), caplog.at_level(logging.ERROR, logger="liqaa.audit"):
        db.session.execute(sa.update(Registration).values(company="Atlas"))
        db.session.commit()
    assert "bulk UPDATE of registration bypasses the audit log" in caplog.text


def test_erasure_purge_undo_and_the_door_run_their_marked_statements(app, org, organiser):
    """The statements the features use today pass the check when they run."""
    from blueprints.checkin.admission import _ADMIT_BY_CODE, _ADMIT_BY_ID
    from blueprints.privacy import anonymise
    from blueprints.rsvp import seats

    for statement in (_ADMIT_BY_CODE, _ADMIT_BY_ID):
        assert statement.get_execution_options()[audit.BULK_OPTION]
    event = make_event(org, starts_in=timedelta(days=3))
    registration = make_registration(event, "Amina Rifi", email="amina@example.ma")
    seats.lock_event(event)
    anonymise.registrations([registration.id])
    db.session.commit()
    assert db.session.get(Registration, registration.id).full_name == anonymise.ERASED_NAME


# --------------------------------------------------------------------------- the source


def _bulk_statements_of(path: pathlib.Path):
    """(line, target, marked) of every sa.update/sa.delete (or Table.update/delete) call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    aliases = {  # `table = Registration.__table__`, `_registration = Registration.__table__`
        target.id: ast.unparse(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("update", "delete"):
            if isinstance(func.value, ast.Name) and func.value.id in ("sa", "sqlalchemy"):
                if not node.args:
                    continue
                target = ast.unparse(node.args[0])
            elif func.attr in ("update", "delete") and not node.args and not node.keywords:
                target = ast.unparse(func.value)  # Registration.__table__.update()
            else:
                continue
        elif isinstance(func, ast.Name) and func.id in ("update", "delete") and node.args:
            target = ast.unparse(node.args[0])
        else:
            continue
        target = aliases.get(target, target)
        model = target.removesuffix(".__table__")
        if model not in AUDITED:
            continue
        marked, up = False, parents.get(node)
        while up is not None and not marked:
            marked = isinstance(up, ast.Call) and ast.unparse(up.func) == "audit.bulk"
            up = parents.get(up)
        yield node.lineno, target, marked


def test_every_bulk_statement_on_an_audited_model_in_the_code_is_marked():
    found, unmarked = [], []
    for folder in ("blueprints", "core", "demo", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, target, marked in _bulk_statements_of(path):
                where = f"{path.relative_to(ROOT)}:{line} ({target})"
                (found if marked else unmarked).append(where)
    assert not unmarked, "record these in the audit log and mark them with audit.bulk()"
    # the ones known today: if one disappears, this list (and docs/privacy.md) follows
    assert len(found) >= 4, found


def test_the_source_scan_sees_an_unmarked_statement(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlalchemy as sa\n"
        "table = Registration.__table__\n"
        "a = sa.update(Registration).values(x=1)\n"
        "b = audit.bulk(sa.delete(Member).where(Member.id == 1), 'member.erase')\n"
        "c = sa.update(table).values(x=1)\n"
        "d = sa.update(OutboxMessage).values(x=1)\n",
        encoding="utf-8",
    )
    assert sorted((line, marked) for line, _, marked in _bulk_statements_of(sample)) == [
        (3, False),
        (4, True),
        (5, False),
    ]
