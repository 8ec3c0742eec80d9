from tests.access import Access

EVENT = {"params": lambda w: {"event_id": w.event.id}}
LOGIN = 302  # anonymous visitors are sent to the sign-in page
NO = 403


MAIL = {"params": lambda w: {"name": "20261202T180000000000-0123456789ab.eml"}}


ROUTES = {
    "static": Access(200, 200, 200, 200, 200, params=lambda w: {"filename": "css/app.css"}),
    "site.home": Access(LOGIN, 302, 302, 302, 302),
    "site.set_language": Access(302, 302, 302, 302, 302, params=lambda w: {"code": "ar"}),
    "site.favicon": Access(200, 200, 200, 200, 200),
    "site.healthz": Access(200, 200, 200, 200, 200),
    "site.readyz": Access(200, 200, 200, 200, 200),
    # development only: absent (404) everywhere else, the tests' environment included
    "dev_mail.index": Access(404, 404, 404, 404, 404),
    "dev_mail.show": Access(404, 404, 404, 404, 404, **MAIL),
    "dev_mail.html": Access(404, 404, 404, 404, 404, **MAIL),
    "auth.login": [
        Access(200, 302, 302, 302, 302, partner=302),
        Access(200, 302, 302, 302, 302, method="POST", partner=302),
    ],
    "auth.logout": Access(302, 302, 302, 302, 302, method="POST"),
    "auth.change_password": [
        Access(LOGIN, 200, 200, 200, 200, partner=200),
        Access(LOGIN, 200, 200, 200, 200, method="POST", partner=200),
    ],
    # "forgotten password": the same page for anyone; a link works for whoever holds it
    "auth.forgot_password": [
        Access(200, 200, 200, 200, 200, partner=200),
        Access(200, 200, 200, 200, 200, method="POST", partner=200),
    ],
    "auth.reset_password": [
        Access(200, 200, 200, 200, 200, partner=200, params=lambda w: {"token": w.reset_token}),
        Access(
            200,
            200,
            200,
            200,
            200,
            method="POST",
            partner=200,
            params=lambda w: {"token": w.reset_token},
        ),
    ],  # fmt: skip
    "auth.staff": Access(LOGIN, NO, NO, 200, 200),
    "auth.staff_new": [
        Access(LOGIN, NO, NO, 200, 200),
        Access(LOGIN, NO, NO, 200, 200, method="POST"),
    ],
    "auth.staff_edit": [
        Access(LOGIN, NO, NO, 200, 404, params=lambda w: {"user_id": w.door.id}),
        Access(LOGIN, NO, NO, 302, 404, method="POST", params=lambda w: {"user_id": w.door.id}),
    ],
    "orgs.settings": [
        Access(LOGIN, NO, NO, 200, 200),
        Access(LOGIN, NO, NO, 302, 302, method="POST"),
    ],
    "orgs.partners": Access(LOGIN, NO, 200, 200, 200),
    "orgs.partner_form": [
        Access(LOGIN, NO, 200, 200, 200),
        Access(LOGIN, NO, 200, 200, 200, method="POST"),
        Access(LOGIN, NO, 200, 200, 404, params=lambda w: {"partner_id": w.partner.id}),
        Access(
            LOGIN, NO, 302, 302, 404, method="POST", params=lambda w: {"partner_id": w.partner.id}
        ),
    ],
    "dashboard.index": Access(LOGIN, 200, 200, 200, 200),
    "events.index": Access(LOGIN, NO, 200, 200, 200),
    "events.new": [
        Access(LOGIN, NO, 200, 200, 200),
        Access(LOGIN, NO, 200, 200, 200, method="POST"),
    ],
    "events.show": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "events.edit": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **EVENT),
    ],
    "events.publish": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "events.cancel": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "events.close": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "events.duplicate": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "events.public": Access(
        200, 200, 200, 200, 200, params=lambda w: {"public_id": w.event.public_id}
    ),
}


def setup(world) -> None:
    from blueprints.auth import reset
    from extensions import db

    world.reset_token = reset.request_reset(world.door.email).reset
    db.session.commit()
