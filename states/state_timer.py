"""The conversation machine's one timer: armed on entering a state, disarmed on leaving it.

Each state has at most one deadline (the follow-up window, an utterance's length, recognition,
the still-working notice, the action, speaking). When it passes, the machine is told which timer
it was and the serial of the state entry that armed it, so a timer of a state already left is
dropped like any stale stage result. Without a running event loop (the diagram export, the
machine driven synchronously) no timer is armed. Apart from the machine
(`states/conversation.py`) because this is asyncio plumbing, not a conversation rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

TimerKind = Literal["follow_up", "utterance", "recognition", "still_working", "action", "speaking"]


class StateTimer:
    """At most one pending deadline; `expired(kind, serial)` is called when it passes."""

    def __init__(self, expired: Callable[[TimerKind, int], None]) -> None:
        self._expired = expired
        self._handle: asyncio.TimerHandle | None = None

    def arm(self, kind: TimerKind, seconds: float, serial: int) -> None:
        """Replace the pending deadline (if any) with `kind` in `seconds`."""
        self.disarm()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # driven synchronously (diagram export, unit use): no timers
            return
        self._handle = loop.call_later(seconds, self._fire, kind, serial)

    def disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None

    def _fire(self, kind: TimerKind, serial: int) -> None:
        self._handle = None
        self._expired(kind, serial)
