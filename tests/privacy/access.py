"""Privacy routes in the permission matrix (see tests/access.py).

The member's own pages answer 403 without an opened link in the session (whoever asks:
staff accounts have no member page); a link that is not one of ours is a 404.
"""

from tests.access import Access

LOGIN, NO = 302, 403
MEMBER = {"params": lambda w: {"member_id": w.privacy_member.id}}
OPEN = Access(200, 200, 200, 200, 200)
MINE = Access(NO, NO, NO, NO, NO)


def setup(world) -> None:
    from extensions import db
    from tests.conftest import make_member

    world.privacy_member = make_member(world.org, "Salma Idrissi", email="salma@example.ma")
    db.session.commit()


ROUTES = {
    "privacy.audit": Access(LOGIN, NO, NO, 200, 200),
    "privacy.audit_export": Access(LOGIN, NO, NO, 200, 200),
    "privacy.settings": [
        Access(LOGIN, NO, NO, 200, 200),
        Access(LOGIN, NO, NO, 302, 302, method="POST"),
    ],
    "privacy.register": Access(LOGIN, NO, NO, 200, 200),
    "privacy.member": Access(LOGIN, NO, 200, 200, 404, **MEMBER),
    "privacy.erase": Access(LOGIN, NO, 302, 302, 404, method="POST", **MEMBER),
    "privacy.member_link": Access(LOGIN, NO, 200, 200, 404, method="POST", **MEMBER),
    "privacy.ask": [OPEN, Access(200, 200, 200, 200, 200, method="POST")],
    "privacy.open_link": Access(404, 404, 404, 404, 404, params=lambda w: {"token": "nope"}),
    "privacy.mine": MINE,
    "privacy.mine_json": MINE,
    "privacy.mine_html": MINE,
    "privacy.correct": Access(NO, NO, NO, NO, NO, method="POST"),
    "privacy.withdraw": Access(NO, NO, NO, NO, NO, method="POST"),
    "privacy.ask_erasure": Access(NO, NO, NO, NO, NO, method="POST"),
}
