"""The staff roles: a vocabulary every layer uses, so it lives in core.

One account has one role in one organisation; a higher role can do all that a lower one can.
A partner account (someone of a partner body) stands outside that ladder: level 0, so no
staff page lets it in; only the partner pages ask for exactly that role.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PARTNER = "partner"
    DOOR = "door"
    ORGANISER = "organiser"
    OWNER = "owner"

    @property
    def level(self) -> int:
        return {"partner": 0, "door": 1, "organiser": 2, "owner": 3}[self.value]
