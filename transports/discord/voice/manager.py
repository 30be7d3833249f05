"""Voice channels: join/leave, receive -> the guild's conversation session -> playback.

One `GuildVoice` per guild the bot is in voice in. The receiver reads the voice socket on the
event loop and feeds each frame to the session at once; the session (states/) does VAD,
recognition, the command and speech; `DiscordVoiceOutput` plays it. What happens when a
connection goes wrong (rejoin, stay out, leave an empty channel) is the watchdog's policy, in
watchdog.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from assistant.commands.basic import already_joined
from assistant.messages import Reply, User

from ..members import guild_key, to_user
from ..privacy import listening_notice
from ..render import render, shows_embeds
from .connection import connect, disconnect
from .joining import barred, voice_channel, why_not_joined
from .playback import DiscordVoiceOutput
from .receiver import VoiceReceiver
from .text_output import ChannelTextOutput
from .watchdog import VoiceWatchdog

if TYPE_CHECKING:
    from states.registry import SessionRegistry

    from ..client import TrainerBot

log = logging.getLogger(__name__)


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
        self.watchdog = VoiceWatchdog(self)

    # -- sessions (built on first join: loading the recognizer takes a moment) ----------------

    async def sessions(self) -> SessionRegistry:
        async with self._build_lock:
            if self._sessions is None:
                if self._sessions_factory is None:
                    raise RuntimeError("voice is not available: no speech pipeline configured")
                sessions = await self._sessions_factory(self.bot)
                self._sessions = sessions
            return self._sessions

    def announces(self, job: Any) -> bool:
        """True when the guild's voice session announces `job`'s end (text and speech)."""
        return self._sessions is not None and self._sessions.announces(job)

    # -- join / leave ------------------------------------------------------------------------

    def refusal(self, ctx: commands.Context[Any], reply: Reply) -> Reply | None:
        """What to answer instead of `reply` when its voice action cannot be done: a `join`
        by a member in no voice channel (or in a DM), a `leave` where I am in none; a `join`
        where I am in the member's channel already says so. None when it can be done."""
        channel = voice_channel(ctx)
        if reply.voice_action == "join" and channel is None:
            key = "voice.join_first"
        elif reply.voice_action == "join" and self._listening_in(channel):
            app = self.bot.assistant
            language = app.language(guild_key(ctx.guild, ctx.author))
            return already_joined(language, app.config.voice.wake_phrases)
        elif reply.voice_action == "join" and (why := barred(channel)) is not None:
            key = why
        elif reply.voice_action == "leave" and not self._in_voice(ctx.guild):
            key = "voice.not_in_voice"
        else:
            return None
        name = getattr(channel, "name", "")
        text = self.bot.assistant.text(guild_key(ctx.guild, ctx.author), key, channel=name)
        return Reply(text=text, ok=False, kind="error")

    def _listening_in(self, channel: Any) -> bool:
        """Whether I am in `channel` with its session listening (not rejoining after a drop)."""
        gv = self.guilds.get(channel.guild.id)
        vc = channel.guild.voice_client
        return (
            gv is not None
            and not gv.reconnecting
            and gv.channel_id == channel.id
            and vc is not None
            and vc.channel is not None
            and vc.channel.id == channel.id
        )

    def _in_voice(self, guild: discord.Guild | None) -> bool:
        return guild is not None and (guild.id in self.guilds or guild.voice_client is not None)

    async def voice_action(self, ctx: commands.Context[Any], reply: Reply) -> None:
        """Leave, or join the member's voice channel (`refusal` has said why it cannot)."""
        if ctx.guild is None:
            return
        if reply.voice_action == "leave":
            await self.leave(ctx.guild)
            return
        channel = voice_channel(ctx)
        if channel is None:
            return
        try:
            await self.join(channel, ctx.channel.id)
        except Exception as exc:  # no permission, timeout, no pipeline: say so, log details
            log.exception("could not join voice in guild %s", ctx.guild.id)
            key = why_not_joined(exc)
            why = self.text(ctx.guild.id, key) if key else str(exc)
            await self.say(
                ctx.channel, self.text(ctx.guild.id, "voice.join_failed", why=why), ok=False
            )
            return
        me = ctx.guild.me
        if me is not None and not channel.permissions_for(me).speak:
            # Discord silences what I say there: the answers are posted, and nobody hears them
            text = self.text(ctx.guild.id, "voice.no_speak", channel=channel.name)
            await self.say(ctx.channel, text)

    async def join(self, channel: Any, text_channel_id: int) -> GuildVoice:
        async with self._lock:
            guild = channel.guild
            sessions = await self.sessions()
            gv = self.guilds.get(guild.id)
            vc = guild.voice_client
            if vc is not None and vc.channel.id != channel.id:
                await self._move_to(gv, vc, channel)
            elif vc is None:
                await connect(channel, self.settings.voice_connect_timeout_s)
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
            self.start_receiving(gv)
            if gv.watchdog is None or gv.watchdog.done():
                gv.watchdog = asyncio.get_running_loop().create_task(self.watchdog.run(gv))
        await self._announce_listening(gv, channel)
        if getattr(guild.me.voice, "deaf", False):  # Discord keeps a server deafen across joins
            await self.watchdog.deafened(gv, True)
        return gv

    async def _announce_listening(self, gv: GuildVoice, channel: Any) -> None:
        """Tell the text channel that I listen in `channel`, and how not to be heard."""
        if not self.settings.announce_listening:
            return
        wake = (self.bot.config.voice.wake_phrases or ["hey trainer"])[0]
        text_channel = self.bot.delivery.threads.channel(str(gv.text_channel_id))
        if text_channel is not None:
            language = self.bot.assistant.language(str(gv.guild.id))
            notice = listening_notice(language, self.bot.config.prefix, channel.name, wake)
            await self.say(text_channel, notice)

    async def _move_to(self, gv: GuildVoice | None, vc: Any, channel: Any) -> None:
        """Move to `channel` when asked to: the voice state that says I moved is then no
        moderator's move (`_moved`), so the channel is noted first (and put back if the
        move fails)."""
        was = gv.channel_id if gv is not None else None
        if gv is not None:
            gv.channel_id = channel.id
        try:
            await vc.move_to(channel)
        except BaseException:
            if gv is not None and was is not None:
                gv.channel_id = was
            raise

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
            await disconnect(vc)
        leftover = guild.voice_client  # a disconnect race in discord.py can leave one behind
        if leftover is not None and leftover is not vc:
            await disconnect(leftover)

    def start_receiving(self, gv: GuildVoice) -> None:
        vc = gv.vc
        if vc is None:
            return
        if gv.receiver is not None and gv.receiver.vc is vc and gv.receiver.active:
            return
        if gv.receiver is not None:
            gv.receiver.stop()
        sink = partial(self._feed, gv)  # the receiver runs on the loop: no hand-off
        gv.receiver = VoiceReceiver(
            vc, sink, opted_out=lambda uid: uid in gv.opted_out, slack=partial(self._slack, gv)
        )
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

    def _slack(self, gv: GuildVoice) -> float:
        session = self.session(gv.guild.id)
        return session.slack_s() if session is not None else 0.0

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
                await self.watchdog.voice_lost(gv)
            elif after.channel is not None and after.channel.id != gv.channel_id:
                await self._moved(gv, after.channel)
            if after.channel is not None and before.deaf != after.deaf:
                await self.watchdog.deafened(gv, after.deaf)
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

    async def _moved(self, gv: GuildVoice, channel: Any) -> None:
        """A moderator dragged me into `channel`: I listen there now (discord.py re-makes the
        connection). Whether it is empty, and where a rejoin goes, is judged by `channel` from
        now on: by the old one, I left people who were talking to me, or rejoined a channel I
        had been taken out of. Its members are told I listen, as on `join`."""
        log.info("guild %s: moved to voice channel %s", gv.guild.id, channel.id)
        gv.channel_id, gv.empty_since = channel.id, None
        gv.speaking_since.clear()
        session = self.session(gv.guild.id)
        if session is not None:
            for user_id in list(gv.users):  # utterances cut by the move end here
                session.end_stream(str(user_id))
        await self._announce_listening(gv, channel)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server (GUILD_DELETE): its voice session ends here. The watchdog
        tried to rejoin a server I am no longer in, every few seconds, for good."""
        if guild.id in self.guilds or guild.voice_client is not None:
            log.info("guild %s: removed from the server; leaving its voice channel", guild.id)
            await self.leave(guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        gv = self.guilds.get(guild.id)
        if gv is not None:
            await self.watchdog.server_renewed(gv, guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        """Roles decide what a speaker may do: one whose roles changed is read again."""
        gv = self.guilds.get(after.guild.id)
        if gv is not None:
            gv.users.pop(after.id, None)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        """Permissions go by role name: a renamed role may now match config.yaml's names, or
        no longer match them, for everyone who has it, so every speaker is read again."""
        if before.name != after.name:
            self._forget_speakers(after.guild)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        self._forget_speakers(role.guild)

    @commands.Cog.listener()
    async def on_guild_role_create(self, role: discord.Role) -> None:
        """A speaker refused for a role the server lacked is read again once it exists."""
        self._forget_speakers(role.guild)

    def _forget_speakers(self, guild: discord.Guild) -> None:
        gv = self.guilds.get(guild.id)
        if gv is not None:
            gv.users.clear()

    def session(self, guild_id: int) -> Any:
        """The guild's conversation session (states.session.GuildVoiceSession), if any."""
        return self._sessions.get(str(guild_id)) if self._sessions is not None else None

    async def cog_unload(self) -> None:
        """Leave every voice channel, close the sessions and end the recognizer processes.
        Safe to call twice (the app closes voice first, then discord.py unloads the cog)."""
        for guild_voice in list(self.guilds.values()):
            await self.leave(guild_voice.guild)
        for vc in list(self.bot.voice_clients):  # e.g. left behind by a disconnect race
            await disconnect(vc)
        async with self._build_lock:  # a join still building the engines finishes first
            sessions, self._sessions = self._sessions, None
        if sessions is not None:
            await sessions.close()
            # Wait for the worker processes to exit (off the loop): nothing outlives the bot.
            await asyncio.to_thread(sessions.parts.close, True)

    # -- helpers -----------------------------------------------------------------------------------

    def text(self, guild_id: int, key: str, **fields: object) -> str:
        """A notice from the catalog in the guild's language (`{prefix}` filled in)."""
        return self.bot.assistant.text(str(guild_id), key, prefix=self.bot.config.prefix, **fields)

    async def say(self, channel: Any, text: str, ok: bool = True) -> None:
        reply = Reply(text=text, ok=ok, kind="info" if ok else "error")
        try:
            await channel.send(**render(reply, 0, embeds=shows_embeds(channel)).kwargs())
        except discord.HTTPException as exc:
            log.info("could not post in %s: %s (%s)", getattr(channel, "id", "?"), text[:60], exc)
