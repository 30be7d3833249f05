"""Names quoted in replies, kept intact whatever characters they hold.

Replies are Discord markdown: a name is shown in a code span (`reviews`) or in bold
(**reviews**). A folder named ``my`data`` would close a one-backtick span in the middle of its
name, and a stray backtick in bold pairs with the next span of the line. `fill` fills a
message's fields so that this cannot happen, for every reply in every language at once: a code
span of the template is fenced with more backticks than any run inside it (CommonMark's and
Discord's rule), a code block's field has no two backticks side by side, and a bold field is
`inert` (its backticks escaped, a spoiler's `||` or a link's `](` parted). In code spans and
bold, a character that cannot be seen or that rearranges the line (a right-to-left override
that makes `report<RLO>txt.exe` look like `reportexe.txt`, a newline) is shown as its escape,
`\u202e` (`\U000e0067` beyond the basic plane).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

MENTIONS_AND_MARKS = re.compile(r"<[@#:/]|<(?:a|t|id):|\*\*|~~")
"""The opening of Discord's mentions (`<@123>` a member, `<@&1>` a role, `<#1>` a channel,
`</train:1>` a command), emoji and dates (`<:yes:1>`, `<a:...>`, `<t:0:R>`, `<id:...>`), bold's
`**` and a strike-through's `~~`: what `inert` cannot make plain in bold text, so no label and
no dataset may be named with them (`marked_up`)."""
MARKUP = re.compile(r"`|\|\||\]\(|" + MENTIONS_AND_MARKS.pattern)
"""What no label may hold: a backtick, a spoiler's bars, a masked link's `](` (labels are shown
as plain words in counts) and `MENTIONS_AND_MARKS`. A lone `*`, `_` or `<` stays (`5*`,
`not_spam`, `<3`), and so does fastText's `__label__good`."""
_SHOWN_IN_CODE = re.compile(MENTIONS_AND_MARKS.pattern + "|__")
"""A name `bold` shows in a code span: bold, it would still be a mention, or bold, struck-through
or underlined (`__`) text of its own. A folder on disk, a dataset stored before such names were
refused, or a label (`__label__good`) may hold them."""

_SPANS = re.compile(r"```.*?```|`[^`\n]*`|\*\*[^*\n]*\*\*", re.DOTALL)
"""Code blocks (left as they are), code spans and bold text of a template."""


JOINERS = {"\u200c", "\u200d"}
"""Zero-width (non-)joiners: format characters, but part of real words (Persian) and emoji."""
FLAG_BASE = "\U0001f3f4"
TAG_SEQUENCE = re.compile(f"{FLAG_BASE}[\U000e0020-\U000e007e]+\U000e007f")
"""An emoji tag sequence (Unicode TS #51): the black flag, tag letters and the cancel tag, as
in the flag of England (U+1F3F4, the tags of "gbeng", U+E007F). Tags are format characters,
invisible alone, but there they are the flag."""


def invisible(char: str) -> bool:
    """A control, format or line-separating character (not a joiner), or a lone surrogate (a
    name on disk that is not UTF-8): none can be seen, and some rearrange the line."""
    return char not in JOINERS and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def _flag_tags(text: str) -> frozenset[int]:
    """Where the tags of `text`'s flag tag sequences are: kept, not taken for invisible."""
    if FLAG_BASE not in text:
        return frozenset()
    return frozenset(
        i for found in TAG_SEQUENCE.finditer(text) for i in range(found.start() + 1, found.end())
    )


def visible(text: str, instead: str = "", keep: str = "") -> str:
    """`text` with each invisible character replaced by `instead` (dropped by default): what is
    kept as written (feedback, a correction's words, an example) or made into a name (an
    archive) must not hold a right-to-left override that makes `evil<RLO>piz.exe` look like
    `evilexe.zip`, nor a NUL. `keep`: invisible characters kept all the same (an example's tabs
    and line breaks). The tags of a flag (`TAG_SEQUENCE`) stay; a lone tag goes."""
    if text.isprintable() or (keep and text.translate(_dropping(keep)).isprintable()):
        return text  # the usual case, at C speed
    flags = _flag_tags(text)
    return "".join(
        instead if invisible(c) and c not in keep and i not in flags else c
        for i, c in enumerate(text)
    )


@cache
def _dropping(chars: str) -> dict[int, None]:
    """A `str.translate` table that drops `chars`."""
    return dict.fromkeys(map(ord, chars))


def escaped(text: str, also: str = "") -> str:
    """`text` with its invisible characters (and those in `also`) as escapes (`escape`); a
    flag's tags (`TAG_SEQUENCE`) are no invisible characters."""
    if text.isprintable() and not any(c in text for c in also):
        return text  # the usual case, found at C speed: a pasted megabyte costs nothing
    flags = _flag_tags(text)
    return "".join(
        escape(c) if (invisible(c) and i not in flags) or c in also else c
        for i, c in enumerate(text)
    )


