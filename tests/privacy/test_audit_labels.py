"""The owner reads the audit log in their language: every action the code records has a
name, and the page shows names, not codes."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from blueprints.privacy.audit_labels import ACTIONS
from core import audit
from core.templating import key_label
from extensions import db
from tests.conftest import login, make_member

ROOT = Path(__file__).resolve().parents[2]
# audit.record("member.erase", …) and the notices' _log("notice.send", …)
RECORDED = re.compile(r"""(?:audit\.record|\b_log)\(\s*["']([a-z_]+(?:\.[a-z_]+)?)["']""")
ROW_CHANGES = ("create", "update", "delete", "archive", "restore")


def _recorded_in_code() -> set[str]:
    found = set()
    for folder in ("blueprints", "core"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_name(app):
    tracked = {object_type for object_type, _ignored in audit._TRACKED.values()}
    assert {"member", "event", "registration", "user"} <= tracked
    expected = _recorded_in_code() | {f"{t}.{c}" for t in tracked for c in ROW_CHANGES}
    assert {"signin.failed", "checkin.undo", "notice.send", "export"} <= expected
    assert not sorted(expected - set(ACTIONS)), "name these in blueprints/privacy/audit_labels"
    with app.test_request_context():
        with force_locale("en"):
            english = {a: key_label("audit", a) for a in ACTIONS}
        for language in ("ar", "fr"):
            with force_locale(language):
                same = [a for a in ACTIONS if key_label("audit", a) == english[a]]
                assert not same, f"untranslated in {language}: {same}"


def test_the_owner_reads_names_not_codes(client, owner):
    member = make_member(owner.organisation, "Karim Alaoui")
    login(client, owner.email)
    member.company = "Atlas SARL"  # an edit made by staff: member.update
    audit.record("checkin.undo", "registration", 7, organisation_id=owner.organisation_id,
                 user_id=owner.id)  # fmt: skip
    db.session.commit()
    page = client.get("/privacy/audit?lang=ar").get_data(as_text=True)
    for code in ("checkin.undo", "signin"):
        assert f'title="{code}"' in page  # the code stays at hand, as a tooltip
        assert f">{code}<" not in page
    with force_locale("ar"):
        assert str(key_label("audit", "checkin.undo")) in page
        assert str(key_label("audit_object", "registration")) in page
