"""Asking for a "my data" link is limited per client address and per email address.

Behind a proxy every request may come from another client address, so the per-client
limit alone lets anyone flood one member's inbox. The per-address limit counts under a
keyed hash of the address, and the page answers the same whether it was reached or not.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from blueprints.privacy.models import MyDataLink
from core.outbox import OutboxMessage
from extensions import db, limiter
from tests.conftest import build_app, make_member

REDIS = os.environ.get("TEST_REDIS_URL", "")


def _limited_app(app):
    storage = {"RATELIMIT_STORAGE_URI": REDIS} if REDIS else {}
    limited = build_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        WTF_CSRF_ENABLED=False,
        TRUSTED_PROXIES=1,
        **storage,
    )
    limiter.storage.reset()
    return limited


def _ask(client, email: str, client_address: str):
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
    client.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
    return client.post("/my-data", data={"email": email})


def _links_for(member) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(MyDataLink.id)).where(MyDataLink.member_id == member.id)
    )


def test_one_address_gets_three_links_an_hour_whoever_asks(app, org):
    amina = make_member(org, "Amina Rifi", email="amina@example.ma")
    karim = make_member(org, "Karim Benali", email="karim@example.ma")
    db.session.commit()
    limited = _limited_app(app)
    try:
        client = limited.test_client()
        with limited.app_context():
            answers = [_ask(client, "Amina@Example.ma", f"198.51.100.{n}") for n in range(1, 6)]
            strangers = [_ask(client, "nobody@example.org", f"203.0.113.{n}") for n in range(1, 6)]
            other = _ask(client, "karim@example.ma", "198.51.100.77")
        assert [r.status_code for r in answers + strangers] == [200] * 10
        bodies = {r.get_data(as_text=True) for r in answers + strangers + [other]}
        assert len(bodies) == 1  # known or not, limited or not: the same page
        # no header counts down for this address either: each fresh client sees the same
        remaining = {r.headers.get("X-RateLimit-Remaining") for r in answers + strangers}
        assert len(remaining) == 1
        assert len({tuple(sorted(k for k, _ in r.headers)) for r in answers + strangers}) == 1
        assert _links_for(amina) == 3
        assert _links_for(karim) == 1  # another address is not held back
        queued = db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "my_data_link")
        )
        assert queued == 4
        if REDIS:
            keys = [k.decode() for k in limiter.storage.storage.keys("*")]
            assert any("my-data-email/" in k for k in keys), keys
            assert not any("amina" in k.lower() or "example" in k for k in keys), keys
    finally:
        limiter.storage.reset()


def test_the_per_client_limit_still_applies_to_the_forwarded_address(app, org):
    limited = _limited_app(app)
    try:
        client = limited.test_client()
        with limited.app_context():
            one_client = [
                _ask(client, f"n{n}@example.org", "198.51.100.9").status_code for n in range(7)
            ]
            elsewhere = _ask(client, "n9@example.org", "198.51.100.10").status_code
        assert one_client == [200] * 5 + [429, 429]
        assert elsewhere == 200
    finally:
        limiter.storage.reset()
