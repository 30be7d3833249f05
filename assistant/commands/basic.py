"""Conversation basics: greeting, help, instructions, status, language and voice presence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import i18n, permissions
from ..errors import BadInput, NotFound
from ..markup import member_name
from ..messages import Reply, Request
from ..reports import job_status_reply, status_reply
from ..typed_arguments import only_people
from .option_names import option_name, spoken_usage
from .option_values import shown
from .registry import Command, Param, command

if TYPE_CHECKING:
    from ..app import Assistant

TRANSPORT_HELP: dict[str, tuple[str, ...]] = {
    "console": (
        "help.console",
        "help.console.attach",
        "help.console.say",
        "help.console.wait",
        "help.console.yes",
        "help.console.quit",
    ),
    "discord": ("help.discord", "help.discord.optout", "help.discord.optin"),
}
"""Commands a transport handles itself (not in the registry), listed by `help` where they work:
a title and one line each, as message keys."""


@command("hi", "Say hello.", aliases=("hello",))
async def hi(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    user = request.user.name
    return Reply(
        text=i18n.tr("hi", user=member_name(user)),
        speech=i18n.tr("hi.speech", user=user),
    )


def usage_line(app: Assistant, found: Command, language: str) -> str:
    """`!train [data] ...` · `!обучить`: summary — in the guild's language."""
    prefix = app.config.prefix
    local = i18n.command_texts(language).get(found.name, {}).get("name")
    also = f" · `{prefix}{local}`" if local else ""
    usage = spoken_usage(found, language)
    return f"`{prefix}{usage}`{also}: {i18n.summary(language, found.name, found.summary)}"


