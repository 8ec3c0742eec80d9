import pytest
from flask_babel import force_locale

from blueprints.events.models import Event
from blueprints.invitations import services
from extensions import db
from tests.conftest import make_event, make_member


@pytest.fixture
def event(org):
    org.reply_to = "organisatrice@assoc.ma"
    org.sender_name = "Association des TPE"
    db.session.commit()
    return make_event(
        org,
        map_url="https://www.openstreetmap.org/?mlat=35.17&mlon=-2.93",
        venue_address="Boulevard Principal, Nador",
    )


@pytest.fixture
def invitees(org):
    return [
        make_member(org, "أمينة الريفي", email="amina@example.ma", locale="ar", trade="BTP"),
        make_member(org, "Jean Dupont", email="jean@example.ma", locale="fr", trade="BTP"),
        make_member(org, "Sans Email", email=None, locale="fr", trade="BTP"),
        make_member(org, "Other Trade", email="other@example.ma", locale="en", trade="Textile"),
    ]


def invite(event: Event, **audience):
    with force_locale("en"):
        result = services.invite(event, services.Audience(**audience), None)
    db.session.commit()
    return result
