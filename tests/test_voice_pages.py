"""One voice on the real pages and in the real emails, in Arabic and French: one greeting per
audience, the glossary's words where readers met others, counts that agree with their noun,
the language's own separators between the parts of a line, and lists of numbers typed with
the Arabic comma and Arabic-Indic digits."""

from __future__ import annotations

import json
import re

import pytest

from blueprints.invitations import reminders
from blueprints.rsvp import answers
from core.text import number_list
from extensions import db
from tests.conftest import csrf_token_from, login, make_event, make_member
from tests.mail_kinds import NAMES, send_every_kind
from tests.rsvp.conftest import make_invitation

GREETINGS = {"ar": f"السلام عليكم {NAMES['ar']}،", "fr": f"Bonjour {NAMES['fr']},"}
# Where the emails say when and where: the label with its colon, then the parts with the
# language's comma («، » in Arabic).
WHERE = {"ar": "المكان: Salle CNSS Nador، Boulevard", "fr": "Où\u00a0: Salle CNSS Nador, Boulevard"}
WHEN = {"ar": "الموعد:", "fr": "Quand\u00a0:"}
EVENT_KINDS = ("invitation", "reminder", "rsvp_ticket", "rsvp_waitlisted", "event_notice")


@pytest.mark.parametrize("locale", ["ar", "fr"])
def test_every_email_greets_the_same_way(org, smtp_server, locale):
    for kind, (_, parsed) in send_every_kind(org, smtp_server, locale).items():
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        first_line = text.strip().splitlines()[0]
        assert first_line == GREETINGS[locale], (kind, first_line)
        assert GREETINGS[locale] in html, kind
        for other in ("مرحبا", "مرحبًا", "السيد(ة)", "Cher ", "Chère "):
            assert other not in text, (kind, other)
        if kind in EVENT_KINDS:
            assert WHEN[locale] in text and WHERE[locale] in text, (kind, text)
            assert WHEN[locale] in html and WHERE[locale].split(": ")[-1] in html, kind
        if locale == "ar":
            assert "أنتَ" not in text and " أنت " not in text, kind
        else:  # the colon after its no-break space, in the footer too
            assert not re.search(r"\w: ", text), (kind, re.findall(r".{20}\w: ", text))


# «09:41–13:41» in an Arabic line of plain text shows as «13:41–09:41» unless marked left to
# right (test_browser_voice.py measures it on screen); French needs no mark.
TIME_RANGE = re.compile(r"([\s\S])\d\d:\d\d–\d\d:\d\d([\s\S])")


@pytest.mark.parametrize("locale", ["ar", "fr"])
def test_time_ranges_read_left_to_right_in_arabic_plain_text(org, smtp_server, locale):
    sent = send_every_kind(org, smtp_server, locale)
    for kind in EVENT_KINDS:
        text = sent[kind][1].get_body(("plain",)).get_content()
        ranges = TIME_RANGE.findall(text)
        assert ranges, (kind, text)
        if locale == "ar":
            assert all(found == ("\u200e", "\u200e") for found in ranges), (kind, ranges)
        else:
            assert "\u200e" not in text, kind


def _accepted(org, event, locale, companions):
    invitation = make_invitation(org, event, full_name=NAMES[locale], locale=locale)
    registration = answers.respond(
        invitation,
        answers.RsvpData(
            accept=True, locale=locale, companion_names=list(companions), consent=True
        ),
    )
    db.session.commit()
    return invitation, registration


def test_arabic_ticket_page_and_email_list_companions_in_arabic(client, org, smtp_server):
    from core.outbox_delivery import deliver_due

    event = make_event(org, max_companions=3, venue_address="شارع محمد الخامس")
    _, registration = _accepted(org, event, "ar", ["سلمى", "يوسف", "هند"])
    html = client.get(f"/t/{registration.ticket_code}").get_data(as_text=True)
    assert "سلمى، يوسف وهند" in html or "سلمى ويوسف وهند" in html
    deliver_due()
    ((_, _, message),) = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    assert "سلمى ويوسف وهند" in text and "سلمى, " not in text
    assert "Salle CNSS Nador، شارع محمد الخامس" in text
    assert "تذكرتكم" in text or "مقعدكم" in text


def test_french_ticket_lists_companions_with_et(client, org, smtp_server):
    from core.outbox_delivery import deliver_due

    event = make_event(org, max_companions=3)
    _, registration = _accepted(org, event, "fr", ["Salma", "Youssef", "Hind"])
    html = client.get(f"/t/{registration.ticket_code}").get_data(as_text=True)
    assert "Salma, Youssef et Hind" in html
    deliver_due()
    ((_, _, message),) = smtp_server.wait_for(1)
    assert "Salma, Youssef et Hind" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("locale", "wanted", "unwanted"),
    [
        ("ar", ["أنتم", "يمكنكم إحضار شخص واحد"], ["يمكنك ", "اكتب اسم", " أنت "]),
        ("fr", ["Vous pouvez venir avec 1 personne."], ["1 personnes", "1 accompagnants"]),
    ],
)
def test_rsvp_page_addresses_people_in_the_plural_and_counts_agree(
    client, org, locale, wanted, unwanted
):
    event = make_event(org, max_companions=1, capacity=1)
    invitation = make_invitation(org, event, full_name=NAMES[locale], locale=locale)
    html = client.get(f"/r/{invitation.token}").get_data(as_text=True)
    for text in wanted:
        assert text in html, text
    for text in unwanted:
        assert text not in html, text


