"""Parse a command's text into typed options (the job of discord.py's converters).

One syntax for typed, console and Discord prefix commands (slash and spoken requests arrive as
options and go through `finish`, the same checks):

- words are split on spaces; `"double"` or `'single'` quotes group words;
- `name=value` and `name:value` set an option by name (`positive=false`, `positive:false`),
  its English name or its name in the language spoken (`метка:billing`: `typed.option_names`);
- a bare `true` or `false` at the end sets the command's yes/no option (`train "dull" false`),
  and so does `positive` or `negative` after a quoted text (`train "dull" negative`);
- other words fill the options in order. A `text`/`json` option takes the rest of the line as
  typed; a `source` option (see `targets`) takes every remaining word, quotes kept, so that
  `train this movie was 10/10 false` adds the text "this movie was 10/10" as negative; so does
  a `words` option (`select_dataset movie reviews false`). Its words keep their lines apart
  (`train` adds each line of a message as an example, as a `.txt`'s). After a quoted text
  that starts it, only the label (in any language, after a linking word: `"dull" is
  negative`, `"скучно" — негатив`) and polite words may follow (`train "dull" false
  please`); another word is refused with the lines that may have been meant. Words before a
  quoted text that only lead up to it (`train it on "dull" as negative`) are no part of it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import i18n
from ..errors import BadInput
from ..i18n import number_text, tr
from ..intents.quoted_label import BOOLS, LABELS, label_word, typed_words
from .registry import Command, Param

TRUE_WORDS = {"true", "yes", "y", "1", "on", "positive", "pos"}
FALSE_WORDS = {"false", "no", "n", "0", "off", "negative", "neg"}
TRAILING_BOOLS = BOOLS
"""Bare words that set a yes/no option when they end the line (others would eat real text)."""
LABEL_WORDS = set(LABELS)
"""...and these too, after a quoted text (`train "dull" negative`): the quotes already say where
the text ends, so the word cannot be part of it."""
QUOTES = "\"'“”‘’«»"
BETWEEN_QUOTED = (",", ";")
"""What people put between the quoted sentences of a list (`'great', 'awful'`)."""
CLOSING = {'"': '"', "'": "'", "“": "”", "”": "”", "‘": "’", "’": "’", "«": "»", "»": "»"}
POLITE_WORDS = {"please", "pls", "plz", "thanks", "thank", "you", "now", "пожалуйста", "спасибо"}
"""Trailing words people add to a command (`status please`) that are not arguments."""
POLITE_TAIL = re.compile(
    r"(?:^|\s+)(?:" + "|".join(sorted(POLITE_WORDS)) + r")[.!,]*\s*$", re.IGNORECASE
)
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
    raise BadInput(tr("args.not_bool", name=name, value=value))


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
        raise BadInput(tr("args.below_one", name=name, value=shown(value)))
    if number > INT_MAX:
        raise BadInput(
            tr("args.out_of_range", name=name, value=shown(value), limit=number_text(INT_MAX))
        )
    return number


def to_int(value: object, name: str) -> int:
    """The one conversion of a whole-number option, typed, slash or spoken."""
    number = whole_number(value)
    if number is None:
        raise BadInput(tr("args.not_int", name=name, value=shown(value)))
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
        raise BadInput(tr("args.not_choice", name=param.name, choices=", ".join(param.choices)))
    return text


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


@cache
def _option_names(language: str) -> dict[str, str]:
    """The language's names of options (`метка` is `label`), as `typed.option_names` pairs."""
    return i18n.word_pairs(language, "typed.option_names")


def _named(token: Token, by_name: dict[str, Param]) -> tuple[str, str] | None:
    """`name=value` or `name:value` for one of the command's options, by its English name or
    its name in the language spoken (`метка:billing` is `label:billing`), else None."""
    if token.quoted:
        return None
    local = _option_names(i18n.current())
    for sep in ("=", ":"):
        key, found, value = token.value.partition(sep)
        name = key.lower() if key.lower() in by_name else local.get(key.lower(), "")
        if found and name in by_name:
            return name, value.strip(QUOTES)
    return None


NUMBERED = ("page", "job", "example", "version")
"""Options whose value is a number that people write after the option's name (`page 2`)."""


def _names_next(token: Token, pending: list[Param], after: list[Token]) -> bool:
    """Whether `token` is the name of the option to be filled next (English, or the language
    spoken: `страница`), one of NUMBERED, with a word after it to be its value: `examples page
    2`, `remove example #3`, `use_model version 2` (refused as too many arguments)."""
    if token.quoted or not after or not pending or pending[0].name not in NUMBERED:
        return False
    name = token.value.lower()
    return pending[0].name in (name, _option_names(i18n.current()).get(name))


def _links_value(token: Token, pending: list[Param], after: list[Token]) -> bool:
    """Whether `token` is a linking word before the value of the option to be filled next,
    that value ending the line: one of its choices (`export to jsonl`), or a label (`relabel
    #1 as negative`). Before, such a line was refused, or asked about without its format."""
    # each language's words before a format or a label (`typed.value_links`)
    links = typed_words("typed.value_links")
    if token.quoted or len(after) != 1 or not pending or token.value.lower() not in links:
        return False
    choices = pending[0].choices
    if choices:
        return after[0].value.lower() in choices
    return pending[0].name == "label"


