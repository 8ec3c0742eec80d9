"""Every string is catalogued and translated; every page is right-to-left in Arabic."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import url_for
from flask_babel import force_locale, get_locale, refresh

from core.templating import local_time
from tests.access import collect
from tests.conftest import login
from tests.test_route_permissions import world  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
i18n_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_script)


def test_every_string_in_the_sources_is_in_the_catalogues(tmp_path):
    stale = i18n_script.stale(tmp_path)
    assert not stale, "run `make translations`, then translate:\n" + "\n".join(stale)


def test_every_catalogue_entry_has_arabic_and_french():
    missing = i18n_script.missing()
    assert not missing, "untranslated entries:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_compiled_catalogues_translate_the_interface(client, lang):
    html = client.get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert ">Sign in<" not in html  # the button is translated


def test_language_choice_is_remembered(client):
    client.get("/lang/fr?next=/login")
    assert 'lang="fr"' in client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in client.get("/login", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )


def test_switching_language_on_a_page_opened_with_lang(client):
    html = client.get("/login?lang=fr&next=/home").get_data(as_text=True)
    assert 'href="/lang/ar?next=/login?next%3D%252Fhome"' in html
    response = client.get("/lang/ar?next=/login?next%3D%252Fhome")
    assert response.headers["Location"] == "/login?next=%2Fhome"
    assert 'lang="ar"' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_default_language_follows_accept_language(client):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en" dir="ltr">' in html


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/lang/ar?next=https://evil.example/")
    assert response.headers["Location"] == "/"


ROUTES, _ = collect()


def test_every_page_is_right_to_left_in_arabic(matrix_app, world):  # noqa: F811
    """Each GET page that an owner (or, for door pages, door staff) can open, in Arabic."""
    checked = []
    for visitor in ("owner", "door"):
        client = matrix_app.test_client()
        assert login(client, getattr(world, visitor).email).status_code == 302
        client.get("/lang/ar")
        for rule in matrix_app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            for access in ROUTES.get((rule.endpoint, "GET"), []):
                needed = set(rule.arguments) - set(rule.defaults or {})
                if set(access.params(world)) != needed or getattr(access, visitor) != 200:
                    continue
                with matrix_app.test_request_context():
                    url = url_for(rule.endpoint, **access.params(world))
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                html = response.get_data(as_text=True)
                assert '<html lang="ar" dir="rtl">' in html, url
                assert "liqaa.min.css" not in html, url  # never the left-to-right build
                checked.append(url)
    assert len(checked) >= 10, checked


@pytest.mark.parametrize(("month", "lang", "shown"), [(12, "fr", "15:30"), (7, "en", "15:30")])
def test_times_are_shown_at_the_venue_in_any_year(app, month, lang, shown):
    """14:30 UTC is 15:30 in Casablanca (UTC+1 outside Ramadan), also after 2025."""
    with app.test_request_context(), force_locale(lang):
        assert local_time(datetime(2027, month, 24, 14, 30, tzinfo=UTC)).startswith(shown)


def test_locale_outside_a_request_is_the_default(app):
    """CLI commands and the outbox worker have no request; they pick with force_locale."""
    with app.app_context():
        refresh()
        assert str(get_locale()) == "ar_MA"
        with force_locale("fr"):
            assert str(get_locale()) == "fr"


def test_emails_forced_to_arabic_use_the_24_hour_clock(app):
    """Builders force a bare "ar"; times still read 15:30 (ar_MA), not 3:30 م."""
    with app.app_context(), force_locale("ar"):
        assert local_time(datetime(2027, 12, 24, 14, 30, tzinfo=UTC)) == "15:30"
