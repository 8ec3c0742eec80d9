"""The SMTP connection the outbox sends through, with timeouts.

Flask-Mail opens its connections without a timeout: a mail server that accepts the
connection and then never answers kept a worker waiting forever while its lease ran out.
Here every connect, read and write gives up after MAIL_TIMEOUT seconds.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from core import dev_mail


def open_connection(config) -> smtplib.SMTP | dev_mail.CapturedConnection:
    if dev_mail.capturing(config):  # development without a mail server: kept in files
        return dev_mail.CapturedConnection(config["MAIL_CAPTURE_DIR"])
    timeout = float(config.get("MAIL_TIMEOUT") or 30)
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        close(connection)
        raise
    return connection


def close(connection: smtplib.SMTP | dev_mail.CapturedConnection) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.quit()
    with contextlib.suppress(OSError):
        connection.close()
