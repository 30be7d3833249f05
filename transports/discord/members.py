"""Who asked, as the core sees it: a Discord member as a `User`, its guild as a key."""

from __future__ import annotations

import discord

from assistant import i18n
from assistant.messages import Reply, User


def to_user(author: discord.abc.User) -> User:
    """Role names decide permissions; guild administrators pass every check."""
    if isinstance(author, discord.Member):
        roles = frozenset(r.name for r in author.roles if not r.is_default())
        return User(
            id=str(author.id),
            name=author.display_name,
            roles=roles,
            is_admin=author.guild_permissions.administrator,
        )
    # a direct message: no guild, so no roles (a member's roles are not sent with it)
    return User(id=str(author.id), name=author.display_name, roles_seen=False)


def guild_key(guild: discord.Guild | None, author: discord.abc.User) -> str:
    return str(guild.id) if guild is not None else f"dm-{author.id}"


def slow_down(wait: float, language: str) -> Reply:
    """The rate limit's refusal, written and spoken, in the guild's language."""
    return Reply(
        text=i18n.message(language, "discord.slow_down", seconds=f"{wait:.0f}"),
        speech=i18n.message(language, "discord.slow_down.speech"),
        ok=False,
        kind="error",
    )
