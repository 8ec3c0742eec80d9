"""Member lists as associations really send them, built in memory (no binary files kept).

Each file has a title row, a blank row, then the headers; first and last names in two
columns; phones as Excel leaves them (numbers, scientific notation, a lost leading 0);
a blank row among the members. The .xlsx files also have a merged title, a city merged
over two rows, a date of joining stored as a date and an email computed by a formula
(with the value Excel saved). `EXPECTED` is what a person reading the sheet would write
down: name (first name, then last name), phone in the app's form, email, city.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from openpyxl import Workbook

FR_TITLE = "Liste des adhérents 2018"
FR_HEADER = ["Nom", "Prénom", "Téléphone", "E-mail", "Ville", "Date d'adhésion"]
AR_TITLE = "لائحة المنخرطين 2018"
AR_HEADER = ["الاسم العائلي", "الاسم الشخصي", "رقم الهاتف", "البريد الإلكتروني", "المدينة",
             "تاريخ الانخراط"]  # fmt: skip

# (last name, first name, phone as the CSV shows it, phone as Excel stores it, email, city)
FR_PEOPLE = [
    ("Benali", "Élodie", "2.12661234567E+11", 212661234567, "elodie@example.ma", "Nador"),
    ("Ouazzani", "François", "612345678", 612345678, "f.ouazzani@example.ma", "Nador"),
    ("Tazi", "Zoé", "0700112233", "0700112233", "zoe.tazi@example.ma", "Oujda"),
]
AR_PEOPLE = [
    ("بنعلي", "أحمد", "212612345678.0", 212612345678, "ahmed@example.ma", "الناظور"),
    ("العلوي", "فاطمة الزهراء", "661001122", 661001122, "", "الناظور"),
    ("الإدريسي", "كريم", "06 70 11 22 33", "06 70 11 22 33", "karim@example.ma", "وجدة"),
]
FORMULA_ROW = 2  # index in PEOPLE of the member whose email is a formula in the .xlsx
JOINED = date(2018, 3, 15)


def expected(people) -> list[tuple[str, str, str | None, str]]:
    phones = {
        "2.12661234567E+11": "+212661234567", "612345678": "+212612345678",
        "0700112233": "+212700112233", "212612345678.0": "+212612345678",
        "661001122": "+212661001122", "06 70 11 22 33": "+212670112233",
    }  # fmt: skip
    return [(f"{first} {last}", phones[csv], email or None, city)
            for last, first, csv, _xl, email, city in people]  # fmt: skip


def csv_file(lang: str, encoding: str) -> bytes:
    title, header, people = _content(lang)
    sep = ";" if lang == "fr" else ","
    lines = [sep.join([title] + [""] * (len(header) - 1)), ""]
    lines.append(sep.join(header))
    for n, (last, first, phone, _xl, email, city) in enumerate(people):
        lines.append(sep.join([last, first, phone, email, city, JOINED.strftime("%d/%m/%Y")]))
        if n == 0:
            lines.append(sep * (len(header) - 1))  # a blank row among the members
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(lang: str) -> bytes:
    title, header, people = _content(lang)
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for n, (last, first, _csv, phone, email, city) in enumerate(people):
        if n == FORMULA_ROW:
            email = f'=LOWER("{email.upper()}")'
        sheet.append([last, first, phone, email, city if n != 1 else None, JOINED])
        sheet.cell(row=sheet.max_row, column=6).number_format = "dd/mm/yyyy"
    # the first two members' city is one merged cell
    sheet.merge_cells(start_row=4, start_column=5, end_row=5, end_column=5)
    buffer = io.BytesIO()
    book.save(buffer)
    return _with_cached_formula_values(buffer.getvalue(), people[FORMULA_ROW][4])


def _with_cached_formula_values(data: bytes, value: str) -> bytes:
    """openpyxl saves formulas without their result; Excel saves both. Add the result."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # `<v />` from openpyxl's own writer, `<v></v>` when lxml is installed
                text, found = re.subn(
                    r'<c r="([A-Z]+\d+)"([^>]*)><f>(.*?)</f>(?:<v ?/>|<v></v>)',
                    lambda m: f'<c r="{m[1]}"{m[2]} t="str"><f>{m[3]}</f><v>{value}</v>',
                    content.decode(),
                )
                assert found, "the formula cell was not found: the corpus would test nothing"
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def _content(lang: str):
    return (FR_TITLE, FR_HEADER, FR_PEOPLE) if lang == "fr" else (AR_TITLE, AR_HEADER, AR_PEOPLE)


# (id, language, builder) for every file of the corpus
FILES = [
    ("fr-utf8", "fr", lambda: csv_file("fr", "utf-8")),
    ("fr-utf8-bom", "fr", lambda: csv_file("fr", "utf-8-sig")),
    ("fr-cp1252", "fr", lambda: csv_file("fr", "cp1252")),
    ("fr-utf16", "fr", lambda: csv_file("fr", "utf-16")),
    ("fr-xlsx", "fr", lambda: xlsx_file("fr")),
    ("ar-utf8", "ar", lambda: csv_file("ar", "utf-8")),
    ("ar-utf8-bom", "ar", lambda: csv_file("ar", "utf-8-sig")),
    ("ar-cp1256", "ar", lambda: csv_file("ar", "cp1256")),
    ("ar-utf16", "ar", lambda: csv_file("ar", "utf-16")),
    ("ar-xlsx", "ar", lambda: xlsx_file("ar")),
]