def test_waiting_list_page_uses_antum_and_the_organiser_sees_the_glossary_words(
    client, org, organiser
):
    event = make_event(org, capacity=1, max_companions=0)
    _accepted(org, event, "ar", [])
    invitation, waiting = _accepted(org, event, "ar", [])
    html = client.get(f"/r/{invitation.token}").get_data(as_text=True)
    assert "أنتم رقم 1 في لائحة الانتظار" in html and "أنت رقم" not in html
    assert login(client, organiser.email).status_code == 302
    client.get("/lang/ar")
    page = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert "قبول من لائحة الانتظار" in page and "ترقية" not in page
    client.get("/lang/fr")
    page = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert "Attribuer une place" in page and "Promouvoir" not in page


@pytest.mark.parametrize(
    ("lang", "counter", "avoided"), [("ar", "الحاضرون", "سُجّل دخوله"), ("fr", "Entrés", "Connect")]
)
def test_door_page_counts_arrivals_in_the_glossary_words(client, org, door, lang, counter, avoided):
    event = make_event(org)
    assert login(client, door.email).status_code == 302
    client.get(f"/lang/{lang}")
    html = client.get(f"/door/events/{event.id}").get_data(as_text=True)
    assert f'<span class="door-counter-label">{counter}</span>' in html
    assert avoided not in html
    status = "سُجّل حضوره" if lang == "ar" else "Entré(e)"
    # the verdict the scanner script shows, among the page's strings (JSON)
    assert status in html or json.dumps(status)[1:-1] in html


def test_number_lists_accept_the_arabic_comma_and_arabic_indic_digits():
    assert number_list("٣، ١") == ["3", "1"]
    assert number_list("7؛ 2,1 ۵") == ["7", "2", "1", "5"]
    assert number_list("  ") == []


