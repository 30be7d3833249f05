"""Who asked, as the core sees it: a Discord member as a `User`, its guild as a key; and the
roles config.yaml names that a server lacks, which the operator is told of."""

from __future__ import annotations

import logging

import discord

from assistant import i18n
from assistant.config import Permissions
from assistant.messages import Reply, User
from assistant.permissions import missing_roles

log = logging.getLogger(__name__)


def to_user(author: discord.abc.User) -> User:
    """Role names decide permissions; guild administrators pass every check."""
    if isinstance(author, discord.Member):
        roles = frozenset(r.name for r in author.roles if not r.is_default())
        return User(
            id=str(author.id),
            name=author.display_name,
            roles=roles,
            is_admin=author.guild_permissions.administrator,
            server_roles=server_roles(author.guild),
        )
    # a direct message: no guild, so no roles (a member's roles are not sent with it)
    return User(id=str(author.id), name=author.display_name, roles_seen=False)


def server_roles(guild: discord.Guild) -> frozenset[str]:
    """The names of the server's roles (@everyone aside: no config names it)."""
    return frozenset(role.name for role in guild.roles if not role.is_default())


def warn_of_missing_roles(guild: discord.Guild, rules: Permissions) -> bool:
    """Log a warning naming each role of `permissions.commands` that the server does not have
    (its members are refused what that role guards, and no admin of theirs can give it until
    it is made); True when there was one."""
    missing = missing_roles(rules, server_roles(guild))
    if missing:
        listed = "; ".join(f"`{role}` ({', '.join(guards)})" for role, guards in missing.items())
        log.warning(
            "server %s (id %s) has no role of these names that config.yaml permissions.commands "
            "gives commands to: %s. No member there can be given a role the server lacks: an "
            "admin should create it there, or config.yaml name another",
            guild.name,
            guild.id,
            listed,
        )
    return bool(missing)


def guild_key(guild: discord.Guild | None, author: discord.abc.User) -> str:
    return str(guild.id) if guild is not None else f"dm-{author.id}"


def pinging(member: str | None) -> tuple[str, discord.AllowedMentions]:
    """The mention of `member` (a user id; none for another value) for a message's text, and
    the allowed mentions that notify them and no one else."""
    if not member or not member.isdigit():
        return "", discord.AllowedMentions(users=False)
    return f"<@{member}>", discord.AllowedMentions(users=[discord.Object(int(member))])


def slow_down(wait: float, language: str) -> Reply:
    """The rate limit's refusal, written and spoken, in the guild's language."""
    return Reply(
        text=i18n.message(language, "discord.slow_down", seconds=f"{wait:.0f}"),
        speech=i18n.message(language, "discord.slow_down.speech"),
        ok=False,
        kind="error",
    )
