"""Quoted text in a command's words: words and quoted groups (`tokenize`), the words after
a quoted example (its label, polite words or a mistake: `after_quoted`), and a text put in
quotes for a suggested line (`in_quotes`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput
from ..i18n import tr
from ..intents.quoted_label import label_word, typed_words
from .option_values import shown
from .polite import POLITE_WORDS
from .registry import Command

QUOTES = "\"'“”‘’«»"
BETWEEN_QUOTED = (",", ";")
"""What people put between the quoted sentences of a list (`'great', 'awful'`)."""
CLOSING = {'"': '"', "'": "'", "“": "”", "”": "”", "‘": "’", "’": "’", "«": "»", "»": "»"}


@dataclass(frozen=True)
class Token:
    value: str
    """The word, without its quotes."""
    quoted: bool
    start: int
    """Offsets in the line, quotes included, so the raw text can be cut out again."""
    end: int


def tokenize(text: str) -> list[Token]:
    """Words and quoted groups. An apostrophe inside a word (`it's`) is just a letter; only a
    quote that starts a word opens a group, which must be closed."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in QUOTES:
            close = CLOSING[text[i]]
            end = text.find(close, i + 1)
            if end < 0:
                raise BadInput(tr("args.open_quote", text=text[i : i + 20]))
            tokens.append(Token(text[i + 1 : end], True, start, end + 1))
            i = end + 1
            continue
        while i < n and not text[i].isspace():
            if text[i] in QUOTES and i > start and text[i - 1] in "=:":
                # `label:"two words"`: the quoted value belongs to its name
                end = text.find(CLOSING[text[i]], i + 1)
                if end < 0:
                    raise BadInput(tr("args.open_quote", text=text[start : start + 20]))
                i = end
            i += 1
        tokens.append(Token(text[start:i], False, start, i))
    return tokens


def joined(text: str, tokens: list[Token], *, lines: bool) -> str:
    """The tokens as typed, one space between words and, with `lines`, a line end between
    lines (a name's words are one line: `select_dataset movie⏎reviews`)."""
    parts = [text[tokens[0].start : tokens[0].end]]
    for before, token in itertools.pairwise(tokens):
        parts.append("\n" if lines and "\n" in text[before.end : token.start] else " ")
        parts.append(text[token.start : token.end])
    return "".join(parts)


def after_quoted(
    command: Command, options: dict[str, Any], group: list[Token], line: list[Token], text: str
) -> list[Token]:
    """The words after a quoted text (`train "dull" false 😀`): the quotes say where the text
    ends, so a word after them is the label (`true`, `false`, `positive`, `negative`), a
    polite word (dropped) or a mistake: refused, with the two lines that may have been meant,
    rather than stored as `"dull" false 😀`. Another quoted text stays, and a comma before
    it, for `resolve` to read several quoted texts as one example each."""
    pending = [p for p in command.params if p.kind == "bool" and p.name not in options]
    kept, stray, labels = [group[0]], [], []
    for at, token in enumerate(group[1:], start=1):
        word = token.value.lower()
        bare = token.value.rstrip(".!;,")  # `positive.`: a label that ends the line
        after = group[at + 1] if at + 1 < len(group) else None
        if token.quoted:
            kept.append(token)
        elif token.value in BETWEEN_QUOTED and any(t.quoted for t in group[at:]):
            kept.append(token)  # `"great", "fun"`: a list, which `resolve` refuses as such
        elif pending and (label := label_word(bare)) is not None:
            options[pending.pop(0).name] = label
            labels.append(token)
        elif pending and word in typed_words("typed.label_links") and after is not None:
            if after.quoted or label_word(after.value.rstrip(".!;,")) is None:
                stray.append(token)  # `"dull" is boring`: not a label that follows
            # else `"dull" is negative`, `"скучно" — негатив`: the label comes next
        elif not word.strip(".!,;:?…") or word.strip(".!,") in POLITE_WORDS:
            continue  # `train "a lovely film",`, `train "a lovely film" please`
        else:
            stray.append(token)
    if stray:
        # the options as typed (`false`, `label:billing`), in the suggested lines too
        named = [t for t in line if t not in group] + labels
        tail = "".join(" " + text[t.start : t.end] for t in sorted(named, key=lambda t: t.start))
        quoted, rest = shown(group[0].value, 60), " ".join(t.value for t in stray)
        inside = f"{quoted} {shown(rest, 60)}"
        raise BadInput(
            tr(
                "args.after_quoted",
                words=shown(rest),
                inside=f"{command.name} {in_quotes(inside)}{tail}",
                without=f"{command.name} {in_quotes(quoted)}{tail}",
            )
        )
    return kept


def quoted_example(
    command: Command, options: dict[str, Any], group: list[Token], line: list[Token], text: str
) -> list[Token]:
    """A source's words when a quoted text says where the example is: it starts them, or only
    words that lead up to an example come before it (`it on "dull" as negative`, `модель на
    "скучно"`: `typed.example_lead_ins`); what follows it is `after_quoted`'s. A sentence that
    quotes inside it (`the "best" film ever`) is kept whole."""
    if group[0].quoted:
        return after_quoted(command, options, group, line, text)
    first = next((at for at, token in enumerate(group) if token.quoted), 0)
    lead_ins = typed_words("typed.example_lead_ins")
    words = [t.value.lower().strip(",:") for t in group[:first]]
    if not first or not all(not word or word in lead_ins for word in words):
        return group
    read = dict(options)
    try:
        kept = after_quoted(command, read, group[first:], line, text)
    except BadInput:
        return group  # words after the quotes that are no label: the quotes are the text's
    options.update(read)
    return kept


SUGGESTED_QUOTES = (('"', '"'), ("«", "»"), ("“", "”"))
"""Quotes a suggested line may put a text in: the first whose marks the text does not hold."""


def in_quotes(text: str) -> str:
    """`text` in quotes that `tokenize` reads back as that one text (`a\\ b"` holds a `"`:
    `«a\\ b"»`); the suggestion of a refused line must itself work."""
    for opening, closing in SUGGESTED_QUOTES:
        if opening not in text and closing not in text:
            return f"{opening}{text}{closing}"
    return f'"{text}"'
