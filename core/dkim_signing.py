"""DKIM signatures on outgoing email (dkimpy), with the private key read from a file.

Off while DKIM_KEY_FILE is unset. When it is set, every message the outbox sends is
signed just before it goes out (core.outbox_delivery), for the domain DKIM_DOMAIN (the
domain of MAIL_DEFAULT_SENDER by default) and the selector DKIM_SELECTOR: receivers look
the public key up at `<selector>._domainkey.<domain>`. In production a key file that is
unreadable or not an RSA private key stops Liqaa at start (core.checks).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from dkim.canonicalization import CanonicalizationPolicy

# The headers a receiver must see unchanged. Those a message lacks (Reply-To,
# List-Unsubscribe on a ticket) are signed as absent, so nobody can add them on the way.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"Reply-To",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",  # RFC 8058: one-click unsubscribe counts only when signed
)
MIN_BITS = 1024  # receivers ignore shorter keys (RFC 8301)
SELECTOR = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)*")
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")


class UnusableKey(ValueError):
    """The key file cannot be used; the message says why, in one line."""


def domain_of(config) -> str:
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    return (config.get("DKIM_DOMAIN") or sender.rpartition("@")[2]).strip().lower()


def selector_of(config) -> str:
    return (config.get("DKIM_SELECTOR") or "").strip()


def load_private_key(path: str) -> rsa.RSAPrivateKey:
    """The RSA private key in the PEM file at `path`, or UnusableKey saying what is wrong."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UnusableKey(f"cannot be read ({error.strerror or error})") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise UnusableKey("is protected by a passphrase; store it without one") from None
    except ValueError:
        raise UnusableKey("is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnusableKey("is not an RSA key (DKIM here signs with rsa-sha256)")
    if key.key_size < MIN_BITS:
        raise UnusableKey(f"is a {key.key_size}-bit key; receivers ignore keys under {MIN_BITS}")
    return key


def public_record(key: rsa.RSAPrivateKey) -> str:
    """The TXT record to publish at `<selector>._domainkey.<domain>` for this key."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def problem(config) -> str | None:
    """One line saying what is wrong with the DKIM settings, or None (also when off)."""
    path = config.get("DKIM_KEY_FILE")
    if not path:
        return None
    try:
        load_private_key(path)
    except UnusableKey as error:
        return (
            f"DKIM_KEY_FILE {path} {error}: give the service's user a readable RSA private "
            "key (`openssl genrsa -out dkim.pem 2048`) or unset DKIM_KEY_FILE to send unsigned."
        )
    if not SELECTOR.fullmatch(selector_of(config)):
        return (
            f"DKIM_SELECTOR {selector_of(config)!r} is not a DNS label: use letters, digits "
            "and hyphens, e.g. liqaa2026."
        )
    if not DOMAIN.fullmatch(domain_of(config)):
        return (
            f"DKIM_DOMAIN {domain_of(config)!r} is not a domain name: set it (or "
            "MAIL_DEFAULT_SENDER) to the association's domain, e.g. association.ma."
        )
    return None


class Signer:
    """Signs whole messages (bytes as written by core.mime) for one domain and selector.

    The message is parsed, canonicalised (relaxed/relaxed), its headers selected and the
    DKIM-Signature folded by dkimpy, exactly as `dkim.sign` does; only the RSA step is
    OpenSSL's (cryptography). dkimpy computes it in pure Python: 10–30 ms a message with
    a 2048-bit key, against about 1 ms for everything else a worker does per message
    (bench/dkim_sign.py). The tests check that both give the same bytes.
    """

    NAME = b"DKIM-Signature"

    def __init__(self, key: rsa.RSAPrivateKey, selector: str, domain: str):
        self.key = key
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("idna")
        self.policy = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
        self.include = tuple(name.lower() for name in SIGNED_HEADERS)

    def sign(self, message: bytes) -> bytes:
        """The message with its DKIM-Signature header in front."""
        headers, body = dkim.rfc822_parse(message)
        body_hash = hashlib.sha256(self.policy.canonicalize_body(body)).digest()
        fields = [
            (b"v", b"1"),
            (b"a", b"rsa-sha256"),
            (b"c", self.policy.to_c_value()),
            (b"d", self.domain),
            (b"i", b"@" + self.domain),
            (b"q", b"dns/txt"),
            (b"s", self.selector),
            (b"t", str(int(time.time())).encode("ascii")),
            (b"h", b" : ".join(self.include)),
            (b"bh", base64.b64encode(body_hash)),
            (b"b", b"0" * 60),  # as dkimpy: b= folds onto its own line
        ]
        value = dkim.fold(self._join(fields), namelen=len(self.NAME))
        hashed = hashlib.sha256()
        dkim.hash_headers(
            hashed,
            self.policy,
            self.policy.canonicalize_headers(headers),
            self.include,
            (self.NAME, b" " + dkim.RE_BTAG.sub(b"\\1", value)),
            None,
        )
        signature = self.key.sign(
            hashed.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
        )
        fields[-1] = (b"b", base64.b64encode(signature))
        value = dkim.fold(self._join(fields) + b"\r\n", namelen=len(self.NAME))
        return self.NAME + b": " + value + message

    @staticmethod
    def _join(fields) -> bytes:
        return b"; ".join(b"=".join(field) for field in fields)


_signers: dict[tuple, Signer] = {}
_lock = threading.Lock()


def signer(config) -> Signer | None:
    """The signer for these settings (the key file is read once per process), or None
    when signing is off."""
    path = config.get("DKIM_KEY_FILE")
    if not path:
        return None
    settings = (path, selector_of(config), domain_of(config))
    with _lock:
        if settings not in _signers:
            _signers[settings] = Signer(load_private_key(path), settings[1], settings[2])
        return _signers[settings]
