"""The demo speaks with Liqaa's voice: its French follows the typography of the catalogues
(U+00A0 and U+202F, ’), its Arabic uses the glossary's words and Arabic punctuation, and no
text mixes the two languages (a bilingual line reads as a translation left in place).

Reads every text of demo/data.py, demo/around.py and demo/members.csv, by the language its
field is in (`*_ar`, `*_fr`) or, for what people wrote (concerns, reasons, comments), by the
script it is written in."""

from __future__ import annotations

import csv
import re

import pytest

from demo import around, data
from tests.foundation.test_voice import AVOID, FRENCH_TYPOGRAPHY, LATIN_PUNCTUATION_IN_ARABIC

ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# Latin words an Arabic text may hold: names of services and bodies, written so in Morocco.
LATIN_IN_ARABIC = {"Damancom", "CNSS", "ICE", "Excel", "CSV"}
LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# Fields that are no text to read: keys, addresses of machines, people's names.
NOT_TEXT = {
    "key", "kind", "email", "slug", "map_url", "name", "full_name", "status", "partner",
    "text_starts", "guest", "damancom", "role", "locale", "password_hint", "city",
    "venue_address", "sender_name", "co_hosts",
}  # fmt: skip


def _walk(value, path: str, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}", str(k))
    elif isinstance(value, list | tuple | set):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", key)
    elif isinstance(value, str) and key not in NOT_TEXT and " " in value.strip():
        yield path, key, value


def demo_texts():
    """(where, language, text) for every text of the demo people read."""
    for module in (data, around):
        for name in dir(module):
            if not name.isupper() or name in {"DEMO_PASSWORD", "MEMBERS_CSV"}:
                continue
            for path, key, text in _walk(getattr(module, name), f"{module.__name__}.{name}"):
                if key.endswith("_en") or key in {"title_en", "description_en"}:
                    continue
                if key.endswith("_ar") or (not key.endswith("_fr") and ARABIC_LETTER.search(text)):
                    yield path, "ar", text
                else:
                    yield path, "fr", text
    with data.MEMBERS_CSV.open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), 2):
            language = "ar" if row["Langue"] == "ar" else "fr"
            for field in ("Entreprise", "Ville"):
                if row[field]:
                    yield f"members.csv:{line}:{field}", language, row[field]


def _problems(where: str, lang: str, text: str) -> list[str]:
    problems = [
        f"{where}: {why}" for pattern, why in AVOID[lang].items() if re.search(pattern, text)
    ]
    if lang == "fr":
        problems += [f"{where}: {why}" for rule, why in FRENCH_TYPOGRAPHY if rule.search(text)]
    else:
        if LATIN_PUNCTUATION_IN_ARABIC.search(text):
            problems.append(f"{where}: Latin punctuation between Arabic words")
        foreign = set(LATIN_WORD.findall(text)) - LATIN_IN_ARABIC
        if foreign and ARABIC_LETTER.search(text):
            problems.append(f"{where}: French inside Arabic text: {sorted(foreign)}")
    return [f"{problem}: {text!r}" for problem in problems]


def test_the_demo_is_read_in_both_languages():
    languages = {lang for _, lang, _ in demo_texts()}
    assert languages == {"ar", "fr"}
    assert sum(1 for _ in demo_texts()) > 150


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_demo_texts_follow_the_glossary_and_the_typography(lang):
    problems = [
        problem
        for where, language, text in demo_texts()
        if language == lang
        for problem in _problems(where, language, text)
    ]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_checks_catch_what_they_are_for():
    assert _problems("x", "fr", "Quel problème souhaitez-vous soulever ?")
    assert _problems("x", "fr", "Rencontre d'information")
    assert _problems("x", "fr", "Électricien : sa déclaration")
    assert _problems("x", "ar", "ما المشكل الذي تودّون طرحه؟")
    assert _problems("x", "ar", "تم تحيين العنوان. L'adresse a été mise à jour.")
    assert not _problems("x", "ar", "هل تستعملون بوابة «ضمان كوم» Damancom؟")
    assert not _problems("x", "fr", "Utilisez-vous déjà le portail Damancom\u202f?")


def test_the_concern_question_speaks_of_a_concern_throughout():
    """Its label and its help name the same thing: انشغال, « préoccupation »."""
    (concern,) = [q for q in around.RSVP_QUESTIONS if q["is_concern"]]
    for lang, word in (("ar", "انشغال"), ("fr", "préoccupation")):
        for field in ("label", "help"):
            assert word in concern[f"{field}_{lang}"], (field, lang)


def test_member_tags_are_words_of_the_association_not_english_keys():
    """Tags are shown as typed, on Arabic and French pages alike."""
    english = {"board", "new", "women-entrepreneurs", "member", "official"}
    with data.MEMBERS_CSV.open(encoding="utf-8") as handle:
        tags = {tag for row in csv.DictReader(handle) for tag in row["Tags"].split(",") if tag}
    assert tags and not tags & english, tags


def test_the_survey_every_event_starts_with_speaks_the_same_voice():
    """blueprints/surveys/defaults.py is stored data, not catalogue text: read it here."""
    from blueprints.surveys import defaults

    texts = [
        (lang, text) for table in (defaults.TITLE, defaults.INTRO) for lang, text in table.items()
    ]
    texts += [
        (lang, q[3 if lang == "ar" else 4]) for q in defaults.QUESTIONS for lang in ("ar", "fr")
    ]
    problems = [p for lang, text in texts for p in _problems("surveys.defaults", lang, text)]
    assert not problems, "\n".join(problems)
    (concern,) = [q for q in defaults.QUESTIONS if q[2]]
    assert "انشغال" in concern[3] and "préoccupation" in concern[4]
