"""What every template can use: language, direction, local dates, navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from babel import dates
from flask import request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from core import i18n, outbox_problems, urls
from core.phones import display_phone
from core.roles import Role
from core.text import without_bidi_state


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy string, translated when shown
    role: Role
    order: int = 50


_NAV: list[NavEntry] = []


def register_nav(endpoint: str, label, role: Role, order: int = 50) -> None:
    """A feature adds its page to the top menu, shown to `role` and above."""
    if all(entry.endpoint != endpoint for entry in _NAV):
        _NAV.append(NavEntry(endpoint, label, role, order))
        _NAV.sort(key=lambda e: e.order)


def nav_entries() -> list[NavEntry]:
    if not current_user.is_authenticated:
        return []
    if current_user.role == Role.PARTNER:  # a partner account sees its own pages only
        return [e for e in _NAV if e.role == Role.PARTNER]
    return [e for e in _NAV if e.role != Role.PARTNER and current_user.has_role(e.role)]


@dataclass(frozen=True)
class Link:
    label: object
    url: str
    method: str = "GET"  # "POST": shown as a button in a small form with a CSRF token


_EVENT_TABS: list[tuple[int, str, object, Role]] = []
_PUBLIC_ACTIONS: list = []


def register_event_tab(endpoint: str, label, role: Role, order: int = 50) -> None:
    """A feature adds a tab to the organiser's event page (the endpoint takes event_id)."""
    if all(tab[1] != endpoint for tab in _EVENT_TABS):
        _EVENT_TABS.append((order, endpoint, label, role))
        _EVENT_TABS.sort(key=lambda t: t[0])


def event_tabs(event) -> list[Link]:
    if not current_user.is_authenticated:
        return []
    return [
        Link(label, url_for(endpoint, event_id=event.id))
        for _, endpoint, label, role in _EVENT_TABS
        if current_user.has_role(role)
    ]


def register_public_action(fn) -> None:
    """fn(event) -> Link | None: a button on the public event page (e.g. "Register")."""
    if fn not in _PUBLIC_ACTIONS:
        _PUBLIC_ACTIONS.append(fn)


def public_event_actions(event) -> list[Link]:
    return [link for fn in _PUBLIC_ACTIONS if (link := fn(event)) is not None]


_TICKET_ACTIONS: list = []


def register_ticket_action(fn) -> None:
    """fn(registration) -> Link | None: a button on the ticket page (e.g. "Admit" at the door)."""
    if fn not in _TICKET_ACTIONS:
        _TICKET_ACTIONS.append(fn)


def ticket_actions(registration) -> list[Link]:
    return [link for fn in _TICKET_ACTIONS if (link := fn(registration)) is not None]


_MEMBER_ACTIONS: list = []


def register_member_action(fn) -> None:
    """fn(member) -> Link | None: a button on a member's page (e.g. "Their data")."""
    if fn not in _MEMBER_ACTIONS:
        _MEMBER_ACTIONS.append(fn)


def member_actions(member) -> list[Link]:
    return [link for fn in _MEMBER_ACTIONS if (link := fn(member)) is not None]


# Dates and times at the venue, in the Moroccan variant of the language (24-hour clock,
# local month names; English: British, 24-hour) also where a feature forced a bare "ar",
# "fr" or "en" (emails, workers).


def _formatting_locale() -> str:
    locale = str(get_locale() or "ar")
    return i18n.FORMATTING_LOCALES.get(locale, locale)


def local_datetime(value: datetime | None, style: str = "medium") -> str:
    if not value:
        return ""
    return dates.format_datetime(
        value, style, tzinfo=i18n.display_tz(), locale=_formatting_locale()
    )


def local_date(value: datetime | None, style: str = "full") -> str:
    if not value:
        return ""
    return dates.format_date(i18n.to_local(value).date(), style, locale=_formatting_locale())


def local_time(value: datetime | None, style: str = "short") -> str:
    if not value:
        return ""
    return dates.format_time(value, style, tzinfo=i18n.display_tz(), locale=_formatting_locale())


_LABELS: dict[tuple[type, str], object] = {}


def register_labels(enum_cls: type | str, labels: dict) -> None:
    """Translated names for an enum's values, shown by `status_label` in templates; or, with
    a name instead of an enum, for the keys stored in a text column (`key_label`)."""
    for value, label in labels.items():
        _LABELS[(enum_cls, str(value))] = label


