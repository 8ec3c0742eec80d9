"""Reading member lists as organisers really have them: CSV or XLSX, any of the usual
encodings, Arabic, French or English headers, blank rows, stray columns.

Three steps, all without writing anything: `read_table` decodes the file into rows
(`reading`) and finds the header row among the first ones, `guess_mapping` matches the
header to member fields, `analyse` checks every row and says what would happen to it.
`services.confirm_import` then applies the result in one transaction.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from blueprints.members import reading
from blueprints.members.models import MemberCategory
from blueprints.members.reading import (  # noqa: F401 - the importer's public face
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    ImportError_,
    read_sheet,
)
from core.phones import normalise_phone
from core.text import fold

PREVIEW_ROWS = 10
REPORT_ROWS = 500  # problem rows listed in the report; the counts cover every row

FIELD_LABELS = {
    "full_name": _l("Full name"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "company": _l("Company"),
    "trade": _l("Trade or sector"),
    "city": _l("City"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "locale": _l("Language"),
    "category": _l("Category"),
    "tags": _l("Tags"),
    "notes": _l("Notes"),
    "ice": _l("ICE"),
    "cnss_number": _l("CNSS number"),
}
MAX_LENGTHS = {
    "full_name": 200,
    "company": 200,
    "trade": 60,
    "city": 100,
    "email": 254,
    "notes": 5000,
    "cnss_number": 20,
}

# Header words seen in Arabic, French and English exports, folded like search keys.
_ALIASES = {
    "full_name": [
        "name", "full name", "nom", "nom complet", "nom et prenom", "nom prenom",
        "prenom et nom", "prenom nom", "nom & prenom", "الاسم", "الاسم الكامل",
        "الاسم والنسب", "الاسم و النسب", "الاسم الكامل للمقاول", "المقاول",
    ],
    "first_name": ["first name", "firstname", "given name", "prenom", "الاسم الشخصي"],
    "last_name": ["last name", "lastname", "surname", "family name", "nom de famille",
                  "النسب", "اللقب", "الاسم العائلي"],
    "company": ["company", "organisation", "organization", "societe", "entreprise",
                "raison sociale", "الشركة", "المقاولة", "المؤسسة", "اسم المقاولة"],
    "trade": ["trade", "sector", "activity", "secteur", "activite", "metier",
              "secteur d'activite", "القطاع", "النشاط", "الحرفة", "المهنة", "قطاع النشاط"],
    "city": ["city", "town", "ville", "المدينة"],
    "email": ["email", "e-mail", "mail", "courriel", "adresse email", "adresse e-mail",
              "email address", "البريد الالكتروني", "البريد", "الايميل"],
    "phone": ["phone", "telephone", "tel", "tel.", "gsm", "mobile", "portable", "phone number",
              "numero de telephone", "الهاتف", "رقم الهاتف", "الجوال", "الهاتف المحمول"],
    "locale": ["language", "langue", "lang", "اللغة"],
    "category": ["category", "categorie", "type", "الفئة", "الصفة"],
    "tags": ["tags", "tag", "etiquettes", "groupes", "groupe", "الوسوم", "المجموعة"],
    "notes": ["notes", "note", "remarques", "observations", "comment", "ملاحظات"],
    "ice": ["ice", "identifiant commun de l'entreprise", "التعريف الموحد للمقاولة"],
    "cnss_number": ["cnss", "n° cnss", "numero cnss", "affiliation cnss", "cnss number",
                    "رقم الضمان الاجتماعي", "رقم الانخراط في الضمان الاجتماعي"],
}  # fmt: skip
_HEADER_INDEX = {fold(alias): name for name, aliases in _ALIASES.items() for alias in aliases}

_LOCALES = {
    "ar": "ar", "arabe": "ar", "arabic": "ar", "العربية": "ar", "عربية": "ar", "عربي": "ar",
    "fr": "fr", "francais": "fr", "french": "fr", "الفرنسية": "fr", "فرنسية": "fr",
    "en": "en", "anglais": "en", "english": "en", "الانجليزية": "en",
}  # fmt: skip
_CATEGORIES = {
    "member": "member", "membre": "member", "adherent": "member", "عضو": "member",
    "official": "official", "officiel": "official", "responsable": "official",
    "مسؤول": "official",
    "partner": "partner", "partenaire": "partner", "شريك": "partner",
    "press": "press", "presse": "press", "journaliste": "press", "صحافة": "press",
    "صحفي": "press",
    "guest": "guest", "invite": "guest", "ضيف": "guest",
}  # fmt: skip
_LOCALES = {fold(k): v for k, v in _LOCALES.items()}
_CATEGORIES = {fold(k): v for k, v in _CATEGORIES.items()}
_TAG_SPLIT = re.compile(r"[,;|/،]")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_WHITESPACE = re.compile(r"\s")
_ICE = re.compile(r"\d{15}")


# --------------------------------------------------------------------------- the table


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows, blank ones removed
    lines: list[int]  # each row's line (or spreadsheet row) number
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 1  # the line the header was found on (titles may come before)
    formula_lines: list[int] = field(default_factory=list)  # data rows holding a formula

    def dumps(self) -> bytes:
        """The parsed rows, compressed, to keep between the import's steps."""
        return zlib.compress(json.dumps(asdict(self), ensure_ascii=False).encode(), 6)

    @classmethod
    def loads(cls, blob: bytes) -> Table:
        return cls(**json.loads(zlib.decompress(blob)))


