"""A channel's messages handled in the order they were sent.

discord.py handles each message in a task of its own, and a line is read off the event loop
(`asyncio.to_thread`): with both cores busy, a message's reading can take longer than the next
one's, and `!train ...` then `!examples` answered the examples before the training's were
added; two `!cancel`s in a row were answered "already being cancelled" first. Each message of
a channel waits for the one before it to be handled, but never longer than `WAIT_S`: a slow
command (a large file to read) does not hold the channel up for long.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

WAIT_S = 10.0
"""Longest a message waits for the one sent before it in its channel to be handled."""


class ChannelOrder:
    """Turns per channel, in the order they were asked for (`turn` is entered before the
    first await of a message's handling, so in the order discord.py dispatched them)."""

    def __init__(self, wait_s: float = WAIT_S) -> None:
        self.wait_s = wait_s
        self._last: dict[int, asyncio.Future[None]] = {}
        """Each channel's latest turn, done when its message has been handled."""

    @contextlib.asynccontextmanager
    async def turn(self, channel_id: int) -> AsyncIterator[None]:
        before = self._last.get(channel_id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[channel_id] = mine
        try:
            if before is not None and not before.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(before), self.wait_s)
            yield
        finally:
            mine.set_result(None)
            if self._last.get(channel_id) is mine:
                del self._last[channel_id]
