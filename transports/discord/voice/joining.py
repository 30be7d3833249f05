"""Whether and why the bot cannot join a member's voice channel, read before it tries (Discord
answers nothing to a join it refuses) and after a try failed, as catalog keys the replies say."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands


def voice_channel(ctx: commands.Context[Any]) -> Any:
    """The voice channel the command's author sits in, if any (none in a DM)."""
    state = getattr(ctx.author, "voice", None) if ctx.guild is not None else None
    return state.channel if state is not None else None


def barred(channel: Any) -> str | None:
    """Why I cannot join `channel`, as a catalog key, or None. Discord answers nothing to a
    join it refuses (no Connect permission, or the channel full): the member was told
    "Joining..." and then, 15 s later, that the connection timed out."""
    me = channel.guild.me
    if me is None or me in channel.members:
        return None
    permissions = channel.permissions_for(me)
    if not permissions.connect:
        return "voice.no_connect"
    full = 0 < channel.user_limit <= len(channel.members)
    if full and not permissions.move_members:  # Move Members may join a full channel
        return "voice.channel_full"
    return None


def why_not_joined(exc: Exception) -> str:
    """The catalog key of why joining failed; empty when discord.py's own words say it."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "voice.why.timeout"
    if isinstance(exc, discord.Forbidden):
        return "voice.why.forbidden"
    if isinstance(exc, discord.ClientException):
        return ""
    return "voice.why.internal"