@command(
    "help",
    "List the commands, or explain one.",
    Param("command", "str", "A command to explain"),
)
async def help_(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    prefix = app.config.prefix
    language = app.language(request.guild_id)
    name = options["command"]
    where = "console" if request.source == "console" else "discord"
    if name and only_people(name.lstrip(",")):
        name = None  # "help everyone", "help, guys": the list, not a command called "guys"
    if name:
        found = app.find_command(name.lstrip(prefix).lstrip("/"))
        own = None if found is not None else _transport_line(app, language, where, name)
        if own is not None:  # `help wait`: a line `help` lists, though not in the registry
            return Reply(text=own)
        if found is None:
            raise NotFound(i18n.message(language, "error.no_such_command", name=shown(name)))
        lines = [usage_line(app, found, language)]
        lines += [
            f"- `{option_name(p.name, language)}`: "
            + i18n.param_description(language, found.name, p.name, p.description)
            for p in found.params
        ]
        if found.permission:
            lines.append(i18n.message(language, "help.permission", permission=found.permission))
        return Reply(
            text="\n".join(lines), speech=i18n.summary(language, found.name, found.summary)
        )
    lines = [usage_line(app, c, language) for c in app.commands.all()]
    title, *extra = (i18n.message(language, key, prefix=prefix) for key in TRANSPORT_HELP[where])
    lines += ["", f"**{title}**", *extra]
    title = i18n.message(language, "help.title")
    guide = i18n.message(language, "help.guide", prefix=prefix)
    return Reply(
        text=f"**{title}**\n" + "\n".join(lines) + f"\n\n{guide}",
        speech=i18n.message(language, "help.speech"),
    )


def _transport_line(app: Assistant, language: str, where: str, name: str) -> str | None:
    """The line `help` lists for a command the transport handles itself (`wait`, `optout`),
    found by the name it shows first (`wait`, `!optout`), or None."""
    prefix = app.config.prefix
    wanted = name.strip().lower().removeprefix(prefix)
    for key in TRANSPORT_HELP[where][1:]:
        line = i18n.message(language, key, prefix=prefix)
        shown = line.split("`")[1].split() if line.count("`") >= 2 else []
        if shown and shown[0].lower().removeprefix(prefix) == wanted:
            return line
    return None


def command_table(app: Assistant, language: str) -> str:
    head = (
        i18n.message(language, "guide.column.command"),
        i18n.message(language, "guide.column.summary"),
    )
    rows = [f"| {head[0]} | {head[1]} |", "|---|---|"]
    rows += [
        f"| `{app.config.prefix}{spoken_usage(c, language)}` |"
        f" {i18n.summary(language, c.name, c.summary)} |"
        for c in app.commands.all()
    ]
    return "\n".join(rows)


def instructions_text(app: Assistant, language: str = i18n.ENGLISH) -> str:
    """The guide, with its command table generated from the registry so it never drifts."""
    return i18n.guide(language).replace("{{commands}}", command_table(app, language))


@command("instruction", "Show the guide to using Trainer.", aliases=("instructions", "guide"))
async def instruction(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    language = app.language(request.guild_id)
    return Reply(
        text=instructions_text(app, language),
        speech=i18n.message(language, "instruction.speech"),
    )


@command(
    "status",
    "Show the active dataset, the current model and running jobs.",
    Param("job", "int", "A job's number: that job alone (`status 3`)"),
)
async def status(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if options["job"] is not None:
        return job_status_reply(app.store, request.guild_id, options["job"])
    reply = await status_reply(app, request.guild_id)
    if permissions.is_admin(
        request.user, app.config.permissions
    ):  # transports' counters, e.g. voice
        reply.text += "".join(f"\n{line}" for line in app.diagnostics(request.guild_id))
    return reply


def voice_note(app: Assistant, language: str) -> str:
    """Why spoken commands in `language` will not be understood, or "" when they will: the
    configured recognizer hears only `voice.asr.languages` (the bundled one: English)."""
    asr = app.config.voice.asr
    if language in asr.languages:
        return ""
    return i18n.message(
        language,
        "language.no_voice",
        name=i18n.language_name(language),
        code=language,
        heard=", ".join(f"`{code}`" for code in asr.languages),
    )


def wake_phrase(phrases: Sequence[str], language: str) -> str:
    """The wake phrase the bot suggests (the first configured), or words for it."""
    return phrases[0] if phrases else i18n.message(language, "join.no_wake")


def already_joined(language: str, phrases: Sequence[str]) -> Reply:
    """The answer to `join` where the bot is in the voice channel already (the transport
    knows it: the console's after a `say`, Discord's in the member's channel; a `join` said
    in the channel): nothing to do. `phrases`: the wake phrases."""
    text = i18n.message(language, "voice.already_in", wake=wake_phrase(phrases, language))
    return Reply(text=text, speech=i18n.message(language, "voice.already_in.speech"))


@command("join", "Join your voice channel and listen for the wake phrase.")
async def join(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    language = app.language(request.guild_id)
    wake = wake_phrase(app.config.voice.wake_phrases, language)
    note = voice_note(app, language)
    # The example is said in a language the recognizer hears: a Russian server with the
    # bundled (English) recognizer was told to say "hey trainer, какой статус".
    heard = app.config.voice.asr.languages
    example = i18n.message(language if language in heard else heard[0], "join.example")
    return Reply(
        text=i18n.message(language, "join", wake=wake, example=example)
        + (f"\n{note}" if note else ""),
        speech=i18n.message(language, "join.speech"),
        voice_action="join",
    )


@command("leave", "Leave the voice channel.")
async def leave(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    return Reply(
        text=i18n.tr("leave"),
        speech=i18n.tr("leave.speech"),
        voice_action="leave",
    )


def language_code(word: str) -> str | None:
    """`ru`, `RU`, `русский` or `English` as a language code, or None."""
    word = word.strip().lower()
    for code in i18n.languages():
        if word in (code, i18n.language_name(code).lower()):
            return code
    return None


@command(
    "language",
    "Show or change the bot's language on this server.",
    Param("code", "str", "Language code, e.g. en or ru; changing it needs permission `language`"),
)
async def language(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    if options["code"]:
        # Only the change is guarded: it is every member's language, and seeing it harms none.
        permissions.check(request.user, permissions.LANGUAGE, app.config.permissions)
    current = app.language(request.guild_id)
    codes = i18n.languages()
    available = ", ".join(f"`{c}` ({i18n.language_name(c)})" for c in codes)
    data: dict[str, Any] = {"language": current, "languages": codes}
    if not options["code"]:
        text = i18n.message(
            current,
            "language.current",
            name=i18n.language_name(current),
            code=current,
            available=available,
            prefix=app.config.prefix,
        )
        return Reply(text=text, data=data)
    code = language_code(options["code"])
    if code is None:
        raise BadInput(
            i18n.message(
                current, "language.unknown", code=shown(options["code"]), available=available
            )
        )
    app.store.set_guild_language(request.guild_id, code)
    note = voice_note(app, code)
    return Reply(
        text=i18n.message(code, "language.set") + (f"\n{note}" if note else ""),
        speech=i18n.message(code, "language.set.speech"),
        data={**data, "language": code},
    )
