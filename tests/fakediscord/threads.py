"""The fake Discord's threads, as Discord's API documents them (docs/topics/threads,
resources/channel): public threads (type 11) of the text channel, started from a message (the
thread takes the message's id) or without one, and posts of a forum channel (type 15), each a
public thread whose first message has the thread's id. Private threads: private_threads.py.

- GUILD_CREATE lists the active threads (`threads`), with the bot's thread member where it is
  one; THREAD_CREATE (`newly_created`), THREAD_UPDATE (a full channel object), THREAD_DELETE
  (`id`, `guild_id`, `parent_id`, `type`) and THREAD_MEMBERS_UPDATE are dispatched.
- A message in a thread carries the thread's id as its `channel_id`; posting in a thread makes
  the poster a member (THREAD_MEMBERS_UPDATE before the MESSAGE_CREATE), as Discord does.
- Archived threads: editing a message there is refused (400, 50083 "Thread is archived"); a new
  message unarchives the thread (THREAD_UPDATE) unless it is locked, then it is refused with
  50083 too (the bot has no Manage Threads: the invite link asks for none).
- A deleted thread is gone: every route of it answers 404, 10003 "Unknown Channel".
- Permissions are the parent's, but Send Messages in Threads, not Send Messages, lets one post.

A mixin of `FakeDiscord`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .limits import USER_MENTION
from .payloads import FakeMember, channel, now_iso, snowflake
from .rest import SEND_MESSAGES, ApiError, InvalidBody, json_response

PUBLIC_THREAD, PRIVATE_THREAD, GUILD_FORUM = 11, 12, 15
SEND_MESSAGES_IN_THREADS = 1 << 38
HAS_THREAD = 1 << 5
"""A message's flag: a thread was started from it (the thread has its id)."""
THREAD_STARTER_MESSAGE = 21
AUTO_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)
ARCHIVED, LOCKED, UNKNOWN_CHANNEL = 50083, 160005, 10003
WRONG_CHANNEL_TYPE, ALREADY_THREADED = 50024, 160004


