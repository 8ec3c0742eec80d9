"""Property-based: every form of Liqaa, filled by Hypothesis with what a form does not
expect (NUL bytes, lone surrogates, huge numbers, years 1 and 99999, 10,000-character
fields, right-to-left overrides, markup, missing and unknown fields), never answers a
server error. Each route is posted as a visitor the permission matrix lets in, with the
field names its own page shows; CSRF is off here (tests/foundation/test_security.py
covers it) so that the input reaches the form. FORM_EXAMPLES bounds the cases per form.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

from tests.access import VISITORS
from tests.conftest import login
from tests.fuzz import bounded
from tests.test_route_permissions import ROUTES, world  # noqa: F401

EXAMPLES = int(os.environ.get("FORM_EXAMPLES", "12"))
ODD = [
    "\x00", "a\x00b", "\ud800", "\udfff", " ", "   ", "", "0", "-1", "1e309", "NaN",
    "99999999999999999999", str(2**31), str(2**63), "٣", "١٠", "3، 1", "0001-01-01",
    "99999-12-31", "2026-02-30", "2026-12-02T25:61", "\u202eevil", "<script>x</script>",
    "x" * 10_000, "on", "y", "true", "1,5", "+212 6 12 34 56 78", "' OR 1=1 --",
]  # fmt: skip
VALUES = st.one_of(st.sampled_from(ODD), st.text(max_size=40), st.integers().map(str))
FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def _visitor(spec) -> str | None:
    """Who gets past the access check of this route: anyone for a public route, else the
    first member of staff let in (None: nobody, e.g. a route that always refuses)."""
    if spec.anon not in (302, 401):  # a public route (a 302 sends a visitor to sign in)
        return "anon"
    for visitor in ("owner", "organiser", "door"):
        if getattr(spec, visitor) not in (401, 403, 404, 405):
            return visitor
    return None


def _encode(fields: list[tuple[str, str]]) -> bytes:
    """A urlencoded body that may hold what UTF-8 cannot (lone surrogates), as a browser
    or an attacker might send it."""
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields
    ).encode()


FORMS = [
    pytest.param(endpoint, index, id=f"{endpoint} {index}")
    for (endpoint, method), specs in sorted(ROUTES.items())
    if method == "POST"
    for index, spec in enumerate(specs)
    if spec.json is None and _visitor(spec)
]


@pytest.mark.parametrize(("endpoint", "index"), FORMS)
def test_no_form_answers_a_server_error(matrix_app, world, endpoint, index):  # noqa: F811
    spec = ROUTES[(endpoint, "POST")][index]
    visitor = _visitor(spec)
    assert visitor in VISITORS
    client = matrix_app.test_client()
    if visitor != "anon":
        assert login(client, getattr(world, visitor).email).status_code == 302
    with matrix_app.test_request_context():
        url = url_for(endpoint, **spec.params(world))
    page = client.get(url) if ("GET" in _methods(matrix_app, endpoint)) else None
    names = set(FIELD_NAME.findall(page.get_data(as_text=True))) if page else set()
    names |= set(FIELD_NAME.findall(client.post(url).get_data(as_text=True)))
    names.discard("csrf_token")
    names = sorted(names) or ["value"]
    seen = []

    @bounded(EXAMPLES)
    @given(fields=st.lists(st.tuples(st.sampled_from([*names, "unknown"]), VALUES), max_size=8))
    def post(fields):
        response = client.post(
            url, data=_encode(fields), content_type="application/x-www-form-urlencoded"
        )
        seen.append(response.status_code)
        assert response.status_code < 500, f"POST {url} {fields!r:.300}"

    post()
    assert len(seen) >= min(EXAMPLES, 2)


def _methods(app, endpoint: str) -> set[str]:
    return {m for rule in app.url_map.iter_rules(endpoint) for m in rule.methods or ()}
