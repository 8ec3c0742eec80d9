"""No stored key, enum value, exception name or English sentence on an Arabic or French page.

Every GET page of the route-permission matrix (tests/access.py) that the organiser, the
door staff or an anonymous invitee may open is rendered in Arabic and in French, in the
demo organisation with the demo data loaded (the matrix's own objects added to it), and
its visible text is searched for:

- a snake_case key (`private_education`, `rsvp_ticket`);
- the value of an enum (`member`, `accepted`) alone on a line or in brackets, where the
  language has no such word in its catalogue;
- a Python exception name or errno (`ConnectionRefusedError`, `[Errno 111]`);
- an English msgid of three words or more left untranslated.
"""

from __future__ import annotations

import enum
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import url_for

from blueprints.auth.models import User
from blueprints.orgs.models import Organisation, Partner
from core.outbox import OutboxMessage, OutboxState
from core.roles import Role
from demo.data import DEMO_PASSWORD
from demo.story import by_title
from extensions import db
from tests.access import collect
from tests.conftest import login, make_org, make_user

ROUTES, SETUPS = collect()
PROBLEMS = [
    (OutboxState.QUEUED, "ConnectionRefusedError: [Errno 111] Connection refused"),
    (OutboxState.FAILED, "TimeoutError: timed out"),
    (OutboxState.FAILED, "SMTPRecipientsRefused: {'x@example.ma': (550, b'No such user')}"),
    (OutboxState.CANCELLED, "unsubscribed"),
]
ROOT = Path(__file__).resolve().parent.parent
SNAKE = re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z0-9]+)+(?![\w@.-])")
EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]+(?:Error|Exception)\b|\[Errno \d+\]|Traceback")
VISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<details[^>]*data-technical[^>]*>.*?</details>", " ", body, flags=re.S)
    return html.unescape(TAG.sub("\n", VISIBLE.sub(" ", body)))


def catalogue(lang: str) -> tuple[set[str], set[str]]:
    """(English msgids of 3+ words translated differently, words of the translations)."""
    msgids: set[str] = set()
    words: set[str] = set()
    for path in ROOT.glob(f"translations/*/{lang}/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strs = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strs:
                    words.update(w.lower() for w in re.findall(r"\w+", text or ""))
                for text in ids:
                    if text and "%(" not in text and len(text.split()) >= 3 and text not in strs:
                        msgids.add(text)
    return msgids, words


def enum_values() -> set[str]:
    values = set()
    for model in db.Model.registry.mappers:
        for column in model.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class and issubclass(enum_class, enum.Enum):
                values.update(str(m.value) for m in enum_class if isinstance(m.value, str))
    return {v for v in values if v.isalpha() and v.islower() and len(v) > 3}


def demo_world(app) -> SimpleNamespace:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug != "beta"))
    staff = {
        u.role: u for u in db.session.scalars(sa.select(User).where(User.organisation_id == org.id))
    }
    other_org = make_org("beta", name_fr="Autre association")
    w = SimpleNamespace(
        org=org,
        other_org=other_org,
        owner=staff[Role.OWNER],
        organiser=staff[Role.ORGANISER],
        door=staff[Role.DOOR],
        other=make_user(other_org, Role.OWNER),
        partner=db.session.scalar(sa.select(Partner).where(Partner.organisation_id == org.id)),
        event=by_title(org, ""),
    )
    for setup in SETUPS:
        setup(w)
    # Delivery problems as the outbox records them: Python's words, and the server's.
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject_kind == "invitation")
    ).all()
    for message, (state, error) in zip(messages, PROBLEMS * len(messages), strict=False):
        message.state, message.last_error = state, error
    db.session.commit()
    return w


def pages_for(visitor: str):
    for (endpoint, method), specs in sorted(ROUTES.items()):
        for spec in specs:
            if method == "GET" and getattr(spec, visitor) == 200:
                yield endpoint, spec


def leaks(text: str, msgids: set[str], words: set[str], values: set[str]) -> list[str]:
    found = [f"key {m}" for m in SNAKE.findall(text)]
    found += [f"exception {m}" for m in EXCEPTION.findall(text)]
    shown = {line.strip().strip("()·—") for line in re.split(r"\n| · ", text)}
    shown |= set(re.findall(r"\((\w+)\)", text))
    found += [f"enum value {v}" for v in sorted(values & shown - words)]
    found += [f"English {m!r}" for m in msgids if m in text]
    return found


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_pages_show_no_raw_codes_or_english(app, lang):
    w = demo_world(app)
    msgids, words = catalogue(lang)
    values = enum_values()
    problems, texts = [], {}
    for visitor in ("organiser", "door", "anon"):
        client = app.test_client()
        if visitor != "anon":
            user = getattr(w, visitor)
            assert login(client, user.email, password=DEMO_PASSWORD).status_code == 302
        for endpoint, spec in pages_for(visitor):
            with app.test_request_context():
                url = url_for(endpoint, **spec.params(w), lang=lang)
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            text = visible_text(response.get_data(as_text=True))
            texts[endpoint] = text
            problems += [f"{visitor} {url}: {p}" for p in leaks(text, msgids, words, values)]
    assert not problems, "\n".join(sorted(set(problems)))
    # The delivery problems are told in the organiser's language, with the time of the retry.
    told = {"ar": ("لم يُجب خادم البريد؛ ستُعاد المحاولة على الساعة", "رفض خادم البريد هذا العنوان"),
            "fr": ("Le serveur de messagerie n’a pas répondu\u202f; nouvel essai à",
                   "Le serveur de messagerie a refusé cette adresse")}[lang]  # fmt: skip
    for sentence in told:
        assert sentence in texts["invitations.index"], texts["invitations.index"][:2000]
