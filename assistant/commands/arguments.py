"""Parse a command's text into typed options (the job of discord.py's converters)."""

from __future__ import annotations

import shlex
from typing import Any

from ..errors import BadInput
from .registry import Command, Param

TRUE_WORDS = {"true", "yes", "y", "1", "on", "positive", "pos"}
FALSE_WORDS = {"false", "no", "n", "0", "off", "negative", "neg"}


def to_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadInput(f"`{name}` must be true or false (or positive/negative), not `{value}`.")


def convert(param: Param, value: Any) -> Any:
    if param.kind == "bool":
        return to_bool(value, param.name)
    if param.kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise BadInput(f"`{param.name}` must be a whole number, not `{value}`.") from None
    text = str(value)
    if param.choices and text.lower() not in param.choices:
        raise BadInput(f"`{param.name}` must be one of {', '.join(param.choices)}.")
    return text


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise BadInput(f"Could not read the arguments ({exc}); check your quotes.") from None


def parse(command: Command, text: str) -> dict[str, Any]:
    """Positional arguments fill parameters in order; `name=value` fills one by name; quotes
    group words. A `text`/`json` parameter takes the rest of the line exactly as typed.
    """
    options: dict[str, Any] = {}
    by_name = {p.name: p for p in command.params}
    remaining = text.strip()
    while remaining:
        pending = [p for p in command.params if p.name not in options]
        if not pending:
            raise BadInput(f"Too many arguments. Usage: `{command.usage}`")
        if pending[0].kind in ("text", "json"):
            options[pending[0].name] = remaining
            break
        tokens = _split(remaining)
        if not tokens:
            break
        key, sep, value = tokens[0].partition("=")
        if sep and key in by_name and key not in options:
            options[key] = value
        else:
            options[pending[0].name] = tokens[0]
        remaining = _rest_after_first_token(remaining)
    return finish(command, options)


def _rest_after_first_token(text: str) -> str:
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.get_token()
    return text[lexer.instream.tell() :].strip() if hasattr(lexer.instream, "tell") else ""


def finish(command: Command, options: dict[str, Any]) -> dict[str, Any]:
    """Check names, convert types, fill defaults: shared by typed, slash and voice requests."""
    known = {p.name for p in command.params}
    unknown = sorted(set(options) - known)
    if unknown:
        raise BadInput(f"`{command.name}` has no option `{unknown[0]}`. Usage: `{command.usage}`")
    result: dict[str, Any] = {}
    for param in command.params:
        value = options.get(param.name)
        if value is None or value == "":
            if param.required:
                raise BadInput(f"`{param.name}` is missing. Usage: `{command.usage}`")
            result[param.name] = param.default
        else:
            result[param.name] = convert(param, value)
    return result
