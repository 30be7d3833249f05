"""DAVE (Discord's end-to-end encryption) on the fake voice server: the server side of the
protocol, as Discord's voice servers do it, against real MLS sessions.

The fake voice server is the MLS group's *external sender*: it announces its signing key
(op 25), signs Add/Remove proposals (op 27), picks the commit that wins (op 28 from the bot,
or a simulated member's), announces it (op 29) or welcomes the bot (op 30), and runs the
transitions (op 23 -> op 22; op 21 and op 24 for downgrades and upgrades). Every simulated
member holds its own `davey.DaveSession` (the library discord.py itself uses), so its frames
are really end-to-end encrypted and the bot can only hear them if it really joined the group.

Message framing on the voice websocket: binary server -> bot frames are
`uint16 sequence, uint8 opcode, payload`, bot -> server `uint8 opcode, payload`.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import davey

from . import mls

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
OP_PREPARE_TRANSITION = 21
OP_EXECUTE_TRANSITION = 22
OP_TRANSITION_READY = 23
OP_PREPARE_EPOCH = 24
OP_EXTERNAL_SENDER = 25
OP_KEY_PACKAGE = 26
OP_PROPOSALS = 27
OP_COMMIT_WELCOME = 28
OP_ANNOUNCE_COMMIT = 29
OP_WELCOME = 30
OP_INVALID_COMMIT_WELCOME = 31
APPEND = 0
BOT_COMMIT_WAIT_S = 10.0

SendJson = Callable[[int, Any], Awaitable[None]]
SendBinary = Callable[[int, bytes], Awaitable[None]]


@dataclass
class DaveMember:
    """A simulated member's end of DAVE: its own MLS session."""

    user_id: int
    session: davey.DaveSession
    plain_share: float = 0.0
    """Share of frames sent unencrypted (a client mid-transition); 0 outside tests of it."""
    sent_plain: int = 0
    _count: int = 0

    def encrypt(self, opus_frame: bytes) -> bytes:
        """What this member's client puts on the wire for one Opus frame."""
        self._count += 1
        if not self.session.ready or (
            self.plain_share and self._count % round(1 / self.plain_share) == 0
        ):
            # Not in a group yet (nothing to encrypt with) or a passthrough frame.
            self.sent_plain += 1
            return opus_frame
        return bytes(self.session.encrypt_opus(opus_frame))


