"""Bootstrap cut down to the rules Liqaa's pages can use.

    python scripts/trim_bootstrap.py           # writes static/vendor/bootstrap/liqaa{,.rtl}.min.css
    python scripts/trim_bootstrap.py --check   # exit 1 when the committed files are stale

The vendored bootstrap.min.css is 232 KB, most of it rules no page uses. A rule is kept
when every class in its selector (outside `:not(…)`) is a word that appears in the
templates, the scripts or the Python sources, or starts with a word written there with
a trailing hyphen (`alert-{{ kind }}` keeps every `alert-…`). Element selectors, the
custom properties and the keyframes are kept whole. Run it after using a new Bootstrap
class; tests/foundation/test_static.py fails while the committed files are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "bootstrap"
PAIRS = (("bootstrap.min.css", "liqaa.min.css"), ("bootstrap.rtl.min.css", "liqaa.rtl.min.css"))
SOURCES = (
    ("templates", "*.html"),
    ("static", "*.js"),
    ("blueprints", "*.py"),
    ("core", "*.py"),
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
CLASS = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)")
NOT = re.compile(r":not\([^()]*\)")


def used_words() -> tuple[set[str], tuple[str, ...]]:
    words: set[str] = set()
    for folder, pattern in SOURCES:
        for path in sorted((ROOT / folder).rglob(pattern)):
            if "vendor" in path.parts:
                continue
            words.update(WORD.findall(path.read_text(encoding="utf-8")))
    prefixes = tuple(sorted(w for w in words if w.endswith("-") and len(w) > 2))
    return words, prefixes


def _blocks(css: str):
    """(prelude, body) for each top-level block; body is the text between the braces."""
    i, n = 0, len(css)
    while i < n:
        start = i
        depth, quote = 0, None
        while i < n:
            c = css[i]
            if quote:
                if c == "\\":
                    i += 1
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "/" and css.startswith("/*", i):
                i = css.index("*/", i) + 1
            elif c == "{":
                if depth == 0:
                    brace = i
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            elif c == ";" and depth == 0:
                i += 1
                break
            i += 1
        chunk = css[start:i]
        if "{" in chunk and chunk.endswith("}"):
            yield css[start:brace], css[brace + 1 : i - 1]
        elif chunk.strip():
            yield chunk, None


def _selector_used(selector: str, words: set[str], prefixes: tuple[str, ...]) -> bool:
    for name in CLASS.findall(NOT.sub("", selector)):
        if name not in words and not name.startswith(prefixes):
            return False
    return True


def trim(css: str, words: set[str], prefixes: tuple[str, ...]) -> str:
    out = []
    for prelude, body in _blocks(css):
        head = prelude.strip()
        if body is None:
            out.append(prelude)
        elif head.startswith(("@media", "@supports", "@container", "@layer")):
            inner = trim(body, words, prefixes)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif head.startswith("@") or head.startswith("/*"):
            out.append(f"{prelude}{{{body}}}")
        else:
            comment = ""
            if "*/" in prelude:
                comment, prelude = prelude.split("*/", 1)
                comment += "*/"
            kept = [s for s in prelude.split(",") if _selector_used(s, words, prefixes)]
            if comment:
                out.append(comment)
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
    return "".join(out)


def build() -> dict[Path, str]:
    words, prefixes = used_words()
    return {
        VENDOR / target: trim((VENDOR / source).read_text(encoding="utf-8"), words, prefixes)
        for source, target in PAIRS
    }


def main(argv: list[str]) -> int:
    stale = []
    for path, text in build().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if "--check" in argv:
            if current != text:
                stale.append(path.name)
        elif current != text:
            path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(text.encode()):,} bytes")
    if stale:
        print(f"stale: {', '.join(stale)}; run python scripts/trim_bootstrap.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
