"""What people told the bot: replies it recorded, corrections, feedback, voice opt-outs."""

from __future__ import annotations

import json
import time
from typing import Any

from .base import StoreBase
from .database import Row
from .records import (
    Correction,
    Feedback,
    ReplyRecord,
    loads,
)

LATEST_REPLY = (
    "SELECT * FROM replies WHERE guild_id = ? AND channel_id = ? AND kind = ?"
    " ORDER BY created_at DESC LIMIT 1"
)
"""A channel's newest reply of a kind, read by the index `replies_channel` (schema.py)."""


class NoteRecords(StoreBase):
    # -- replies, corrections, feedback --------------------------------------------------------

    def record_reply(
        self,
        message_id: str,
        guild_id: str,
        channel_id: str,
        kind: str,
        text: str,
        data: dict[str, Any] | None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO replies (message_id, guild_id, channel_id, kind, text, data_json,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
                (
                    message_id,
                    guild_id,
                    channel_id,
                    kind,
                    text,
                    json.dumps(data) if data is not None else None,
                    time.time(),
                ),
            )

    def reply(self, guild_id: str, message_id: str) -> ReplyRecord | None:
        row = self._one(
            "SELECT * FROM replies WHERE guild_id = ? AND message_id = ?", (guild_id, message_id)
        )
        return None if row is None else _reply_record(row)

    def latest_reply(self, guild_id: str, channel_id: str, kind: str) -> ReplyRecord | None:
        """The newest reply of `kind` sent to a channel (my last prediction there)."""
        row = self._one(LATEST_REPLY, (guild_id, channel_id, kind))
        return None if row is None else _reply_record(row)

    def add_correction(
        self,
        *,
        guild_id: str,
        channel_id: str,
        message_id: str,
        author_id: str,
        author_name: str,
        kind: str,
        original: str,
        correction: str,
        dataset_id: int | None = None,
    ) -> Correction:
        """A correction of an item of a prediction replaces an earlier one of the same item
        (the same reply and text): the later word on it is the one that counts, once."""
        now = time.time()
        with self._tx() as db:
            if kind == "prediction":
                db.execute(
                    "DELETE FROM corrections WHERE guild_id = ? AND message_id = ?"
                    " AND kind = ? AND original = ?",
                    (guild_id, message_id, kind, original),
                )
            row_id = db.execute(
                "INSERT INTO corrections (guild_id, channel_id, message_id, author_id, author_name,"
                " kind, original, correction, created_at, dataset_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    channel_id,
                    message_id,
                    author_id,
                    author_name,
                    kind,
                    original,
                    correction,
                    now,
                    dataset_id,
                ),
            )[0][0]
        row = self._one("SELECT * FROM corrections WHERE id = ?", (row_id,))
        assert row is not None
        return Correction(**dict(row))

    def corrections(
        self, guild_id: str, kind: str | None = None, *, dataset_id: int | None = None
    ) -> list[Correction]:
        sql = "SELECT * FROM corrections WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if kind is not None:
            sql, args = sql + " AND kind = ?", [*args, kind]
        if dataset_id is not None:
            sql, args = sql + " AND dataset_id = ?", [*args, dataset_id]
        return [Correction(**dict(r)) for r in self._all(sql + " ORDER BY id", args)]

    def add_feedback(
        self, *, guild_id: str, channel_id: str, author_id: str, author_name: str, text: str
    ) -> Feedback:
        with self._tx() as db:
            row_id = db.execute(
                "INSERT INTO feedback (guild_id, channel_id, author_id, author_name, text,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, channel_id, author_id, author_name, text, time.time()),
            )[0][0]
        row = self._one("SELECT * FROM feedback WHERE id = ?", (row_id,))
        assert row is not None
        return Feedback(**dict(row))

    def feedback(self, guild_id: str, limit: int = 10) -> list[Feedback]:
        rows = self._all(
            "SELECT * FROM feedback WHERE guild_id = ? ORDER BY id DESC LIMIT ?", (guild_id, limit)
        )
        return [Feedback(**dict(r)) for r in rows]

    def reply_ids(self, guild_id: str) -> list[str]:
        rows = self._all("SELECT message_id FROM replies WHERE guild_id = ?", (guild_id,))
        return [r[0] for r in rows]

    # -- voice privacy -------------------------------------------------------------------------

    def set_voice_optout(self, guild_id: str, user_id: str, opted_out: bool) -> None:
        with self._tx() as db:
            if opted_out:
                db.execute(
                    "INSERT INTO voice_optouts (guild_id, user_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (guild_id, user_id) DO NOTHING",
                    (guild_id, user_id, time.time()),
                )
            else:
                db.execute(
                    "DELETE FROM voice_optouts WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                )

    def voice_optouts(self, guild_id: str) -> set[str]:
        rows = self._all("SELECT user_id FROM voice_optouts WHERE guild_id = ?", (guild_id,))
        return {r[0] for r in rows}


def _reply_record(row: Row) -> ReplyRecord:
    data = dict(row)
    data["data"] = loads(data.pop("data_json"))
    return ReplyRecord(**data)
