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

Quotes and the words after a quoted text are read in quoted_text.py, values converted in
option_values.py, polite words in polite.py.
"""

from __future__ import annotations

import re
from typing import Any

from .. import i18n
from ..errors import BadInput
from ..i18n import tr
from ..intents.quoted_label import BOOLS, LABELS, typed_words
from .option_names import option_name, spoken_usage, typed_names
from .option_values import convert, unfence
from .polite import only_polite, strip_polite
from .quoted_text import CLOSING, QUOTES, Token, joined, quoted_example, tokenize
from .registry import Command, Param

TRAILING_BOOLS = BOOLS
"""Bare words that set a yes/no option when they end the line (others would eat real text)."""
LABEL_WORDS = set(LABELS)
"""...and these too, after a quoted text (`train "dull" negative`): the quotes already say where
the text ends, so the word cannot be part of it."""


def _named(token: Token, by_name: dict[str, Param]) -> tuple[str, str] | None:
    """`name=value` or `name:value` for one of the command's options, by its English name or
    its name in the language spoken (`метка:billing` is `label:billing`), else None."""
    if token.quoted:
        return None
    local = typed_names(i18n.current())
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
    return pending[0].name in (name, typed_names(i18n.current()).get(name))


def _links_value(token: Token, pending: list[Param], after: list[Token]) -> bool:
    """Whether `token` is a linking word before the value of the option to be filled next,
    that value ending the line: a format (`export to jsonl`; `export to xml` is then refused
    naming the formats there are), or a label (`relabel #1 as negative`); or before that
    option's name and its number (`status of job 1`, `examples on page 2`: NUMBERED). Before,
    such a line was refused as too many arguments, or asked about without its format."""
    if token.quoted or not pending:
        return False
    word = token.value.lower()
    # each language's words before the name of a numbered option (`typed.number_links`)
    if len(after) == 2 and word in typed_words("typed.number_links"):
        return _names_next(after[0], pending, after[1:])
    # each language's words before a format or a label (`typed.value_links`)
    if len(after) != 1 or word not in typed_words("typed.value_links"):
        return False
    return bool(pending[0].choices) or pending[0].name == "label"


def links_a_choice(command: Command, text: str) -> bool:
    """Whether `text` is a linking word and one word for an option with choices (`export to
    xml`): a value asked for, refused as that option's value is (naming its choices), not as
    words that are no arguments."""
    words = text.split()
    links = typed_words("typed.value_links")
    return len(words) == 2 and words[0].lower() in links and any(p.choices for p in command.params)


def option_taken_out(text: str, option: str, usage: str, *, lenient: bool = False) -> str:
    """`text` with `option` written as an option (`label:negative`, `label="bug two"`, or by its
    name in the language spoken, `метка=негатив`) replaced by its value alone, for a command
    whose words are free text (`correct #87 2 label:negative` is item 2 labelled `negative`,
    as `train` and `relabel` read `label:`; it was stored as the label `label:negative`). The
    option with its value forgotten (`label:`) is refused, as `parse` refuses it, naming the
    command's `usage`; `lenient`, only when it ends the text (`label: was wrong` is left as it
    is: the words may be a sentence)."""
    names = [option, *(k for k, v in typed_names(i18n.current()).items() if v == option)]
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
            named = option_name(option)
            raise BadInput(tr("args.no_value", name=named, written=shown, usage=usage))
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
    if only_polite(text):
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
                    tr(
                        "args.no_value",
                        name=option_name(named[0]),
                        written=written,
                        usage=spoken_usage(command),
                    )
                )
            options[named[0]] = named[1]
            continue
        pending = [p for p in command.params if p.name not in options]
        if source is None and _names_next(token, pending, tokens[index + 1 :]):
            continue  # `examples page 2`, `cancel job 1`: the name before its number
        if source is None and _links_value(token, pending, tokens[index + 1 :]):
            continue  # `export to jsonl`, `relabel #1 as negative`, `status of job 1`
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
            raise BadInput(tr("args.too_many", usage=spoken_usage(command)))
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


def finish(command: Command, options: dict[str, Any]) -> dict[str, Any]:
    """Check names, convert types, fill defaults: shared by typed, slash and voice requests."""
    known = {p.name for p in command.params}
    unknown = sorted(set(options) - known)
    if unknown:
        raise BadInput(
            tr(
                "args.unknown_option",
                name=command.name,
                option=unknown[0],
                usage=spoken_usage(command),
            )
        )
    result: dict[str, Any] = {}
    for param in command.params:
        value = options.get(param.name)
        if value is None or value == "":
            if param.required:
                name = option_name(param.name)
                raise BadInput(tr("args.missing", name=name, usage=spoken_usage(command)))
            result[param.name] = param.default
        else:
            result[param.name] = convert(param, value)
    return result
