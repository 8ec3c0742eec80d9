"""The database gone, and input no database can hold: an answer a person can act on,
never a 500."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import is_postgres


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
