"""Correct a prediction with clicks: the Correct button on a prediction opens a menu of the
dataset's labels (first a menu of the items, when the reply has several predictions); the
chosen label is recorded with `correct`, as if typed."""

from __future__ import annotations

import re
from typing import Any

import discord

from assistant.commands.notes import prediction_labels
from assistant.markup import one_line, quoted

from .interact import (
    MAX_OPTIONS,
    OPTION_CHARS,
    bot_of,
    language_of,
    refuse,
    run_core,
    text_of,
)
from .members import guild_key
from .render import render


def _predictions(
    interaction: discord.Interaction[Any], message_id: int
) -> tuple[list[Any], list[str]]:
    """The predictions of one of my replies and the labels to choose from."""
    app = bot_of(interaction).assistant
    guild_id = guild_key(interaction.guild, interaction.user)
    record = app.store.reply(guild_id, str(message_id))
    if record is None:
        return [], []
    items = list((record.data or {}).get("predictions", []))
    return items, prediction_labels(app, guild_id, record)


class CorrectButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"trainer:correct"):
    def __init__(self, label: str = "Correct") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id="trainer:correct"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CorrectButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.message is None:
            return
        message_id = interaction.message.id
        items, labels = _predictions(interaction, message_id)
        if not items or not labels:
            await refuse(interaction, text_of(interaction, "correct.nothing"))
            return
        if len(items) == 1:
            text, view = _label_menu(interaction, message_id, 0, items[0]["text"], labels)
        else:
            view = discord.ui.View(timeout=None)
            view.add_item(
                ItemSelect(message_id, items, text_of(interaction, "correct.choose_item"))
            )
            text = text_of(interaction, "correct.which_item")
        await interaction.response.send_message(text, view=view, ephemeral=True)


def _label_menu(
    interaction: discord.Interaction[Any],
    message_id: int,
    number: int,
    text: str,
    labels: list[str],
) -> tuple[str, discord.ui.View]:
    """ "What is the right label for …?" and a menu of (the first 25) labels."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        LabelSelect(message_id, number, labels, text_of(interaction, "correct.choose_label"))
    )
    question = text_of(interaction, "correct.which_label", text=quoted(str(text), 200))
    if len(labels) > MAX_OPTIONS:  # a menu holds 25; the rest can be typed
        question += "\n" + text_of(
            interaction,
            "correct.more_labels",
            id=f"{message_id} {number}" if number else message_id,
        )
    return question, view


def _menu(
    custom_id: str, placeholder: str | None, options: list[discord.SelectOption]
) -> discord.ui.Select[Any]:
    """A select menu; one made again from a click's custom_id has no options to show (the
    click's values are what count), so it gets a stand-in."""
    stand_in = [discord.SelectOption(label="-", value="-")]
    return discord.ui.Select(
        custom_id=custom_id, placeholder=placeholder, options=options or stand_in
    )


class ItemSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"trainer:fixitem:(?P<message>[0-9]{1,20})",
):
    def __init__(
        self, message_id: int, items: list[Any] | None = None, placeholder: str | None = None
    ) -> None:
        options = [
            discord.SelectOption(
                label=one_line(f"{n}. {item['text']}", OPTION_CHARS),
                value=str(n),
                description=one_line(f"→ {item.get('prediction', '')}", OPTION_CHARS),
            )
            for n, item in enumerate((items or [])[:MAX_OPTIONS], start=1)
        ]
        super().__init__(_menu(f"trainer:fixitem:{message_id}", placeholder, options))
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ItemSelect:
        return cls(int(match["message"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        number = int(self.item.values[0])
        items, labels = _predictions(interaction, self.message_id)
        if not 1 <= number <= len(items):
            await refuse(interaction, text_of(interaction, "correct.nothing"))
            return
        text, view = _label_menu(
            interaction, self.message_id, number, items[number - 1]["text"], labels
        )
        await interaction.response.edit_message(content=text, view=view)


class LabelSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"trainer:fix:(?P<message>[0-9]{1,20}):(?P<item>[0-9]{1,3})",
):
    """`item` 0: the reply's only prediction; n: its item n."""

    def __init__(
        self,
        message_id: int,
        item: int,
        labels: list[str] | None = None,
        placeholder: str | None = None,
    ) -> None:
        options = [
            discord.SelectOption(label=label[:OPTION_CHARS], value=label[:OPTION_CHARS])
            for label in (labels or [])[:MAX_OPTIONS]
        ]
        super().__init__(_menu(f"trainer:fix:{message_id}:{item}", placeholder, options))
        self.message_id = message_id
        self.number = item

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LabelSelect:
        return cls(int(match["message"]), int(match["item"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        label = self.item.values[0]
        text = f"{self.number} {label}" if self.number else label
        reply = await run_core(
            interaction, "correct", {"message_id": str(self.message_id), "text": text}
        )
        rendered = render(reply, 0, language_of(interaction))
        await interaction.response.edit_message(
            content=rendered.content, embed=rendered.embed, view=None
        )