def option_taken_out(text: str, option: str, usage: str, *, lenient: bool = False) -> str:
    """`text` with `option` written as an option (`label:negative`, `label="bug two"`, or by its
    name in the language spoken, `метка=негатив`) replaced by its value alone, for a command
    whose words are free text (`correct #87 2 label:negative` is item 2 labelled `negative`,
    as `train` and `relabel` read `label:`; it was stored as the label `label:negative`). The
    option with its value forgotten (`label:`) is refused, as `parse` refuses it, naming the
    command's `usage`; `lenient`, only when it ends the text (`label: was wrong` is left as it
    is: the words may be a sentence)."""
    names = [option, *(k for k, v in _option_names(i18n.current()).items() if v == option)]
    written = "|".join(re.escape(name) for name in names)
    quoted = "|".join(
        f"{re.escape(q)}[^{re.escape(end)}]*{re.escape(end)}" for q, end in CLOSING.items()
    )
    pattern = rf"(?<!\S)({written})([:=])({quoted}|[^\s,;]*)"

    def value(found: re.Match[str]) -> str:
        if not found[3].strip(QUOTES).strip():
            if lenient and text[found.end() :].strip():
                return found[0]
            shown = f"{found[1]}{found[2]}"
            raise BadInput(tr("args.no_value", name=option, written=shown, usage=usage))
        return found[3].strip(QUOTES)

    return re.sub(pattern, value, text, flags=re.IGNORECASE)


def names_an_option(command: Command, text: str) -> bool:
    """Whether `text` writes out one of the command's options (`набор:reviews`, `label:`, a
    value forgotten too): arguments for its parser, not a sentence to read."""
    by_name = {p.name: p for p in command.params}
    try:
        tokens = tokenize(text)
    except BadInput:  # an unclosed quote: the parser says so
        return False
    return any(_named(token, by_name) is not None for token in tokens)


def parse(command: Command, text: str) -> dict[str, Any]:
    """Typed text -> options, then `finish` (the checks every request goes through)."""
    options: dict[str, Any] = {}
    by_name = {p.name: p for p in command.params}
    text = unfence(text)
    if command.params and command.params[0].kind in ("text", "json"):
        # free text is kept as typed, polite words too: `feedback thanks` is feedback
        if text.strip():
            options[command.params[0].name] = text.strip()  # JSON and free text: as typed
        return finish(command, options)
    if _only_polite(text):
        text = ""  # `help please`, `train please`
    if not any(p.source or p.kind in ("text", "json") for p in command.params):
        # only where no option takes free words: `train loved it, thanks` keeps its "thanks"
        text = strip_polite(text)  # `select_dataset reviews please`
    tokens = tokenize(text)
    # the bare `true`/`false` that sets a yes/no option ends the line, or comes just before
    # the `name=value` options that end it
    unnamed = [i for i, token in enumerate(tokens) if _named(token, by_name) is None]
    last_word = unnamed[-1] if unnamed else -1
    source: tuple[str, list[Token]] | None = None
    for index, token in enumerate(tokens):
        named = _named(token, by_name)
        if named is not None and named[0] not in options:
            if not named[1]:  # `label:` with the label forgotten is no "use the default"
                written = token.value[: len(token.value.rstrip(QUOTES))]
                raise BadInput(
                    tr("args.no_value", name=named[0], written=written, usage=command.usage)
                )
            options[named[0]] = named[1]
            continue
        pending = [p for p in command.params if p.name not in options]
        if source is None and _names_next(token, pending, tokens[index + 1 :]):
            continue  # `examples page 2`, `cancel job 1`: the name before its number
        if source is None and _links_value(token, pending, tokens[index + 1 :]):
            continue  # `export to jsonl`, `relabel #1 as negative`
        bools = [p for p in pending if p.kind == "bool"]
        is_last = index == last_word
        closed = source is not None and all(t.quoted for t in source[1])
        words = TRAILING_BOOLS | LABEL_WORDS if closed else TRAILING_BOOLS
        if is_last and bools and not token.quoted and token.value.lower() in words:
            options[bools[0].name] = token.value
            continue
        if source is not None:
            source[1].append(token)
            continue
        if not pending:
            raise BadInput(tr("args.too_many", usage=command.usage))
        param = pending[0]
        if param.kind in ("text", "json"):
            options[param.name] = text[token.start :].strip()
            break
        if param.source or param.words:
            source = (param.name, [token])
            options[param.name] = None  # claimed; filled below
            continue
        options[param.name] = token.value
    if source is not None:
        name, group = source
        if by_name[name].source and len(group) > 1:
            group = quoted_example(command, options, group, tokens, text)
        # every remaining word as typed, quotes kept: they mean "this is text, not a path";
        # the lines kept apart (`train` adds a line each, as a `.txt`'s)
        options[name] = joined(text, group, lines=by_name[name].source)
    return finish(command, options)


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


def _only_polite(text: str) -> bool:
    words = text.split()
    return bool(words) and all(w.lower().strip(".!,") in POLITE_WORDS for w in words)


def strip_polite(text: str) -> str:
    """Drop polite words at the end of a command line (`select_dataset reviews please`)."""
    while (found := POLITE_TAIL.search(text)) is not None:
        text = text[: found.start()]
    return text


def finish(command: Command, options: dict[str, Any]) -> dict[str, Any]:
    """Check names, convert types, fill defaults: shared by typed, slash and voice requests."""
    known = {p.name for p in command.params}
    unknown = sorted(set(options) - known)
    if unknown:
        raise BadInput(
            tr("args.unknown_option", name=command.name, option=unknown[0], usage=command.usage)
        )
    result: dict[str, Any] = {}
    for param in command.params:
        value = options.get(param.name)
        if value is None or value == "":
            if param.required:
                raise BadInput(tr("args.missing", name=param.name, usage=command.usage))
            result[param.name] = param.default
        else:
            result[param.name] = convert(param, value)
    return result
