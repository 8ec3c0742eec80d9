"""Personal links are not in the database: a dump of it opens nothing (issue 11)."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from blueprints.rsvp import answers
from blueprints.rsvp.models import RegistrationConfirmation
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyInvite
from core.db import utcnow
from core.tokens import seal, unseal
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import ACCEPT, answer, make_invitation, registration_of
from tests.surveys.conftest import make_registration, open_survey


def _every_stored_value() -> str:
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                values += [json.dumps(v, default=str) if isinstance(v, dict) else str(v)
                           for v in row]  # fmt: skip
    return "\n".join(values)


def test_a_database_dump_holds_no_personal_link(app, client, org):
    event = make_event(org, capacity=10)
    invitation = make_invitation(org, event, full_name="Amina", email="amina@example.ma")
    assert answer(client, invitation, ACCEPT).status_code == 302
    ticket = registration_of(invitation)
    confirmation = RegistrationConfirmation(
        organisation_id=org.id, registration_id=ticket.id, expires_at=utcnow()
    )
    db.session.add(confirmation)
    past = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    make_registration(past, "Karim", email="karim@example.ma")
    open_survey(surveys.create_survey(past))
    invite = db.session.scalar(sa.select(SurveyInvite))
    db.session.commit()
    links = [invitation.token, ticket.ticket_code, confirmation.token, invite.token]
    assert all(link and len(link) >= 32 for link in links)

    stored = _every_stored_value()
    for link in links:
        assert link not in stored
    # and each one still opens its page, looked up by its digest
    assert client.get(f"/r/{invitation.token}").status_code == 200
    assert client.get(f"/t/{ticket.ticket_code}").status_code == 200
    assert client.get(f"/s/{invite.token}").status_code == 200
    assert answers.confirmation_by_token(confirmation.token).id == confirmation.id


def test_a_sealed_link_needs_the_key(app):
    sealed = seal("a-link-token")
    assert "a-link-token" not in sealed and unseal(sealed) == "a-link-token"
    other = "x" * 43 + "="  # a valid Fernet key that is not ours
    assert unseal(sealed, key=other) is None


def test_tokens_of_the_wrong_shape_are_not_looked_up(app, client):
    for token in ("", "x" * 201, "%00", "a" * 64):
        assert client.get(f"/r/{token}").status_code in (404, 405)
        assert client.get(f"/t/{token}").status_code in (404, 405)
