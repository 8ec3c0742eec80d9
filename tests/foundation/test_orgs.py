"""Organisation settings and partners: what owners and organisers type, good and bad."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.orgs.models import Organisation, Partner
from extensions import db
from tests.conftest import form_page_token, make_org, make_partner

SETTINGS = {
    "name_ar": "جمعية المقاولات الصغرى جدا",
    "name_fr": "Association des TPE",
    "name_en": "",
    "sender_name": "Association des TPE – Nador",
    "reply_to": "contact@tpe-nador.example",
    "consent_text_ar": "أوافق",
    "consent_text_fr": "J'accepte",
    "consent_text_en": "",
}


def test_owner_updates_the_organisation(as_owner, org):
    token = form_page_token(as_owner, "/organisation")
    response = as_owner.post("/organisation", data={**SETTINGS, "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Organisation, org.id)
    assert saved.sender_name == "Association des TPE – Nador"
    assert saved.reply_to == "contact@tpe-nador.example"


def test_bad_settings_are_explained_and_nothing_changes(as_owner, org):
    as_owner.get("/lang/en")
    token = form_page_token(as_owner, "/organisation")
    for bad, message in (
        ({"reply_to": "not an address"}, "Invalid email address."),
        ({"name_fr": ""}, "This field is required."),
        ({"sender_name": "x" * 10_000}, "Field cannot be longer than 120 characters."),
        ({"consent_text_fr": "y" * 10_000}, "Field cannot be longer than 2000 characters."),
    ):
        response = as_owner.post("/organisation", data={**SETTINGS, **bad, "csrf_token": token})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name_fr == "Association test"


def test_partner_names_are_escaped_and_unique_per_organisation(as_organiser, org):
    as_organiser.get("/lang/en")
    token = form_page_token(as_organiser, "/partners/new")
    hostile = "<script>alert(1)</script> \u202eCNSS"
    data = {"name_fr": hostile, "name_ar": "", "name_en": "", "kind": "public_body"}
    assert as_organiser.post("/partners/new", data={**data, "csrf_token": token}).status_code == 302
    html = as_organiser.get("/partners").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    again = as_organiser.post("/partners/new", data={**data, "csrf_token": token})
    assert "A partner with this name exists already." in again.get_data(as_text=True)
    # the same name in another organisation is another partner
    make_partner(make_org("other"), name_fr=hostile)
    assert db.session.scalar(sa.select(sa.func.count(Partner.id))) == 2


def test_partner_kind_must_be_one_of_the_list(as_organiser):
    as_organiser.get("/lang/en")
    token = form_page_token(as_organiser, "/partners/new")
    response = as_organiser.post(
        "/partners/new",
        data={"name_fr": "X", "kind": "'; DROP TABLE partner; --", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Partner.id))) == 0


def test_organiser_cannot_open_the_organisation_settings(as_organiser):
    assert as_organiser.get("/organisation").status_code == 403
