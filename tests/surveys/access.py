"""Survey routes in the permission matrix (see tests/access.py)."""

from tests.access import Access

LOGIN, NO = 302, 403
EVENT = {"params": lambda w: {"event_id": w.event.id}}
QUESTION = {"params": lambda w: {"event_id": w.event.id, "question_id": w.survey_question.id}}


def setup(world) -> None:
    from blueprints.surveys import services
    from blueprints.surveys.models import SurveyInvite, SurveyStatus
    from core.db import utcnow
    from extensions import db

    survey = services.create_survey(world.event)
    survey.status = SurveyStatus.OPEN
    db.session.flush()
    world.survey_question = survey.questions[-1]
    invite = SurveyInvite(
        organisation_id=world.org.id,
        survey_id=survey.id,
        person_key="r:0",
        registration_id=_registration(world).id,
        email="guest@example.ma",
        send_at=utcnow(),
        created_at=utcnow(),
    )
    db.session.add(invite)
    db.session.commit()
    world.survey_token = invite.token


def _registration(world):
    from blueprints.rsvp.models import Registration, RegistrationStatus
    from extensions import db

    registration = Registration(
        organisation_id=world.org.id,
        event_id=world.event.id,
        status=RegistrationStatus.ACCEPTED,
        full_name="Guest",
        email="guest@example.ma",
    )
    db.session.add(registration)
    db.session.flush()
    return registration


ROUTES = {
    "surveys.manage": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "surveys.create": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "surveys.settings": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "surveys.open_": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "surveys.close": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "surveys.send_now": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "surveys.question_new": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **EVENT),
    ],
    "surveys.question_edit": [
        Access(LOGIN, NO, 200, 200, 404, **QUESTION),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **QUESTION),
    ],
    "surveys.question_delete": Access(LOGIN, NO, 302, 302, 404, method="POST", **QUESTION),
    "surveys.question_move": Access(
        LOGIN,
        NO,
        302,
        302,
        404,
        method="POST",
        params=lambda w: {
            "event_id": w.event.id,
            "question_id": w.survey_question.id,
            "direction": "up",
        },
    ),
    "surveys.results": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "surveys.export": Access(
        LOGIN, NO, 200, 200, 404, params=lambda w: {"event_id": w.event.id, "fmt": "csv"}
    ),
    "surveys.report": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    # public: the link is the credential; an empty POST is refused with the form's errors
    "surveys.respond": [
        Access(*[200] * 5, params=lambda w: {"token": w.survey_token}),
        Access(*[400] * 5, method="POST", params=lambda w: {"token": w.survey_token}),
    ],
}
