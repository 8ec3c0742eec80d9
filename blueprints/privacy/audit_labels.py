"""What the audit log's codes mean, in the owner's language.

Entries keep their code (`member.update`, `checkin.undo`): the export and any tool reading it
rely on it. The owner's page shows these names instead, with the code as a tooltip.
tests/privacy/test_audit_labels.py finds every action the code records and fails on one
without a name here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.templating import register_labels

ACTIONS = {
    "signin": _l("Signed in"),
    "signin.failed": _l("Failed sign-in"),
    "password.reset_asked": _l("Password reset asked"),
    "password.reset": _l("Password reset"),
    "export": _l("Export downloaded"),
    "members.import": _l("Members imported"),
    "invitations.job": _l("Invitations started"),
    "invitations.send": _l("Invitations sent"),
    "reminders.send": _l("Reminders sent"),
    "survey.send": _l("Survey sent"),
    "notice.raised": _l("Change notice prepared"),
    "notice.send": _l("Change notice sent"),
    "notice.dismiss": _l("Change notice dismissed"),
    "checkin.manual": _l("Admitted by hand"),
    "checkin.walk_in": _l("Walk-in admitted"),
    "checkin.undo": _l("Check-in undone"),
    "member.self_correct": _l("Member corrected their data"),
    "member.consent_withdrawn": _l("Member withdrew consent"),
    "member.erasure_requested": _l("Erasure asked by the member"),
    "member.erase": _l("Member erased"),
    "retention.purge": _l("Old data anonymised"),
    "member.create": _l("Member added"),
    "member.update": _l("Member edited"),
    "member.delete": _l("Member deleted"),
    "member.archive": _l("Member archived"),
    "member.restore": _l("Member restored"),
    "event.create": _l("Event created"),
    "event.update": _l("Event edited"),
    "event.delete": _l("Event deleted"),
    "event.archive": _l("Event archived"),
    "event.restore": _l("Event restored"),
    "registration.create": _l("Registration added"),
    "registration.update": _l("Registration edited"),
    "registration.delete": _l("Registration deleted"),
    "registration.archive": _l("Registration archived"),
    "registration.restore": _l("Registration restored"),
    "user.create": _l("Account created"),
    "user.update": _l("Account edited"),
    "user.delete": _l("Account deleted"),
    "user.archive": _l("Account archived"),
    "user.restore": _l("Account restored"),
}

OBJECTS = {
    "member": _l("Member"),
    "event": _l("Event"),
    "registration": _l("Registration"),
    "user": _l("Account"),
    "survey": _l("Survey"),
    "member_import": _l("Import"),
}

register_labels("audit", ACTIONS)
register_labels("audit_object", OBJECTS)
