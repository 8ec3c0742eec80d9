"""Values a web process keeps for a while: costly to compute, harmless a little stale.

Each `Kept` reads its lifetime from a setting at every look-up (0 keeps nothing), keeps
its values by key in this process only, and forgets one key or all of them when the
process itself changed what they were computed from; another process sees such a change
when its own copy expires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


class Kept:
    def __init__(self, setting: str, default: float):
        self.setting, self.default = setting, default
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._guard = threading.Lock()

    def seconds(self) -> float:
        return float(current_app.config.get(self.setting, self.default))

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for `key`, or `compute()`'s, kept from now on."""
        seconds, now = self.seconds(), time.monotonic()
        kept = self._values.get(key)
        if seconds > 0 and kept is not None and now - kept[0] < seconds:
            return kept[1]
        value = compute()
        if seconds > 0:
            with self._guard:
                self._values[key] = (now, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        with self._guard:
            if key is None:
                self._values.clear()
            else:
                self._values.pop(key, None)
