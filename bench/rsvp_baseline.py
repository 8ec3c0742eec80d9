"""The RSVP rush's baseline: a minimal Flask-SQLAlchemy app (not the product) that, per
request, locks the event row (SELECT … FOR UPDATE; on SQLite the same first write Liqaa
makes) and inserts one registration row. gunicorn serves it as `rsvp_baseline:baseline_app()`
on the same database as the run it is compared with (bench/rsvp_rush.py)."""

from __future__ import annotations

from _serve import baseline_flask


def baseline_app():
    """Per request: lock the event row, insert one registration, commit. Nothing else."""
    import sqlalchemy as sa
    from flask import jsonify

    from core.db import utcnow

    app, base_db = baseline_flask("baseline", sqlite_timeout=30)
    event = sa.table("event", sa.column("id"), sa.column("capacity"))
    registration = sa.table(
        "registration",
        *(sa.column(c) for c in ("organisation_id", "event_id", "source", "status")),
        *(sa.column(c) for c in ("full_name", "company", "trade", "category", "locale")),
        *(sa.column(c) for c in ("companions", "decline_reason", "created_at", "updated_at")),
    )

    @app.post("/baseline/<int:org>/<int:event_id>")
    def baseline(org: int, event_id: int):
        session = base_db.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(event.c.id).where(event.c.id == event_id).with_for_update())
        else:
            session.execute(
                sa.update(event).where(event.c.id == event_id).values(capacity=event.c.capacity)
            )
        now = utcnow()
        session.execute(
            sa.insert(registration).values(
                organisation_id=org,
                event_id=event_id,
                source="open_form",
                status="accepted",
                full_name="Baseline",
                company="",
                trade="",
                category="member",
                locale="fr",
                companions=0,
                decline_reason="",
                created_at=now,
                updated_at=now,
            )
        )
        session.commit()
        return jsonify(ok=True)

    return app
