"""Organisers build, publish, cancel and copy events; visitors see the public page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from blueprints.events import services
from blueprints.events.models import Event, EventStatus
from core.signals import event_cancelled, event_changed
from extensions import db
from tests.conftest import form_page_token, make_event, make_org, make_partner


def event_form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "title_ar": "لقاء حول التغطية الصحية",
        "title_fr": "Rencontre sur la couverture médicale",
        "venue_name": "Salle de l'agence CNSS, Nador",
        "venue_address": "Boulevard Hassan II",
        "map_url": "https://www.openstreetmap.org/#map=17/35.1681/-2.9335",
        "starts_at": "2030-10-25T15:30",
        "ends_at": "2030-10-25T19:30",
        "capacity": "120",
        "max_companions": "1",
        "rsvp_deadline": "2030-10-23T12:00",
        "programme-0-starts_at": "15:40",
        "programme-0-title_ar": "كلمة المديرة الجهوية",
        "programme-0-title_fr": "Mot de bienvenue",
        "programme-0-speaker_fr": "La directrice régionale",
        "programme-1-starts_at": "15:30",
        "programme-1-title_ar": "افتتاح",
        "programme-1-title_fr": "Ouverture",
        "programme-2-title_fr": "",
    }
    data.update(overrides)
    return data


def test_organiser_creates_an_event_with_its_programme(as_organiser, org):
    partner = make_partner(org)
    token = form_page_token(as_organiser, "/events/new")
    response = as_organiser.post("/events/new", data=event_form(token, cohosts=str(partner.id)))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.status == EventStatus.DRAFT and event.organisation_id == org.id
    # 15:30 in Casablanca (UTC+1 all year) is 14:30 UTC
    assert event.starts_at == datetime(2030, 10, 25, 14, 30, tzinfo=UTC)
    assert event.rsvp_deadline == datetime(2030, 10, 23, 11, 0, tzinfo=UTC)
    assert [i.title_fr for i in event.programme] == ["Ouverture", "Mot de bienvenue"]
    assert event.programme[1].speaker_fr == "La directrice régionale"
    assert [p.id for p in event.cohosts] == [partner.id]
    page = as_organiser.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Mot de bienvenue" in page and "15:30" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2030-10-25T15:00"}, "The end must come after the start."),
        ({"capacity": "0"}, "Number must be between 1 and 100000."),
        ({"capacity": "-5"}, "Number must be between 1 and 100000."),
        ({"capacity": "many"}, "Not a valid integer value."),
        ({"rsvp_deadline": "2030-10-26T10:00"}, "The answer deadline must not be after the start."),
        ({"title_ar": "", "title_fr": ""}, "Give the event a title in Arabic or French."),
        ({"title_fr": "x" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"map_url": "javascript:alert(1)"}, "Enter a full web address."),
        ({"starts_at": "yesterday"}, "Not a valid datetime value."),
        ({"cohosts": "999999"}, "is not a valid choice for this field."),
    ],
)
def test_bad_event_input_is_explained_and_nothing_is_saved(as_organiser, overrides, message):
    as_organiser.get("/lang/en")
    token = form_page_token(as_organiser, "/events/new")
    response = as_organiser.post("/events/new", data=event_form(token, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_validation_messages_come_in_the_users_language(app, as_organiser, lang):
    as_organiser.get(f"/lang/{lang}")
    token = form_page_token(as_organiser, "/events/new")
    html = as_organiser.post(
        "/events/new", data=event_form(token, ends_at="2030-10-25T15:00")
    ).get_data(as_text=True)
    with app.test_request_context(), force_locale(lang):
        expected = gettext("The end must come after the start.")
    assert lang == "en" or expected != "The end must come after the start."
    assert expected in html
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html


def test_a_failed_edit_leaves_the_event_untouched(as_organiser, org):
    event = make_event(org, title_fr="Avant")
    url = f"/events/{event.id}/edit"
    token = form_page_token(as_organiser, url)
    response = as_organiser.post(
        url, data=event_form(token, title_fr="Après", ends_at="2030-10-25T10:00")
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Event, event.id).title_fr == "Avant"


def test_edit_keeps_the_programme_and_reports_time_changes(as_organiser, org):
    event = make_event(org)
    seen = []

    def listener(sender, **kwargs):
        seen.append(kwargs["changes"])

    url = f"/events/{event.id}/edit"
    form_html = as_organiser.get(url).get_data(as_text=True)
    assert "Mot d&#39;ouverture" in form_html  # the programme is in the form
    with event_changed.connected_to(listener):
        response = as_organiser.post(url, data=event_form(form_page_token(as_organiser, url)))
    assert response.status_code == 302
    assert seen == [{"time", "venue"}]


def test_event_of_another_organisation_is_not_found(as_organiser):
    foreign = make_event(make_org("other"))
    for url in (f"/events/{foreign.id}", f"/events/{foreign.id}/edit"):
        assert as_organiser.get(url).status_code == 404
    token = form_page_token(as_organiser, "/events")
    response = as_organiser.post(f"/events/{foreign.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Event, foreign.id).status == EventStatus.PUBLISHED


def test_publish_then_cancel(as_organiser, org):
    event = make_event(org, status=EventStatus.DRAFT)
    token = form_page_token(as_organiser, f"/events/{event.id}")
    cancelled = []
    as_organiser.post(f"/events/{event.id}/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    with event_cancelled.connected_to(lambda sender, **kw: cancelled.append(sender.id)):
        as_organiser.post(f"/events/{event.id}/cancel", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED
    assert cancelled == [event.id]
    as_organiser.get("/lang/en")
    again = as_organiser.post(
        f"/events/{event.id}/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Only a draft can be published." in again.get_data(as_text=True)


def test_publish_without_csrf_is_refused(as_organiser, org):
    event = make_event(org, status=EventStatus.DRAFT)
    assert as_organiser.post(f"/events/{event.id}/publish").status_code == 400
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT


def test_an_event_in_the_past_cannot_be_published(org):
    event = make_event(org, status=EventStatus.DRAFT, starts_in=timedelta(days=-3))
    with pytest.raises(services.EventError):
        services.publish(event)


def test_same_meeting_next_month(as_organiser, org):
    event = make_event(org, title_fr="Mensuelle")
    event.starts_at = datetime(2031, 1, 31, 14, 30, tzinfo=UTC)
    event.ends_at = datetime(2031, 1, 31, 18, 30, tzinfo=UTC)
    db.session.commit()
    token = form_page_token(as_organiser, f"/events/{event.id}")
    response = as_organiser.post(f"/events/{event.id}/duplicate", data={"csrf_token": token})
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Event).where(Event.id != event.id))
    assert copy.status == EventStatus.DRAFT and copy.title_fr == "Mensuelle"
    assert copy.starts_at == datetime(2031, 2, 28, 14, 30, tzinfo=UTC)  # no 31 February
    assert [i.title_fr for i in copy.programme] == [i.title_fr for i in event.programme]
    assert copy.public_id != event.public_id


def test_public_page_in_the_visitors_language(client, org):
    event = make_event(org)
    url = f"/e/{event.public_id}"
    arabic = client.get(url, headers={"Accept-Language": "ar-MA,ar;q=0.9"})
    assert arabic.status_code == 200
    html = arabic.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "لقاء تواصلي" in html
    assert "liqaa.rtl.min.css" in html
    french = client.get(url, headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in french and "Rencontre d&#39;information" in french


def test_draft_events_have_no_public_page(client, org):
    event = make_event(org, status=EventStatus.DRAFT)
    assert client.get(f"/e/{event.public_id}").status_code == 404
    assert client.get("/e/" + "x" * 5000).status_code == 404


def test_event_text_is_escaped(as_organiser, client, org):
    event = make_event(org, title_fr="<script>alert(1)</script>", description_fr="<b>x</b>")
    for html in (
        as_organiser.get(f"/events/{event.id}").get_data(as_text=True),
        client.get(f"/e/{event.public_id}?lang=fr").get_data(as_text=True),
    ):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_event_list_paginates_and_filters(as_organiser, org, app):
    for i in range(app.config["PAGE_SIZE"] + 3):
        make_event(org, title_fr=f"Rencontre {i:02d}", status=EventStatus.DRAFT)
    first = as_organiser.get("/events?lang=fr").get_data(as_text=True)
    assert first.count('class="list-group-item list-group-item-action"') == app.config["PAGE_SIZE"]
    second = as_organiser.get("/events?page=2&lang=fr").get_data(as_text=True)
    assert second.count('class="list-group-item list-group-item-action"') == 3
    found = as_organiser.get("/events?q=Rencontre%2007").get_data(as_text=True)
    assert found.count('class="list-group-item list-group-item-action"') == 1
    none = as_organiser.get("/events?status=published").get_data(as_text=True)
    assert "list-group-item-action" not in none


def test_the_public_page_link_uses_base_url_not_the_requests_host(as_organiser, org):
    event = make_event(org)
    for cookie in list(as_organiser._cookies.values()):  # signed in on the forged host too
        as_organiser.set_cookie(cookie.key, cookie.value, domain="evil.example")
    page = as_organiser.get(f"/events/{event.id}", headers={"Host": "evil.example"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="http://liqaa.test/e/{event.public_id}"' in html
    assert "evil.example" not in html
