"""A saved language is checked in one place, core.i18n (normalise_locale, person_language)."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import person_language

ROOT = Path(__file__).resolve().parents[2]
# `x if x in ("ar", "fr", "en") else "ar"`: a language checked by hand, beside the rules.
BY_HAND = re.compile(r"""\bin \(\s*["'](ar|fr|en)["']\s*,\s*["'](ar|fr|en)["']""")


def test_a_saved_language_is_normalised(app, monkeypatch):
    with app.app_context():
        assert person_language("fr") == "fr"
        assert person_language("FR_ma") == "fr"
        assert person_language(" en ") == "en"
        assert person_language("de") == "ar"  # the default language
        assert person_language(None) == "ar"
        assert person_language("en", among=("ar", "fr")) == "ar"
        assert person_language("fr_MA", among=("ar", "fr")) == "fr"
        # the app lives for the whole session: the change must not outlive this test
        monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
        assert person_language("de") == "en"
        assert person_language("de", among=("ar", "fr")) == "ar"


def test_no_feature_checks_a_language_by_hand():
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("blueprints", "core", "demo")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BY_HAND.search(line)
    ]
    assert not problems, "use core.i18n.person_language:\n" + "\n".join(problems)
