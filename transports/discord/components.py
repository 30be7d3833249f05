"""Buttons and select menus on the bot's messages.

Every item is a `DynamicItem`: its state lives in its `custom_id`, so the buttons of messages
sent before a restart keep working (the bot registers the item classes at start-up). A click
is an interaction like a slash command: it is acknowledged within Discord's 3 seconds (deferred
when the work may be slow), runs the core command with the clicking member, and so is checked
against config.yaml's roles at click time, not when the message was sent.

- Cancel on a training message (`cancel <job>`);
- Correct on a prediction: a select menu of the dataset's labels (first the item, when the
  reply has several predictions) records a correction (`correct`);
- Confirm / Cancel before a destructive command (`remove`, `undo`, `rollback`): only the member
  who asked may confirm;
- Previous / Next on a reply too long for one message (pages.py);
- Run `test` on "Did you mean `test`?", when the command runs without arguments: the clicking
  member runs it as if they had typed it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import discord

from assistant import i18n
from assistant.messages import Reply

from .confirming import ConfirmButton, DeclineButton
from .correcting import CorrectButton, ItemSelect, LabelSelect
from .interact import RecentClicks, bot_of, defer, language_of, refuse, run_core, text_of
from .members import guild_key
from .pages import Paged
from .render import page_kwargs, render

LABEL_LIMIT = 80
"""Discord's longest button label."""
CUSTOM_ID_LIMIT = 100
"""Discord's longest custom id of a component."""


class CancelJobButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"trainer:cancel:(?P<job>[0-9]{1,18})"
):
    def __init__(self, job_id: int, label: str = "Cancel") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.danger, custom_id=f"trainer:cancel:{job_id}"
            )
        )
        self.job_id = job_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CancelJobButton:
        return cls(int(match["job"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # cancelling waits for the trainer to stop
        if await defer(interaction, f"the Cancel button of job {self.job_id}"):
            await _run_and_post(interaction, "cancel", {"job": self.job_id})


async def _run_and_post(
    interaction: discord.Interaction[Any], command: str, options: dict[str, Any]
) -> None:
    """Run a command for the clicking member (the interaction deferred) and post its reply in
    the channel; a refusal only they see."""
    reply = await run_core(interaction, command, options)
    if not reply.ok:
        await refuse(interaction, reply.text)
        return
    await bot_of(interaction).delivery.deliver(
        interaction.followup,
        reply,
        guild_id=guild_key(interaction.guild, interaction.user),
        wait=True,
    )


class RunSuggestedButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trainer:run:(?P<command>[a-z_]{1,20})(?::(?P<option>[a-z_]{1,20}):(?P<value>.+))?",
):
    """Runs the command a "Did you mean" suggested, with the one name of the guild's data
    the line held (`archive movie_reviews`), for the member who clicks."""

    def __init__(
        self, command: str, label: str = "Run", option: tuple[str, str] | None = None
    ) -> None:
        custom_id = f"trainer:run:{command}" + (f":{option[0]}:{option[1]}" if option else "")
        super().__init__(
            discord.ui.Button(
                label=label[:LABEL_LIMIT], style=discord.ButtonStyle.primary, custom_id=custom_id
            )
        )
        self.command = command
        self.option = option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RunSuggestedButton:
        option = (match["option"], match["value"]) if match["option"] else None
        return cls(match["command"], option=option)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        options = dict([self.option]) if self.option else {}
        # A button of an older version may name what a suggestion no longer offers.
        if bot_of(interaction).assistant.runnable(self.command, None, options) != self.command:
            await refuse(interaction, text_of(interaction, "component.expired"))
            return
        if _clicked_again(interaction):
            await refuse(interaction, text_of(interaction, "component.run_again"))
            return
        # `train` and `test` start work
        if await defer(interaction, f"the Run {self.command} button"):
            await _run_and_post(interaction, self.command, options)


_RUN_CLICKS = RecentClicks()
RUN_AGAIN_S = 10.0
"""A second Run by the same member on the same message within this is a double click (two
archives were made); anyone else's Run, or a later one, runs."""


def _clicked_again(interaction: discord.Interaction[Any]) -> bool:
    message = interaction.message
    key = (message.id, interaction.user.id) if message is not None else None
    return key is not None and _RUN_CLICKS.again(key, RUN_AGAIN_S)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trainer:page:(?P<way>prev|next):(?P<page>[0-9]{1,4})",
):
    def __init__(self, way: str, page: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or way,
                style=discord.ButtonStyle.secondary,
                custom_id=f"trainer:page:{way}:{page}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PageButton:
        return cls(match["way"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        language = language_of(interaction)
        embeds = interaction.app_permissions.embed_links  # Embed Links taken away: as text
        paged = _paged(interaction, language, embeds)
        if paged is None or not 0 <= self.page < len(paged.pages):
            await refuse(interaction, text_of(interaction, "component.expired"))
            return
        bot = bot_of(interaction)
        if interaction.message is not None:  # what a job's end keeps (progress.py)
            bot.delivery.pages.put(interaction.message.id, replace(paged, shown=self.page))
        job_id = paged.reply.job_id
        job = bot.assistant.store.job(job_id) if job_id is not None else None
        await interaction.response.edit_message(
            **page_kwargs(paged.title, paged.pages, self.page, language, embeds=embeds),
            view=reply_view(
                language,
                paged.reply,
                len(paged.pages),
                self.page,
                ended=job is None or not job.active,
            ),
        )


def _paged(interaction: discord.Interaction[Any], language: str, embeds: bool) -> Paged | None:
    """The pages of the clicked message: remembered, or made again from the recorded reply
    (after a restart, or when many replies were paged since), as embeds or as text."""
    message = interaction.message
    if message is None:
        return None
    bot = bot_of(interaction)
    paged = bot.delivery.pages.get(message.id)
    if paged is not None and paged.embeds != embeds:
        rendered = render(paged.reply, 0, language, embeds=embeds)
        paged = Paged(paged.reply, rendered.title, rendered.pages, embeds)
        bot.delivery.pages.put(message.id, paged)
    if paged is not None:
        return paged
    store = bot.assistant.store
    record = store.reply(guild_key(interaction.guild, interaction.user), str(message.id))
    if record is None:
        return None
    job_id = (record.data or {}).get("job_id")
    job = store.job(job_id) if isinstance(job_id, int) else None
    reply = Reply(
        text=record.text,
        kind=record.kind,
        data=record.data,
        job_id=job.id if job is not None and job.active else None,
    )
    rendered = render(reply, 0, language, embeds=embeds)
    paged = Paged(reply, rendered.title, rendered.pages, embeds)
    bot.delivery.pages.put(message.id, paged)
    return paged


def page_view(
    language: str, page: int, pages: int, view: discord.ui.View | None = None
) -> discord.ui.View:
    """Previous / Next for page `page` (0-based) of `pages`, added to `view` if given."""
    view = view or discord.ui.View(timeout=None)
    view.add_item(
        PageButton("prev", max(page - 1, 0), i18n.message(language, "button.previous"), page == 0)
    )
    view.add_item(
        PageButton(
            "next",
            min(page + 1, pages - 1),
            i18n.message(language, "button.next"),
            page >= pages - 1,
        )
    )
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    CancelJobButton,
    CorrectButton,
    ItemSelect,
    LabelSelect,
    ConfirmButton,
    DeclineButton,
    PageButton,
    RunSuggestedButton,
)
"""Registered with the bot at start-up, so buttons of earlier messages work after a restart."""


def reply_view(
    language: str, reply: Reply, pages: int, page: int = 0, *, ended: bool = False
) -> discord.ui.View | None:
    """The components a reply carries: page buttons (showing page `page`), Cancel on a job
    (not once it `ended`), Correct on a prediction, Run on a suggested command."""
    view = discord.ui.View(timeout=None)
    if pages > 1:
        page_view(language, page, pages, view)
    if reply.ok and reply.job_id is not None and not ended:
        view.add_item(CancelJobButton(reply.job_id, i18n.message(language, "button.cancel_job")))
    if reply.ok and reply.kind == "prediction" and (reply.data or {}).get("predictions"):
        view.add_item(CorrectButton(i18n.message(language, "button.correct")))
    data = reply.data or {}
    suggested = data.get("suggested")
    if not reply.ok and isinstance(suggested, str):
        # the custom id keeps the command's own name; the label the guild's
        name = data.get("suggested_line") or i18n.command_name(language, suggested)
        label = i18n.message(language, "button.run", name=name)
        option = next(iter((data.get("suggested_options") or {}).items()), None)
        button = RunSuggestedButton(suggested, label, option)
        if len(button.item.custom_id or "") <= CUSTOM_ID_LIMIT:  # a name too long: no button
            view.add_item(button)
    return view if view.children else None
