"""An option's value read as its kind: yes/no, a whole number counted from 1, one of its
choices, or text (a Discord code block unfenced); one conversion for typed, slash and spoken
requests (`arguments.finish`), and a value quoted back in a refusal, cut short (`shown`)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import BadInput
from ..i18n import number_text, tr
from .option_names import option_name
from .registry import Param

TRUE_WORDS = {"true", "yes", "y", "1", "on", "positive", "pos"}
FALSE_WORDS = {"false", "no", "n", "0", "off", "negative", "neg"}
INT_MAX = 2**63 - 1
"""The largest whole number an option may be: SQLite's INTEGER and PostgreSQL's BIGINT."""
DIGITS = re.compile(r"[+-]?\d+")


CODE_BLOCK = re.compile(
    r"\s*(?:```(?:[\w+-]*\n)?(?P<block>(?:(?!```).)+)```|`(?P<code>[^`]+)`)\s*", re.DOTALL
)
"""Arguments written as a Discord code block, ```json\n[...]\n```, ```...``` or `...`."""
EMPTY_BLOCK = re.compile(r"\s*(?:```(?:[\w+-]*\n)?\s*```|`[`\s]*)")
"""A code block with nothing in it (```` `````` ````, ```` ```json\n``` ````), or backticks alone:
what was to be pasted into it was not. `train ``````` stored six backticks as an example."""


def unfence(text: str) -> str:
    """What a code block holds, when the arguments are one: Discord users paste JSON (and
    text they want shown as typed) that way. Anything else is left as it is; an empty block
    is refused."""
    if EMPTY_BLOCK.fullmatch(text):
        raise BadInput(tr("args.empty_block"))
    found = CODE_BLOCK.fullmatch(text)
    return (found["block"] or found["code"]).strip() if found else text


def to_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadInput(tr("args.not_bool", name=option_name(name), value=value))


def whole_number(value: object) -> int | None:
    """`12` or `#12` (numbers are shown as #12) as a number; None if it is no number. Digits
    that Python will not read (more than 4,300) are still a number, just one too large."""
    text = str(value).strip().lstrip("#")
    try:
        return int(text)
    except ValueError:
        return INT_MAX + 1 if DIGITS.fullmatch(text) else None


def in_range(number: int, name: str, value: object) -> int:
    """Every number an option names (a page, a job, an example) counts from 1, and one larger
    than the database's integers could never be found: it would fail in the query (SQLite raises
    OverflowError), so it is refused here with a message instead."""
    if number < 1:
        raise BadInput(tr("args.below_one", name=option_name(name), value=shown(value)))
    if number > INT_MAX:
        raise BadInput(
            tr(
                "args.out_of_range",
                name=option_name(name),
                value=shown(value),
                limit=number_text(INT_MAX),
            )
        )
    return number


def to_int(value: object, name: str) -> int:
    """The one conversion of a whole-number option, typed, slash or spoken."""
    number = whole_number(value)
    if number is None:
        raise BadInput(tr("args.not_int", name=option_name(name), value=shown(value)))
    return in_range(number, name, value)


def shown(value: object, limit: int = 30) -> str:
    """A value quoted back in a refusal, cut short: a pasted page of digits is not repeated."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def convert(param: Param, value: Any) -> Any:
    if param.kind == "bool":
        return to_bool(value, param.name)
    if param.kind == "int":
        return to_int(value, param.name)
    text = unfence(str(value)) if param.kind == "json" or param.source else str(value)
    if param.choices and text.lower() not in param.choices:
        choices = ", ".join(param.choices)
        name = option_name(param.name)
        raise BadInput(tr("args.not_choice", name=name, choices=choices, value=shown(text)))
    return text
