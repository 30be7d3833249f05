"""JSON typed or uploaded by a user: parsed with limits, every problem a `BadInput`.

Python's `json` accepts things that later break far from the input: nesting deep enough to
overflow the stack (`RecursionError`), integers longer than Python converts (`ValueError`), and
lone surrogates (`"\\ud800"`) that cannot be stored, printed or sent, a key given twice in one
object (`{"text": "a", "text": "b"}`), of which it silently keeps the last, and `NaN`,
`Infinity` or a number too large for a float, none of them JSON. They are refused here.
Syntax errors stay `json.JSONDecodeError`, so callers can point at the line and column.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from .errors import BadInput
from .i18n import number_text, tr
from .markup import one_line

MAX_DEPTH = 32
"""Deepest nesting of lists and objects accepted (real inputs need two or three levels)."""


REASONS = {
    "Expecting value": "json.reason.value",
    "Extra data": "json.reason.extra",
    "Expecting property name enclosed in double quotes": "json.reason.name",
    "Expecting ':' delimiter": "json.reason.colon",
    "Expecting ',' delimiter": "json.reason.comma",
    "Unterminated string starting at": "json.reason.unterminated",
    "Invalid control character": "json.reason.control",
    "Invalid \\uXXXX escape": "json.reason.unicode_escape",
    "Invalid \\escape": "json.reason.escape",
    "Illegal trailing comma": "json.reason.trailing_comma",
}
"""The mistakes Python's `json` names (its messages open so), and the message of each."""


def reason(exc: json.JSONDecodeError) -> str:
    """What is wrong where a JSON syntax error is, in the reply's language: Python's own
    English words ("Expecting ',' delimiter") stood in Russian replies."""
    for opening, key in REASONS.items():
        if exc.msg.startswith(opening):
            return tr(key)
    return exc.msg.removesuffix(" at")


def loads(text: str, where: str) -> Any:
    """Parse `text`; `where` names it in messages (for example "`data.jsonl` line 3")."""
    try:
        value = json.loads(
            text, object_pairs_hook=_unique, parse_constant=_no_constant, parse_float=_finite
        )
    except json.JSONDecodeError:
        raise
    except _Refused as exc:
        raise BadInput(tr(exc.why, where=where, name=one_line(exc.name, 40))) from None
    except RecursionError:
        raise BadInput(tr("json.too_deep", where=where, limit=MAX_DEPTH)) from None
    except ValueError:  # integers over sys.get_int_max_str_digits(): Python's own message
        # tells the reader to call a function of the interpreter
        limit = number_text(sys.get_int_max_str_digits())
        raise BadInput(tr("json.long_number", where=where, limit=limit)) from None
    _check(value, where)
    return value


class _Refused(Exception):
    """What Python's `json` reads and JSON has not: `why` is the message, `name` shows it."""

    def __init__(self, why: str, name: str) -> None:
        super().__init__(name)
        self.why = why
        self.name = name


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, refusing a key given twice."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused("json.duplicate_key", key)
            seen.add(key)
    return value


def _no_constant(name: str) -> Any:
    """`NaN`, `Infinity`: no JSON, though Python's `json` reads (and writes) them; a label of
    NaN, Python's own mark of a missing value, became the label `nan`."""
    raise _Refused("json.not_a_number", name)


def _finite(text: str) -> float:
    """A number too large for a float (`1e999`) read as infinity, and a label of it as `inf`."""
    value = float(text)
    if math.isinf(value):
        raise _Refused("json.not_a_number", text)
    return value


def _check(value: Any, where: str) -> None:
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise BadInput(tr("json.too_deep", where=where, limit=MAX_DEPTH))
        if isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, where)
                pending.append((child, depth + 1))


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(tr("json.surrogate", where=where)) from None
