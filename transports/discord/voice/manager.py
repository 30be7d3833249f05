"""Voice channels: join/leave, receive -> the guild's conversation session -> playback.

One `GuildVoice` per guild the bot is in voice in. The receiver runs in discord.py's socket
thread and hands frames to the event loop; the session (states/) does VAD, recognition, the
command and speech; `DiscordVoiceOutput` plays it. A watchdog reconnects when audio stops
arriving while a member is speaking, and the bot leaves a channel that stayed empty.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands, voice_recv

from assistant.messages import Reply, User
from audio.convert import warm_up

from ..cog_commands import to_user
from ..privacy import listening_notice
from ..render import render
from .playback import DiscordVoiceOutput
from .receiver import VoiceReceiver
from .text_output import ChannelTextOutput

if TYPE_CHECKING:
    from states.registry import SessionRegistry

    from ..client import TrainerBot

log = logging.getLogger(__name__)

WATCHDOG_TICK_S = 1.0
DISCONNECT_WAIT_S = 3.0

KICKED = (
    "I was disconnected from the voice channel, so I'll stay out. "
    "Type `{prefix}join` from a voice channel to bring me back."
)
REJOINED = "Discord dropped the voice connection; I rejoined and I'm listening again."
REJOIN_GRACE_S = 3.0
"""How long discord.py gets to re-make a dropped voice connection before the bot rejoins."""
LOST = "I lost the voice connection and could not rejoin. Type `{prefix}join` to try again."


@dataclass
class GuildVoice:
    guild: discord.Guild
    channel_id: int
    text_channel_id: int
    receiver: VoiceReceiver | None = None
    output: DiscordVoiceOutput | None = None
    opted_out: set[int] = field(default_factory=set)
    users: dict[int, User] = field(default_factory=dict)
    speaking_since: dict[int, float] = field(default_factory=dict)
    """SPEAKING (op 5) flags from the voice gateway: who said they started to talk, and when."""
    empty_since: float | None = None
    reconnects: int = 0
    reconnecting: bool = False
    watchdog: asyncio.Task[None] | None = None
    voice_ws: Any = None
    """discord.py's voice websocket last seen: a new one means the connection was re-made."""
    dropped_at: float | None = None
    """When the watchdog first saw that websocket closed by a drop it rejoins after."""

    @property
    def vc(self) -> Any:
        return self.guild.voice_client


SessionsFactory = Callable[["TrainerBot"], Awaitable["SessionRegistry"]]