def read_table(data: bytes, filename: str = "") -> Table:
    """The file's rows under the header row: the first of the first rows whose cells best
    match known column names (a title and blank rows often come before it)."""
    sheet = read_sheet(data, filename)
    at = find_header(sheet.rows)
    rows = sheet.rows[at + 1 :]
    if len(rows) > MAX_ROWS:
        raise ImportError_(reading.TOO_MANY_ROWS)
    header_line = sheet.lines[at]
    return Table(
        header=sheet.rows[at],
        rows=rows,
        lines=sheet.lines[at + 1 :],
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        header_line=header_line,
        formula_lines=[n for n in sheet.formula_lines if n > header_line],
    )


def find_header(rows: list[list[str]]) -> int:
    """Index of the header among the first rows; the first row when none looks like one."""
    best, best_score = 0, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = len(guess_mapping(row))
        if score > best_score:
            best, best_score = index, score
    return best


# --------------------------------------------------------------------------- mapping


def guess_mapping(header: list[str]) -> dict[str, str]:
    """{column index (as text): field} for the columns whose header we recognise."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, title in enumerate(header):
        key = fold(re.sub(r"[:*()\[\]]", " ", title)).strip(" .")
        name = _HEADER_INDEX.get(key)
        if name and name not in used:
            mapping[str(index)] = name
            used.add(name)
    return _split_names(mapping, header)


# "Nom" beside "Prénom" is the last name; "الاسم" beside "النسب" is the first name.
_PLAIN_NAME = {fold(word) for word in ("nom", "name", "الاسم")}


def _split_names(mapping: dict[str, str], header: list[str]) -> dict[str, str]:
    names = set(mapping.values())
    column = next((i for i, name in mapping.items() if name == "full_name"), None)
    if column is None or fold(header[int(column)]).strip(" .:") not in _PLAIN_NAME:
        return mapping
    if "first_name" in names and "last_name" not in names:
        mapping[column] = "last_name"
    elif "last_name" in names and "first_name" not in names:
        mapping[column] = "first_name"
    return mapping


def joined_names(mapping: dict[str, str], header: list[str]) -> tuple[str, str] | None:
    """The titles of the first- and last-name columns when they make the full name."""
    columns = {name: int(i) for i, name in mapping.items()}
    if "full_name" in columns or not {"first_name", "last_name"} <= columns.keys():
        return None
    return header[columns["first_name"]], header[columns["last_name"]]


def clean_mapping(mapping: dict[str, str], columns: int) -> dict[str, str]:
    """Keep only real columns and known fields, each field once."""
    result, used = {}, set()
    for index, name in mapping.items():
        if (
            name in FIELD_LABELS
            and name not in used
            and str(index).isdigit()
            and int(index) < columns
        ):
            result[str(int(index))] = name
            used.add(name)
    return result


def mapping_problem(mapping: dict[str, str]):
    names = set(mapping.values())
    if "full_name" not in names and not ({"first_name", "last_name"} & names):
        return _l("Choose which column holds the names.")
    return None


# --------------------------------------------------------------------------- checking

NEW, EXISTING, DUPLICATE, INVALID = "new", "existing", "duplicate", "invalid"
CLASH = _l("Its email belongs to one member of the directory and its phone to another.")


@dataclass
class RowResult:
    line: int
    values: dict
    status: str
    problems: list = field(default_factory=list)
    existing_id: int | None = None


@dataclass
class Report:
    total: int = 0
    counts: dict = field(default_factory=lambda: {NEW: 0, EXISTING: 0, DUPLICATE: 0, INVALID: 0})
    problems: dict = field(default_factory=dict)  # problem label -> rows with it
    listed: list[RowResult] = field(default_factory=list)  # first REPORT_ROWS rows with remarks
    preview: list[RowResult] = field(default_factory=list)
    clash_lines: list[int] = field(default_factory=list)  # the first REPORT_ROWS

    def add(self, result: RowResult) -> None:
        self.total += 1
        if any(p is CLASH for p in result.problems) and len(self.clash_lines) < REPORT_ROWS:
            self.clash_lines.append(result.line)
        self.counts[result.status] += 1
        for problem in result.problems:
            self.problems[str(problem)] = self.problems.get(str(problem), 0) + 1
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append(result)
        if result.status != NEW and len(self.listed) < REPORT_ROWS:
            self.listed.append(result)


@lru_cache(maxsize=65536)
def _phone(raw: str) -> str | None:
    return normalise_phone(raw)


def analyse(
    table: Table,
    mapping: dict[str, str],
    existing: dict[str, int],
    progress: Callable[[int], None] | None = None,
) -> Iterator[RowResult]:
    """Every data row, checked; `existing` maps known emails and phones to member ids."""
    columns = [(int(i), name) for i, name in mapping.items()]
    seen: dict[str, int] = {}
    for n, (row, line) in enumerate(zip(table.rows, table.lines, strict=True), start=1):
        raw = {name: (row[i] if i < len(row) else "") for i, name in columns}
        result = check_row(raw, line)
        if result.status != INVALID:
            keys = [k for k in (result.values.get("email"), result.values.get("phone")) if k]
            earlier = next((seen[k] for k in keys if k in seen), None)
            if earlier is not None:
                result.status = DUPLICATE
                result.problems.append(_l("Same email or phone as line %(line)s.", line=earlier))
            else:
                for key in keys:
                    seen[key] = line
                owners = {existing[k] for k in keys if k in existing}
                known = next((existing[k] for k in keys if k in existing), None)
                if len(owners) > 1:
                    result.status = INVALID
                    result.problems.append(CLASH)
                elif known is not None:
                    result.status = EXISTING
                    result.existing_id = known
                    result.problems.append(_l("Already in the directory."))
        if progress is not None and n % 1000 == 0:
            progress(1000)
        yield result


def check_row(raw: dict[str, str], line: int) -> RowResult:
    values: dict = {}
    problems: list = []
    name = raw.get("full_name", "")
    if not name:
        name = " ".join(p for p in (raw.get("first_name", ""), raw.get("last_name", "")) if p)
    values["full_name"] = " ".join(name.split())
    if not values["full_name"]:
        problems.append(_l("The name is missing."))
    for key in ("company", "trade", "city", "notes", "cnss_number"):
        values[key] = " ".join(raw.get(key, "").split()) if key != "notes" else raw.get(key, "")
    for key, limit in MAX_LENGTHS.items():
        if len(values.get(key) or raw.get(key, "")) > limit:
            problems.append(_l("%(field)s is too long.", field=FIELD_LABELS[key]))
    email = raw.get("email", "").strip().lower()
    if email.startswith("mailto:"):
        email = email[7:]
    if email and (len(email) > 254 or not _valid_email(email)):
        problems.append(_l("The email address is not valid."))
    values["email"] = email or None
    phone_raw = excel_number_text(raw.get("phone", "").strip())
    phone = _phone(phone_raw[:40]) if phone_raw else None
    if phone_raw is None:
        problems.append(
            _l("Excel rounded this phone number: format the column as text and save again.")
        )
    elif phone_raw and phone is None:
        problems.append(_l("The phone number is not valid."))
    values["phone"] = phone
    locale_raw = fold(raw.get("locale", ""))
    locale = _LOCALES.get(locale_raw)
    if locale is None:
        locale = "ar" if _ARABIC_LETTER.search(values["full_name"]) else "fr"
    values["locale"] = locale
    category_raw = fold(raw.get("category", ""))
    category = _CATEGORIES.get(category_raw, "member" if not category_raw else None)
    if category is None:
        problems.append(_l("Unknown category."))
        category = MemberCategory.MEMBER.value
    values["category"] = category
    ice = _WHITESPACE.sub("", raw.get("ice", ""))
    if ice and not valid_ice(ice):
        problems.append(_l("The ICE must be 15 digits."))
    values["ice"] = ice or None
    values["cnss_number"] = values["cnss_number"] or None
    values["tags"] = split_tags(raw.get("tags", ""))
    return RowResult(line, values, INVALID if problems else NEW, problems)


_SCIENTIFIC = re.compile(r"(\d)[.,](\d+)[eE]\+?(\d{1,2})")
_WHOLE_FLOAT = re.compile(r"(\d+)[.,]0+")
_PHONE_DIGITS = 9  # a Moroccan number has 9 digits after the 0 or the +212


def excel_number_text(raw: str) -> str | None:
    """A phone Excel kept as a number and wrote as '212612345678.0' or '2.12612345678E+11',
    as its digits ('612345678', a number that lost its 0, is left to the phone parser).
    None when the scientific form kept too few digits to be the number (Excel rounded it)."""
    if match := _WHOLE_FLOAT.fullmatch(raw):
        return match[1]
    match = _SCIENTIFIC.fullmatch(raw)
    if match is None:
        return raw
    if len(match[1] + match[2]) < _PHONE_DIGITS:
        return None
    try:
        return str(int(Decimal(raw.replace(",", "."))))
    except (InvalidOperation, ValueError):
        return raw


def _valid_email(email: str) -> bool:
    """The same check as the forms' (email-validator), without asking the DNS."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def valid_ice(ice: str) -> bool:
    """Moroccan ICE: 15 digits (9 for the company, 4 for the establishment, 2 check digits).

    The two check digits make the whole number a multiple of 97.
    """
    return bool(_ICE.fullmatch(ice)) and int(ice) % 97 == 0


def split_tags(raw: str) -> list[str]:
    tags: list[str] = []
    for part in _TAG_SPLIT.split(raw or ""):
        tag = " ".join(part.split())[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:20]