@dataclass
class DaveGroup:
    """One voice channel's MLS group as the voice server sees it (it survives the bot's
    reconnects, as the call does)."""

    channel_id: int
    bot_id: int
    sender: mls.ExternalSender = field(default_factory=mls.ExternalSender)
    members: dict[int, DaveMember] = field(default_factory=dict)
    """Simulated members with a session (in the group, or about to be)."""
    leaves: list[int | None] = field(default_factory=list)
    """User id per MLS leaf, as the server tracks the tree (None: a blank leaf)."""
    epoch: int = 0
    """The group's epoch; 0 while nobody has committed yet (pending groups)."""
    commit_by: str = "bot"
    """Who commits a re-key when both could: "bot" (op 28) or "member"."""
    encrypted: bool = True
    """False after a downgrade (op 21 to protocol 0): members send unencrypted frames."""
    hold_welcome: bool = False
    """Keep the bot's welcome back (frames from members then arrive before its keys)."""
    bot_key_package: bytes | None = None
    bot_in_group: bool = False
    transitions: int = 0
    executed: list[int] = field(default_factory=list)
    """Transition ids executed (op 22 sent)."""
    bot_commits: int = 0
    """Commits from the bot (op 28) that won."""
    member_commits: int = 0
    welcomes_to_bot: int = 0
    invalid_reports: int = 0
    """op 31 from the bot: it could not process a commit or welcome."""
    send_json: SendJson | None = None
    send_binary: SendBinary | None = None
    _pending: dict[int, str] = field(default_factory=dict)
    _held: list[tuple[int, bytes]] = field(default_factory=list)
    _bot_commit: asyncio.Future[bytes] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def group_id(self) -> bytes:
        return mls.group_id(self.channel_id)

    # -- the bot's connection ------------------------------------------------------------------

    async def attach(self, send_json: SendJson, send_binary: SendBinary) -> None:
        """A (new) voice connection of the bot announced DAVE: give it the external sender."""
        self.send_json, self.send_binary = send_json, send_binary
        await send_binary(OP_EXTERNAL_SENDER, self.sender.serialized())

    async def on_binary(self, op: int, payload: bytes) -> None:
        if op == OP_KEY_PACKAGE:
            await self._bot_key_package(payload)
        elif op == OP_COMMIT_WELCOME:
            if self._bot_commit is not None and not self._bot_commit.done():
                self._bot_commit.set_result(payload)
            else:
                log.debug("fake DAVE: a late commit from the bot, superseded")
        else:
            log.warning("fake DAVE: unexpected binary op %d from the bot", op)

    async def on_json(self, op: int, data: dict[str, Any]) -> None:
        if op == OP_TRANSITION_READY:
            transition = int(data["transition_id"])
            if self._pending.pop(transition, None) is not None:
                await self._json(OP_EXECUTE_TRANSITION, {"transition_id": transition})
                self.executed.append(transition)
        elif op == OP_INVALID_COMMIT_WELCOME:
            self.invalid_reports += 1
            log.warning("fake DAVE: the bot reported an invalid commit/welcome: %s", data)

    async def _bot_key_package(self, key_package: bytes) -> None:
        async with self._lock:
            self.bot_key_package = key_package
            proposals, removed = [], []
            if self.bot_in_group and self.bot_id in self.leaves:
                # A reconnected bot has a new session: its old leaf goes, the new one comes.
                proposals.append(mls.remove_proposal(self.leaves.index(self.bot_id)))
                removed.append(self.bot_id)
                self.bot_in_group = False
            members = list(self.members.values())
            if not members:
                self.leaves, self.epoch = [self.bot_id], 0  # alone: its own pending group
                return
            proposals.append(mls.add_proposal(key_package))
            await self._member_commit(
                proposals, added=[self.bot_id], removed=removed, welcome_bot=True
            )

    # -- members joining and leaving -----------------------------------------------------------

    async def member_joins(self, user_id: int) -> DaveMember:
        """A simulated member joins the call: its client makes a session and a key package;
        the group adds it (the bot commits when it is in the group and `commit_by` says so,
        or when it is alone; otherwise a member does)."""
        async with self._lock:
            member = DaveMember(
                user_id, davey.DaveSession(PROTOCOL_VERSION, user_id, self.channel_id)
            )
            member.session.set_external_sender(self.sender.serialized())
            key_package = member.session.get_serialized_key_package()
            others = [m for m in self.members.values() if m.user_id != user_id]
            self.members[user_id] = member
            if not others and not self.bot_key_package:
                self.leaves = [user_id]  # first in the call: its own pending group
                return member
            proposal = mls.add_proposal(key_package)
            if self.bot_key_package and (self.commit_by == "bot" or not others):
                await self._bot_commits([proposal], added=[user_id], welcomed=member)
            else:
                await self._member_commit([proposal], added=[user_id], welcomed=member)
            return member

    async def members_join(self, user_ids: list[int]) -> None:
        """Many members connect before the bot (benchmarks): the first one's group adds the
        others in one commit."""
        async with self._lock:
            assert not self.members and not self.bot_key_package
            joined = []
            for user_id in user_ids:
                session = davey.DaveSession(PROTOCOL_VERSION, user_id, self.channel_id)
                session.set_external_sender(self.sender.serialized())
                joined.append(DaveMember(user_id, session))
            first, others = joined[0], joined[1:]
            self.members = {m.user_id: m for m in joined}
            self.leaves = [first.user_id]
            if others:
                await self._member_commit_quietly(first, others)

    async def member_leaves(self, user_id: int) -> None:
        async with self._lock:
            member = self.members.pop(user_id, None)
            if member is None or user_id not in self.leaves:
                return
            proposal = mls.remove_proposal(self.leaves.index(user_id))
            if self.bot_in_group and (self.commit_by == "bot" or not self.members):
                await self._bot_commits([proposal], removed=[user_id])
            elif self.members:
                await self._member_commit([proposal], removed=[user_id])
            else:
                self.leaves[self.leaves.index(user_id)] = None

    # -- commits ---------------------------------------------------------------------------------

    def _proposals(self, proposals: list[bytes]) -> bytes:
        messages = [self.sender.proposal(self.group_id, self.epoch, p) for p in proposals]
        return mls.opaque(b"".join(messages))

    async def _member_commit(
        self,
        proposals: list[bytes],
        *,
        added: Sequence[int] = (),
        removed: Sequence[int] = (),
        welcomed: DaveMember | None = None,
        welcome_bot: bool = False,
    ) -> None:
        """Every simulated member in the group gets the proposals; the first one's commit wins,
        the others process it; the bot gets op 29 (commit) or op 30 (welcome)."""
        body = self._proposals(proposals)
        committers = [m for m in self.members.values() if m is not welcomed]
        results = [
            m.session.process_proposals(davey.ProposalsOperationType.append, body)
            for m in committers
        ]
        if self.bot_in_group and not welcome_bot:
            await self._binary(OP_PROPOSALS, bytes([APPEND]) + body)
        winner = results[0]
        assert winner is not None, "a member did not commit the proposals"
        for member in committers:
            member.session.process_commit(winner.commit)
        if welcomed is not None:
            assert winner.welcome is not None
            welcomed.session.process_welcome(winner.welcome)
        self.member_commits += 1
        self._apply(added, removed)
        transition = self._next_transition()
        if welcome_bot:
            assert winner.welcome is not None
            self.welcomes_to_bot += 1
            self.bot_in_group = True
            await self._to_bot(OP_WELCOME, struct.pack(">H", transition) + winner.welcome)
        elif self.bot_in_group:
            await self._to_bot(OP_ANNOUNCE_COMMIT, struct.pack(">H", transition) + winner.commit)

    async def _bot_commits(
        self,
        proposals: list[bytes],
        *,
        added: Sequence[int] = (),
        removed: Sequence[int] = (),
        welcomed: DaveMember | None = None,
    ) -> None:
        """The bot gets the proposals (op 27) and commits (op 28: commit + welcome); the
        simulated members process the same proposals too, then the bot's commit."""
        body = self._proposals(proposals)
        self._bot_commit = asyncio.get_running_loop().create_future()
        await self._binary(OP_PROPOSALS, bytes([APPEND]) + body)
        for member in self.members.values():
            if member is not welcomed:
                member.session.process_proposals(davey.ProposalsOperationType.append, body)
        payload = await asyncio.wait_for(self._bot_commit, BOT_COMMIT_WAIT_S)
        commit, welcome = mls.split_commit_welcome(payload)
        for member in self.members.values():
            if member is not welcomed:
                member.session.process_commit(commit)
        if welcomed is not None:
            assert welcome is not None, "the bot's commit came without a welcome"
            welcomed.session.process_welcome(welcome)
        self.bot_commits += 1
        self.bot_in_group = True
        self._apply(added, removed)
        await self._to_bot(OP_ANNOUNCE_COMMIT, struct.pack(">H", self._next_transition()) + commit)

    def _apply(self, added: Sequence[int], removed: Sequence[int]) -> None:
        """The tree after the commit: removals blank their leaf, additions take the leftmost
        blank one (RFC 9420 §12.1.1), in proposal order."""
        for user_id in removed:
            self.leaves[self.leaves.index(user_id)] = None
        for user_id in added:
            if None in self.leaves:
                self.leaves[self.leaves.index(None)] = user_id
            else:
                self.leaves.append(user_id)
        while self.leaves and self.leaves[-1] is None:
            self.leaves.pop()  # the tree shrinks when its right edge is blank
        self.epoch += 1

    # -- transitions ----------------------------------------------------------------------------

    def _next_transition(self) -> int:
        self.transitions += 1
        self._pending[self.transitions] = "mls"
        return self.transitions

    async def downgrade(self) -> int:
        """A client without DAVE joined: the call goes unencrypted (op 21, version 0). The bot
        lets unencrypted frames through from now on, and stops DAVE at op 22."""
        transition = self._next_transition()
        self.encrypted = False
        for member in self.members.values():
            member.session.set_passthrough_mode(True, 120)
        await self._json(
            OP_PREPARE_TRANSITION, {"transition_id": transition, "protocol_version": 0}
        )
        return transition

    async def upgrade(self) -> None:
        """Back to DAVE (op 24, epoch 1): everyone starts a new group; the bot sends a new key
        package, which the members' new group adds by a welcome."""
        async with self._lock:
            self.leaves, self.epoch = [], 0
            self.bot_in_group, self.bot_key_package = False, None
            self.encrypted = True
            for member in self.members.values():
                member.session.reinit(PROTOCOL_VERSION, member.user_id, self.channel_id)
                member.session.set_external_sender(self.sender.serialized())
                # Frames still unencrypted for a while (as discord.py allows them, 10 s).
                member.session.set_passthrough_mode(True, 10)
            members = list(self.members.values())
            if members:
                self.leaves = [members[0].user_id]
                if members[1:]:
                    await self._member_commit_quietly(members[0], members[1:])
        await self._json(OP_PREPARE_EPOCH, {"epoch": 1, "protocol_version": PROTOCOL_VERSION})

    async def _member_commit_quietly(
        self, committer: DaveMember, joiners: list[DaveMember]
    ) -> None:
        """Joiners added by the committer's commit, before the bot is in the call."""
        proposals = [mls.add_proposal(m.session.get_serialized_key_package()) for m in joiners]
        body = self._proposals(proposals)
        result = committer.session.process_proposals(davey.ProposalsOperationType.append, body)
        assert result is not None and result.welcome is not None
        committer.session.process_commit(result.commit)
        for joiner in joiners:
            joiner.session.process_welcome(result.welcome)
        self._apply([m.user_id for m in joiners], [])

    def release_welcome(self) -> Awaitable[None]:
        """Send what `hold_welcome` kept back."""
        self.hold_welcome = False
        held, self._held = self._held, []

        async def send() -> None:
            for op, payload in held:
                await self._binary(op, payload)

        return send()

    # -- sending -----------------------------------------------------------------------------------

    async def _to_bot(self, op: int, payload: bytes) -> None:
        if self.hold_welcome:
            self._held.append((op, payload))
        else:
            await self._binary(op, payload)

    async def _binary(self, op: int, payload: bytes) -> None:
        if self.send_binary is not None:
            await self.send_binary(op, payload)

    async def _json(self, op: int, data: Any) -> None:
        if self.send_json is not None:
            await self.send_json(op, data)

    # -- media -------------------------------------------------------------------------------------

    def encrypt(self, user_id: int, opus_frame: bytes) -> bytes:
        member = self.members.get(user_id)
        if member is None or not self.encrypted:
            return opus_frame
        return member.encrypt(opus_frame)

    def decrypt_from_bot(self, frame: bytes) -> bytes:
        """A member's client decrypting the bot's frame (raises if it cannot)."""
        listener = next((m for m in self.members.values() if m.session.ready), None)
        if listener is None:
            raise ValueError("no member in the group to decrypt the bot's frame")
        return bytes(listener.session.decrypt(self.bot_id, davey.MediaType.audio, frame))
