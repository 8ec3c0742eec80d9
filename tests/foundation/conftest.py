"""Fixtures of the foundation tests: a DKIM key and its file."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def pem(key, private_format=serialization.PrivateFormat.PKCS8) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    )


@pytest.fixture(scope="session")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path, rsa_key):
    """The key as `openssl genrsa` writes it today (PKCS#8)."""
    path = tmp_path / "dkim.pem"
    path.write_bytes(pem(rsa_key))
    return path