@dataclass
class FakeThread:
    """One thread (or forum post) of the guild."""

    id: int
    parent_id: int
    owner_id: int
    name: str
    auto_archive_duration: int = 1440
    archived: bool = False
    locked: bool = False
    archiver_id: int | None = None
    archive_timestamp: str = field(default_factory=now_iso)
    create_timestamp: str = field(default_factory=now_iso)
    members: dict[int, str] = field(default_factory=dict)
    """User id -> when they joined the thread."""
    message_count: int = 0
    total_message_sent: int = 0
    last_message_id: int | None = None
    deleted: bool = False
    kind: int = PUBLIC_THREAD
    invitable: bool = True

    def payload(self, guild_id: int, me: int | None = None, *, in_guild: bool = False) -> Any:
        """The thread's channel object; with the member object of `me` if it is a member (in
        GUILD_CREATE without its `id` and `user_id`, as Discord sends it there)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "guild_id": str(guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "type": self.kind,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "message_count": self.message_count,
            "member_count": min(len(self.members), 50),
            "rate_limit_per_user": 0,
            "flags": 0,
            "total_message_sent": self.total_message_sent,
            "thread_metadata": {
                "archived": self.archived,
                "archiver_id": str(self.archiver_id) if self.archiver_id else None,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.archive_timestamp,
                "locked": self.locked,
                "create_timestamp": self.create_timestamp,
            },
        }
        if self.kind == PRIVATE_THREAD:
            data["thread_metadata"]["invitable"] = self.invitable
        if me is not None and me in self.members:
            data["member"] = self.member(me, with_ids=not in_guild)
        return data

    def hidden_from(self, user_id: int) -> bool:
        """A private thread is seen by its members only (and moderators: none here)."""
        return self.kind == PRIVATE_THREAD and user_id not in self.members

    def member(self, user_id: int, *, with_ids: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"join_timestamp": self.members[user_id], "flags": 0}
        if with_ids:
            data.update(id=str(self.id), user_id=str(user_id))
        return data


class Threads:
    """A mixin of `FakeDiscord`: its threads and forum posts, and the test API for them."""

    def _init_threads(self) -> None:
        self.threads: dict[int, FakeThread] = {}
        self.forum_channel_id = snowflake()
        self.messages.setdefault(self.forum_channel_id, [])

    # -- what members do ----------------------------------------------------------------------

    async def start_thread(
        self,
        name: str,
        author: FakeMember | None = None,
        *,
        message: dict[str, Any] | None = None,
        auto_archive_duration: int = 1440,
    ) -> FakeThread:
        """A member starts a public thread in the text channel: from `message` (the thread
        takes its id), or without one."""
        author = author or self.alice
        if message is None:
            return await self._new_thread(self.text_channel_id, name, author, auto_archive_duration)
        return await self._thread_from(message, name, author, auto_archive_duration)

    async def start_forum_post(
        self, name: str, content: str, author: FakeMember | None = None
    ) -> tuple[FakeThread, dict[str, Any]]:
        """A member posts in the forum channel: a thread and its first message, of one id."""
        author = author or self.alice
        thread = await self._new_thread(self.forum_channel_id, name, author, 4320)
        first = self._message(thread.id, author, content, [])
        first["id"] = str(thread.id)
        first["member"] = author.member(with_user=False)
        await self._add_message(first)
        await self.gateway.dispatch("MESSAGE_CREATE", first)
        return thread, first

    async def archive_thread(
        self, thread: FakeThread, *, locked: bool = False, by: FakeMember | None = None
    ) -> None:
        """The thread is archived: by Discord after its inactivity (no `by`), or by a
        moderator (`by`), who may lock it too (then only moderators can open it again)."""
        thread.archived, thread.locked = True, locked
        thread.archiver_id = by.id if by else None
        await self._thread_changed(thread)

    async def unarchive_thread(self, thread: FakeThread) -> None:
        thread.archived = thread.locked = False
        await self._thread_changed(thread)

    async def delete_thread(self, thread: FakeThread) -> None:
        """A moderator deletes the thread, and its messages with it (THREAD_DELETE)."""
        thread.deleted = True
        self.messages.pop(thread.id, None)
        data = {
            "id": str(thread.id),
            "guild_id": str(self.guild_id),
            "parent_id": str(thread.parent_id),
            "type": thread.kind,
        }
        await self.gateway.dispatch("THREAD_DELETE", data)
        await self._notify()

    async def join_thread(self, thread: FakeThread, member: FakeMember) -> None:
        """`member` joins; the bot joining a private thread is first told of it."""
        if member.id not in thread.members:
            told = thread.hidden_from(member.id) and member.id == self.bot.id
            thread.members[member.id] = now_iso()
            if told:
                await self._thread_shown(thread)
            await self._members_update(thread, member)

    def thread_messages(self, thread: FakeThread) -> list[dict[str, Any]]:
        return list(self.messages.get(thread.id, []))

    # -- what the rest of the fake asks --------------------------------------------------------

    def _thread(self, channel_id: int) -> FakeThread | None:
        return self.threads.get(channel_id)

    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        """Any channel of the guild as Discord describes it (GET, interactions)."""
        thread = self.threads.get(channel_id)
        if thread is not None:
            return dict(thread.payload(self.guild_id, self.bot.id))
        if channel_id == self.text_channel_id:
            return self._text_channel()
        if channel_id == self.forum_channel_id:
            return self._forum_channel()
        kind = 2 if channel_id == self.voice_channel_id else 0
        return channel(channel_id, self.guild_id, "channel", kind, 0)

    def _forum_channel(self) -> dict[str, Any]:
        data = channel(self.forum_channel_id, self.guild_id, "questions", GUILD_FORUM, 2)
        data.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None)
        data.update(default_forum_layout=0, default_auto_archive_duration=4320, flags=0)
        return data

    def _thread_payloads(self) -> list[dict[str, Any]]:
        """GUILD_CREATE's `threads`: the active ones."""
        return [
            t.payload(self.guild_id, self.bot.id, in_guild=True)
            for t in self.threads.values()
            if not t.archived and not t.deleted and not t.hidden_from(self.bot.id)
        ]

    def _send_permission(self, channel_id: int) -> tuple[int, int]:
        """(the bot's denied bits where it posts, the bit that lets it post there): a thread
        has its parent's overwrites, and needs Send Messages in Threads."""
        thread = self.threads.get(channel_id)
        parent = thread.parent_id if thread is not None else channel_id
        denied = self.bot_denied if parent == self.text_channel_id else 0
        return denied, SEND_MESSAGES_IN_THREADS if thread is not None else SEND_MESSAGES

    def _check_channel(self, channel_id: int) -> None:
        thread = self.threads.get(channel_id)
        if thread is not None and thread.deleted:
            raise ApiError(404, UNKNOWN_CHANNEL, "Unknown Channel")

    async def _check_send(self, channel_id: int) -> None:
        """Before the bot posts in `channel_id`: refuse, or open an archived thread."""
        self._check_channel(channel_id)
        thread = self.threads.get(channel_id)
        if thread is None:
            return
        if thread.archived and thread.locked:
            raise ApiError(400, ARCHIVED, "Thread is archived")
        if thread.locked:
            raise ApiError(403, LOCKED, "Thread is locked")
        if thread.archived:
            await self.unarchive_thread(thread)

    def _check_edit(self, message: dict[str, Any]) -> None:
        thread = self.threads.get(int(message["channel_id"]))
        if thread is not None:
            self._check_channel(thread.id)
            if thread.archived:
                raise ApiError(400, ARCHIVED, "Thread is archived")

    async def _member_posts(self, channel_id: int, author: FakeMember) -> None:
        """A member posts: Discord's client opens an archived thread by posting in it, but
        offers no message box in a locked or deleted one (nor shows a private one to others)."""
        thread = self.threads.get(channel_id)
        if thread is None:
            return
        if thread.deleted or thread.locked or thread.hidden_from(author.id):
            raise PermissionError(f"Discord's client cannot post in thread {thread.name!r} now")
        if thread.archived:
            await self.unarchive_thread(thread)

    async def _thread_posted(self, message: dict[str, Any]) -> None:
        """A message was posted in a thread: its counts, and its author (not an app answering
        an interaction: it may do so where it can post nothing) and whom it mentions join it."""
        thread = self.threads.get(int(message["channel_id"]))
        if thread is None:
            return
        message["position"] = thread.total_message_sent
        thread.message_count += 1
        thread.total_message_sent += 1
        thread.last_message_id = int(message["id"])
        answer = "interaction_id" in message
        author = None if answer else self.members.get(int(message["author"]["id"]))
        # Discord adds a member a message mentions (pings) to its thread
        pinged = mentions(message, self.bot.id)
        mentioned = [self.members[int(u)] for u in pinged if int(u) in self.members]
        for member in [m for m in (author, *mentioned) if m is not None]:
            await self.join_thread(thread, member)

    # -- the bot's REST routes -------------------------------------------------------------------

    async def _thread_route(
        self, method: str, p: list[str], request: web.Request
    ) -> web.Response | None:
        """The thread routes discord.py calls; None for any other route."""
        n = len(p)
        if p[0] != "channels" or n < 2:
            return None
        cid = int(p[1])
        self._check_channel(cid)
        self._check_access(cid)
        if n == 3 and p[2] == "threads" and method == "POST":
            body, _ = await self._body(request)
            if body.get("type", 12) != PUBLIC_THREAD:
                raise InvalidBody(["type: the fake's bot starts public threads (11) only"])
            if cid != self.text_channel_id:
                raise wrong_channel_type()
            thread = await self._new_thread(cid, _name(body), self.bot, _duration(body))
            return json_response(thread.payload(self.guild_id, self.bot.id))
        if n == 5 and p[2] == "messages" and p[4] == "threads" and method == "POST":
            body, _ = await self._body(request)
            message = self.find_message(p[3])
            if message is None or int(message["channel_id"]) != cid:
                raise KeyError("Message")
            thread = await self._thread_from(message, _name(body), self.bot, _duration(body))
            return json_response(thread.payload(self.guild_id, self.bot.id))
        thread = self.threads.get(cid)
        if thread is None:
            return None
        if n == 2 and method == "GET":
            return json_response(thread.payload(self.guild_id, self.bot.id))
        if n == 2 and method == "DELETE":
            await self.delete_thread(thread)
            return json_response(thread.payload(self.guild_id, self.bot.id))
        if n == 4 and p[2] == "thread-members" and p[3] == "@me" and method == "PUT":
            if thread.archived:
                raise ApiError(400, ARCHIVED, "Thread is archived")
            await self.join_thread(thread, self.bot)
            return web.Response(status=204)
        return None

    # -- helpers ---------------------------------------------------------------------------------

    async def _new_thread(
        self,
        parent_id: int,
        name: str,
        author: FakeMember,
        minutes: int,
        thread_id: int = 0,
        *,
        kind: int = PUBLIC_THREAD,
    ) -> FakeThread:
        thread = FakeThread(
            thread_id or snowflake(), parent_id, author.id, name, minutes, kind=kind
        )
        self.threads[thread.id] = thread
        self.messages.setdefault(thread.id, [])
        created = {**thread.payload(self.guild_id, self.bot.id), "newly_created": True}
        await self.gateway.dispatch("THREAD_CREATE", created)
        await self.join_thread(thread, author)
        await self._notify()
        return thread

    async def _thread_from(
        self, message: dict[str, Any], name: str, author: FakeMember, minutes: int
    ) -> FakeThread:
        """A thread started from a message of the text channel: THREAD_CREATE, the message
        marked as having it (MESSAGE_UPDATE), and a starter message inside pointing back."""
        parent_id = int(message["channel_id"])
        if parent_id != self.text_channel_id:
            raise wrong_channel_type()
        if int(message["id"]) in self.threads:
            raise ApiError(400, ALREADY_THREADED, "A thread has already been created for this")
        thread = await self._new_thread(parent_id, name, author, minutes, int(message["id"]))
        message["flags"] = int(message.get("flags", 0)) | HAS_THREAD
        message["thread"] = thread.payload(self.guild_id)
        await self.gateway.dispatch("MESSAGE_UPDATE", message)
        starter = self._message(thread.id, self.members[int(message["author"]["id"])], "", [])
        starter["type"] = THREAD_STARTER_MESSAGE
        reference = {"message_id": message["id"], "channel_id": str(parent_id)}
        starter["message_reference"] = {**reference, "guild_id": str(self.guild_id)}
        starter["referenced_message"] = message
        await self._add_message(starter)
        await self.gateway.dispatch("MESSAGE_CREATE", starter)
        return thread

    async def _thread_changed(self, thread: FakeThread) -> None:
        thread.archive_timestamp = now_iso()
        await self.gateway.dispatch("THREAD_UPDATE", thread.payload(self.guild_id, self.bot.id))
        await self._notify()

    async def _members_update(self, thread: FakeThread, member: FakeMember) -> None:
        added = {**thread.member(member.id), "member": member.member(), "presence": None}
        data = {
            "id": str(thread.id),
            "guild_id": str(self.guild_id),
            "member_count": min(len(thread.members), 50),
            "added_members": [added],
        }
        await self.gateway.dispatch("THREAD_MEMBERS_UPDATE", data)


def wrong_channel_type() -> ApiError:
    return ApiError(400, WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type")


def mentions(message: dict[str, Any], bot_id: int) -> list[str]:
    """Whom a message pings: the bot's `mentions` (what its `allowed_mentions` let through),
    a member's every mention typed."""
    if message["author"]["id"] == str(bot_id):
        return [u["id"] for u in message.get("mentions") or []]
    return list(USER_MENTION.findall(message.get("content") or ""))


def _name(body: dict[str, Any]) -> str:
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise InvalidBody(["name: must be 1 to 100 characters"])
    return name


def _duration(body: dict[str, Any]) -> int:
    minutes = int(body.get("auto_archive_duration") or 1440)
    if minutes not in AUTO_ARCHIVE_MINUTES:
        raise InvalidBody([f"auto_archive_duration: one of {AUTO_ARCHIVE_MINUTES}"])
    return minutes
