"""Conversation basics: greeting, help, instructions, status, and voice presence."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..messages import Reply, Request
from ..reports import status_reply
from .registry import Param, command

if TYPE_CHECKING:
    from ..app import Assistant


TRANSPORT_HELP: dict[str, tuple[str, tuple[str, ...]]] = {
    "console": (
        "In this console",
        (
            "`+attach PATH` after a command: send a file from this computer, like a Discord upload",
            "`say FILE.wav ...`: speak in the console's voice channel (one file per person)",
            "`wait`: wait until running jobs finish",
            "`quit`: leave the console (also `exit` or Ctrl-D)",
        ),
    ),
    "discord": (
        "Voice privacy",
        (
            "`{prefix}optout`: stop the bot from hearing your voice",
            "`{prefix}optin`: let the bot hear your voice again",
        ),
    ),
}
"""Commands a transport handles itself (not in the registry), listed by `help` where they work."""


@command("hi", "Say hello.", aliases=("hello",))
async def hi(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    return Reply(text=f"HI! 👋 Hello, {request.user.name}.", speech=f"Hi {request.user.name}!")


@command(
    "help",
    "List the commands, or explain one.",
    Param("command", "str", "A command to explain"),
)
async def help_(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    prefix = app.config.prefix
    name = options["command"]
    if name:
        found = app.commands.get(name.lstrip(prefix).lstrip("/"))
        if found is None:
            raise NotFound(f"There is no command `{name}`. Type `help` to list them.")
        lines = [f"`{prefix}{found.usage}`: {found.summary}"]
        lines += [f"- `{p.name}`: {p.description}" for p in found.params]
        if found.permission:
            lines.append(f"Needs permission `{found.permission}` (see config.yaml).")
        return Reply(text="\n".join(lines), speech=found.summary)
    lines = [f"`{prefix}{c.usage}`: {c.summary}" for c in app.commands.all()]
    where = "console" if request.source == "console" else "discord"
    title, extra = TRANSPORT_HELP[where]
    lines += ["", f"**{title}**", *(line.format(prefix=prefix) for line in extra)]
    return Reply(
        text="**Commands**\n" + "\n".join(lines) + f"\n\n`{prefix}instruction` shows a guide.",
        speech="I can train, test, select datasets, archive folders and more. "
        "The full list is in the text channel.",
    )


def command_table(app: Assistant) -> str:
    rows = ["| command | what it does |", "|---|---|"]
    rows += [f"| `{app.config.prefix}{c.usage}` | {c.summary} |" for c in app.commands.all()]
    return "\n".join(rows)


def instructions_text(app: Assistant) -> str:
    """The guide, with its command table generated from the registry so it never drifts."""
    template = resources.files("assistant").joinpath("instructions.md").read_text("utf-8")
    return template.replace("{{commands}}", command_table(app))


@command("instruction", "Show the guide to using Trainer.", aliases=("instructions", "guide"))
async def instruction(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    return Reply(
        text=instructions_text(app),
        speech="Here is the guide. I've put it in the text channel.",
    )


@command("status", "Show the active dataset, the current model and running jobs.")
async def status(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    return await status_reply(app, request.guild_id)


@command("join", "Join your voice channel and listen for the wake phrase.")
async def join(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    wake = app.config.voice.wake_phrases[0] if app.config.voice.wake_phrases else "the wake phrase"
    return Reply(
        text=f"Joining your voice channel. Say “{wake}” and a command, for example "
        f"“{wake}, what's the status”.",
        speech="Hello, I'm listening.",
        voice_action="join",
    )


@command("leave", "Leave the voice channel.")
async def leave(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    return Reply(text="Leaving the voice channel. Bye!", speech="Bye!", voice_action="leave")
