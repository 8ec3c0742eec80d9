"""One phone per member of an organisation: the database refuses a second one, the import
names the rows that would clash, the edit form says whose the phone is, and the migration
keeps a phone already shared on the oldest member."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade

from app import create_app
from blueprints.members import importer, imports
from blueprints.members.models import Member, MemberImport
from blueprints.members.services import MemberData, create_member
from extensions import db
from tests.conftest import _config_dict, csrf_token_from, make_org
from tests.foundation.test_migrations import _empty_database_url
from tests.members.test_import import _upload


def test_the_database_refuses_two_members_with_one_phone(org):
    other = make_org("autre")
    create_member(org.id, MemberData(full_name="Karim", phone="0612345678"))
    create_member(other.id, MemberData(full_name="Karim ailleurs", phone="0612345678"))
    create_member(org.id, MemberData(full_name="Sans téléphone"))
    create_member(org.id, MemberData(full_name="Sans téléphone non plus"))
    db.session.commit()
    table = Member.__table__
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            table.insert(),
            {"organisation_id": org.id, "full_name": "Copie", "phone": "+212612345678",
             "company": "", "trade": "", "city": "", "locale": "fr", "category": "member",
             "notes": "", "consent_source": "", "search_text": ""},
        )  # fmt: skip
    db.session.rollback()


def test_an_update_import_names_the_rows_whose_phone_belongs_to_another_member(as_organiser, org):
    create_member(org.id, MemberData(full_name="Amina", email="amina@example.ma"))
    create_member(org.id, MemberData(full_name="Karim", phone="0612345678"))
    db.session.commit()
    data = (
        "Nom;Email;Téléphone\nSara;sara@example.ma;0661000000\nAmina;amina@example.ma;0612345678\n"
    )
    location = _upload(as_organiser, data.encode(), "liste.csv").headers["Location"]
    html = as_organiser.get(location).get_data(as_text=True)
    assert "La ligne 3 a l’adresse e-mail d’un membre et le téléphone d’un autre" in html
    upload = db.session.scalar(sa.select(MemberImport))
    done = as_organiser.post(
        f"/members/import/{upload.id}/confirm",
        data={"csrf_token": csrf_token_from(html), "confirm-consent": "y",
              "confirm-update_existing": "y"},
    )  # fmt: skip
    assert done.status_code == 302
    phones = dict(db.session.execute(sa.select(Member.full_name, Member.phone)).all())
    assert phones == {"Amina": None, "Karim": "+212612345678", "Sara": "+212661000000"}


def test_a_phone_taken_between_the_preview_and_the_confirmation_is_refused_cleanly(
    org, monkeypatch
):
    table = importer.read_table(b"Nom;Email;Tel\nSara;sara@example.ma;0661000000\n", "l.csv")
    create_member(org.id, MemberData(full_name="Sara", email="sara@example.ma"))
    db.session.commit()
    seen = imports.existing_keys(org.id)  # what the preview saw
    create_member(org.id, MemberData(full_name="Karim", phone="0661000000"))
    db.session.commit()
    monkeypatch.setattr(imports, "existing_keys", lambda _org: seen)
    upload = MemberImport(
        organisation_id=org.id, mapping=importer.guess_mapping(table.header), data=table.dumps()
    )
    db.session.add(upload)
    with force_locale("en"), pytest.raises(imports.MemberError, match="directory changed"):
        imports.confirm_import(upload, table, update_existing=True, consent_source="t")
    db.session.rollback()
    assert db.session.scalar(sa.select(Member.phone).where(Member.full_name == "Sara")) is None


def test_the_edit_form_says_the_phone_belongs_to_another_member(as_organiser, org):
    create_member(org.id, MemberData(full_name="Karim", phone="0612345678"))
    sara = create_member(org.id, MemberData(full_name="Sara"))
    db.session.commit()
    html = as_organiser.get(f"/members/{sara.id}").get_data(as_text=True)
    answer = as_organiser.post(
        f"/members/{sara.id}",
        data={"csrf_token": csrf_token_from(html), "full_name": "Sara", "phone": "06 12 34 56 78",
              "locale": "fr", "category": "member"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert "Un autre membre a déjà ce numéro de téléphone." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, sara.id).phone is None


@pytest.fixture
def loggers_kept():
    """Alembic's env.py runs fileConfig, which disables the loggers that exist; later tests
    read the app's log lines."""
    loggers = [
        x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)
    ]
    before = {logger: logger.disabled for logger in loggers}
    yield
    for logger, disabled in before.items():
        logger.disabled = disabled


def test_the_migration_keeps_a_shared_phone_on_the_oldest_member(tmp_path, loggers_kept):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    with app.app_context():
        upgrade(revision="0008")
        now = "2018-03-01 10:00:00"
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organisation (id, slug, name_ar, name_fr, name_en, sender_name, "
                    "consent_text_ar, consent_text_fr, consent_text_en, created_at, updated_at) "
                    "VALUES (1, 'a', 'a', 'a', 'a', 'a', '', '', '', :now, :now)"
                ),
                {"now": now},
            )
            for member_id, created, phone in [
                (1, "2018-05-01 10:00:00", "+212612345678"),  # newer, lower id
                (2, "2018-01-01 10:00:00", "+212612345678"),  # the oldest: keeps it
                (3, "2018-06-01 10:00:00", "+212612345678"),
                (4, "2018-06-01 10:00:00", "+212661000000"),
                (5, "2018-06-01 10:00:00", None),
                (6, "2018-06-01 10:00:00", None),
            ]:
                conn.execute(sa.text(
                    "INSERT INTO member (id, organisation_id, full_name, company, trade, city, "
                    "locale, category, notes, consent_source, search_text, phone, created_at, "
                    "updated_at) VALUES (:id, 1, 'm', '', '', '', 'fr', 'member', '', '', '', "
                    ":phone, :created, :created)"),
                    {"id": member_id, "phone": phone, "created": created})  # fmt: skip
        upgrade()
        with db.engine.connect() as conn:
            phones = dict(conn.execute(sa.text("SELECT id, phone FROM member")).all())
        assert phones == {1: None, 2: "+212612345678", 3: None, 4: "+212661000000",
                          5: None, 6: None}  # fmt: skip
        downgrade(revision="base")
        db.engine.dispose()
