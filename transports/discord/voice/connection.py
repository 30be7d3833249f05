"""Connecting to and leaving a voice channel, the way every part of the voice cog does it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from discord.ext import voice_recv
from discord.ext.voice_recv.gateway import hook as voice_recv_hook
from discord.voice_state import VoiceConnectionState

log = logging.getLogger(__name__)

DISCONNECT_WAIT_S = 3.0


async def _guarded_hook(ws: Any, msg: dict[str, Any]) -> None:
    """voice-recv's handler of the voice gateway's messages (SPEAKING, members connecting,
    leaving, their video), which discord.py calls after its own handling of each. An error
    in it ended discord.py's voice websocket reader for good: no SPEAKING, no DAVE re-key
    was read after it, and the bot heard nobody until it reconnected. It reads every field
    strictly, so a payload of a shape it does not know (a client newer than it) must cost
    only that message."""
    try:
        await voice_recv_hook(ws, msg)
    except Exception:
        log.exception("voice gateway op %s not understood; skipped", msg.get("op"))


class ReceivingVoiceClient(voice_recv.VoiceRecvClient):
    """voice-recv's client as we use it: its SSRC map from the voice gateway, without its
    `listen()` audio reader (receiver.py reads the socket itself), and with its handler of
    the gateway's messages guarded (`_guarded_hook`).

    voice-recv 0.5.2's handler of voice op 13 (a member's client left the call) reaches for
    that reader unguarded once the member had spoken (`_remove_ssrc`). Without a reader,
    only the maps are kept."""

    def create_connection_state(self) -> VoiceConnectionState:
        return VoiceConnectionState(self, hook=_guarded_hook)

    def _remove_ssrc(self, *, user_id: int) -> None:
        if self._reader:
            super()._remove_ssrc(user_id=user_id)
            return
        ssrc = self._id_to_ssrc.pop(user_id, None)
        if ssrc is not None:
            self._ssrc_to_id.pop(ssrc, None)


async def connect(channel: Any, timeout_s: float) -> Any:
    """Join `channel` with a receiving voice client, undeafened (the bot must hear people)."""
    return await channel.connect(cls=ReceivingVoiceClient, timeout=timeout_s, self_deaf=False)


async def disconnect(vc: Any) -> None:
    """Disconnect, but do not wait long for Discord's confirmation: discord.py 2.7.1 can
    disconnect twice (its websocket poller and the caller), and the second confirmation goes
    to a voice client that is already gone, so the first caller would wait its whole connect
    timeout. discord.py swallows the cancellation and still cleans up."""
    try:
        await asyncio.wait_for(vc.disconnect(force=True), DISCONNECT_WAIT_S)
    except TimeoutError:
        log.info("voice disconnect was not confirmed in %.0f s; carrying on", DISCONNECT_WAIT_S)
