"""What DKIM signing costs per message: dkimpy signing an invitation-sized email.

    python bench/dkim_sign.py [N]          # default 300 signatures per key size

The message is written by core.mime as the outbox writes an invitation (Arabic subject,
text and HTML parts, an inline logo, an .ics; about 7 KB). Prints the CPU time of one
signature with 1024-, 2048- and 3072-bit RSA keys, next to writing the message itself
and to dkimpy's own `dkim.sign` (whose RSA step is pure Python).
For the cost inside the blast, run `DKIM_KEY_FILE=key.pem python bench/invite_blast.py`
and compare its worker CPU per message with a run without it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dkim  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from core import dkim_signing, mime  # noqa: E402


def invitation() -> bytes:
    text = "السلام عليكم، يسرنا دعوتكم إلى اللقاء الإعلامي حول الضمان الاجتماعي.\n" * 20
    html = f"<html dir='rtl'><body><p>{text}</p><img src='cid:logo'></body></html>"
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "X-FILL:" + "x" * 60 + "\r\n") * 8
    attachments = [
        ("logo.png", "image/png", os.urandom(1500), "logo@liqaa"),
        ("invite.ics", "text/calendar", ics.encode(), None),
    ]
    headers = [
        ("From", mime.address("جمعية المقاولين", "liqaa@association.ma")),
        ("To", mime.address("أمين العلوي", "amine@example.ma")),
        ("Subject", mime.header_value("دعوة: لقاء إعلامي حول الضمان الاجتماعي")),
        ("Date", "Wed, 02 Dec 2026 15:00:00 +0000"),
        ("Message-ID", "<bench@association.ma>"),
        ("List-Unsubscribe", "<https://liqaa.example.ma/u/abc>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    return mime.message(headers, mime.body(text, html, attachments))


def per_call(fn, n: int) -> float:
    """Median of five batches, in microseconds of this process's CPU per call (less
    sensitive than the wall clock to other work on the machine)."""
    batches = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(max(n // 5, 1)):
            fn()
        batches.append((time.process_time() - start) / max(n // 5, 1) * 1e6)
    return statistics.median(batches)


def signer_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    message = invitation()
    print(f"message: {len(message) / 1024:.1f} KB")
    print(f"writing it (core.mime): {per_call(invitation, n):.0f} µs")
    folder = Path(tempfile.mkdtemp())
    for bits in (1024, 2048, 3072):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        path = folder / f"{bits}.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        config = {"DKIM_KEY_FILE": str(path), "DKIM_SELECTOR": "bench",
                  "MAIL_DEFAULT_SENDER": "liqaa@association.ma"}  # fmt: skip
        signer = dkim_signing.signer(config)
        signed = signer.sign(message)
        record = dkim_signing.public_record(key).encode()
        assert dkim.verify(signed, dnsfunc=lambda name, timeout=5, r=record: r)
        cost = per_call(lambda s=signer: s.sign(message), n)
        pem = signer_pem(key)
        pure = per_call(
            lambda p=pem: dkim.sign(message, b"bench", b"association.ma", p,
                                    canonicalize=(b"relaxed", b"relaxed"),
                                    include_headers=list(dkim_signing.SIGNED_HEADERS)),
            max(n // 10, 5),
        )  # fmt: skip
        print(f"RSA {bits}: signing {cost:.0f} µs per message "
              f"({1e6 / cost:.0f} signatures/s on one core); "
              f"dkimpy's own dkim.sign (pure-Python RSA): {pure:.0f} µs")  # fmt: skip


if __name__ == "__main__":
    main()
