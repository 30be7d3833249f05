"""What every button and select menu does with a click: find the bot, speak the guild's
language, run a core command as the member who clicked (so roles are checked at click time),
and refuse with a message only that member sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from assistant import i18n
from assistant.messages import Reply, Request

from .members import guild_key, slow_down, to_user
from .render import error_embed

if TYPE_CHECKING:
    from .client import TrainerBot

MAX_OPTIONS = 25
"""Discord's limit on a select menu's options."""
OPTION_CHARS = 100
"""Discord's limit on an option's label and value."""


def bot_of(interaction: discord.Interaction[Any]) -> TrainerBot:
    return cast("TrainerBot", interaction.client)


def language_of(interaction: discord.Interaction[Any]) -> str:
    return bot_of(interaction).assistant.language(guild_key(interaction.guild, interaction.user))


def text_of(interaction: discord.Interaction[Any], key: str, **fields: Any) -> str:
    return i18n.message(language_of(interaction), key, **fields)


async def run_core(
    interaction: discord.Interaction[Any], command: str, options: dict[str, Any]
) -> Reply:
    """Run a core command as the member who clicked (roles checked now, rate limit counted)."""
    bot = bot_of(interaction)
    wait = bot.commands_cog.limiter.hit(str(interaction.user.id))
    if wait:
        return slow_down(wait, language_of(interaction))
    request = Request(
        command=command,
        user=to_user(interaction.user),
        guild_id=guild_key(interaction.guild, interaction.user),
        channel_id=str(interaction.channel_id),
        options=options,
        source="slash",
    )
    return await bot.assistant.handle(request)


async def refuse(interaction: discord.Interaction[Any], text: str) -> None:
    """An error only the clicking member sees."""
    embed = error_embed(text, language_of(interaction))
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=True)
