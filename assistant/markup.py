"""Names quoted in replies, kept intact whatever characters they hold.

Replies are Discord markdown: a name is shown in a code span (`reviews`) or in bold
(**reviews**). A folder named ``my`data`` would close a one-backtick span in the middle of its
name, and a stray backtick in bold pairs with the next span of the line. `fill` fills a
message's fields so that this cannot happen, for every reply in every language at once: a code
span of the template is fenced with more backticks than any run inside it (CommonMark's and
Discord's rule), and the backticks of a bold field are escaped.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_SPANS = re.compile(r"```.*?```|`[^`\n]*`|\*\*[^*\n]*\*\*", re.DOTALL)
"""Code blocks (left as they are), code spans and bold text of a template."""


def code(text: str) -> str:
    """`text` as one inline code span, however many backticks it holds."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", text)) + 1)
    return f"{fence} {text} {fence}"  # the spaces keep a backtick at either end off the fence


@cache
def _pieces(template: str) -> tuple[tuple[str, str], ...]:
    """The template as (kind, text) pieces: `plain`, `block`, `code` (inside the backticks) and
    `bold` (inside the asterisks)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for found in _SPANS.finditer(template):
        pieces.append(("plain", template[position : found.start()]))
        span = found.group()
        if span.startswith("```"):
            pieces.append(("block", span))
        elif span.startswith("`"):
            pieces.append(("code", span[1:-1]))
        else:
            pieces.append(("bold", span[2:-2]))
        position = found.end()
    pieces.append(("plain", template[position:]))
    return tuple(pieces)


def fill(template: str, fields: dict[str, Any]) -> str:
    """`template.format(**fields)`, with the code spans and bold text that hold a field kept
    whole (see the module's docstring)."""
    if "`" not in "".join(str(value) for value in fields.values()):
        return template.format(**fields)  # nearly every reply: nothing to guard
    out: list[str] = []
    for kind, text in _pieces(template):
        if kind == "code" and "{" in text:
            out.append(code(text.format(**fields)))
        elif kind == "code":
            out.append(f"`{text}`")
        elif kind == "bold":
            escaped = {k: str(v).replace("`", "\\`") for k, v in fields.items()}
            out.append(f"**{text.format(**escaped)}**")
        else:
            out.append(text.format(**fields))
    return "".join(out)
