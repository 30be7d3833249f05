"""The receiver's frames, handed from discord.py's socket-reader thread to the event loop.

One `call_soon_threadsafe` per burst of packets (receiver.py hands on a burst at a time), not
per frame: each call writes the loop's self-pipe and wakes the loop, and with the bot on one
core every wake-up is a context switch each way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .receiver import FrameSink

log = logging.getLogger(__name__)


def loop_sink(loop: asyncio.AbstractEventLoop, consume: Callable[[int, bytes], None]) -> FrameSink:
    """A receiver sink that runs `consume(user_id, pcm)` on `loop` for every frame, in order."""

    def consume_all(frames: list[tuple[int, bytes]]) -> None:  # event loop
        for user_id, pcm in frames:
            try:
                consume(user_id, pcm)
            except Exception:  # one frame's failure must not lose the rest of the burst
                log.exception("voice frame of %s dropped", user_id)

    def sink(frames: list[tuple[int, bytes]]) -> None:  # socket-reader thread
        loop.call_soon_threadsafe(consume_all, frames)

    return sink
