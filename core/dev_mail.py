"""Development without a mail server: outgoing email is kept as .eml files, and read back
for the development mail viewer (/dev/mail). Never used outside development."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

NAME = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{12}\.eml$")
SHOWN = 200  # the newest messages the viewer lists


def capturing(config) -> bool:
    return bool(config.get("MAIL_CAPTURE")) and config.get("ENV_NAME") == "development"


class CapturedConnection:
    """Takes the place of the SMTP connection: each message becomes one .eml file."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def sendmail(self, sender: str, recipients: list[str], data: bytes) -> dict:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class Captured:
    name: str
    subject: str
    to: str
    sender: str
    date: datetime | None
    text: str = ""
    html: str | None = None


def _parse(path: Path, with_body: bool) -> Captured:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    try:
        date = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    captured = Captured(
        name=path.name,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=date,
    )
    if with_body:
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        captured.text = text.get_content() if text is not None else ""
        captured.html = html.get_content() if html is not None else None
    return captured


def listing(folder: str | Path) -> list[Captured]:
    """The newest messages first, without their bodies."""
    path = Path(folder)
    if not path.is_dir():
        return []
    names = sorted((p for p in path.iterdir() if NAME.match(p.name)), reverse=True)
    return [_parse(p, with_body=False) for p in names[:SHOWN]]


def read(folder: str | Path, name: str) -> Captured | None:
    """One message, or None for a name that is not one of ours (no path tricks)."""
    if not NAME.match(name):
        return None
    path = Path(folder) / name
    if not path.is_file():
        return None
    return _parse(path, with_body=True)