def one_line(text: str, limit: int) -> str:
    """A member's text quoted inside a reply: on one line (line breaks and runs of spaces as
    one space) and at most `limit` characters. Its line breaks would let a line of it start a
    heading (`# ...`), a quote or a code block that swallows the rest of the reply."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_PAIRED = re.compile(r"\|(?=\|)|\](?=\()")
"""The first of two characters that open Discord markup together: a spoiler's `||`, and the
`](` of a masked link `[text](https://...)`."""


def quoted(text: str, limit: int) -> str:
    """A member's text quoted in the plain words of a reply (an example, a test item): on one
    line (`one_line`), and inert as markup. A backtick is escaped: it paired with the next
    one anywhere after it, in another example or in the reply's own `train`, and made code of
    what lay between. A spoiler's bars and a masked link's `](` get a zero-width space between
    them, which shows nothing: a masked link in an example listed to another member was a link
    whose words hid where it went. Mentions are left to Discord's `allowed_mentions` (shown,
    never pinging)."""
    return inert(one_line(text, limit))


def member_name(name: str, limit: int = 100) -> str:
    """A member's display name in a reply's words ("Hello, {user}."): on one line
    (`one_line`), each mark of Discord's emphasis and code (`*`, `_`, `~`, a backtick, a
    backslash) escaped with a backslash, which Discord shows as the mark alone, a spoiler's
    bars and a masked link's `](` parted (as `inert` does), invisible characters as escapes.
    Anyone picks their own name: `**Boss**` greeted in bold, `||x||` hid a word, a line break
    began a heading. Not for a bold field of `fill`, whose `inert` would escape it twice."""
    flat = escaped(_MARKS.sub(r"\\\g<0>", one_line(name, limit)))
    return _PAIRED.sub("\\g<0>\u200b", flat)


_MARKS = re.compile(r"[\\*_~`]")


def inert(text: str) -> str:
    """`text` with no markup of its own (see `quoted`), its lines kept."""
    return _TICKS.sub(_escaped_tick, _PAIRED.sub("\\g<0>\u200b", text))


_TICKS = re.compile(r"(\\*)`")


def _escaped_tick(found: re.Match[str]) -> str:
    """A backtick escaped, and so are the backslashes before it (else `\\` + "`" would be an
    escaped backslash and a live backtick)."""
    return found.group(1) * 2 + "\\`"


def marked_up(text: str, rule: re.Pattern[str] = MARKUP) -> bool:
    """Whether `text` holds Discord's markup: what no label may hold (`MARKUP`), or with
    `MENTIONS_AND_MARKS`, what no dataset may be named with (a folder `my`data` is shown
    whole in a code span or in bold, its backticks escaped)."""
    return rule.search(text) is not None


def bold(name: str) -> str:
    """`name` in bold, inert (`inert`), its invisible characters as escapes; a name holding a
    mention's opening, `**`, `~~` or `__` (`_SHOWN_IN_CODE`) in a code span instead, where
    Discord shows it as it is written: a folder `**x**` read `****x****`, `<@1>` was a mention."""
    if _SHOWN_IN_CODE.search(name):
        return code(name)
    return f"**{inert(escaped(name))}**"


def escape(char: str) -> str:
    """One character as Python writes its escape: `\\u202e`, and beyond the basic plane
    `\\U000e0067` with eight digits. Four digits there (`\\ue0067`) read as `\\ue006`
    followed by a "7"."""
    number = ord(char)
    return f"\\u{number:04x}" if number <= 0xFFFF else f"\\U{number:08x}"


def code(text: str) -> str:
    """`text` as one inline code span, however many backticks it holds, its invisible
    characters as escapes (`escaped`): a name on disk with an escape sequence in it cleared
    the console's screen when a listing showed it."""
    text = escaped(text)
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
    whole and visible (see the module's docstring)."""
    if not any(_unsafe(str(value)) for value in fields.values()):
        return template.format(**fields)  # nearly every reply: nothing to guard
    out: list[str] = []
    for kind, text in _pieces(template):
        if kind == "code" and "{" in text:
            out.append(code(escaped(text.format(**fields))))
        elif kind == "block" and "{" in text:
            out.append(text.format(**{k: _unfenced(str(v)) for k, v in fields.items()}))
        elif kind == "code":
            out.append(f"`{text}`")
        elif kind == "bold" and "{" in text:  # a template's bold holds one field alone
            out.append(bold(text.format(**fields)))
        elif kind == "bold":
            out.append(f"**{text}**")
        else:
            out.append(text.format(**fields))
    return "".join(out)


def _unfenced(value: str) -> str:
    """A field shown inside a code block (```): Discord ends the block at the first three
    backticks anywhere, however many opened it, so no two backticks of the field may touch;
    a zero-width space between them keeps what is seen (and a mark under it) where it was."""
    return value.replace("``", "`\u200b`").replace("``", "`\u200b`")


def _unsafe(value: str) -> bool:
    """A backtick, a spoiler's or a masked link's pair of characters (`_PAIRED`), what `bold`
    shows in code (`_SHOWN_IN_CODE`), or a character `isprintable` refuses (a superset of
    `invisible`)."""
    return (
        "`" in value
        or not value.isprintable()
        or _PAIRED.search(value) is not None
        or _SHOWN_IN_CODE.search(value) is not None
    )
