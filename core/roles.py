"""The staff roles: a vocabulary every layer uses, so it lives in core.

One account has one role in one organisation; a higher role can do all that a lower one can.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    DOOR = "door"
    ORGANISER = "organiser"
    OWNER = "owner"

    @property
    def level(self) -> int:
        return {"door": 1, "organiser": 2, "owner": 3}[self.value]
