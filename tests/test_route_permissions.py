"""Every route of the URL map, requested by every kind of visitor (see tests/access.py)."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.access import ACCOUNT_OF, VISITORS, collect, make_world
from tests.conftest import login

ROUTES, SETUPS = collect()
SKIP_METHODS = {"HEAD", "OPTIONS"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIP_METHODS):
            yield rule, method


@pytest.fixture
def world(matrix_app):
    return make_world()


def test_every_route_is_in_the_matrix(app):
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in _rules(app)
        if (rule.endpoint, method) not in ROUTES
    ]
    assert not missing, "routes missing from tests/<feature>/access.py:\n" + "\n".join(missing)


CASES = [
    pytest.param(endpoint, method, index, id=f"{method} {endpoint} {index}")
    for (endpoint, method), specs in sorted(ROUTES.items())
    for index in range(len(specs))
]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("endpoint", "method", "index"), CASES)
def test_route_permission(matrix_app, world, visitor, endpoint, method, index):
    """One route, one visitor, objects of its own (nothing another request changed)."""
    spec = ROUTES[(endpoint, method)][index]
    client = matrix_app.test_client()
    if visitor != "anon":
        assert (
            login(client, getattr(world, ACCOUNT_OF.get(visitor, visitor)).email).status_code == 302
        )
    with matrix_app.test_request_context():
        url = url_for(endpoint, **spec.params(world))
    if spec.json is not None:
        response = client.open(url, method=method, json=spec.json)
    else:
        response = client.open(url, method=method)
    assert response.status_code == getattr(spec, visitor), f"{method} {url} as {visitor}"
