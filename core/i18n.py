"""Locale selection, text direction and fields kept in several languages."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import support
from babel.lists import format_list
from babel.numbers import format_decimal, get_group_symbol
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, refresh
from flask_login import current_user
from wtforms.i18n import messages_path

RTL_LANGUAGES = {"ar"}
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
FALLBACK_ORDER = ("fr", "ar", "en")


def supported() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower()[:2]
    return code if code in supported() else None


def person_language(value: str | None, among: tuple[str, ...] | None = None) -> str:
    """The language to write to someone in: their saved `value` when Liqaa speaks it (and it
    is one of `among`, for texts that exist in fewer languages), else the default language.

    The one place a saved language is checked: "fr_MA", "FR" and "fr" all give "fr"."""
    languages = among or supported()
    code = normalise_locale(value)
    if code in languages:
        return code
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in languages else languages[0]


# Formatting follows Moroccan usage (24-hour clock, دجنبر); translations fall back to the language.
REGIONAL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA"}
# Dates and times: the same, and English with a 24-hour clock too (British usage), as at the
# venue; translations stay the plain language's.
FORMATTING_LOCALES = {**REGIONAL_LOCALES, "en": "en_GB"}


def select_locale() -> str:
    """?lang= > the session's choice > the account's language > Accept-Language > default."""
    language = _select_language()
    return REGIONAL_LOCALES.get(language, language)


def _select_language() -> str:
    if not has_request_context():  # CLI commands and workers choose with force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = normalise_locale(request.args.get("lang"))
    if chosen:
        return chosen
    chosen = normalise_locale(getattr(g, "forced_locale", None)) or normalise_locale(
        session.get("lang")
    )
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated:
        chosen = normalise_locale(getattr(current_user, "locale", None))
        if chosen:
            return chosen
    best = request.accept_languages.best_match(supported())
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def use_person_language(locale: str | None) -> None:
    """On a page reached by a personal link (RSVP, ticket, unsubscribe): the person's saved
    language, unless they picked another one (?lang= or the switcher)."""
    if request.args.get("lang") or session.get("lang"):
        return
    if normalise_locale(locale):
        g.forced_locale = locale
        refresh()


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]


def text_direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current_language()) in RTL_LANGUAGES else "ltr"


def localized(obj, field: str, locale: str | None = None) -> str:
    """obj.<field>_<locale>, falling back to the other languages in a fixed order."""
    locale = locale or current_language()
    for code in (locale, *FALLBACK_ORDER):
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return ""


# Between the parts of one line (date and time; venue and address): the language's comma.
PART_SEPARATORS = {"ar": "، "}


def formatting_locale() -> str:
    language = current_language()
    return FORMATTING_LOCALES.get(language, language)


def join_list(items) -> str:
    """Names as the current language lists them (CLDR): «A, B et C», «A وB وC», "A, B and C".

    Empty items are left out. Only CLDR's "standard" style: Babel's Arabic "unit" styles have
    no pattern for two items and repeat the second («أ، وب، وب» in Babel 2.18), and nothing
    Liqaa lists is a measure anyway."""
    texts = [str(item) for item in items if item]
    return format_list(texts, locale=formatting_locale()) if texts else ""


# Between the thousands: a narrow no-break space in Arabic (the glossary's «200 000», never
# CLDR ar_MA's «200.000») and in French (CLDR's), so that a number is never broken at the end
# of a line; English keeps its comma.
GROUP_SEPARATORS = {"ar": "\u202f", "fr": "\u202f"}


def format_number(value, locale: str | None = None) -> str:
    """A number as its reader writes it: Western digits, thousands grouped per
    GROUP_SEPARATORS, the language's decimal sign («3,5» in Arabic and French)."""
    language = str(locale or current_language())[:2].lower()
    formatting = FORMATTING_LOCALES.get(language, language)
    text = format_decimal(value, locale=formatting)
    separator = GROUP_SEPARATORS.get(language)
    return text.replace(get_group_symbol(formatting), separator) if separator else text


def part_separator(locale: str | None = None) -> str:
    """What goes between two parts of one line: «، » in Arabic, ", " otherwise (and outside
    the application, where there is no language). `locale`: a reader's language other than
    the page's (a calendar file, an email built by a worker)."""
    if locale is None:
        if not has_app_context():
            return ", "
        locale = current_language()
    return PART_SEPARATORS.get(str(locale)[:2].lower(), ", ")


# Between a label and its value when both are values (a question and its answer): the colon as
# the language writes it, after a no-break space in French. Translated labels hold their own.
LABEL_COLONS = {"fr": "\u00a0:"}
_ENDS_A_SENTENCE = ("?", "؟", "!", ":", "…")


def with_colon(label) -> str:
    """«Votre métier : Artisanat», «حرفتكم: الحرف», "Your trade: Crafts"; a label that is a
    question keeps its own mark («Utilisez-vous Damancom ? Oui», not «? :»)."""
    text = (label if isinstance(label, str) else str(label or "")).rstrip()  # Markup stays so
    if not text or text.endswith(_ENDS_A_SENTENCE):
        return text
    return text + LABEL_COLONS.get(current_language(), ":")


def join_parts(parts, locale: str | None = None) -> str:
    """The non-empty parts of one line (venue, address) joined with part_separator()."""
    return part_separator(locale).join(str(part) for part in parts if part)


def display_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def select_timezone() -> ZoneInfo:
    """Flask-Babel's zone as a zoneinfo object.

    Given a name, Flask-Babel looks it up in pytz, whose Africa/Casablanca stops at 2025
    and then shows every Moroccan time an hour early; zoneinfo follows the system's tzdata.
    """
    return display_tz()


def to_local(value: datetime) -> datetime:
    return value.astimezone(display_tz())


def local_to_utc(day: date, clock: time) -> datetime:
    """A wall-clock time at the venue (Africa/Casablanca by default) as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=display_tz()).astimezone(UTC)


def local_naive_to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=display_tz()).astimezone(UTC)


def translation_directories(root: str) -> list[str]:
    """The core catalogue and one per feature: translations/<catalogue>/<lang>/LC_MESSAGES."""
    base = Path(root) / "translations"
    return sorted(str(p) for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


@functools.cache
def _wtforms_catalogue(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class CachedFormTranslations:
    """WTForms' own messages ("This field is required.") in the current language, read
    from their catalogue once per process and language instead of once per request (as
    Flask-WTF does). A form opts in with `class Meta(CachedFormTranslations.Meta)`."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_catalogue(str(get_locale() or "ar"))
