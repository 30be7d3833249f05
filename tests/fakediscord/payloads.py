"""JSON payloads shaped like Discord's (API v10), as discord.py 2.7 parses them."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)

# Everything except ADMINISTRATOR (bit 3): what a plain member of a friendly server may do.
EVERYONE_PERMISSIONS = ((1 << 47) - 1) & ~(1 << 3)
ADMINISTRATOR = 1 << 3


def snowflake() -> int:
    """Unique, time-ordered ids like Discord's."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class FakeMember:
    """A guild member the tests act as."""

    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    ssrc: int = 0
    """Audio SSRC used when this member speaks in voice."""

    def user(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
        }
        if with_user:
            data["user"] = self.user()
        return data


def role(role_id: int, name: str, permissions: int = 0, position: int = 1) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def channel(channel_id: int, guild_id: int, name: str, kind: int, position: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(channel_id),
        "guild_id": str(guild_id),
        "name": name,
        "type": kind,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }
    if kind == 2:
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
    else:
        data.update(topic=None, last_message_id=None, rate_limit_per_user=0)
    return data


def attachment_payload(
    attachment_id: int, filename: str, size: int, url: str, content_type: str | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
    }
    if content_type:
        data["content_type"] = content_type
    return data
