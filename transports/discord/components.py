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
- Previous / Next on a reply too long for one message (pages.py).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from assistant import i18n
from assistant.messages import Reply, Request

from .members import guild_key, slow_down, to_user
from .pages import Paged
from .render import error_embed, page_embed, render

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)

MAX_OPTIONS = 25
"""Discord's limit on a select menu's options."""
OPTION_CHARS = 100
"""Discord's limit on an option's label and value."""
CUSTOM_ID_CHARS = 100
"""Discord's limit on a component's custom_id."""
CONFIRMED: dict[str, str | None] = {"remove": "example", "undo": None, "rollback": None}
"""Destructive commands asked about first -> their one option (carried in the custom_id)."""
_ARGUMENT = re.compile(r"[A-Za-z0-9#_.-]{0,40}")


def _bot(interaction: discord.Interaction[Any]) -> TrainerBot:
    return cast("TrainerBot", interaction.client)


def _language(interaction: discord.Interaction[Any]) -> str:
    return _bot(interaction).assistant.language(guild_key(interaction.guild, interaction.user))


def _text(interaction: discord.Interaction[Any], key: str, **fields: Any) -> str:
    return i18n.message(_language(interaction), key, **fields)


async def run_core(
    interaction: discord.Interaction[Any], command: str, options: dict[str, Any]
) -> Reply:
    """Run a core command as the member who clicked (roles checked now, rate limit counted)."""
    bot = _bot(interaction)
    wait = bot.commands_cog.limiter.hit(str(interaction.user.id))
    if wait:
        return slow_down(wait)
    request = Request(
        command=command,
        user=to_user(interaction.user),
        guild_id=guild_key(interaction.guild, interaction.user),
        channel_id=str(interaction.channel_id),
        options=options,
        source="slash",
    )
    return await bot.assistant.handle(request)


async def _refuse(interaction: discord.Interaction[Any], text: str) -> None:
    """An error only the clicking member sees."""
    if interaction.response.is_done():
        await interaction.followup.send(embed=error_embed(text), ephemeral=True)
    else:
        await interaction.response.send_message(embed=error_embed(text), ephemeral=True)


# -- cancel a job --------------------------------------------------------------------------------


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
        await interaction.response.defer()  # cancelling waits for the trainer to stop
        reply = await run_core(interaction, "cancel", {"job": self.job_id})
        if not reply.ok:
            await _refuse(interaction, reply.text)
            return
        await _bot(interaction).delivery.deliver(
            interaction.followup,
            reply,
            guild_id=guild_key(interaction.guild, interaction.user),
            wait=True,
        )


# -- correct a prediction ------------------------------------------------------------------------


def _predictions(
    interaction: discord.Interaction[Any], message_id: int
) -> tuple[list[Any], list[str]]:
    """The predictions of one of my replies and the labels to choose from."""
    app = _bot(interaction).assistant
    guild_id = guild_key(interaction.guild, interaction.user)
    record = app.store.reply(guild_id, str(message_id))
    items = list((record.data or {}).get("predictions", [])) if record is not None else []
    data = record.data or {} if record is not None else {}
    model = app.store.model(guild_id, str(data.get("model"))) if data.get("model") else None
    found = list(model.labels) if model is not None else []
    found += [str(i.get("prediction")) for i in items if i.get("prediction")]
    return items, list(dict.fromkeys(found))


def _short(text: str, size: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


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
            await _refuse(interaction, _text(interaction, "correct.nothing"))
            return
        if len(items) == 1:
            text, view = _label_menu(interaction, message_id, 0, items[0]["text"], labels)
        else:
            view = discord.ui.View(timeout=None)
            view.add_item(ItemSelect(message_id, items, _text(interaction, "correct.choose_item")))
            text = _text(interaction, "correct.which_item")
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
        LabelSelect(message_id, number, labels, _text(interaction, "correct.choose_label"))
    )
    question = _text(interaction, "correct.which_label", text=_short(text, 200))
    if len(labels) > MAX_OPTIONS:  # a menu holds 25; the rest can be typed
        question += "\n" + _text(
            interaction,
            "correct.more_labels",
            id=f"{message_id} {number}" if number else message_id,
        )
    return question, view


class ItemSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"trainer:fixitem:(?P<message>[0-9]{1,20})",
):
    def __init__(
        self, message_id: int, items: list[Any] | None = None, placeholder: str | None = None
    ) -> None:
        options = [
            discord.SelectOption(
                label=_short(f"{n}. {item['text']}", OPTION_CHARS),
                value=str(n),
                description=_short(f"→ {item.get('prediction', '')}", OPTION_CHARS),
            )
            for n, item in enumerate((items or [])[:MAX_OPTIONS], start=1)
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"trainer:fixitem:{message_id}",
                placeholder=placeholder,
                options=options or [discord.SelectOption(label="1", value="1")],
            )
        )
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
            await _refuse(interaction, _text(interaction, "correct.nothing"))
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
        super().__init__(
            discord.ui.Select(
                custom_id=f"trainer:fix:{message_id}:{item}",
                placeholder=placeholder,
                options=options or [discord.SelectOption(label="-", value="-")],
            )
        )
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
        rendered = render(reply, 0, _language(interaction))
        await interaction.response.edit_message(
            content=rendered.content, embed=rendered.embed, view=None
        )


# -- confirm a destructive command ---------------------------------------------------------------


def confirmable(command: str, argument: str) -> bool:
    """Whether a command is asked about first (its option must fit the custom_id)."""
    return command in CONFIRMED and _ARGUMENT.fullmatch(argument) is not None


async def _asker_only(interaction: discord.Interaction[Any], user_id: int) -> bool:
    """Only the member who ran the command may confirm or cancel it."""
    if interaction.user.id == user_id:
        return True
    await _refuse(interaction, _text(interaction, "confirm.not_yours"))
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
            await _refuse(interaction, _text(interaction, "component.expired"))
            return
        await interaction.response.defer()  # e.g. rollback loads a model first
        reply = await run_core(interaction, self.command, {option: self.argument} if option else {})
        bot = _bot(interaction)
        guild_id = guild_key(interaction.guild, interaction.user)
        rendered = render(reply, 0, bot.assistant.language(guild_id))
        message = await interaction.edit_original_response(
            content=rendered.content, embed=rendered.embed, view=None
        )
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
        await interaction.response.edit_message(
            content=_text(interaction, "confirm.declined"), embed=None, view=None
        )


def confirm_view(language: str, user_id: int, command: str, argument: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        ConfirmButton(user_id, command, argument, i18n.message(language, "button.confirm"))
    )
    view.add_item(DeclineButton(user_id, i18n.message(language, "button.cancel")))
    return view


# -- pages ---------------------------------------------------------------------------------------


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
        language = _language(interaction)
        paged = _paged(interaction, language)
        if paged is None or not 0 <= self.page < len(paged.pages):
            await _refuse(interaction, _text(interaction, "component.expired"))
            return
        await interaction.response.edit_message(
            embed=page_embed(paged.title, paged.pages, self.page, language),
            view=reply_view(language, paged.reply, len(paged.pages), self.page),
        )


def _paged(interaction: discord.Interaction[Any], language: str) -> Paged | None:
    """The pages of the clicked message: remembered, or made again from the recorded reply
    (after a restart, or when many replies were paged since)."""
    message = interaction.message
    if message is None:
        return None
    bot = _bot(interaction)
    paged = bot.delivery.pages.get(message.id)
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
    rendered = render(reply, 0, language)
    paged = Paged(reply, rendered.title, rendered.pages)
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
)
"""Registered with the bot at start-up, so buttons of earlier messages work after a restart."""


def reply_view(language: str, reply: Reply, pages: int, page: int = 0) -> discord.ui.View | None:
    """The components a reply carries: page buttons (showing page `page`), Cancel on a job,
    Correct on a prediction."""
    view = discord.ui.View(timeout=None)
    if pages > 1:
        page_view(language, page, pages, view)
    if reply.ok and reply.job_id is not None:
        view.add_item(CancelJobButton(reply.job_id, i18n.message(language, "button.cancel_job")))
    if reply.ok and reply.kind == "prediction" and (reply.data or {}).get("predictions"):
        view.add_item(CorrectButton(i18n.message(language, "button.correct")))
    return view if view.children else None