def status_label(member) -> str:
    if member is None:
        return ""
    return str(_LABELS.get((type(member), str(member.value)), member.value))


def key_label(kind: str, value: str | None) -> str:
    """A stored key (a trade, an email's kind) in the reader's language; text that is no
    registered key (a trade typed by hand) is shown as written."""
    if not value:
        return ""
    return str(_LABELS.get((kind, value), value))


def page_url(number: int) -> str:
    """This page's URL with its query string kept and only ?page= changed."""
    args = request.args.to_dict()
    args["page"] = number
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def url_with_lang(code: str) -> str:
    """The switcher's link: come back to this page, without a ?lang= that would win again."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    back = request.path + ("?" + urlencode(args) if args else "")
    return url_for("site.set_language", code=code, next=back)


def phone(value: str | None) -> Markup:
    """A phone number as people read it ("+212 6 12 34 56 78"), isolated left to right and
    kept on one line (no-break spaces) inside Arabic text."""
    if not value:
        return Markup("")
    readable = display_phone(value).replace(" ", "\u00a0")
    return Markup('<bdi class="phone" dir="ltr">{}</bdi>').format(readable)


def _grouped_counts(app) -> None:
    """ngettext and npgettext in templates: the count ("%(num)s") grouped as the reader's
    language writes numbers («1 200 صف», «1 200 lignes»)."""
    plain, with_context = app.jinja_env.globals["ngettext"], app.jinja_env.globals["npgettext"]

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", i18n.format_number(num))
        return plain(context, singular, plural, num, **variables)

    @pass_context
    def npgettext(context, ctx, singular, plural, num, **variables):
        variables.setdefault("num", i18n.format_number(num))
        return with_context(context, ctx, singular, plural, num, **variables)

    app.jinja_env.globals.update(ngettext=ngettext, npgettext=npgettext)


def venue_of(event, locale: str | None = None) -> str:
    """The event's venue in the reader's language (see Event.venue)."""
    return event.venue(locale or i18n.current_language())


def bidi(text) -> Markup:
    """User text isolated inside a sentence (a Latin name in an Arabic greeting): its own
    direction, and no reordering of the words around it."""
    return Markup("<bdi>%s</bdi>") % (text or "")


def ltr(text) -> str:
    """A run of digits and signs (a time range «09:00 – 12:00») kept left to right inside an
    Arabic line of plain text, where there is no <bdi>: between two left-to-right marks, its
    numbers and dash read as one left-to-right run instead of «12:00 – 09:00». The marks, unlike
    isolates, pass the templates' finalize (core.text.without_bidi_state)."""
    text = str(text or "")
    return f"\u200e{text}\u200e" if text and i18n.text_direction() == "rtl" else text


def time_range(start: datetime | None, end: datetime | None) -> str:
    """When a meeting runs, «09:00–12:00», the one way pages and emails write it; left to
    right in Arabic plain text too (see ltr)."""
    return ltr(f"{local_time(start)}–{local_time(end)}")


def init_app(app) -> None:
    # Every {{ value }} of every page and email: user text cannot reorder what follows it.
    app.jinja_env.finalize = without_bidi_state
    app.jinja_env.globals.update(
        external_url=urls.external_url,  # links shown to copy or share: BASE_URL, never Host
        localized=i18n.localized,
        venue_of=venue_of,
        text_direction=i18n.text_direction,
        current_language=i18n.current_language,
        part_separator=i18n.part_separator,
        language_names=i18n.LANGUAGE_NAMES,
        nav_entries=nav_entries,
        url_with_lang=url_with_lang,
        status_label=status_label,
        key_label=key_label,
        delivery_problem=outbox_problems.explain,
        role_label=status_label,
        page_url=page_url,
        member_actions=member_actions,
        event_tabs=event_tabs,
        public_event_actions=public_event_actions,
        ticket_actions=ticket_actions,
        Role=Role,
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        format_number=i18n.format_number,
        phone=phone,
        join_list=i18n.join_list,
        join_parts=i18n.join_parts,
        with_colon=i18n.with_colon,
        localized=i18n.localized,
        bidi=bidi,
        ltr=ltr,
    )
    app.jinja_env.globals["time_range"] = time_range
    _grouped_counts(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
