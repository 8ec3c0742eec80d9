from blueprints.members.importer import read_table
from blueprints.members.models import MemberImport
from tests.access import Access
from tests.conftest import make_member

LOGIN = 302
NO = 403
MEMBER = {"params": lambda w: {"member_id": w.member.id}}
IMPORT = {"params": lambda w: {"import_id": w.member_import.id}}


def setup(world):
    from extensions import db

    world.member = make_member(world.org, "Samira Alaoui")
    upload = MemberImport(
        organisation_id=world.org.id,
        filename="list.csv",
        data=read_table("Nom;Téléphone\nKarim;0612345678\n".encode(), "list.csv").dumps(),
        mapping={"0": "full_name", "1": "phone"},
    )
    db.session.add(upload)
    db.session.commit()
    world.member_import = upload


ROUTES = {
    "members.index": Access(LOGIN, NO, 200, 200, 200),
    "members.new": [
        Access(LOGIN, NO, 200, 200, 200),
        Access(LOGIN, NO, 200, 200, 200, method="POST"),
    ],
    "members.edit": [
        Access(LOGIN, NO, 200, 200, 404, **MEMBER),
        # an empty POST is a form with nothing in it: shown again with its errors
        Access(LOGIN, NO, 200, 200, 404, method="POST", **MEMBER),
    ],
    "members.archive": Access(LOGIN, NO, 302, 302, 404, method="POST", **MEMBER),
    "members.restore": Access(LOGIN, NO, 302, 302, 404, method="POST", **MEMBER),
    "members.export": Access(LOGIN, NO, 200, 200, 200, params=lambda w: {"fmt": "csv"}),
    "members.import_upload": [
        Access(LOGIN, NO, 200, 200, 200),
        Access(LOGIN, NO, 200, 200, 200, method="POST"),
    ],
    "members.import_preview": [
        Access(LOGIN, NO, 200, 200, 404, **IMPORT),
        Access(LOGIN, NO, 302, 302, 404, method="POST", **IMPORT),
    ],
    "members.import_confirm": Access(LOGIN, NO, 302, 302, 404, method="POST", **IMPORT),
}
