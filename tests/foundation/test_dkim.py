"""DKIM: every email the outbox sends is signed when DKIM_KEY_FILE is set, and a receiver
holding the published key verifies what the SMTP server received; only the DNS look-up
is replaced."""

from __future__ import annotations

import re
import time

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app import create_app
from core import dkim_signing, outbox
from tests.foundation.conftest import pem
from tests.foundation.test_proxy_and_config import GOOD
from tests.mail_kinds import send_every_kind

SELECTOR, DOMAIN = "liqaa2026", "association.ma"


@pytest.fixture
def signing(app, key_file, monkeypatch):
    monkeypatch.setitem(app.config, "DKIM_KEY_FILE", str(key_file))
    monkeypatch.setitem(app.config, "DKIM_SELECTOR", SELECTOR)
    monkeypatch.setitem(app.config, "DKIM_DOMAIN", None)  # MAIL_DEFAULT_SENDER's domain
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", f"liqaa@{DOMAIN}")


def _dns(rsa_key, asked: list | None = None):
    record = dkim_signing.public_record(rsa_key).encode()

    def lookup(name, timeout=5):
        if asked is not None:
            asked.append(name)
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup


def _tags(raw: bytes) -> dict[str, str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    signature = re.search(r"^DKIM-Signature:(.*?)\r\n(?=\S)", head, re.S | re.M).group(1)
    return {
        k.strip(): "".join(v.split())
        for k, _, v in (t.partition("=") for t in signature.split(";") if t.strip())
    }


def test_every_kind_of_email_is_signed_and_verifies_with_the_published_key(
    org, smtp_server, signing, rsa_key
):
    received = send_every_kind(org, smtp_server, "ar")
    kinds = {k for k in outbox.builder_kinds() if not k.startswith("test-")}  # tests' own
    assert {k.split(":")[0] for k in received} == kinds  # every kind Liqaa sends
    for kind, (raw, parsed) in received.items():
        asked: list = []
        assert dkim.verify(raw, dnsfunc=_dns(rsa_key, asked)), kind
        assert asked == [f"{SELECTOR}._domainkey.{DOMAIN}.".encode()]
        tags = _tags(raw)
        assert (tags["d"], tags["s"], tags["a"]) == (DOMAIN, SELECTOR, "rsa-sha256")
        signed = tags["h"].lower().split(":")
        for header in ("from", "to", "subject", "date", "message-id", "mime-version",
                       "content-type", "reply-to", "list-unsubscribe"):  # fmt: skip
            assert header in signed, (kind, header)
        assert parsed["From"].addresses[0].domain == DOMAIN  # aligned for DMARC


def test_a_changed_body_or_subject_fails_verification(org, smtp_server, signing, rsa_key):
    received = send_every_kind(org, smtp_server, "fr", kinds={"invitation"})
    ((raw, _),) = received.values()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert dkim.verify(raw, dnsfunc=_dns(rsa_key))
    # One character of the first base64 line of the text part, as a relay might rewrite it.
    line = re.search(rb"\r\n\r\n([A-Za-z0-9+/]{20,})\r\n", body)
    at = len(head) + 4 + line.start(1)
    flipped = raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :]
    assert flipped != raw and not dkim.verify(flipped, dnsfunc=_dns(rsa_key))
    subject = re.sub(rb"\r\nSubject: [^\r]*", b"\r\nSubject: You won a prize", raw, count=1)
    assert subject != raw and not dkim.verify(subject, dnsfunc=_dns(rsa_key))
    added = raw.replace(b"\r\n\r\n", b"\r\nReply-To: thief@evil.example\r\n\r\n", 1)
    if b"\r\nReply-To:" not in head:  # an absent header is signed as absent
        assert not dkim.verify(added, dnsfunc=_dns(rsa_key))
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert not dkim.verify(raw, dnsfunc=_dns(other_key))


def test_without_a_key_file_nothing_is_signed(org, smtp_server, app):
    assert not app.config.get("DKIM_KEY_FILE")
    received = send_every_kind(org, smtp_server, "en", kinds={"invitation"})
    ((raw, parsed),) = received.values()
    assert "DKIM-Signature" not in parsed and b"DKIM-Signature" not in raw