class VoiceCog(commands.Cog, name="Voice"):
    def __init__(self, bot: TrainerBot, sessions: SessionsFactory | None = None) -> None:
        self.bot = bot
        self.settings = bot.config.discord
        self._sessions_factory = sessions or getattr(bot, "sessions_factory", None)
        self._sessions: SessionRegistry | None = None
        self.guilds: dict[int, GuildVoice] = {}
        self._lock = asyncio.Lock()
        self._build_lock = asyncio.Lock()

    # -- sessions (built on first join: loading the recognizer takes a moment) ----------------

    async def sessions(self) -> SessionRegistry:
        async with self._build_lock:
            if self._sessions is None:
                if self._sessions_factory is None:
                    raise RuntimeError("voice is not available: no speech pipeline configured")
                sessions = await self._sessions_factory(self.bot)
                await asyncio.to_thread(warm_up)  # playback's resampler, imported off the loop
                self._sessions = sessions
            return self._sessions

    def announces_jobs(self, guild_id: str) -> bool:
        """True when the guild's voice session announces finished jobs (text and speech)."""
        sessions = self._sessions
        return sessions is not None and guild_id in sessions and sessions.settings.announce_jobs

    # -- join / leave ------------------------------------------------------------------------

    async def voice_action(self, ctx: commands.Context[Any], reply: Reply) -> None:
        if ctx.guild is None:
            return
        if reply.voice_action == "leave":
            await self.leave(ctx.guild)
            return
        state = getattr(ctx.author, "voice", None)
        if state is None or state.channel is None:
            await self._say(ctx.channel, "Join a voice channel first, then ask me again.", ok=False)
            return
        try:
            await self.join(state.channel, ctx.channel.id)
        except Exception as exc:  # no permission, timeout, no pipeline: say so, log details
            log.exception("could not join voice in guild %s", ctx.guild.id)
            await self._say(
                ctx.channel, f"I couldn't join the voice channel ({_why(exc)}).", ok=False
            )

    async def join(self, channel: Any, text_channel_id: int) -> GuildVoice:
        async with self._lock:
            guild = channel.guild
            sessions = await self.sessions()
            gv = self.guilds.get(guild.id)
            vc = guild.voice_client
            if vc is not None and vc.channel.id != channel.id:
                await vc.move_to(channel)
            elif vc is None:
                await channel.connect(
                    cls=voice_recv.VoiceRecvClient,
                    timeout=self.settings.voice_connect_timeout_s,
                    self_deaf=False,
                )
            if gv is None:
                gv = GuildVoice(guild, channel.id, text_channel_id)
                self.guilds[guild.id] = gv
            gv.channel_id, gv.text_channel_id = channel.id, text_channel_id
            gv.opted_out = self._opted_out(guild.id)
            gv.output = gv.output or DiscordVoiceOutput(lambda: guild.voice_client)
            text = ChannelTextOutput(self.bot)
            await sessions.join(
                str(guild.id), voice=gv.output, text=text, text_channel_id=str(text_channel_id)
            )
            self._start_receiving(gv)
            if gv.watchdog is None or gv.watchdog.done():
                gv.watchdog = asyncio.get_running_loop().create_task(self._watch(gv))
        if self.settings.announce_listening:
            wake = (self.bot.config.voice.wake_phrases or ["hey trainer"])[0]
            text_channel = self.bot.get_channel(text_channel_id)
            if text_channel is not None:
                notice = listening_notice(self.bot.config.prefix, channel.name, wake)
                await self._say(text_channel, notice)
        return gv

    async def leave(self, guild: discord.Guild) -> None:
        gv = self.guilds.pop(guild.id, None)
        if gv is not None:
            # The watchdog itself calls leave() for an empty channel: cancelling it then would
            # interrupt the disconnect below and leave a half-closed voice client behind.
            if gv.watchdog is not None and gv.watchdog is not asyncio.current_task():
                gv.watchdog.cancel()
            if gv.receiver is not None:
                gv.receiver.stop()
        if self._sessions is not None:
            await self._sessions.leave(str(guild.id))
        vc = guild.voice_client
        if vc is not None:
            await _disconnect(vc)
        leftover = guild.voice_client  # a disconnect race in discord.py can leave one behind
        if leftover is not None and leftover is not vc:
            await _disconnect(leftover)

    def _start_receiving(self, gv: GuildVoice) -> None:
        vc = gv.vc
        if vc is None:
            return
        if gv.receiver is not None and gv.receiver.vc is vc and gv.receiver.active:
            return
        if gv.receiver is not None:
            gv.receiver.stop()
        loop = asyncio.get_running_loop()

        def sink(user_id: int, pcm: bytes) -> None:  # socket-reader thread
            loop.call_soon_threadsafe(self._feed, gv, user_id, pcm)

        gv.receiver = VoiceReceiver(vc, sink, opted_out=lambda uid: uid in gv.opted_out)
        gv.receiver.start()

    def _feed(self, gv: GuildVoice, user_id: int, pcm: bytes) -> None:
        sessions = self._sessions
        session = sessions.get(str(gv.guild.id)) if sessions is not None else None
        if session is None or user_id in gv.opted_out:
            return
        user = gv.users.get(user_id)
        if user is None:
            member = gv.guild.get_member(user_id)
            if member is None or member.bot:
                return
            user = gv.users[user_id] = to_user(member)
        session.feed(user, pcm)  # the receiver decodes straight to 16 kHz mono

    # -- privacy ---------------------------------------------------------------------------------

    def _opted_out(self, guild_id: int) -> set[int]:
        return self.bot.privacy_cog.opted_out(guild_id)

    def privacy_changed(self, guild_id: int) -> None:
        gv = self.guilds.get(guild_id)
        if gv is None:
            return
        gv.opted_out = self._opted_out(guild_id)
        session = self._sessions.get(str(guild_id)) if self._sessions else None
        for user_id in gv.opted_out:
            if gv.receiver is not None:
                gv.receiver.forget(user_id)
            if session is not None:
                session.end_stream(str(user_id))

    # -- events ------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_voice_member_speaking_state(self, member: Any, ssrc: int, state: Any) -> None:
        """voice-recv's event for SPEAKING (op 5): the watchdog's evidence that someone talks."""
        if member is None:
            return
        gv = self.guilds.get(member.guild.id)
        if gv is None:
            return
        if int(state):
            gv.speaking_since[member.id] = time.monotonic()
        else:
            gv.speaking_since.pop(member.id, None)

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        gv = self.guilds.get(member.guild.id)
        if gv is None:
            return
        if self.bot.user is not None and member.id == self.bot.user.id:
            if after.channel is None and before.channel is not None and not gv.reconnecting:
                await self._voice_lost(gv)
            return
        gv.users.pop(member.id, None)  # roles or name may have changed
        if (
            before.channel is not None
            and before.channel.id == gv.channel_id
            and (after.channel is None or after.channel.id != gv.channel_id)
        ):
            gv.speaking_since.pop(member.id, None)
            if gv.receiver is not None:
                gv.receiver.forget(member.id)
            session = self._sessions.get(str(member.guild.id)) if self._sessions else None
            if session is not None:
                session.end_stream(str(member.id))

    async def _voice_lost(self, gv: GuildVoice) -> None:
        """The gateway says the bot is out of the voice channel, and it did not leave: someone
        disconnected it (close code 4014) or deleted the channel. It stays out, and says so."""
        await asyncio.sleep(2)  # discord.py's own disconnect flow finishes meanwhile
        if gv.guild.voice_client is not None or self.guilds.get(gv.guild.id) is not gv:
            return  # back in voice, or we left meanwhile
        log.info("guild %s: disconnected from voice by someone; staying out", gv.guild.id)
        await self.leave(gv.guild)
        await self._tell(gv, KICKED.format(prefix=self.bot.config.prefix))

    # -- watchdog and empty channel --------------------------------------------------------------

    async def _watch(self, gv: GuildVoice) -> None:
        while gv.guild.id in self.guilds:
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
        if now - gv.empty_since < self.settings.empty_channel_timeout_s:
            return False
        log.info("guild %s: voice channel empty for a while; leaving", gv.guild.id)
        await self.leave(gv.guild)
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
                await self._tell(gv, REJOINED)
            return
        still_in = getattr(gv.guild.me.voice, "channel", None) is not None
        if not _was_dropped(ws) or not still_in:
            return  # connected, or out of the channel (kicked: `_voice_lost`)
        now = time.monotonic()
        gv.dropped_at = gv.dropped_at or now
        if now - gv.dropped_at < REJOIN_GRACE_S:
            return
        log.info("guild %s: voice connection lost; rejoining", gv.guild.id)
        try:
            await self._reconnect(gv)
        except Exception:
            log.exception("guild %s: could not rejoin voice", gv.guild.id)
            await self.leave(gv.guild)
            await self._tell(gv, LOST.format(prefix=self.bot.config.prefix), ok=False)
            return
        await self._tell(gv, REJOINED)

    async def _tell(self, gv: GuildVoice, text: str, ok: bool = True) -> None:
        channel = self.bot.get_channel(gv.text_channel_id)
        if channel is not None:
            await self._say(channel, text, ok=ok)

    async def _check_receive(self, gv: GuildVoice) -> None:
        vc = gv.vc
        if vc is None or not vc.is_connected():
            return  # discord.py is reconnecting on its own
        self._start_receiving(gv)  # a new voice client after a reconnect needs a new receiver
        receiver = gv.receiver
        if receiver is None:
            return
        receiver.tune_socket()  # discord.py makes a new socket on every reconnect
        now = time.monotonic()
        limit = self.settings.receive_watchdog_s
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
                await _disconnect(vc)
            if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
                return  # the channel was deleted meanwhile
            await channel.connect(
                cls=voice_recv.VoiceRecvClient,
                timeout=self.settings.voice_connect_timeout_s,
                self_deaf=False,
            )
            self._start_receiving(gv)
        finally:
            gv.voice_ws, gv.dropped_at = None, None  # the next tick takes the new websocket
            gv.reconnecting = False

    def session(self, guild_id: int) -> Any:
        """The guild's conversation session (states.session.GuildVoiceSession), if any."""
        return self._sessions.get(str(guild_id)) if self._sessions is not None else None

    async def cog_unload(self) -> None:
        """Leave every voice channel, close the sessions and end the recognizer processes.
        Safe to call twice (the app closes voice first, then discord.py unloads the cog)."""
        for guild_voice in list(self.guilds.values()):
            await self.leave(guild_voice.guild)
        for vc in list(self.bot.voice_clients):  # e.g. left behind by a disconnect race
            await _disconnect(vc)
        async with self._build_lock:  # a join still building the engines finishes first
            sessions, self._sessions = self._sessions, None
        if sessions is not None:
            await sessions.close()
            # Wait for the worker processes to exit (off the loop): nothing outlives the bot.
            await asyncio.to_thread(sessions.parts.close, True)

    # -- helpers -----------------------------------------------------------------------------------

    async def _say(self, channel: Any, text: str, ok: bool = True) -> None:
        reply = Reply(text=text, ok=ok, kind="info" if ok else "error")
        try:
            await channel.send(**render(reply, 0).kwargs())
        except discord.HTTPException as exc:
            log.info("could not post in %s: %s (%s)", getattr(channel, "id", "?"), text[:60], exc)


async def _disconnect(vc: Any) -> None:
    """Disconnect, but do not wait long for Discord's confirmation: discord.py 2.7.1 can
    disconnect twice (its websocket poller and the caller), and the second confirmation goes
    to a voice client that is already gone, so the first caller would wait its whole connect
    timeout. discord.py swallows the cancellation and still cleans up."""
    try:
        await asyncio.wait_for(vc.disconnect(force=True), DISCONNECT_WAIT_S)
    except TimeoutError:
        log.info("voice disconnect was not confirmed in %.0f s; carrying on", DISCONNECT_WAIT_S)


def _was_dropped(voice_ws: Any) -> bool:
    """True when one of discord.py's voice websockets was closed other than by a normal close
    (1000: the bot leaving). The exact code is not kept: aiohttp overwrites it when
    discord.py closes the websocket again."""
    code = getattr(getattr(voice_ws, "ws", None), "close_code", None)
    return code is not None and code != 1000


def _why(exc: Exception) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "the connection timed out"
    if isinstance(exc, discord.Forbidden):
        return "I lack the Connect or Speak permission there"
    if isinstance(exc, discord.ClientException):
        return str(exc)
    return "an internal error; it is in the log"
