"""Translation catalogues: extract, update, compile, check.

    python scripts/i18n.py update [CATALOGUE …]   # extract into .pot files, merge into .po files
    python scripts/i18n.py compile    # .po -> .mo (make run and make test do this)
    python scripts/i18n.py check      # exit 1 when a string is not in its catalogues yet, or
                                      # an entry lacks its Arabic or French text

One catalogue per feature, so that features can be translated independently:
translations/<catalogue>/<lang>/LC_MESSAGES/messages.po. The "core" catalogue holds
core/, the layout templates and the foundation features (CORE_FEATURES); every other
blueprints/<feature>/ has its own, fed by blueprints/<feature>/ and templates/<feature>/.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ar", "fr")
CORE_FEATURES = ("site", "auth", "orgs", "events", "dashboard", "demo")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "_n:1,2", "-k", "lazy_ngettext:1,2"]
# CLDR's plural categories in gettext's order: zero, one, two, few (3-10), many (11-99), other.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3"
    " : n%100>=11 ? 4 : 5);",
    "fr": "nplurals=2; plural=(n > 1);",
}


def header(lang: str) -> str:
    """The catalogue header: fixed (no dates), so that parallel updates merge cleanly."""
    fields = {
        "Project-Id-Version": "Liqaa",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[lang],
    }
    lines = "".join(f'"{key}: {value}\\n"\n' for key, value in fields.items())
    return f'msgid ""\nmsgstr ""\n{lines}\n'


def write_header(po: Path, lang: str) -> None:
    """Puts the header at the top of po, replacing the one there (pybabel writes none)."""
    text = po.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n\n")
    if 'msgid ""\nmsgstr ""' in first:  # pybabel init's header (with its comments)
        text = rest
    po.write_text(header(lang) + text, encoding="utf-8")


def catalogues() -> dict[str, list[Path]]:
    """Catalogue name -> the source files and folders it is extracted from."""
    core = [ROOT / "app.py", ROOT / "core", *sorted((ROOT / "templates").glob("*.html"))]
    core += [ROOT / "templates" / "errors"]
    result = {"core": core}
    for feature in sorted(p.name for p in (ROOT / "blueprints").iterdir() if p.is_dir()):
        if feature.startswith("__"):
            continue
        paths = [ROOT / "blueprints" / feature, ROOT / "templates" / feature]
        if feature in CORE_FEATURES:
            result["core"] += paths
        else:
            result[feature] = paths
    return {name: [p for p in paths if p.exists()] for name, paths in result.items()}


def pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", *args]
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own arguments


def extract(name: str, paths: list[Path], pot: Path | None = None) -> Path:
    folder = ROOT / "translations" / name
    folder.mkdir(parents=True, exist_ok=True)
    pot = pot or folder / "messages.pot"
    pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *KEYWORDS,
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(pot),
        *[str(p.relative_to(ROOT)) for p in paths],
    )
    return pot


def update(only: list[str] | None = None) -> None:
    for name, paths in catalogues().items():
        if not paths or (only and name not in only):
            continue
        pot = extract(name, paths)
        for lang in LANGUAGES:
            po = ROOT / "translations" / name / lang / "LC_MESSAGES" / "messages.po"
            if po.exists():
                pybabel(
                    "update",
                    "-i",
                    str(pot),
                    "-d",
                    str(pot.parent),
                    "-l",
                    lang,
                    "--no-fuzzy-matching",
                    "--ignore-obsolete",
                    "--omit-header",
                )
            else:
                pybabel("init", "-i", str(pot), "-d", str(pot.parent), "-l", lang)
            write_header(po, lang)


def compile_all() -> None:
    """Every .po into its .mo (untranslated entries fall back to English)."""
    for po in sorted((ROOT / "translations").glob("*/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parents[1].name)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def missing() -> list[str]:
    """'catalogue/lang: msgid' for every entry with no translation (or a fuzzy one)."""
    problems = []
    for po in sorted((ROOT / "translations").glob("*/*/LC_MESSAGES/messages.po")):
        label = f"{po.parents[2].name}/{po.parents[1].name}"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parents[1].name)
        for message in catalog:
            if not message.id:
                continue
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(texts):
                problems.append(f"{label}: {message.id!r}")
    return problems


def stale(workdir: Path) -> list[str]:
    """'catalogue: msgid' for strings in the sources that a catalogue does not have yet."""
    problems = []
    for name, paths in catalogues().items():
        if not paths:
            continue
        with extract(name, paths, workdir / f"{name}.pot").open("rb") as handle:
            wanted = {m.id for m in read_po(handle) if m.id}
        for lang in LANGUAGES:
            po = ROOT / "translations" / name / lang / "LC_MESSAGES" / "messages.po"
            have = set()
            if po.exists():
                with po.open("rb") as handle:
                    have = {m.id for m in read_po(handle, locale=lang) if m.id}
            problems += [f"{name}/{lang}: {msgid!r}" for msgid in sorted(wanted - have, key=str)]
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "update":
        update(argv[2:] or None)
    elif command == "compile":
        compile_all()
    elif command == "check":
        with tempfile.TemporaryDirectory() as workdir:
            problems = stale(Path(workdir)) + missing()
        print("\n".join(problems) or "All entries are translated.")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
