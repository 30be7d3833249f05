"""The fake Discord's private threads (type 12), as Discord's API documents them
(docs/topics/threads): a member starts one in the text channel, without a message, and only
its members see it (moderators too: the bot has no Manage Threads). The bot is sent nothing of
one it is not in (no THREAD_CREATE, no MESSAGE_CREATE, not in GUILD_CREATE's `threads`), and
every route of it answers 403, 50001 "Missing Access".

- A member adds the bot (thread members add, or a message mentioning it): the bot is sent
  THREAD_CREATE (it could not see the thread before), THREAD_MEMBERS_UPDATE, and then sees
  the thread's messages, the "added" notice (RECIPIENT_ADD, type 1) first.
- A member removes the bot: THREAD_MEMBERS_UPDATE with its id in `removed_member_ids`
  (always sent to the one removed), then nothing more; the "removed" notice (RECIPIENT_REMOVE,
  type 2) is posted for the members left.

A mixin of `FakeDiscord`, beside `Threads`."""

from __future__ import annotations

from typing import Any

from .payloads import FakeMember
from .rest import ApiError
from .threads import PRIVATE_THREAD, FakeThread

RECIPIENT_ADD, RECIPIENT_REMOVE = 1, 2
MISSING_ACCESS = 50001


class PrivateThreads:
    """A mixin of `FakeDiscord`: private threads and who is in them."""

    async def start_private_thread(
        self, name: str, author: FakeMember | None = None, *, invitable: bool = True
    ) -> FakeThread:
        """A member starts a private thread in the text channel (only they are in it);
        `invitable`: members who are not moderators may add others."""
        author = author or self.alice
        thread = await self._new_thread(
            self.text_channel_id, name, author, 1440, kind=PRIVATE_THREAD
        )
        thread.invitable = invitable
        return thread

    async def add_to_thread(
        self, thread: FakeThread, member: FakeMember, by: FakeMember | None = None
    ) -> None:
        """`by` adds `member` to the thread (PUT /channels/{id}/thread-members/{user id})."""
        by = by or self.alice
        if thread.hidden_from(by.id) or thread.archived or thread.deleted:
            raise PermissionError(f"{by.name} cannot add members to thread {thread.name!r}")
        if member.id in thread.members:
            return
        await self.join_thread(thread, member)
        await self._recipient_notice(thread, RECIPIENT_ADD, member, by)

    async def remove_from_thread(
        self, thread: FakeThread, member: FakeMember, by: FakeMember | None = None
    ) -> None:
        """`by` removes `member` from the thread (DELETE /channels/{id}/thread-members/{id})."""
        by = by or self.alice
        if member.id not in thread.members:
            return
        del thread.members[member.id]
        data = {
            "id": str(thread.id),
            "guild_id": str(self.guild_id),
            "member_count": min(len(thread.members), 50),
            "removed_member_ids": [str(member.id)],
        }
        await self.gateway.dispatch("THREAD_MEMBERS_UPDATE", data)
        await self._recipient_notice(thread, RECIPIENT_REMOVE, member, by)

    async def _recipient_notice(
        self, thread: FakeThread, kind: int, member: FakeMember, by: FakeMember
    ) -> None:
        """The system message "by added (removed) member", posted in the thread."""
        notice = self._message(thread.id, by, "", [])
        notice.update(type=kind, mentions=[member.user()], member=by.member(with_user=False))
        await self._add_message(notice)
        await self.gateway.dispatch("MESSAGE_CREATE", notice)

    async def _thread_shown(self, thread: FakeThread) -> None:
        """The bot was added to a private thread: Discord sends it THREAD_CREATE (without
        `newly_created`), as it could not see the thread before."""
        await self.gateway.dispatch("THREAD_CREATE", thread.payload(self.guild_id, self.bot.id))

    def _check_access(self, channel_id: int) -> None:
        """Before any route of a channel: a private thread the bot is not in is refused
        (interactions there are answered all the same: not through these routes)."""
        thread = self.threads.get(channel_id)
        if thread is not None and thread.hidden_from(self.bot.id):
            raise ApiError(403, MISSING_ACCESS, "Missing Access")

    def _bot_sees(self, name: str, data: Any) -> bool:
        """Whether the bot is sent the gateway event: nothing of a private thread it is not in,
        but its own removal from one."""
        if name.startswith("THREAD_"):
            channel_id = data.get("id")
        elif name.startswith("MESSAGE_"):
            channel_id = data.get("channel_id")
        else:
            return True
        thread = self.threads.get(int(channel_id)) if channel_id else None
        if thread is None or not thread.hidden_from(self.bot.id):
            return True
        return str(self.bot.id) in data.get("removed_member_ids", [])
