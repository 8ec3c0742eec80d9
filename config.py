"""Configuration from the environment.

Every setting Liqaa reads is here, with its default; the README lists them.
"""

from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret(name: str, default: str | None = None) -> str | None:
    """`NAME`, or the content of the file `NAME_FILE` names (systemd credentials, container
    secrets); the file wins when both are set."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Production-safe defaults; development and tests loosen them explicitly."""

    # "development" reads or creates instance/secret_key and serves over plain HTTP;
    # anything else is production: SECRET_KEY must be set and cookies are Secure.
    ENV_NAME = os.environ.get("LIQAA_ENV", "production")
    SECRET_KEY = _secret("SECRET_KEY")
    # Seals the personal links kept in the database (core/tokens.py); None: derived from
    # SECRET_KEY. Set it to keep writing old links after SECRET_KEY changes.
    TOKEN_SEAL_KEY = _secret("TOKEN_SEAL_KEY")
    # None means "instance/liqaa.db" (resolved in create_app, where the instance path is known).
    SQLALCHEMY_DATABASE_URI = _secret("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Development only: BASE_URL follows the address the pages are requested on.
    BASE_URL_FOLLOWS_REQUESTS = False
    MAIL_CAPTURE = False  # development only (see DevelopmentConfig)
    MAIL_CAPTURE_DIR = os.environ.get("MAIL_CAPTURE_DIR")
    # How many reverse proxies stand in front (nginx: 1). Their X-Forwarded-For and
    # X-Forwarded-Proto then give the client's address (rate limits are per client) and
    # the scheme; with 0 those headers are ignored, so a client cannot choose them.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "ar")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Africa/Casablanca")
    LANGUAGES = ("ar", "fr", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a door shift or an afternoon of editing
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 25) * 1024 * 1024

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = _secret("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "liqaa@localhost")
    # Seconds the outbox waits on the mail server (connect, each reply) before giving up.
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    # DKIM signing of every outgoing email (core/dkim_signing.py): off while the key file
    # (an RSA private key in PEM) is unset; the domain defaults to MAIL_DEFAULT_SENDER's.
    DKIM_KEY_FILE = os.environ.get("DKIM_KEY_FILE") or None
    DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "liqaa")
    DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN") or None
    # How long a worker holds the messages it claimed; a dead worker's are sent again after.
    OUTBOX_LEASE_SECONDS = _int("OUTBOX_LEASE_SECONDS", 300)
    # The embedded (SQLite) setup runs one outbox worker inside the web process.
    OUTBOX_IN_PROCESS_WORKER = _bool("OUTBOX_IN_PROCESS_WORKER", True)
    # From this many new invitations, "send" makes a background job the workers do in batches.
    INVITE_JOB_THRESHOLD = _int("INVITE_JOB_THRESHOLD", 2000)
    DELIVERY_COUNTS_SECONDS = _int("DELIVERY_COUNTS_SECONDS", 60)
    # Above this many badges, a sheet's PDF is made by the workers in parts (reports/badge_jobs).
    BADGE_JOB_THRESHOLD = _int("BADGE_JOB_THRESHOLD", 100)
    # Seconds a process keeps an organisation's tag and trade lists (members filter); 0: off.
    MEMBER_FILTER_CACHE_SECONDS = _int("MEMBER_FILTER_CACHE_SECONDS", 60)

    REDIS_URL = os.environ.get("REDIS_URL")
    # Redis when REDIS_URL is set (several web workers share the counts), else this process.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # "Forgotten password" requests: per client address, and per email address asked for.
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per hour")
    RESET_EMAIL_RATE_LIMIT = os.environ.get("RESET_EMAIL_RATE_LIMIT", "3 per hour")
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "60 per minute")

    PAGE_SIZE = 25
    # Door devices' tokens are looked up once per this many seconds per process; a
    # revocation reaches every process within it (0: look up on every scan).
    DOOR_TOKEN_CACHE_SECONDS = _int("DOOR_TOKEN_CACHE_SECONDS", 5)


def _served_address() -> str:
    """Where `make run` / `flask run` serves (FLASK_RUN_HOST, FLASK_RUN_PORT)."""
    host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere, linked on this machine
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('FLASK_RUN_PORT') or 5000}"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Links in emails and QR codes point at this server, on whatever port it was started
    # (make run PORT=5101); a BASE_URL set in the environment wins. `flask run --port`
    # is not in the environment: then the first request's address is taken.
    BASE_URL = os.environ.get("BASE_URL") or _served_address()
    BASE_URL_FOLLOWS_REQUESTS = not os.environ.get("BASE_URL")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_PORT = _int("MAIL_PORT", 1025)
    # Without MAIL_SERVER in the environment, outgoing email is kept in MAIL_CAPTURE_DIR
    # (default instance/mail) and read at /dev/mail instead of being sent.
    MAIL_CAPTURE = _bool("MAIL_CAPTURE", not os.environ.get("MAIL_SERVER"))


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    OUTBOX_IN_PROCESS_WORKER = False
    MEMBER_FILTER_CACHE_SECONDS = 0  # each test's organisations are new (ids come back)
    BASE_URL = "http://liqaa.test"
    SERVER_NAME = None
    REDIS_URL = None
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1  # nothing listens there: a test that sends mail must start smtp_server
    MAIL_SUPPRESS_SEND = False  # tests talk to a real SMTP server (tests/conftest.py)
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a cheap hash keeps the suite quick


def config_for(name: str | None) -> type[Config]:
    return {"development": DevelopmentConfig, "test": TestConfig}.get(name or "", Config)
