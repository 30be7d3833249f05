"""JSON typed or uploaded by a user: parsed with limits, every problem a `BadInput`.

Python's `json` accepts things that later break far from the input: nesting deep enough to
overflow the stack (`RecursionError`), integers longer than Python converts (`ValueError`), and
lone surrogates (`"\\ud800"`) that cannot be stored, printed or sent, and a key given twice in
one object (`{"text": "a", "text": "b"}`), of which it silently keeps the last. They are refused
here.
Syntax errors stay `json.JSONDecodeError`, so callers can point at the line and column.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .errors import BadInput
from .i18n import number_text, tr
from .markup import one_line

MAX_DEPTH = 32
"""Deepest nesting of lists and objects accepted (real inputs need two or three levels)."""


def loads(text: str, where: str) -> Any:
    """Parse `text`; `where` names it in messages (for example "`data.jsonl` line 3")."""
    try:
        value = json.loads(text, object_pairs_hook=_unique)
    except json.JSONDecodeError:
        raise
    except _DuplicateKey as exc:
        key = one_line(exc.key, 40)
        raise BadInput(tr("json.duplicate_key", where=where, name=key)) from None
    except RecursionError:
        raise BadInput(tr("json.too_deep", where=where, limit=MAX_DEPTH)) from None
    except ValueError:  # integers over sys.get_int_max_str_digits(): Python's own message
        # tells the reader to call a function of the interpreter
        limit = number_text(sys.get_int_max_str_digits())
        raise BadInput(tr("json.long_number", where=where, limit=limit)) from None
    _check(value, where)
    return value


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, refusing a key given twice."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
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
