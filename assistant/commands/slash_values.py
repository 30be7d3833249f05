"""Slash options read with the typed parser's quote rules.

A slash option arrives as one value, but members type quotes into it as they would after `!`:
`/relabel label:"bug"`, `/train data:"dull" 😀`. Taken as they came, the quotes were stored in
the label or the example. Read here as a typed line is read, a value that is one quoted group
is the words inside, and words after a quoted example are its label, polite words or a
mistake refused with what may have been meant (`quoted_text.after_quoted`). Free text (`text`
options: feedback, corrections) is kept as typed, in either form, and JSON is unfenced by
`convert`.
"""

from __future__ import annotations

from typing import Any

from ..errors import BadInput
from .quoted_text import after_quoted, joined, tokenize
from .registry import Command, Param


def unquoted(value: str) -> str:
    """The words inside, when `value` is one quoted group (`"movie reviews"`); else `value` as
    it is, an unclosed quote included (it is then just a character of the name)."""
    try:
        tokens = tokenize(value)
    except BadInput:
        return value
    return tokens[0].value if len(tokens) == 1 and tokens[0].quoted else value


def slash_options(command: Command, options: dict[str, Any]) -> dict[str, Any]:
    """`options` as the typed parser would have read the same values; refuses (BadInput) what
    it refuses. A yes/no word after a quoted example sets the command's yes/no option when
    that option was not given."""
    read = dict(options)
    for param in command.params:
        value = read.get(param.name)
        if not isinstance(value, str) or param.kind in ("text", "json"):
            continue
        read[param.name] = _source(command, param, read, value) if param.source else unquoted(value)
    return read


def _source(command: Command, param: Param, read: dict[str, Any], value: str) -> str:
    """A text or path option: one quoted group stays quoted (`targets.resolve` reads it as one
    example, lines and all); a quoted text with words after it is read as `!train "dull" ...`
    is."""
    try:
        tokens = tokenize(value)
    except BadInput:
        return value  # an unclosed quote in free text is a character of the text
    if len(tokens) < 2 or not tokens[0].quoted:
        return value
    return joined(value, after_quoted(command, read, tokens, tokens, value), lines=param.source)
