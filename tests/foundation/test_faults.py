"""The database gone, and input no database can hold: an answer a person can act on,
never a 500."""

from __future__ import annotations

import pytest

from app import create_app
from blueprints.members.models import Member, MemberTag
from extensions import db
from tests.conftest import csrf_token_from, is_postgres, make_member


@pytest.fixture
def without_database(tmp_path):
    url = (
        "postgresql://postgres@127.0.0.1:1/liqaa"
        if is_postgres()
        else f"sqlite:///{tmp_path}/no-such-folder/liqaa.db"
    )
    return create_app(
        {"ENV_NAME": "test", "TESTING": True, "SECRET_KEY": "x" * 40,
         "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    )  # fmt: skip


def test_pages_answer_503_with_retry_after_while_the_database_is_gone(without_database):
    client = without_database.test_client()
    page = client.get("/r/some-invitation-token", headers={"Accept-Language": "fr"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "base de données" in page.get_data(as_text=True)
    api = client.get("/api/v1/events/1/counts", headers={"Authorization": "Bearer x" * 3})
    assert api.status_code == 503 and api.get_json()["status"] == 503
    assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize(
    "path",
    ["/r/%00", "/t/abc%00def", "/s/%00%00", "/events/99999999999999999999",
     "/events/2147483648", "/events/9223372036854775808", "/members?page=99999999999999999999"],
)  # fmt: skip
def test_values_no_database_can_hold_are_not_found(as_organiser, path):
    assert as_organiser.get(path).status_code in (200, 404)


@pytest.mark.parametrize(
    "target", ["/events%0ASet-Cookie:%20x=1", "/events%0D%0Aevil", "/a%00b", "/%7F"]
)
def test_a_redirect_target_with_control_characters_is_ignored(client, target):
    response = client.get(f"/lang/fr?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/" and "x=1" not in str(response.headers)


def test_a_member_edit_without_the_tags_field_is_read_as_no_tags(as_organiser, org):
    member = make_member(org)
    member.tags.append(MemberTag(tag="BTP"))  # a stored list the form must not read as text
    db.session.commit()
    page = as_organiser.get(f"/members/{member.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "full_name": "Karim B.", "category": "member",
            "locale": "fr", "consent": "y"}  # fmt: skip
    response = as_organiser.post(f"/members/{member.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, member.id).full_name == "Karim B."
