"""The route-permission matrix: what each kind of visitor gets from every route.

Each feature lists its routes in tests/<feature>/access.py:

    ROUTES = {"events.show": Access(anon=302, door=403, organiser=200, owner=200, other=404,
                                    params=lambda w: {"event_id": w.event.id})}

and may define `setup(world)` to add the objects its URLs need (world.member = ...).
`test_route_permission` requests every route of the URL map as each visitor, each time with
objects of its own (a fresh world), expecting exactly one status; another test fails
for a route that no feature lists. POSTs are sent without a body and with CSRF off, so
the status shows the access decision, not form validation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

Status = int  # exactly one: each request has fresh objects of its own
VISITORS = ("anon", "door", "organiser", "owner", "other", "partner")
ACCOUNT_OF = {"partner": "partner_user"}  # world.partner is the partner body itself
LOGIN, NO = 302, 403


@dataclass(frozen=True)
class Access:
    anon: Status
    door: Status
    organiser: Status
    owner: Status
    other: Status  # an owner of another organisation
    method: str = "GET"
    params: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    json: dict | None = None  # sent as the body of a JSON API call
    # An account of world.partner (role partner). Unless stated: what door staff get where
    # they are refused or where anyone gets the same; 403 on the pages door staff may open.
    partner: Status | None = None

    def __post_init__(self) -> None:
        if self.partner is None:
            same = self.door in (NO, self.anon)
            object.__setattr__(self, "partner", self.door if same else NO)


def collect() -> tuple[dict[tuple[str, str], list[Access]], list[Callable]]:
    """All features' ROUTES, keyed by (endpoint, method), and their setup hooks.

    An endpoint served by several rules (/partners/new and /partners/<id>) lists one
    Access per rule; the test matches them by the URL parameters they fill in.
    """
    routes: dict[tuple[str, str], list[Access]] = {}
    setups: list[Callable] = []
    for path in sorted(Path(__file__).parent.glob("*/access.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access")
        for endpoint, spec in module.ROUTES.items():
            specs = spec if isinstance(spec, list | tuple) else [spec]
            for one in specs:
                routes.setdefault((endpoint, one.method), []).append(one)
        if hasattr(module, "setup"):
            setups.append(module.setup)
    return routes, setups


def make_world() -> SimpleNamespace:
    """Two organisations, their staff, a partner, an event, and every feature's objects."""
    from core.roles import Role
    from tests.conftest import make_event, make_org, make_partner, make_user

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
    w.partner_user = make_user(org, Role.PARTNER, partner_id=w.partner.id)
    for setup in collect()[1]:
        setup(w)
    return w
