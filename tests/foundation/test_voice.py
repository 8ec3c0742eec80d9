"""One voice in Arabic and French: every catalogue follows ../shared/GLOSSARY.md.

Reads every ar and fr catalogue and fails on a header without the language's plural forms,
an obsolete entry, a placeholder lost or added, a plural without all its forms, a glossary
term worded otherwise, the singular "you" in Arabic, a second greeting, French without its
non-breaking spaces, Arabic with Latin punctuation, and "n + plural noun" written by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((ROOT / "translations").glob("*/*/LC_MESSAGES/messages.po"))
NPLURALS = {"ar": 6, "fr": 2}
PLURAL_RULES = {
    "ar": "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    "fr": "(n > 1)",
}

# The glossary as data: when the English text (msgid) names the concept, the translation
# must use the glossary's wording (a regular expression), and never the one it says to avoid.
# concept: (English pattern, {lang: (required, avoided)})
GLOSSARY = {
    "checked in (status)": (
        r"^(status\|)?Checked in$",
        {"ar": (r"سُجّل حضوره", r"دخول"), "fr": (r"^Entré", r"[Cc]onnect")},
    ),
    "checked in (counter)": (
        r"^counter\|Checked in$",
        {"ar": (r"^الحاضرون$", r""), "fr": (r"^Entrés$", r"")},
    ),
    "arrived (column)": (r"^Arrived$", {"ar": (r"^الحاضرون$", r""), "fr": (r"^Arrivés$", r"")}),
    "check-in": (
        r"(?i)check(ed)?[- ]in(?!g? API)",
        {"ar": (r"حضور|حضوره|الحاضر|حاضر|تسجيل", r"دخوله|سجل الدخول"), "fr": (r"", r"")},
    ),
    "give a waiting person a place": (
        r"(?i)\bpromot",
        {
            "ar": (r"قبول من لائحة الانتظار|قُبل من لائحة الانتظار|قبوله", r"ترقية|رقّ"),
            "fr": (r"attribu|place", r"promo"),
        },
    ),
    "revoke": (
        r"(?i)\brevok",
        {
            "ar": (r"إبطال|مُبطل|أُبطل|يُبطل|أبطل|تُبطل|أبطلوا", r"إلغاء|ألغ"),
            "fr": (r"révoqu", r"annul"),
        },
    ),
    "owner (account role)": (
        r"(?i)\bowners?\b",
        {"ar": (r"المشرف العام|مشرف عام", r"المسؤول"), "fr": (r"propriétaire", r"")},
    ),
    "official (member category)": (
        r"(?i)\bofficials?\b",
        {"ar": (r"مسؤول", r"المشرف"), "fr": (r"officiel", r"")},
    ),
    "survey": (
        r"(?i)\bsurveys?\b",
        {"ar": (r"استبيان", r"استطلاع"), "fr": (r"questionnaire", r"enquête")},
    ),
    "concern": (
        r"(?i)\bconcerns?\b",
        {"ar": (r"انشغال", r"مشكل"), "fr": (r"préoccupation", r"problème")},
    ),
    "waiting list": (
        r"(?i)waiting list",
        {"ar": (r"لائحة الانتظار", r"قائمة الانتظار"), "fr": (r"liste d’attente", r"")},
    ),
    "walk-in": (
        r"(?i)walk-in",
        {"ar": (r"دون دعوة", r"بدون تسجيل"), "fr": (r"sans invitation", r"sur place")},
    ),
    "ticket": (r"(?i)\btickets?\b", {"ar": (r"تذكر|تذاكر", r""), "fr": (r"billet", r"ticket")}),
    "trade": (
        r"(?i)\btrades?\b(?! or)",
        {"ar": (r"حرف", r"القطاع"), "fr": (r"métier", r"secteur")},
    ),
    "venue map": (r"(?i)\bmap\b", {"ar": (r"خريطة", r""), "fr": (r"plan", r"carte")}),
    "door staff": (
        r"(?i)door staff",
        {"ar": (r"موظف|موظفي|موظفو", r""), "fr": (r"agents? d’accueil", r"")},
    ),
    # The glossary names no word for the event itself: Liqaa's own word, اللقاء, and the
    # French that says the same, « rencontre » (never « événement » or « réunion » beside it).
    "event (the meeting)": (
        r"(?i)(?<!%\()\bevents?\b(?!\))|\bmeetings?\b(?! sign-up)",
        {
            "ar": (r"لقاء|لقاءات", r"فعالية|اجتماع"),
            "fr": (r"(?i)rencontre", r"(?i)événement|réunion"),
        },
    ),
}
# Avoided everywhere, whatever the English says (it names something else or another concept).
AVOID = {
    "ar": {
        r"سُجّل دخوله|سجّل دخوله|سجل دخوله": "checked in is سُجّل حضوره",
        r"مشكل|التتبع|للتتبع": "a concern is انشغال, and it is followed up (المتابعة)",
        r"بدون دعوة": "a walk-in is حضور دون دعوة",
        r"ترقية": "a waiting person is accepted from the waiting list (قبول من لائحة الانتظار)",
        r"منخرط": "a member is عضو",
        r"استمارة التسجيل": "the RSVP form is استمارة الرد",
        r"قائمة الانتظار": "the waiting list is لائحة الانتظار",
        r"مرحبا|مرحبًا|أهلا|أهلًا": "the greeting is «السلام عليكم %(name)s،»",
        r"(?<![\w])أنتَ?(?![\wم])|أنتِ": "people are addressed with أنتم",
        r"إجابات": "a reply to an invitation is الرد (الردود), answers to questions الأجوبة",
        r"(?<![\u0621-\u0652])و?(اختر|أدخل|أضف|احفظ|اضغط|اطبع|انشر|امسح|استعمل|حدد|أكّد|أكد|أرسل|اعرض|ابحث|اتصل"
        r"|افتح|اترك|اكتب|انسخ|تريد|ترد|اتركه|اتركها|غيّر|أرسلته|راجِعها|انشُرها|سلّمها|أبطله|تقم"
        r"|فتجاهل|تحتاج|قسّمه)(?![\u0621-\u0652])": "address everyone in the plural",
    },
    "fr": {
        r"enquête": "a survey is a questionnaire",
        r"(?i)\brépondu(e|s|es)\b": "répondre takes no object: « avec réponse », « ont répondu »",
        r"(?i)événement": "an event is a « rencontre », as اللقاء in Arabic",
        r"(?i)(^|\. )bienvenue": "the greeting is «Bonjour %(name)s», on pages as in emails",
        r"promu|promouv|promotion": "a waiting person gets a place (attribuer une place)",
        r"adhérent": "a member is a membre",
        r"\bclos(es?)?\b|\bclore\b": "closed is clôturé",
        r"(?i)\bcher\b|\bchère\b|\bsalut\b|\bbonsoir\b": "the greeting is «Bonjour %(name)s,»",
        r"'": "the typographic apostrophe ’",
        r"\btu\b|\bton\b|\bta\b|\btes\b|\btoi\b": "people are addressed with vous",
    },
}
# The Arabic singular "your" (-ك) on words that are not Arabic words ending in ك anyway.
AR_WORDS_ENDING_IN_KAF = {
    "ذلك", "كذلك", "هناك", "تلك", "بنك", "البنك", "المشترك", "مشترك", "شبابيك", "ملك",
    "لذلك", "وكذلك", "وذلك", "بذلك", "سمك", "شك", "شريك", "الشريك", "بتلك", "الاشتراك",
    "اشتراك", "المالك",
}  # fmt: skip
SINGULAR_YOUR = re.compile(
    r"[\u0621-\u064a\u0651\u064e\u064f\u0650]+ك[َِ]?(?![\u0621-\u064a\u064b-\u0652])"
)
# In emails with their comma; on a page heading ("Welcome, %(name)s") on their own.
GREETINGS = {
    "ar": r"^السلام عليكم(?: %\(name\)s)?(،|$)",
    "fr": r"^Bonjour(?: %\(name\)s)?(,|$)",
}
# Placeholders that hold a count: followed by an English word, they make "n + plural noun".
COUNT = re.compile(
    r"%\((n|count|done|total|emailed|rows|taken|needed|free|days|capacity|created|updated"
    r"|skipped|invalid|invited|without_email|unsubscribed|answers|people|places)\)s"
    r" (?!of\b|in\b|at\b|on\b|to\b|for\b)[a-z]"
)
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]|\{\w*\}")


def entries(lang: str | None = None):
    """(catalogue label, lang, message) for every translated entry."""
    for po in CATALOGUES:
        language = po.parents[1].name
        if lang and language != lang:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if message.id:
                yield f"{po.parents[2].name}/{language}", language, message


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def english(message) -> str:
    """The English text, after its pgettext context ("status|Checked in")."""
    text = " ".join(message.id) if isinstance(message.id, tuple) else message.id
    return f"{message.context}|{text}" if message.context else text


def report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: f"{p.parents[2].name}/{p.parents[1].name}")
def test_header_has_the_language_and_its_plural_forms(po):
    lang = po.parents[1].name
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    headers = dict(catalog.mime_headers)
    assert headers.get("Language") == lang
    assert "charset=utf-8" in headers.get("Content-Type", "").lower()
    assert headers.get("Plural-Forms", "").replace(" ", "") == (
        f"nplurals={NPLURALS[lang]};plural={PLURAL_RULES[lang]};".replace(" ", "")
    )
    assert catalog.num_plurals == NPLURALS[lang]
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"
    assert "#~" not in po.read_text(encoding="utf-8")


def test_placeholders_are_kept_and_plurals_have_every_form():
    problems = []
    for label, lang, message in entries():
        forms = texts(message)
        if isinstance(message.id, tuple):
            if len(forms) != NPLURALS[lang] or not all(forms):
                problems.append(f"{label}: {message.id[0]!r} has {sum(map(bool, forms))} forms")
            allowed = set(PLACEHOLDER.findall(" ".join(message.id)))
            used = set().union(*(PLACEHOLDER.findall(form) for form in forms))
            if not used <= allowed or not set(PLACEHOLDER.findall(message.id[1])) <= used:
                problems.append(f"{label}: {message.id[0]!r} placeholders {used} != {allowed}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(forms[0])):
            problems.append(f"{label}: {message.id!r} → {forms[0]!r}: placeholders differ")
    assert not problems, report(problems)


def test_counts_are_never_a_number_and_a_noun_by_hand():
    """ "%(n)s answers" gives «1 réponses» and «n جوابًا»: ngettext or "label: n"."""
    problems = [
        f"{label}: {message.id!r}"
        for label, _lang, message in entries()
        if not isinstance(message.id, tuple) and COUNT.search(message.id)
    ]
    assert not problems, report(sorted(set(problems)))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_glossary_terms(lang):
    problems = []
    for label, _lang, message in entries(lang):
        source = english(message)
        for translation in texts(message):
            for concept, (pattern, wording) in GLOSSARY.items():
                required, avoided = wording[lang]
                if not re.search(pattern, source):
                    continue
                if required and not re.search(required, translation, re.I):
                    problems.append(f"{label}: {concept}: {source!r} → {translation!r}")
                if avoided and re.search(avoided, translation, re.I):
                    problems.append(f"{label}: {concept} avoids {avoided}: {translation!r}")
            for avoided, why in AVOID[lang].items():
                if re.search(avoided, translation):
                    problems.append(f"{label}: {why}: {source!r} → {translation!r}")
    assert not problems, report(problems)


# The reply to an invitation (RSVP) is الرد in Arabic (ردكم، الردود، استمارة الرد), never
# الإجابة or الجواب, which name the answers to a question (of the RSVP form or of a survey:
# الأجوبة) and the answer to a concern (الجواب). In the catalogues where invitations are
# answered, an English "answer" that is not about a question is the reply; elsewhere, the
# strings that name the reply to an invitation.
REPLY_CATALOGUES = {"core", "invitations", "rsvp"}
REPLY = re.compile(r"(?i)\banswer(s|ed)?\b|\brepl(y|ied)\b")
NOT_REPLY = re.compile(r"(?i)^question\||question|survey|concern|server|Reply-To")
REPLY_ANYWHERE = re.compile(r"(?i)answered the invitation|invitations and answers|^answered on")
REPLY_WORDING = {"ar": (r"رد|ردّ", r"إجاب|جواب|أجوب|أجاب|يُجب|يجب(?! أن| ألا)|أجيب")}


def test_the_reply_to_an_invitation_is_one_word():
    required, avoided = REPLY_WORDING["ar"]
    problems = []
    for label, _lang, message in entries("ar"):
        source = english(message)
        catalogue = label.split("/")[0]
        only_the_reply = (
            catalogue in REPLY_CATALOGUES and REPLY.search(source) and not NOT_REPLY.search(source)
        )
        if not (only_the_reply or REPLY_ANYWHERE.search(source)):
            continue
        for translation in texts(message):
            # A sentence naming the reply and other answers (a concern's) keeps both words.
            if not re.search(required, translation) or (
                only_the_reply and re.search(avoided, translation)
            ):
                problems.append(f"{label}: {source!r} → {translation!r} (الرد)")
    assert not problems, report(problems)


# The other way round: answers to a question (of the RSVP form or of a survey: الأجوبة), a
# survey's response rate, and a partner's answer to a concern (الجواب) never take the reply's
# word, which would make them read as the reply to the invitation.
ANSWER = re.compile(r"(?i)\banswer(s|ed)?\b|\brespons")
ANSWER_CATALOGUES = {"surveys", "followups", "partners"}
ABOUT_AN_ANSWER = re.compile(r"(?i)^question\||\b(this|the) question\b|survey|concern|follow-up")
ABOUT_THE_REPLY = re.compile(r"(?i)repl|invitation|this email|RSVP")
REPLY_NOUN = re.compile(
    r"(?<![\u0621-\u064a])(?:و|ف|ب|ل|ال|وال|بال|لل)?ردّ?(?:ود|ه|ها|هم|كم|ي)?(?![\u0621-\u064a])"
)


def test_answers_to_questions_and_concerns_are_not_the_reply():
    problems = []
    for label, _lang, message in entries("ar"):
        source = english(message)
        catalogue = label.split("/")[0]
        if not ANSWER.search(source) or ABOUT_THE_REPLY.search(source):
            continue
        if catalogue not in ANSWER_CATALOGUES and not ABOUT_AN_ANSWER.search(source):
            continue
        problems += [
            f"{label}: {source!r} → {translation!r} (الأجوبة / الجواب, not الرد)"
            for translation in texts(message)
            if REPLY_NOUN.search(translation)
        ]
    assert not problems, report(problems)


def test_an_english_text_has_one_translation_in_every_catalogue():
    """The catalogues are merged into one at run time (core/i18n.translation_directories), so
    an English text worded two ways shows only one of them everywhere: the dashboard's
    "Answered" (ردّوا) read as the report's concerns answered. Two meanings take a pgettext
    context ("counter", "followups", "question") or another English text."""
    seen: dict[tuple, dict[str, tuple]] = {}
    for label, lang, message in entries():
        key = (lang, message.context, message.id)
        seen.setdefault(key, {})[label.split("/")[0]] = tuple(texts(message))
    problems = [
        f"{lang}: {source!r}" + "".join(f"\n    {cat}: {words}" for cat, words in each.items())
        for (lang, _context, source), each in seen.items()
        if len(set(each.values())) > 1
    ]
    assert not problems, report(problems)


def test_arabic_addresses_people_in_the_plural():
    problems = []
    for label, _lang, message in entries("ar"):
        for translation in texts(message):
            for word in SINGULAR_YOUR.findall(translation):
                if word.strip("َِ") not in AR_WORDS_ENDING_IN_KAF:
                    problems.append(f"{label}: {word!r} (singular your) in {translation!r}")
    assert not problems, report(problems)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_one_greeting(lang):
    """Every email greets in the same words («السلام عليكم %(name)s،», «Bonjour %(name)s,»)."""
    problems = []
    for label, _lang, message in entries(lang):
        if re.match(r"^(Hello|Dear|Hi|Welcome)\b", english(message)):
            for translation in texts(message):
                if not re.match(GREETINGS[lang], translation):
                    problems.append(f"{label}: {message.id!r} → {translation!r}")
    assert not problems, report(problems)


# French typography: U+00A0 before ":" and inside « », U+202F before ; ? !
FRENCH_TYPOGRAPHY = [
    (re.compile(r"(?<!\u00a0):(?=\s|$|<|\")"), "U+00A0 before :"),
    (re.compile(r"(?<!\u202f)[;?!](?=\s|$|<|\")"), "U+202F before ; ? !"),
    (re.compile(r"«(?!\u00a0)|(?<!\u00a0)»"), "U+00A0 inside « »"),
    (re.compile(r"[\u00a0\u202f ] +[:;?!»]| [\u00a0\u202f]"), "a space too many"),
]
# «،» «؛» «؟» between Arabic words, never the Latin , ; ?
ARABIC = "\u0621-\u064a\u064b-\u0652"
LATIN_PUNCTUATION_IN_ARABIC = re.compile(rf"[{ARABIC}]\s*[,;?]|[,;?]\s*[{ARABIC}]")


def test_french_typography():
    problems = []
    for label, _lang, message in entries("fr"):
        for translation in texts(message):
            for rule, why in FRENCH_TYPOGRAPHY:
                if rule.search(translation):
                    problems.append(f"{label}: {why}: {translation!r}")
    assert not problems, report(problems)


def test_arabic_punctuation():
    problems = [
        f"{label}: {translation!r}"
        for label, _lang, message in entries("ar")
        for translation in texts(message)
        if LATIN_PUNCTUATION_IN_ARABIC.search(translation)
    ]
    assert not problems, report(problems)


TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    (ROOT / "templates").rglob("*.txt")
)
# A value, then a translated lower-case word: "{{ n }} {{ _("answers") }}" is «1 réponses».
NUMBER_THEN_WORD = re.compile(r"\}\}\s*(</\w+>\s*)?\{\{\s*_\(\s*[\"'][a-z]")
# Punctuation outside the translated string: "{{ _("When") }}:" cannot become «Quand :».
# A value then a colon ("{{ label }}: "): «Votre métier : …» needs |with_colon (U+00A0 in French).
COLON_OUTSIDE = re.compile(r"_\(\s*[\"'][^\"']+[\"']\s*\)\s*\}\}\s*:|\}\}:|</bdi>:")
# A comma written between values: the locale's separator comes from join_list/join_parts.
# (Codes shown left to right, in <bdi class="ltr">, keep their Latin comma.)
COMMA_BETWEEN_VALUES = re.compile(
    r"^(?!.*<bdi class=\"ltr\">).*(\}\},\s*(<[^>]+>)?\{\{|%\},\s*(<[^>]+>)?\{\{"
    r"|\|join\(\s*[\"'],|loop\.last\s*%\},)"
)


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        (NUMBER_THEN_WORD, "a count then a word: use ngettext or “label: n”"),
        (
            COLON_OUTSIDE,
            "the colon belongs inside the translated string, or comes from |with_colon",
        ),
        (COMMA_BETWEEN_VALUES, "a hard-coded “, ”: use join_list, join_parts or part_separator()"),
    ],
    ids=["counts", "colons", "separators"],
)
def test_templates_leave_words_and_punctuation_to_the_catalogues(rule, why):
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if rule.search(line)
    ]
    assert not problems, f"{why}:\n" + "\n".join(problems)
