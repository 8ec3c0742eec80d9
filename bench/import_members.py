"""Importing a large member list: N generated rows (Arabic and Latin names, some errors).

    python bench/import_members.py [N]        # default 100,000 (env BENCH_ROWS too)

Prints rows per second for read + check + write in one transaction, and the peak
memory of the process. Aim: under 15 s and under 300 MB for 100,000 rows.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ARABIC = ["محمد", "فاطمة", "أحمد", "خديجة", "يوسف", "سعاد", "كريم", "نادية", "عبد الله", "أمينة"]
FAMILY = ["الإدريسي", "بنعلي", "العلوي", "الريفي", "التازي", "الفاسي", "بوزيان", "المرابط"]
LATIN = ["Karim", "Nadia", "Élodie", "Omar", "Salma", "Youssef", "Meryem", "Rachid"]
SURNAME = ["Benali", "El Amrani", "Tazi", "Bennani", "Chraïbi", "Ouazzani", "Berrada"]
TRADES = ["البناء", "النسيج", "Menuiserie", "Commerce", "Transport", "الصناعة التقليدية"]


def generate(n: int) -> bytes:
    rng = random.Random(42)
    lines = ["الاسم;الهاتف;البريد الإلكتروني;المقاولة;القطاع;المدينة"]
    for i in range(n):
        if i % 2:
            name = f"{rng.choice(ARABIC)} {rng.choice(FAMILY)}"
        else:
            name = f"{rng.choice(LATIN)} {rng.choice(SURNAME)}"
        phone = (
            f"06 {i // 1000000 % 100:02d} {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}"
        )
        email = f"m{i}@example.ma"
        if i % 97 == 0:
            email = "not-an-email"  # some errors
        if i % 101 == 0:
            phone = "12"
        if i % 211 == 0:
            name = ""
        lines.append(f"{name};{phone};{email};Entreprise {i % 5000};{rng.choice(TRADES)};Nador")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_ROWS", 100_000))
    data = generate(n)
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"

    from app import create_app
    from config import TestConfig
    from extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url)
    app = create_app(config)

    from flask_babel import force_locale

    from blueprints.members import importer, imports
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation

    with app.app_context(), force_locale("en"):
        if url.startswith("postgres"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.create_all()
        org = Organisation(slug="bench", name_fr="Association")
        db.session.add(org)
        db.session.commit()

        start = time.perf_counter()
        table = importer.read_table(data, "bench.csv")
        mapping = importer.guess_mapping(table.header)
        summary = imports.apply_rows(
            org.id, table, mapping, update_existing=False, consent_source="bench"
        )
        db.session.commit()
        elapsed = time.perf_counter() - start
        stored = db.session.scalar(db.select(db.func.count(Member.id)))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    print(f"rows: {n} ({len(data) / 1e6:.1f} MB CSV), stored: {stored}, report: {summary}")
    print(f"import: {elapsed:.1f} s, {n / elapsed:.0f} rows/s (aim: < 15 s for 100,000)")
    print(f"peak memory: {peak_mb:.0f} MB (aim: < 300 MB)")


if __name__ == "__main__":
    main()
