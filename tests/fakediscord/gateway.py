"""The fake main gateway: HELLO, IDENTIFY/RESUME, heartbeats, dispatches with replay on resume.

Sharded the way Discord is: IDENTIFY carries `[shard_id, shard_count]`, each shard is its own
session (its own sequence and replay buffer), and a guild's events (GUILD_CREATE, messages,
interactions, voice) go only to shard `(guild_id >> 22) % shard_count`; events without a guild
go to shard 0. A wrong shard count is closed with 4010 (Invalid shard), as Discord does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

HEARTBEAT_MS = 41_250
ACK_DELAY_S = 0.05
"""A heartbeat's round trip to Discord: tens of milliseconds."""
INVALID_SHARD = 4010


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (guild_id >> 22) % shard_count


def guild_id_on_shard(snowflake: int, shard: int, shard_count: int) -> int:
    """`snowflake` moved forward to the nearest millisecond whose guild lands on `shard`."""
    ms = snowflake >> 22
    ms += (shard - ms) % shard_count
    return (ms << 22) | (snowflake & 0x3FFFFF)


@dataclass
class GuildSource:
    """One guild the gateway serves: its GUILD_CREATE and its answer to op 4."""

    guild_id: int
    guild_create: Callable[[], dict[str, Any]]
    """The guild's full payload, built when a shard identifies."""
    on_voice_state: Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
    """Answers the bot's op 4 (join/leave voice) for this guild."""
    sees: Callable[[str, Any], bool] = lambda name, data: True
    """Whether the bot is sent this event of the guild (none of a private thread it is not in)."""


@dataclass
class ShardSession:
    """One shard's session: what it was sent, so that a RESUME replays what it missed."""

    shard_id: int
    session_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    """Every dispatch sent to this shard (op 0), in sequence order."""
    ws: web.WebSocketResponse | None = None
    """The connection now serving this shard, if any."""


