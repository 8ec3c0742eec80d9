"""Every route of the URL map, requested by every kind of visitor (see tests/access.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import url_for

from config import TestConfig
from core.roles import Role
from tests.access import VISITORS, collect
from tests.conftest import login, make_event, make_org, make_partner, make_user

ROUTES, SETUPS = collect()
SKIP_METHODS = {"HEAD", "OPTIONS"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIP_METHODS):
            yield rule, method


@pytest.fixture
def matrix_app(app):
    app.config.update(WTF_CSRF_ENABLED=False)
    yield app
    app.config.update(WTF_CSRF_ENABLED=TestConfig.WTF_CSRF_ENABLED)


@pytest.fixture
def world(matrix_app):
    org = make_org("alpha")
    other_org = make_org("beta", name_fr="Autre association")
    w = SimpleNamespace(
        org=org,
        other_org=other_org,
        owner=make_user(org, Role.OWNER),
        organiser=make_user(org, Role.ORGANISER),
        door=make_user(org, Role.DOOR),
        other=make_user(other_org, Role.OWNER),
        partner=make_partner(org),
        event=make_event(org),
    )
    for setup in SETUPS:
        setup(w)
    return w


def test_every_route_is_in_the_matrix(app):
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in _rules(app)
        if (rule.endpoint, method) not in ROUTES
    ]
    assert not missing, "routes missing from tests/<feature>/access.py:\n" + "\n".join(missing)


def _spec_for(rule, method, world):
    needed = set(rule.arguments) - set(rule.defaults or {})
    for spec in ROUTES[(rule.endpoint, method)]:
        if set(spec.params(world)) == needed:
            return spec
    raise AssertionError(f"no Access for {method} {rule.rule} with parameters {sorted(needed)}")


@pytest.mark.parametrize("visitor", VISITORS)
def test_route_permissions(matrix_app, world, visitor):
    failures = []
    for rule, method in _rules(matrix_app):
        if (rule.endpoint, method) not in ROUTES:
            continue  # reported by test_every_route_is_in_the_matrix
        spec = _spec_for(rule, method, world)
        client = matrix_app.test_client()
        if visitor != "anon":
            user = getattr(world, visitor)
            assert login(client, user.email).status_code == 302
        with matrix_app.test_request_context():
            url = url_for(rule.endpoint, **spec.params(world))
        if spec.json is not None:
            response = client.open(url, method=method, json=spec.json)
        else:
            response = client.open(url, method=method)
        expected = getattr(spec, visitor)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in allowed:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert not failures, f"as {visitor}:\n" + "\n".join(failures)
