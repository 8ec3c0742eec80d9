"""RSVP routes in the permission matrix (see tests/access.py)."""

from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import Question, QuestionKind, Registration, RegistrationStatus
from core.tokens import new_token
from extensions import db
from tests.access import Access
from tests.conftest import make_member

LOGIN, NO = 302, 403
EVENT = {"params": lambda w: {"event_id": w.event.id}}


def setup(w):
    member = make_member(w.org, full_name="Invité matrice")
    invitation = Invitation(organisation_id=w.org.id, event_id=w.event.id, member_id=member.id)
    db.session.add(invitation)
    db.session.flush()
    w.rsvp_invitation = invitation
    w.rsvp_registration = Registration(
        organisation_id=w.org.id,
        event_id=w.event.id,
        invitation_id=invitation.id,
        member_id=member.id,
        status=RegistrationStatus.ACCEPTED,
        full_name=member.full_name,
        email=member.email,
        ticket_code=new_token(),
    )
    w.rsvp_question = Question(
        organisation_id=w.org.id, event_id=w.event.id, kind=QuestionKind.SHORT_TEXT, label_fr="Q"
    )
    db.session.add_all([w.rsvp_registration, w.rsvp_question])
    db.session.commit()


def _reg(action):
    return lambda w: {
        "event_id": w.event.id,
        "registration_id": w.rsvp_registration.id,
        "action": action,
    }


def _question(**extra):
    return lambda w: {"event_id": w.event.id, "question_id": w.rsvp_question.id, **extra}


TOKEN = {"params": lambda w: {"token": w.rsvp_invitation.token}}
CODE = {"params": lambda w: {"code": w.rsvp_registration.ticket_code}}
ANYONE = (200, 200, 200, 200, 200)

ROUTES = {
    # the invitee: the token is the key; an empty POST re-shows the form with its errors
    "rsvp.answer": [Access(*ANYONE, **TOKEN), Access(*((422,) * 5), method="POST", **TOKEN)],
    "rsvp.ticket": Access(*ANYONE, **CODE),
    "rsvp.ticket_ics": Access(*ANYONE, **CODE),
    # whoever holds the code may give up the place (each visitor gets a fresh world)
    "rsvp.ticket_cancel": Access(302, 302, 302, 302, 302, method="POST", **CODE),
    # open registration is off by default
    "rsvp.register": [
        Access(404, 404, 404, 404, 404, params=lambda w: {"public_id": w.event.public_id}),
        Access(
            404,
            404,
            404,
            404,
            404,
            method="POST",
            params=lambda w: {"public_id": w.event.public_id},
        ),
    ],
    "rsvp.confirm": [
        Access(404, 404, 404, 404, 404, params=lambda w: {"token": "unknown"}),
        Access(404, 404, 404, 404, 404, method="POST", params=lambda w: {"token": "unknown"}),
    ],
    # the organiser
    "rsvp.registrations": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "rsvp.summary": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "rsvp.export": Access(
        LOGIN, NO, 200, 200, 404, params=lambda w: {"event_id": w.event.id, "fmt": "csv"}
    ),
    "rsvp.registration_action": Access(
        LOGIN, NO, 302, 302, 404, method="POST", params=_reg("promote")
    ),
    "rsvp.questions": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 422, 422, 404, method="POST", **EVENT),
    ],
    "rsvp.question_edit": [
        Access(LOGIN, NO, 200, 200, 404, params=_question()),
        Access(LOGIN, NO, 302, 302, 404, method="POST", params=_question()),
    ],
    "rsvp.question_move": Access(
        LOGIN, NO, 302, 302, 404, method="POST", params=_question(direction="down")
    ),
    "rsvp.question_delete": Access(LOGIN, NO, 302, 302, 404, method="POST", params=_question()),
    "rsvp.settings": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
}
