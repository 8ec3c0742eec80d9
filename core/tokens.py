"""Unguessable tokens, and how personal links are kept in the database.

A personal link (RSVP, ticket, survey, confirmation) is a random token of 192 bits. The
database never holds it in clear, so a dump of it gives no working link:

- `<name>_hash` holds its SHA-256, the only thing a request is looked up by (one indexed
  equality). A keyed hash would add nothing here: the token is random and 192 bits long,
  so its digest cannot be reversed or guessed, and comparing digests through an index
  tells a timing observer nothing about any other token. The unkeyed digest is also what
  the door's offline roster already ships (`ticket_sha256`), so it is one concept.
- `<name>_sealed` holds the token encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under
  TOKEN_SEAL_KEY, so that Liqaa can write the link again later (reminders, printed QR
  cards, "change my answer"). Without the key the sealed value is useless.

TOKEN_SEAL_KEY defaults to a key derived from SECRET_KEY: changing SECRET_KEY without
setting TOKEN_SEAL_KEY to the old derived value keeps every link working (look-ups need
no key) but makes Liqaa unable to write the old links into new emails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from extensions import db

TOKEN_BYTES = 24  # 192 bits, comfortably above the 128 the design asks for
MAX_TOKEN_LENGTH = 200  # longer input is not a token of ours: no hashing, no query


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def same_token(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_digest(token: str | None) -> str | None:
    """What a personal link is looked up by; None for what cannot be one of ours."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return sha256_hex(token)


def derived_seal_key(secret_key: str) -> str:
    raw = hmac.new(secret_key.encode(), b"liqaa personal-link seal", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(raw).decode()


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _seal_key() -> str:
    config = current_app.config
    return config.get("TOKEN_SEAL_KEY") or derived_seal_key(config["SECRET_KEY"])


def seal(token: str, key: str | None = None) -> str:
    return _fernet(key or _seal_key()).encrypt(token.encode()).decode()


def unseal(sealed: str, key: str | None = None) -> str | None:
    """The token back, or None when the key that sealed it is gone."""
    try:
        return _fernet(key or _seal_key()).decrypt(sealed.encode()).decode()
    except InvalidToken:
        current_app.logger.error("a personal link cannot be unsealed: TOKEN_SEAL_KEY changed?")
        return None


def sealed_token(name: str) -> property:
    """A model attribute that reads and writes the token behind `<name>_hash`/`_sealed`.

    Setting it stores the digest and the sealed token; reading it unseals once per object.
    """
    hash_attr, sealed_attr, cache = f"{name}_hash", f"{name}_sealed", f"_plain_{name}"

    def get(self) -> str | None:
        stored = getattr(self, sealed_attr)
        known = self.__dict__.get(cache)
        if known is None or known[0] != stored:  # first read, or changed since
            known = (stored, unseal(stored) if stored else None)
            self.__dict__[cache] = known
        return known[1]

    def set_(self, value: str | None) -> None:
        setattr(self, hash_attr, sha256_hex(value) if value else None)
        sealed = seal(value) if value else None
        setattr(self, sealed_attr, sealed)
        self.__dict__[cache] = (sealed, value)

    return property(get, set_, doc=f"the {name} in clear (stored only hashed and sealed)")


def find_by_token(model, token: str | None, name: str = "token", options=()):
    """The row of `model` whose `name` token this is, else None: one indexed look-up
    (`options`: loader options, the rows the caller reads with it in the same statement)."""
    digest = token_digest(token)
    if digest is None:
        return None
    stmt = sa.select(model).where(getattr(model, f"{name}_hash") == digest)
    return db.session.scalar(stmt.options(*options))
