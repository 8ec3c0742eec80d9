"""The real RSVP form: a concern typed there reaches the board, and its answer the person."""

from __future__ import annotations

import re

import sqlalchemy as sa

from blueprints.followups.models import FollowUp, FollowUpSource
from blueprints.rsvp import models as rsvp_models
from core.outbox import OutboxMessage
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import csrf_token_from, form_page_token, make_event
from tests.rsvp import conftest as rsvp


def test_a_concern_from_the_open_rsvp_form_is_answered_by_email(
    app, org, as_organiser, smtp_server
):
    event = make_event(org)
    rsvp.open_registration(event)
    concern = rsvp.make_question(
        event, rsvp_models.QuestionKind.LONG_TEXT, is_concern=True, label_fr="Un problème ?"
    )
    visitor = app.test_client()
    url = f"/e/{event.public_id}/register"
    body = {
        "full_name": "Youssef Amrani",
        "email": "youssef@example.ma",
        "phone": "0661234567",
        "company": "Atelier Amrani",
        "trade": "Menuiserie",
        "consent": "y",
        f"q_{concern.id}": "Mon dossier AMO est bloqué depuis trois mois",
        "csrf_token": form_page_token(visitor, url),
    }
    assert visitor.post(url, data=body).status_code == 302
    deliver_due()
    _, _, message = smtp_server.wait_for(1)[0]
    path = re.search(
        r"https?://[^/\s]+(/confirm/[\w-]+)", message.get_body(("plain",)).get_content()
    )
    page = visitor.get(path.group(1))
    visitor.post(path.group(1), data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})

    followup = db.session.scalar(sa.select(FollowUp))
    assert followup is not None, "the RSVP concern did not reach the follow-ups"
    assert followup.source == FollowUpSource.RSVP
    assert followup.raised_by_name == "Youssef Amrani"
    assert "AMO" in as_organiser.get("/followups").get_data(as_text=True)

    edit = f"/followups/{followup.id}"
    token = csrf_token_from(as_organiser.get(edit).get_data(as_text=True))
    answer = "Votre dossier AMO est débloqué ; la carte arrive sous dix jours."
    data = {"csrf_token": token, "status": "resolved", "resolution": answer, "partner_id": ""}
    assert as_organiser.post(edit, data=data).status_code == 302
    sent_before = len(smtp_server.messages)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "followup_resolved"
            )
        )
        == 1
    )
    deliver_due()
    messages = smtp_server.wait_for(sent_before + 1)
    _, rcpt, mail = messages[-1]
    assert rcpt == ["youssef@example.ma"]
    assert "débloqué" in mail.get_body(("plain",)).get_content()
