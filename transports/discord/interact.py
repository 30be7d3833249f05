"""What every button and select menu does with a click: find the bot, speak the guild's
language, run a core command as the member who clicked (so roles are checked at click time),
and refuse with a message only that member sees."""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from assistant import i18n
from assistant.errors import environment_problem
from assistant.messages import Reply, Request

from .members import guild_key, slow_down, to_user
from .render import error_embed

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)

MAX_OPTIONS = 25
"""Discord's limit on a select menu's options."""
OPTION_CHARS = 100
"""Discord's limit on an option's label and value."""


class RecentClicks:
    """When each key (a message, or a message and a member) was last clicked, the newest
    `keep` of them: two clicks that reach me before the first one's answer removed or changed
    the buttons (a double click, a phone and a laptop) must not run a command twice. A
    guild's interactions all come to the one process of its shard."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self._at: OrderedDict[Hashable, float] = OrderedDict()

    def again(self, key: Hashable, within_s: float = math.inf) -> bool:
        """Whether `key` was clicked within `within_s` before now; this click is recorded."""
        now = time.monotonic()
        again = key in self._at and now - self._at[key] < within_s
        self._at[key] = now
        self._at.move_to_end(key)
        while len(self._at) > self.keep:
            self._at.popitem(last=False)
        return again


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


ALREADY_ACKNOWLEDGED = 40060
"""Discord's code for an interaction answered a second time."""


async def defer(interaction: discord.Interaction[Any], what: str) -> bool:
    """Acknowledge a slash command (or a click) within Discord's 3 seconds ("thinking…" until
    its answer, which replaces it). False when it could not be, Discord having shown the member
    that it failed: the command is not run (they may run it again), and the log says so.

    A 5xx is tried again by discord.py; when Discord had taken the first attempt all the same
    (its edge gave up waiting), the retry is refused as already acknowledged. It is: the
    command runs and its answer replaces the placeholder (it was lost, and the member saw
    "thinking…" for good)."""
    try:
        await interaction.response.defer()
    except discord.HTTPException as exc:
        if exc.code != ALREADY_ACKNOWLEDGED:
            log.warning(
                "%s was not run: Discord did not take its acknowledgement (%s); "
                "the member was shown that it failed",
                what,
                exc,
            )
            return False
        log.info("%s: Discord had taken its acknowledgement, though it answered %s", what, exc)
        # discord.py saw no answer and would answer again (refused): it is deferred
        kinds = discord.InteractionResponseType
        clicked = interaction.type in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        )
        # what `defer()` sends for each: a click's message is updated, not answered
        deferred = kinds.deferred_message_update if clicked else kinds.deferred_channel_message
        interaction.response._response_type = deferred
    return True


async def refuse(interaction: discord.Interaction[Any], text: str) -> None:
    """An error only the clicking member sees."""
    embed = error_embed(text, language_of(interaction))
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def on_app_command_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> None:
    """A slash command that failed outside its callback: above all, one Discord sent without
    an option it requires, or with one it lacks (a member's Discord still showing an older
    form of the command). discord.py only logged it, and the member saw Discord's "The
    application did not respond"; now they are told, and the log has the rest."""
    if isinstance(error, app_commands.CommandSignatureMismatch):
        log.warning("/%s arrived in a form it does not have: %s", error.command.name, error)
        text = text_of(interaction, "slash.mismatch", name=error.command.name)
    elif (problem := environment_problem(error.__cause__ or error)) is not None:
        log.error("slash command failed: %s", error.__cause__ or error)
        text = text_of(interaction, problem)
    else:
        reference = secrets.token_hex(3)
        log.error("slash command failed (ref %s)", reference, exc_info=error)
        text = text_of(interaction, "error.internal", reference=reference)
    try:
        await refuse(interaction, text)
    except discord.HTTPException as exc:
        log.info("could not answer a failed slash command: %s", exc)
