"""Connecting to and leaving a voice channel, the way every part of the voice cog does it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from discord.ext import voice_recv

log = logging.getLogger(__name__)

DISCONNECT_WAIT_S = 3.0


async def connect(channel: Any, timeout_s: float) -> Any:
    """Join `channel` with a receiving voice client, undeafened (the bot must hear people)."""
    return await channel.connect(cls=voice_recv.VoiceRecvClient, timeout=timeout_s, self_deaf=False)


async def disconnect(vc: Any) -> None:
    """Disconnect, but do not wait long for Discord's confirmation: discord.py 2.7.1 can
    disconnect twice (its websocket poller and the caller), and the second confirmation goes
    to a voice client that is already gone, so the first caller would wait its whole connect
    timeout. discord.py swallows the cancellation and still cleans up."""
    try:
        await asyncio.wait_for(vc.disconnect(force=True), DISCONNECT_WAIT_S)
    except TimeoutError:
        log.info("voice disconnect was not confirmed in %.0f s; carrying on", DISCONNECT_WAIT_S)