def test_a_pkcs1_key_with_windows_line_ends_signs_too(tmp_path, rsa_key):
    path = tmp_path / "dkim.pem"
    data = pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)
    path.write_bytes(data.replace(b"\n", b"\r\n"))
    config = {"DKIM_KEY_FILE": str(path), "DKIM_SELECTOR": SELECTOR,
              "MAIL_DEFAULT_SENDER": f"x@{DOMAIN}"}  # fmt: skip
    signer = dkim_signing.signer(config)
    message = (b"From: x@association.ma\r\nTo: y@example.ma\r\nSubject: hi\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n")  # fmt: skip
    assert dkim.verify(signer.sign(message), dnsfunc=_dns(rsa_key))


def test_the_signature_is_byte_for_byte_the_one_dkimpy_writes(
    org, smtp_server, signing, rsa_key, monkeypatch
):
    """Only the RSA step is OpenSSL's (dkimpy's pure-Python one costs 10–30 ms)."""
    ((raw, _),) = send_every_kind(org, smtp_server, "ar", kinds={"rsvp_ticket"}).values()
    message = re.sub(rb"\ADKIM-Signature:.*?\r\n(?=\S)", b"", raw, flags=re.S)
    assert message != raw and b"DKIM-Signature" not in message
    monkeypatch.setattr(time, "time", lambda: 1_764_687_600.0)
    ours = dkim_signing.Signer(rsa_key, SELECTOR, DOMAIN).sign(message)
    theirs = dkim.sign(
        message,
        SELECTOR.encode(),
        DOMAIN.encode(),
        pem(rsa_key),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(dkim_signing.SIGNED_HEADERS),
        linesep=b"\r\n",
    )
    assert ours == theirs + message


def _bad_files(tmp_path, rsa_key) -> dict[str, tuple[str, str]]:
    files = {
        "public": rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "text": b"v=DKIM1; k=rsa; p=MIIBIjANBgkq\n",
        "ec": pem(ec.generate_private_key(ec.SECP256R1())),
        "passphrase": rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        ),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    words = {"public": "not a PEM private key", "text": "not a PEM private key",
             "ec": "not an RSA key", "passphrase": "passphrase"}  # fmt: skip
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()  # a folder: cannot be read as a file, even as root
    return {
        **{name: (str(tmp_path / name), words[name]) for name in files},
        "missing": (str(tmp_path / "no-such.pem"), "cannot be read"),
        "unreadable": (str(unreadable), "cannot be read"),
    }


def test_production_refuses_a_key_file_it_cannot_use(tmp_path, rsa_key, key_file, monkeypatch):
    monkeypatch.delenv("LIQAA_SKIP_CHECK", raising=False)
    for name, (path, words) in _bad_files(tmp_path, rsa_key).items():
        with pytest.raises(RuntimeError) as refused:
            create_app({**GOOD, "DKIM_KEY_FILE": path})
        lines = [line for line in str(refused.value).splitlines() if "DKIM_KEY_FILE" in line]
        assert len(lines) == 1 and words in lines[0] and path in lines[0], (name, refused.value)
    for change, words in (({"DKIM_SELECTOR": "my key"}, "DKIM_SELECTOR 'my key'"),
                          ({"DKIM_DOMAIN": "localhost"}, "DKIM_DOMAIN 'localhost'")):  # fmt: skip
        with pytest.raises(RuntimeError, match=words):
            create_app({**GOOD, "DKIM_KEY_FILE": str(key_file), **change})
    app = create_app({**GOOD, "DKIM_KEY_FILE": str(key_file)})  # a good key starts
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and str(key_file) in result.output, result.output


def test_a_key_that_breaks_after_start_fails_the_message_which_is_retried(
    org, smtp_server, signing, app, monkeypatch
):
    monkeypatch.setitem(app.config, "DKIM_KEY_FILE", "/no/such/dkim.pem")
    from core.outbox import OutboxMessage, OutboxState
    from extensions import db

    with pytest.raises(AssertionError):
        send_every_kind(org, smtp_server, "fr", kinds={"invitation"})
    (message,) = db.session.scalars(db.select(OutboxMessage)).all()
    assert message.state == OutboxState.QUEUED and "cannot be read" in message.last_error
    assert smtp_server.raw == []  # nothing went out unsigned