class FakeGateway:
    """All shards of one bot; guilds are added with `add_guild`."""

    def __init__(
        self, token: str, ready: Callable[[], dict[str, Any]], shard_count: int = 1
    ) -> None:
        self._token = token
        self._ready = ready
        self.shard_count = shard_count
        self.guilds: dict[int, GuildSource] = {}
        self.shards: dict[int, ShardSession] = {}
        self.identified = asyncio.Event()
        """Set while every shard that owns a guild is identified."""
        self.connections = 0
        self.resumes = 0
        self.invalidated = 0
        self.identifies = 0
        self.identified_shards: list[tuple[int, int]] = []
        """`[shard_id, shard_count]` of every IDENTIFY, in order."""
        self.intents: int | None = None
        self.heartbeat_ms = HEARTBEAT_MS
        """The interval a new connection's HELLO asks for."""
        self.ack_delay_s = ACK_DELAY_S
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent_ops: list[int] = []
        """Opcodes the bot sent, for assertions."""
        self.removed: set[int] = set()
        """Guilds the bot was removed from, or in an outage: none of their events are sent,
        and a new session's READY does not list them."""

    def add_guild(self, source: GuildSource) -> None:
        self.guilds[source.guild_id] = source

    def shard(self, shard_id: int) -> ShardSession:
        session = self.shards.get(shard_id)
        if session is None:
            session = ShardSession(shard_id, f"fake-session-{shard_id}")
            self.shards[shard_id] = session
        return session

    @property
    def session_id(self) -> str:
        return self.shard(0).session_id

    def guilds_of(self, shard_id: int) -> list[GuildSource]:
        return [
            g
            for g in self.guilds.values()
            if shard_of(g.guild_id, self.shard_count) == shard_id and g.guild_id not in self.removed
        ]

    def _update_identified(self) -> None:
        owners = {shard_of(g, self.shard_count) for g in self.guilds} or {0}
        if all(self.shard(s).ws is not None for s in owners):
            self.identified.set()
        else:
            self.identified.clear()

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._receive(ws, json.loads(msg.data))
        finally:
            for session in self.shards.values():
                if session.ws is ws:
                    session.ws = None
            self._update_identified()
        return ws

    async def _receive(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op, data = payload["op"], cast(Any, payload.get("d"))
        self.sent_ops.append(op)
        if op == 1:
            self._spawn(self._ack(ws))
        elif op == 2:
            await self._identify(ws, data)
        elif op == 6:
            await self._resume(ws, data)
        elif op == 4:
            source = self.guilds.get(int(data["guild_id"]))
            if source is None or source.guild_id in self.removed:
                return
            # Not awaited here, so the delayed answer does not hold up the next frames.
            self._spawn(source.on_voice_state(data))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ack(self, ws: web.WebSocketResponse) -> None:
        """HEARTBEAT_ACK, a round trip after the heartbeat as Discord's comes. Sent at once,
        on this loop, it reached discord.py before its heartbeat thread noted when the
        heartbeat went out, and discord.py measured it against the one before: the whole
        interval ("Can't keep up, shard ID None websocket is 41.3s behind")."""
        await asyncio.sleep(self.ack_delay_s)
        if not ws.closed:
            with contextlib.suppress(ConnectionError):
                await ws.send_str(json.dumps({"op": 11, "d": None}))

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data["token"] != self._token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = data.get("shard") or (0, 1)
        if shard_count != self.shard_count or not 0 <= shard_id < shard_count:
            await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        self.identifies += 1
        self.identified_shards.append((shard_id, shard_count))
        self.intents = data.get("intents")
        session = self.shard(shard_id)
        session.events.clear()
        session.ws = ws
        mine = self.guilds_of(shard_id)
        ready = {
            **self._ready(),
            "guilds": [{"id": str(g.guild_id), "unavailable": True} for g in mine],
            "session_id": session.session_id,
            "shard": [shard_id, shard_count],
        }
        await self._send(session, "READY", ready)
        for guild in mine:
            await self._send(session, "GUILD_CREATE", guild.guild_create())
        self._update_identified()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        found = [s for s in self.shards.values() if s.session_id == data["session_id"]]
        if data["token"] != self._token or not found:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        session = found[0]
        session.ws = ws
        self.resumes += 1
        seq = data.get("seq") or 0
        for event in session.events[seq:]:
            await ws.send_str(json.dumps(event))
        await self._send(session, "RESUMED", {})
        self._update_identified()

    async def _send(self, session: ShardSession, name: str, data: Any) -> None:
        """Number the event in its shard's sequence, keep it, and send it if connected."""
        event = {"op": 0, "t": name, "s": len(session.events) + 1, "d": data}
        session.events.append(event)
        ws = session.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str(json.dumps(event))
            except ConnectionError:
                log.info("gateway send failed; %s will be replayed on resume", name)

    async def dispatch(self, name: str, data: Any) -> None:
        """Send an event to the shard owning its guild now, or keep it for the RESUME."""
        guild = data.get("guild_id") if isinstance(data, dict) else None
        if guild is None and name.startswith("GUILD_") and isinstance(data, dict):
            guild = data.get("id")
        source = self.guilds.get(int(guild)) if guild else None
        if source is not None and not source.sees(name, data):
            return  # the bot may not see it
        if guild and int(guild) in self.removed and name != "GUILD_CREATE":
            return  # not the bot's server now (or in an outage)
        shard_id = shard_of(int(guild), self.shard_count) if guild else 0
        await self._send(self.shard(shard_id), name, data)

    async def drop(self, code: int = 4000) -> None:
        """Close every shard's connection the way Discord does on a server restart (clients
        should resume)."""
        self.identified.clear()
        for session in list(self.shards.values()):
            if session.ws is not None:
                await session.ws.close(code=code, message=b"fake: dropped")

    async def invalidate_session(self, resumable: bool) -> None:
        """Op 9 to every connected shard, as Discord sends it (d: whether the session may be
        resumed). Not resumable: the session is gone, a RESUME of it is refused, and the
        client must IDENTIFY again (a new session id)."""
        for session in list(self.shards.values()):
            if not resumable:
                self.invalidated += 1
                session.session_id = f"fake-session-{session.shard_id}-{self.invalidated}"
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(json.dumps({"op": 9, "d": resumable}))

    async def request_reconnect(self) -> None:
        """Op 7 (Reconnect) to every connected shard: the client reconnects and resumes."""
        for session in list(self.shards.values()):
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(json.dumps({"op": 7, "d": None}))
