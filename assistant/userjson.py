"""JSON typed or uploaded by a user: parsed with limits, every problem a `BadInput`.

Python's `json` accepts things that later break far from the input: nesting deep enough to
overflow the stack (`RecursionError`), integers longer than Python converts (`ValueError`), and
lone surrogates (`"\\ud800"`) that cannot be stored, printed or sent, and `NaN` or `Infinity`,
which are no JSON (Python writes them; read, they became the text "nan"). They are refused here.
Syntax errors stay `json.JSONDecodeError`, so callers can point at the line and column.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .errors import BadInput
from .i18n import number_text, tr

MAX_DEPTH = 32
"""Deepest nesting of lists and objects accepted (real inputs need two or three levels)."""


def loads(text: str, where: str) -> Any:
    """Parse `text`; `where` names it in messages (for example "`data.jsonl` line 3")."""

    def not_a_number(constant: str) -> Any:
        # Python writes NaN for a missing value; read as a number it became the text "nan"
        raise BadInput(tr("json.not_a_number", where=where, constant=constant))

    try:
        value = json.loads(text, parse_constant=not_a_number)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise BadInput(tr("json.too_deep", where=where, limit=MAX_DEPTH)) from None
    except ValueError:  # integers over sys.get_int_max_str_digits(): Python's own message
        # tells the reader to call a function of the interpreter
        limit = number_text(sys.get_int_max_str_digits())
        raise BadInput(tr("json.long_number", where=where, limit=limit)) from None
    _check(value, where)
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
