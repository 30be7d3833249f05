"""Command specs: one declaration per command feeds the parser, help, instructions, slash options
and voice intents, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..messages import Reply, Request

if TYPE_CHECKING:
    from ..app import Assistant

ParamKind = Literal["str", "int", "bool", "text", "json"]
Handler = Callable[["Assistant", Request, dict[str, Any]], Awaitable[Reply]]
Check = Callable[["Assistant", Request, dict[str, Any]], Awaitable[None]]
"""Raises the refusal the command would give, writing nothing."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    """`text` and `json` take the rest of the line, unsplit."""
    description: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    source: bool = False
    """A text or a data-root path (`file:`/`folder:`); typed, it takes every remaining word."""
    words: bool = False
    """A name that may hold spaces (`select_dataset movie reviews true`): typed, it takes the
    remaining words as `source` does; polite words at the end are still dropped."""


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: Handler
    params: tuple[Param, ...] = ()
    permission: str | None = None
    """Key in `permissions.commands` of config.yaml; None means open to everyone."""
    attachments: bool = False
    """Accepts attachments (shown in help and as a slash option)."""
    hidden: bool = False
    aliases: tuple[str, ...] = ()
    check: Check | None = None
    """What the command would refuse, found without doing it: a destructive command is asked
    about (Confirm / Cancel) only when there is something to do."""

    @property
    def usage(self) -> str:
        return self.usage_with(str, "[+ attachment]")

    def usage_with(self, named: Callable[[str], str], attachment: str) -> str:
        """`relabel <example> <label>`, each option as `named` names it (in a language:
        assistant/commands/option_names.py), and `attachment` where the command takes files."""
        parts = [self.name]
        for p in self.params:
            parts.append(f"<{named(p.name)}>" if p.required else f"[{named(p.name)}]")
        if self.attachments:
            parts.append(attachment)
        return " ".join(parts)


@dataclass
class CommandRegistry:
    _commands: dict[str, Command] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict)

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"command {command.name} registered twice")
        self._commands[command.name] = command
        for alias in command.aliases:
            self._aliases[alias] = command.name

    def get(self, name: str) -> Command | None:
        key = name.lower().replace("-", "_")
        return self._commands.get(self._aliases.get(key, key))

    def all(self, *, include_hidden: bool = False) -> list[Command]:
        return [c for c in self._commands.values() if include_hidden or not c.hidden]


REGISTRY = CommandRegistry()


def command(
    name: str,
    summary: str,
    *params: Param,
    permission: str | None = None,
    attachments: bool = False,
    hidden: bool = False,
    aliases: tuple[str, ...] = (),
    check: Check | None = None,
) -> Callable[[Handler], Handler]:
    """Register a handler as a command, in the spirit of discord.py's `@commands.command`."""

    def decorate(handler: Handler) -> Handler:
        REGISTRY.add(
            Command(
                name=name,
                summary=summary,
                handler=handler,
                params=params,
                permission=permission,
                attachments=attachments,
                hidden=hidden,
                aliases=aliases,
                check=check,
            )
        )
        return handler

    return decorate
