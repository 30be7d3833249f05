"""The fake Discord's voice side as tests drive it: members joining and leaving the call,
their talk spurts, the bot's own voice state (gateway op 4) and its disconnection (a mixin of
`FakeDiscord`)."""

from __future__ import annotations

import asyncio
from typing import Any

from .payloads import FakeMember

GATEWAY_LATENCY_S = 0.03
CONNECT = 1 << 20
SPEAK = 1 << 21
MOVE_MEMBERS = 1 << 24


class GuildVoice:
    """A mixin of `FakeDiscord`: voice channel membership and audio, for tests."""

    bot_server_deaf = False
    """A moderator deafened the bot server-side (`server_deafen_bot`): Discord keeps that
    across its joins until a moderator undoes it."""

    bot_voice_denied = 0
    """Permissions denied to the bot in the voice channel (`limit_voice`)."""
    voice_user_limit = 0
    voice_reallocating = False
    """The voice channel's user limit (0: none)."""

    async def limit_voice(self, *, denied: int = 0, user_limit: int = 0) -> None:
        """A server admin denies the bot `denied` in the voice channel (CONNECT) or caps how
        many may be in it (CHANNEL_UPDATE). Discord then answers no op 4 to join it: the
        client waits for a voice state that never comes."""
        self.bot_voice_denied, self.voice_user_limit = denied, user_limit
        await self.gateway.dispatch("CHANNEL_UPDATE", self._voice_channel())

    def _may_join(self, channel_id: int) -> bool:
        if channel_id != self.voice_channel_id:
            return True
        if self.bot_voice_denied & CONNECT:
            return False
        inside = [u for u, c in self.voice_states.items() if c == channel_id and u != self.bot.id]
        full = 0 < self.voice_user_limit <= len(inside)
        return not full or not self.bot_voice_denied & MOVE_MEMBERS  # Move Members: may still

    async def set_voice_channel(
        self, member: FakeMember, channel_id: int | None, *, connect: bool = True
    ) -> None:
        """A member joins (or leaves, with None) a voice channel. With DAVE on, its client
        joins the call's MLS group too, unless `connect` is False (then `connect_voice`
        does it later, as a client that is slow to connect)."""
        was, bot_in = self.voice_states.get(member.id), self.voice_states.get(self.bot.id)
        was_in_call = was == self.voice_channel_id
        self.voice_states[member.id] = channel_id
        await self.gateway.dispatch("VOICE_STATE_UPDATE", self._voice_state(member.id, channel_id))
        if bot_in is not None and was == bot_in != channel_id:
            # As Discord's voice server does: the bot's client is told it left its call.
            await self.voice.announce_disconnect(self.guild_id, member.id)
        dave = self.voice.dave
        if dave is not None and was_in_call and channel_id != self.voice_channel_id:
            await dave.member_leaves(member.id)
        elif connect and channel_id == self.voice_channel_id and not was_in_call:
            await self.connect_voice(member)

    async def connect_voice(self, member: FakeMember) -> None:
        """The member's voice client connects to the call (joins the DAVE group)."""
        if self.voice.dave is not None and member.id not in self.voice.dave.members:
            await self.voice.dave.member_joins(member.id)

    async def stream_voice(self, member: FakeMember, pcm48k_stereo: bytes, **options: Any) -> int:
        """One talk spurt of `member` to the bot (options: `FakeVoiceServer.stream`'s)."""
        return await self.voice.stream(
            self.guild_id, member.id, member.ssrc, pcm48k_stereo, **options
        )

    def received_voice_pcm(self) -> bytes:
        """Everything the bot said in voice, decoded to 48 kHz stereo s16le."""
        return bytes(self.voice.received_pcm)

    async def drop_voice(self, code: int = 4006) -> None:
        await self.voice.drop(self.guild_id, code)

    async def kick_bot_from_voice(self) -> None:
        """A moderator disconnects the bot: Discord tells the gateway the bot has no channel
        now and closes its voice websocket with 4014."""
        self.voice_states[self.bot.id] = None
        state = self._voice_state(self.bot.id, None)
        state["session_id"] = "bot-voice-session"
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)
        await self.voice.drop(self.guild_id, 4014)

    async def move_bot(self, channel_id: int) -> None:
        """A moderator drags the bot into another voice channel: its voice state changes, and
        Discord sends a voice server (a new token) for the connection to be re-made there."""
        self.voice_states[self.bot.id] = channel_id
        state = self._voice_state(self.bot.id, channel_id)
        state["session_id"] = "bot-voice-session"
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)
        await self.voice_server_update()

    async def voice_server_update(self) -> None:
        """Discord moves the call to another voice server (a region change, a server being
        drained): VOICE_SERVER_UPDATE mid-call, a new token for the same guild."""
        self._voice_token = f"fake-voice-token-{self.voice.connections}"
        await self.gateway.dispatch(
            "VOICE_SERVER_UPDATE",
            {
                "token": self._voice_token,
                "guild_id": str(self.guild_id),
                "endpoint": f"127.0.0.1:{self.voice_port}",
            },
        )

    async def server_deafen_bot(self, deaf: bool) -> None:
        """A moderator deafens (or undeafens) the bot server-side: Discord stops (or starts
        again) sending it the call's audio; members' SPEAKING still come."""
        state = self._voice_state(self.bot.id, self.voice_states.get(self.bot.id))
        state["session_id"] = "bot-voice-session"
        state["deaf"] = self.bot_server_deaf = deaf  # kept until undone, across joins
        self.voice.forward_to_bot = not deaf
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)

    def bot_voice_channel(self) -> int | None:
        return self.voice_states.get(self.bot.id)

    # -- gateway op 4 ----------------------------------------------------------------------------

    async def _voice_state_op(self, data: dict[str, Any]) -> None:
        # Answer after a network-like delay: discord.py sets its "expecting a disconnect" flag
        # only after its op 4 send returns, and real Discord never answers faster than that.
        await asyncio.sleep(GATEWAY_LATENCY_S)
        channel_id = int(data["channel_id"]) if data.get("channel_id") else None
        if channel_id is not None and not self._may_join(channel_id):
            return  # Discord answers nothing; the client times out
        self.voice_states[self.bot.id] = channel_id
        state = self._voice_state(self.bot.id, channel_id)
        state["session_id"] = "bot-voice-session"
        state["self_mute"] = bool(data.get("self_mute"))
        state["self_deaf"] = bool(data.get("self_deaf"))
        state["deaf"] = self.bot_server_deaf
        await self.gateway.dispatch("VOICE_STATE_UPDATE", state)
        if channel_id is not None:
            endpoint = None if self.voice_reallocating else f"127.0.0.1:{self.voice_port}"
            await self.gateway.dispatch(
                "VOICE_SERVER_UPDATE",
                {"token": self._voice_token, "guild_id": str(self.guild_id), "endpoint": endpoint},
            )
        else:
            session = self.voice.session(self.guild_id)
            if session is not None and not session.ws.closed:
                await session.ws.close(code=4014, message=b"Disconnected.")
        await self._notify()
