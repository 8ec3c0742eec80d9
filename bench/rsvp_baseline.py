"""The RSVP rush's baseline: a minimal Flask-SQLAlchemy app (not the product) that, per
request, locks the event row (SELECT … FOR UPDATE; on SQLite the same first write Liqaa
makes) and inserts one registration row. gunicorn serves it as `rsvp_baseline:baseline_app()`
on the same database as the run it is compared with (bench/rsvp_rush.py)."""

from __future__ import annotations

import os


def baseline_app():
    """Per request: lock the event row, insert one registration, commit. Nothing else."""
    import sqlalchemy as sa
    from flask import Flask, jsonify
    from flask_sqlalchemy import SQLAlchemy

    from core.db import enable_sqlite_pragmas, utcnow

    app = Flask("baseline")
    uri = os.environ["DATABASE_URL"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    base_db = SQLAlchemy()
    base_db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(base_db.engine)
    event = sa.table("event", sa.column("id"), sa.column("capacity"))
    registration = sa.table(
        "registration",
        *(sa.column(c) for c in ("organisation_id", "event_id", "source", "status")),
        *(sa.column(c) for c in ("full_name", "company", "trade", "category", "locale")),
        *(sa.column(c) for c in ("companions", "decline_reason", "created_at", "updated_at")),
    )

    @app.get("/healthz")
    def healthz():
        return "ok"

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