@pytest.mark.parametrize("typed", ["٣، ١", "3، 1", "3,1", "٣ ١"])
def test_reminder_days_typed_in_arabic_are_saved(client, org, organiser, typed):
    event = make_event(org)
    make_member(org, "Karim Benali", email="karim@example.ma")
    assert login(client, organiser.email).status_code == 302
    client.get("/lang/ar")
    page = client.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    assert "مثلا: 3، 1" in page
    response = client.post(
        f"/events/{event.id}/invitations/schedule",
        data={"days": typed, "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302
    assert sorted(s.days_before for s in reminders.schedules_of(event)) == [1, 3]
    again = client.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    assert 'value="3، 1"' in again or 'value="1، 3"' in again


@pytest.mark.parametrize("typed", ["٣، x", "²", "61", "٣، ٩٩"])
def test_reminder_days_refused_with_a_message_in_arabic(client, org, organiser, typed):
    event = make_event(org)
    assert login(client, organiser.email).status_code == 302
    client.get("/lang/ar")
    page = client.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    response = client.post(
        f"/events/{event.id}/invitations/schedule",
        data={"days": typed, "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert response.status_code in (200, 422)
    assert "أدخلوا أعدادا صحيحة من الأيام بين 0 و60." in response.get_data(as_text=True)
    assert reminders.schedules_of(event) == []


@pytest.mark.parametrize(
    ("locale", "location"),
    [
        ("ar", "Salle CNSS Nador، Boulevard Principal\\, Nador"),
        ("fr", "Salle CNSS Nador\\, Boulevard Principal\\, Nador"),
    ],
)
def test_calendar_file_joins_venue_and_address_in_the_recipients_language(
    org, smtp_server, locale, location
):
    """The .ics attached to invitations and tickets: LOCATION in the recipient's language,
    whatever language the worker runs in (icalendar escapes the Latin comma)."""
    sent = send_every_kind(org, smtp_server, locale)
    for kind in ("invitation", "rsvp_ticket"):
        _, parsed = sent[kind]
        (ics,) = [
            part.get_payload(decode=True).decode()
            for part in parsed.walk()
            if part.get_content_type() == "text/calendar"
        ]
        unfolded = ics.replace("\r\n ", "")
        assert f"LOCATION:{location}\r\n" in unfolded, (kind, unfolded)


# A phone as people read it, on one line (no-break spaces) and left to right in Arabic.
PHONE = '<bdi class="phone" dir="ltr">+212\u00a06\u00a012\u00a034\u00a056\u00a078</bdi>'


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_member_list_and_registrations_show_phones_left_to_right_on_one_line(
    client, org, organiser, lang
):
    event = make_event(org)
    member = make_member(org, "أمينة الريفي", phone="+212612345678", locale="ar")
    registration = answers.respond(
        make_invitation(org, event, member=member),
        answers.RsvpData(accept=True, locale="ar", companion_names=[], consent=True),
    )
    registration.phone = member.phone
    db.session.commit()
    assert login(client, organiser.email).status_code == 302
    client.get(f"/lang/{lang}")
    members = client.get("/members").get_data(as_text=True)
    assert PHONE in members and ">+212612345678<" not in members
    page = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert PHONE in page


@pytest.mark.parametrize(
    ("lang", "group", "decimal"),
    [("ar", "\u202f", "3,5"), ("fr", "\u202f", "3,5"), ("en", ",", "3.5")],
)
def test_numbers_are_grouped_as_the_language_writes_them(
    app, client, org, organiser, lang, group, decimal
):
    from flask import render_template_string

    from core.i18n import format_number

    capacity = f"1{group}200"
    event = make_event(org, capacity=1200)
    assert login(client, organiser.email).status_code == 302
    client.get(f"/lang/{lang}")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f">{capacity}<" in page and ">1.200<" not in page
    with app.test_request_context(f"/?lang={lang}"):
        assert format_number(200000) == f"200{group}000"
        assert format_number(3.5) == decimal
        counted = render_template_string('{{ ngettext("%(num)s row", "%(num)s rows", 1200) }}')
        assert counted.startswith(capacity), counted


def test_no_phone_or_count_is_shown_raw_in_templates():
    """Phones go through |phone (isolated, readable, unbroken); figures through |format_number."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    problems = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{\{\s*[\w.]*\.phone\s*(or [^}]*)?\}\}", line)
    ]
    assert not problems, problems


@pytest.mark.parametrize(("lang", "separator"), [("ar", "\u060c "), ("fr", ", ")], ids=["ar", "fr"])
def test_the_meeting_report_joins_venue_and_address_in_its_language(
    as_organiser, org, lang, separator
):
    event = make_event(org, venue_address="Boulevard Principal, Nador")
    page = as_organiser.get(f"/events/{event.id}/report?lang={lang}").get_data(as_text=True)
    assert f"Salle CNSS Nador</bdi>{separator}<bdi>Boulevard Principal, Nador</bdi>" in page
    # When it ran as the other pages write it: no seconds, no «غرينتش+01:00» / «UTC+01:00».
    assert re.search(r"<bdi>\u200e?\d\d:\d\d–\d\d:\d\d\u200e?</bdi>", page)
    assert "غرينتش" not in page and "UTC+" not in page and ":00:00" not in page


@pytest.mark.parametrize(
    ("lang", "two", "three"),
    [
        ("ar", "سلمى ويوسف", "سلمى ويوسف وأمينة"),
        ("fr", "Salma et Youssef", "Salma, Youssef et Amina"),
    ],
)
def test_lists_of_two_and_three_names(app, lang, two, three):
    """CLDR's standard style; its Arabic "unit" style would give «سلمى، ويوسف، ويوسف»."""
    from flask_babel import force_locale

    from core.i18n import join_list

    names = {"ar": ["سلمى", "يوسف", "أمينة"], "fr": ["Salma", "Youssef", "Amina"]}[lang]
    with app.test_request_context(), force_locale(lang):
        assert join_list(names[:2]) == two
        assert join_list([names[0], "", names[1], names[2]]) == three


@pytest.mark.parametrize(
    ("lang", "greeting"), [("ar", "السلام عليكم"), ("fr", "Bonjour")], ids=["ar", "fr"]
)
def test_the_staff_home_greets_as_the_emails_do(client, organiser, lang, greeting):
    """One greeting per language for everyone: «السلام عليكم», « Bonjour », never « Bienvenue »."""
    assert login(client, organiser.email).status_code == 302
    client.get(f"/lang/{lang}")
    page = client.get("/home").get_data(as_text=True)
    heading = re.search(r"<h1[^>]*>([^<]*)</h1>", page).group(1)
    assert heading.startswith(f"{greeting} {organiser.full_name}"), heading
    assert "Bienvenue" not in page and "مرحب" not in page


@pytest.mark.parametrize(("lang", "colon"), [("ar", ":"), ("fr", "\u00a0:")], ids=["ar", "fr"])
def test_a_label_and_its_value_are_joined_by_the_languages_colon(app, as_organiser, lang, colon):
    from flask_babel import force_locale
    from markupsafe import Markup

    from core.i18n import with_colon

    page = as_organiser.get(f"/followups?lang={lang}").get_data(as_text=True)
    assert f'{colon} <span data-count="open">' in page
    with app.test_request_context(), force_locale(lang):
        assert with_colon("Votre métier ") == f"Votre métier{colon}"
        for question in ("Utilisez-vous Damancom\u202f?", "هل تستعملون «ضمان كوم»؟"):
            assert with_colon(question) == question  # no «? :»
        marked = with_colon(Markup("<bdi>A &amp; B</bdi>"))
        assert isinstance(marked, Markup) and marked == f"<bdi>A &amp; B</bdi>{colon}"
