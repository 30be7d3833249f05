"""The voice watchdog: what the bot does when a voice connection goes wrong.

Every second, per guild in voice: leave a channel that stayed empty; rejoin when Discord dropped
the voice connection (4015, 4006) and discord.py did not re-make it in time; stay out, and say
so, when someone disconnected the bot (4014); reconnect when a member says they are speaking but
no audio arrives. The cog (manager.py) owns the connections; this module owns the policy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from .connection import connect, disconnect

if TYPE_CHECKING:
    from .manager import GuildVoice, VoiceCog

log = logging.getLogger(__name__)

WATCHDOG_TICK_S = 1.0

REJOIN_GRACE_S = 3.0
"""How long discord.py gets to re-make a dropped voice connection before the bot rejoins."""


class VoiceWatchdog:
    """The rejoin and leave policy of one voice cog."""

    def __init__(self, cog: VoiceCog) -> None:
        self.cog = cog

    async def voice_lost(self, gv: GuildVoice) -> None:
        """The gateway says the bot is out of the voice channel, and it did not leave: someone
        disconnected it (close code 4014) or deleted the channel. It stays out, and says so."""
        await asyncio.sleep(2)  # discord.py's own disconnect flow finishes meanwhile
        if gv.guild.voice_client is not None or self.cog.guilds.get(gv.guild.id) is not gv:
            return  # back in voice, or we left meanwhile
        log.info("guild %s: disconnected from voice by someone; staying out", gv.guild.id)
        await self.cog.leave(gv.guild)
        await self._tell(gv, "voice.kicked")

    async def deafened(self, gv: GuildVoice, deaf: bool) -> None:
        """A moderator deafened (or undeafened) me server-side: Discord sends me no audio
        meanwhile, while members' SPEAKING still come. Reconnecting would not bring it back
        (it is a state of mine, not of the connection), so the receive check waits, and the
        channel is told why spoken commands go unheard and when they are heard again."""
        gv.speaking_since.clear()  # nothing said while deafened is missing audio
        log.info("guild %s: server %s me", gv.guild.id, "deafened" if deaf else "undeafened")
        await self._tell(gv, "voice.deafened" if deaf else "voice.undeafened")

    async def run(self, gv: GuildVoice) -> None:
        """Check the guild's voice every tick until the bot leaves it."""
        while gv.guild.id in self.cog.guilds:
            await asyncio.sleep(WATCHDOG_TICK_S)
            try:
                if await self._leave_if_empty(gv):
                    return
                await self._check_connection(gv)
                await self._check_receive(gv)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("guild %s: voice watchdog check failed", gv.guild.id)

    async def _leave_if_empty(self, gv: GuildVoice) -> bool:
        channel = gv.guild.get_channel(gv.channel_id)
        humans = [m for m in getattr(channel, "members", []) if not m.bot]
        if humans:
            gv.empty_since = None
            return False
        now = time.monotonic()
        gv.empty_since = gv.empty_since or now
        if now - gv.empty_since < self.cog.settings.empty_channel_timeout_s:
            return False
        log.info("guild %s: voice channel empty for a while; leaving", gv.guild.id)
        await self.cog.leave(gv.guild)
        return True

    async def _check_connection(self, gv: GuildVoice) -> None:
        """Discord closed the voice websocket while the bot is still in the channel (a voice
        server crash, 4015; a lost session, 4006). discord.py re-makes the connection on its
        own and the channel is told; when it has not managed within `REJOIN_GRACE_S` (its
        resume after 4015 can wait out its whole connect timeout), the bot rejoins itself."""
        vc = gv.vc
        ws = getattr(getattr(vc, "_connection", None), "ws", None) or None
        if vc is None or ws is None:
            return
        if ws is not gv.voice_ws:  # a new connection (or the first one seen)
            previous, gv.voice_ws, gv.dropped_at = gv.voice_ws, ws, None
            if previous is not None and _was_dropped(previous) and not gv.reconnecting:
                log.info("guild %s: voice connection re-made by discord.py", gv.guild.id)
                await self._tell(gv, "voice.rejoined")
            return
        still_in = getattr(gv.guild.me.voice, "channel", None) is not None
        if not _was_dropped(ws) or not still_in:
            return  # connected, or out of the channel (kicked: `voice_lost`)
        now = time.monotonic()
        gv.dropped_at = gv.dropped_at or now
        if now - gv.dropped_at < REJOIN_GRACE_S:
            return
        log.info("guild %s: voice connection lost; rejoining", gv.guild.id)
        await self._rejoin(gv)

    async def server_renewed(self, gv: GuildVoice, guild: discord.Guild) -> None:
        """A new gateway session sent the server afresh (GUILD_CREATE after op 9, or after an
        outage): it is read from now on. The old object's members and voice states are no
        longer kept up to date: I stayed in a channel everyone had left. When Discord ended
        my voice state with the old session (4014, and no voice state now), I rejoin."""
        gv.guild = guild
        gv.users.clear()
        if getattr(guild.me, "voice", None) is None and not gv.reconnecting:
            log.info("guild %s: out of voice with the old gateway session; rejoining", guild.id)
            await self._rejoin(gv)

    async def _rejoin(self, gv: GuildVoice) -> None:
        """Re-make the voice connection and say so; when that fails, leave and say so."""
        try:
            await self._reconnect(gv)
        except Exception:
            log.exception("guild %s: could not rejoin voice", gv.guild.id)
            await self.cog.leave(gv.guild)
            await self._tell(gv, "voice.lost", ok=False)
            return
        await self._tell(gv, "voice.rejoined")

    async def _tell(self, gv: GuildVoice, key: str, ok: bool = True) -> None:
        """Post the notice `key` in the guild's text channel, in the guild's language."""
        channel = self.cog.bot.delivery.threads.channel(str(gv.text_channel_id))
        if channel is not None:  # an archived thread too: posting opens it again
            await self.cog.say(channel, self.cog.text(gv.guild.id, key), ok=ok)

    async def _check_receive(self, gv: GuildVoice) -> None:
        vc = gv.vc
        if vc is None or not vc.is_connected():
            return  # discord.py is reconnecting on its own
        if getattr(gv.guild.me.voice, "deaf", False):
            gv.speaking_since.clear()
            return  # deafened by a moderator: no audio is expected (`deafened`)
        self.cog.start_receiving(gv)  # a new voice client after a reconnect needs a new receiver
        receiver = gv.receiver
        if receiver is None:
            return
        now = time.monotonic()
        limit = self.cog.settings.receive_watchdog_s
        for user_id, since in list(gv.speaking_since.items()):
            if user_id in gv.opted_out:
                continue
            heard = receiver.stats.last_audio_from.get(user_id, 0.0)
            if heard >= since or now - since < limit:
                continue  # audio arrived after they started talking, or too early to tell
            log.warning(
                "guild %s: no audio from %s for %.1f s while speaking; reconnecting voice",
                gv.guild.id,
                user_id,
                now - since,
            )
            gv.speaking_since.clear()
            await self._reconnect(gv)
            return

    async def _reconnect(self, gv: GuildVoice) -> None:
        gv.reconnects += 1
        gv.reconnecting = True
        try:
            channel = gv.guild.get_channel(gv.channel_id)
            if gv.receiver is not None:
                gv.receiver.stop()
                gv.receiver = None
            vc = gv.vc
            if vc is not None:
                await disconnect(vc)
            if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
                return  # the channel was deleted meanwhile
            await connect(channel, self.cog.settings.voice_connect_timeout_s)
            self.cog.start_receiving(gv)
        finally:
            gv.voice_ws, gv.dropped_at = None, None  # the next tick takes the new websocket
            gv.reconnecting = False


def _was_dropped(voice_ws: Any) -> bool:
    """True when one of discord.py's voice websockets was closed other than by a normal close
    (1000: the bot leaving). The exact code is not kept: aiohttp overwrites it when
    discord.py closes the websocket again."""
    code = getattr(getattr(voice_ws, "ws", None), "close_code", None)
    return code is not None and code != 1000
