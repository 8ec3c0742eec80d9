"""The outbox delivers through a real SMTP server, keeps its Message-ID across retries."""

from core.outbox import BuiltEmail, OutboxMessage, OutboxState, enqueue, register_builders
from core.outbox_delivery import deliver_due
from extensions import db


def _hello(message):
    return BuiltEmail(
        subject=f"مرحبا {message.payload['name']}",
        text="plain part",
        html="<p dir='rtl'>html part</p>",
        sender_name="Association",
        reply_to="organiser@example.ma",
        attachments=[("hello.txt", "text/plain", b"attached", None)],
    )


register_builders({"test-hello": _hello})


def test_enqueue_is_idempotent_and_delivery_reaches_smtp(app, org, smtp_server):
    first = enqueue(
        db.session,
        key="hello:1",
        kind="test-hello",
        to_email="a@example.ma",
        locale="ar",
        payload={"name": "أمين"},
        organisation_id=org.id,
    )
    again = enqueue(
        db.session,
        key="hello:1",
        kind="test-hello",
        to_email="a@example.ma",
        locale="ar",
        payload={"name": "أمين"},
        organisation_id=org.id,
    )
    db.session.commit()
    assert first is not None and again is None
    assert deliver_due() == (1, 0)
    ((_, rcpt, parsed),) = smtp_server.wait_for(1)
    assert rcpt == ["a@example.ma"]
    assert parsed["Subject"] == "مرحبا أمين"
    assert parsed["Reply-To"] == "organiser@example.ma"
    assert parsed["Message-ID"] == db.session.get(OutboxMessage, first.id).message_id
    assert parsed.get_body(("plain",)).get_content().strip() == "plain part"
    assert "html part" in parsed.get_body(("html",)).get_content()
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names == ["hello.txt"]


def test_smtp_refusal_requeues_with_the_same_message_id(app, org, smtp_server):
    enqueue(
        db.session,
        key="hello:2",
        kind="test-hello",
        to_email="b@example.ma",
        locale="fr",
        payload={"name": "Nadia"},
        organisation_id=org.id,
    )
    db.session.commit()
    smtp_server.refuse = True
    assert deliver_due() == (0, 1)
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.state == OutboxState.QUEUED and "451" in message.last_error
    first_id = message.message_id
    smtp_server.refuse = False
    assert deliver_due(now=message.send_after) == (1, 0)
    ((_, _, parsed),) = smtp_server.wait_for(1)
    assert parsed["Message-ID"] == first_id


def test_every_kind_of_email_has_a_name_in_each_language(app):
    """The delivery page and the member's own page name each email by its kind: a kind
    without a label would show its code (`followup_answer`) to an Arabic reader."""
    from flask_babel import force_locale

    from core.outbox import builder_kinds
    from core.templating import key_label

    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                kinds = {k for k in builder_kinds() if not k.startswith("test-")}  # the tests' own
                unnamed = sorted(k for k in kinds if key_label("email", k) == k)
                assert not unnamed, f"{language}: no label for {unnamed}"
