"""How long an RSVP acceptance takes (lock, count, ticket, outbox row) and the QR images.

.venv/bin/python bench/rsvp_tickets.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from blueprints.events.models import Event, EventStatus  # noqa: E402
from blueprints.invitations.models import Invitation  # noqa: E402
from blueprints.members.models import Member  # noqa: E402
from blueprints.orgs.models import Organisation  # noqa: E402
from blueprints.rsvp import answers  # noqa: E402
from config import TestConfig  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.qr import qr_png, qr_svg  # noqa: E402
from extensions import db  # noqa: E402

N = 300


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db"})
        with app.app_context():
            db.create_all()
            org = Organisation(slug="bench", name_fr="Bench")
            db.session.add(org)
            db.session.flush()
            from datetime import timedelta

            start = utcnow() + timedelta(days=7)
            event = Event(
                organisation_id=org.id,
                title_fr="Bench",
                venue_name="Salle",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                capacity=N // 2,
                max_companions=1,
                status=EventStatus.PUBLISHED,
            )
            db.session.add(event)
            db.session.flush()
            invitations = []
            for i in range(N):
                member = Member(organisation_id=org.id, full_name=f"M {i}", email=f"m{i}@x.ma")
                db.session.add(member)
                db.session.flush()
                invitations.append(
                    Invitation(organisation_id=org.id, event_id=event.id, member_id=member.id)
                )
            db.session.add_all(invitations)
            db.session.commit()
            t0 = time.perf_counter()
            for invitation in invitations:
                answers.respond(
                    invitation, answers.RsvpData(accept=True, locale="ar", consent=True)
                )
                db.session.commit()
            elapsed = time.perf_counter() - t0
            print(
                f"respond+commit on SQLite: {elapsed / N * 1000:.2f} ms each ({N} answers, "
                f"half go to the waiting list)"
            )
            url = "https://liqaa.example.ma/t/" + "A" * 32
            t0 = time.perf_counter()
            for _ in range(100):
                qr_png(url)
            print(f"qr_png (Pillow): {(time.perf_counter() - t0) * 10:.2f} ms each")
            t0 = time.perf_counter()
            for _ in range(100):
                qr_svg(url)
            print(f"qr_svg: {(time.perf_counter() - t0) * 10:.2f} ms each")


if __name__ == "__main__":
    main()
