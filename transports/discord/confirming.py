"""Confirm / Cancel before a destructive command (`remove`, `undo`, `rollback`): the command
and its one option ride in the Confirm button's custom_id, and only the member who asked may
answer. (`archive` never overwrites an archive, so it does not ask.)"""

from __future__ import annotations

import re
from typing import Any

import discord

from assistant import i18n

from .interact import RecentClicks, bot_of, defer, refuse, run_core, text_of
from .members import guild_key
from .pages import Paged
from .render import render

CONFIRMED: dict[str, str | None] = {"remove": "example", "undo": None, "rollback": None}
"""Destructive commands asked about first -> their one option (carried in the custom_id)."""
_ARGUMENT = re.compile(r"[A-Za-z0-9#_.-]{0,40}")


def confirmable(command: str, argument: str) -> bool:
    """Whether a command is asked about first (its option must fit the custom_id)."""
    return command in CONFIRMED and _ARGUMENT.fullmatch(argument) is not None


_ANSWERED = RecentClicks()
"""Questions already answered: a second Confirm or Cancel is told so."""


async def _first_answer(interaction: discord.Interaction[Any]) -> bool:
    """Claim the clicked question for this click; a later click is told it was answered."""
    message = interaction.message
    if message is not None and _ANSWERED.again(message.id):
        await refuse(interaction, text_of(interaction, "confirm.answered"))
        return False
    return True


async def _asker_only(interaction: discord.Interaction[Any], user_id: int) -> bool:
    """Only the member who ran the command may confirm or cancel it."""
    if interaction.user.id == user_id:
        return True
    await refuse(interaction, text_of(interaction, "confirm.not_yours"))
    return False


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trainer:confirm:(?P<user>[0-9]{1,20}):(?P<command>[a-z_]{1,20}):(?P<arg>[A-Za-z0-9#_.-]{0,40})",
):
    def __init__(self, user_id: int, command: str, argument: str, label: str = "Confirm") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.danger,
                custom_id=f"trainer:confirm:{user_id}:{command}:{argument}",
            )
        )
        self.user_id, self.command, self.argument = user_id, command, argument

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ConfirmButton:
        return cls(int(match["user"]), match["command"], match["arg"])

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return await _asker_only(interaction, self.user_id)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        option = CONFIRMED.get(self.command, "")
        if option == "":
            await refuse(interaction, text_of(interaction, "component.expired"))
            return
        if not await _first_answer(interaction):
            return
        if not await defer(interaction, f"the confirmation of {self.command}"):
            return  # e.g. rollback loads a model first: acknowledged before it runs
        reply = await run_core(interaction, self.command, {option: self.argument} if option else {})
        bot = bot_of(interaction)
        guild_id = guild_key(interaction.guild, interaction.user)
        language = bot.assistant.language(guild_id)
        rendered = render(reply, 0, language)
        from .components import reply_view  # components imports this module's buttons

        # a long answer (an undo of many labels) is pages: without their buttons, page 1 was
        # all there was to see
        message = await interaction.edit_original_response(
            content=rendered.content,
            embed=rendered.embed,
            view=reply_view(language, reply, len(rendered.pages)),
        )
        if len(rendered.pages) > 1:
            bot.delivery.pages.put(message.id, Paged(reply, rendered.title, rendered.pages))
        if reply.ok:
            bot.assistant.record_reply(
                reply,
                message_id=str(message.id),
                guild_id=guild_id,
                channel_id=str(message.channel.id),
            )


class DeclineButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trainer:decline:(?P<user>[0-9]{1,20})",
):
    def __init__(self, user_id: int, label: str = "Cancel") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"trainer:decline:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeclineButton:
        return cls(int(match["user"]))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return await _asker_only(interaction, self.user_id)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not await _first_answer(interaction):
            return
        await interaction.response.edit_message(
            content=text_of(interaction, "confirm.declined"), embed=None, view=None
        )


def confirm_view(language: str, user_id: int, command: str, argument: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        ConfirmButton(user_id, command, argument, i18n.message(language, "button.confirm"))
    )
    view.add_item(DeclineButton(user_id, i18n.message(language, "button.cancel")))
    return view
