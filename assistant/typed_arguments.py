"""Typed arguments read as the user meant them: words after a command's name that go on to
another command ("train on movie reviews and then test it"), a folder's name written with
spaces ("train movie reviews"), words that only point at the model ("retrain it"), and why a
command is asked after a dash or colon ("status — I need to know").

Apart from the sentence reading of `Reader` (assistant/reading.py) because it is the other
question: once a line is a command, what its words are. `Reader` is made of both, the
other-script readings (assistant/other_scripts.py) and the command-line ones
(assistant/command_lines.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hassil import recognize

from . import i18n
from .commands.arguments import links_a_choice, parse
from .commands.quoted_text import tokenize
from .commands.registry import Command
from .errors import BadInput, UserError
from .intents.address import after_greeting, only_address
from .intents.chained import WRITTEN_AS_IS, next_command
from .intents.feedback_head import for_someone_else
from .intents.matcher import IntentMatcher, normalize
from .mentions import PINGS
from .messages import Request
from .typed_line import addressed

ARGUMENT_MARKS = ('"', "[", "{", "=", "`", "“", "«")
"""Characters of written arguments (`train "great film" positive`, `test ["a", "b"]`)."""
LONGEST_SENTENCE = 4000
"""Characters beyond which a typed line is read by the command's own parser only, never as a
sentence: such a line is data (a pasted review, a long correction), and the template matcher
took 10 s of CPU for a 1 MB one (hassil checks each template's required words against it)."""
_ADDRESS = ("typed.others", "typed.bot_names")
"""The word lists of an address to people or the bot, with no request in it."""
_PINGS = re.compile(rf"[\s,.!]*(?:(?:{PINGS})[\s,.!]*)+")
"""Words that are only Discord mentions of people (`@everyone`, `@here`, a member's or a
role's `<@123>`): they address people, never an argument."""
_REASON_MARK = re.compile(r"\s*(?:[—–]+|-+|:)\s+")
"""A dash or colon after a command's name, before why it is asked ("status — ...")."""
_FLAG = re.compile(r"-(?P<letter>[^\W\d_])|--(?P<name>[^\W\d_][\w-]*)")
"""A command-line tool's flag (`-d`, `--dataset`), typed before an argument out of habit. One
letter after one dash: "-not bad at all" is an example's words, not a flag `not`."""


def _address_alone(command: Command, request: Request) -> bool | None:
    """Whether a command that needs no arguments, given words that only address people
    (`typed.others`, the bot's names: "hi all", "привет всем", "hello there everyone"), runs:
    after a greeting's name, or set off by a comma ("leave, guys"); where it is not clear
    ("undo all": everything?, "status всем") False, for the hint to type the name alone, not
    its arguments' errors ("job must be a whole number"). None when it needs arguments or the
    words are more than an address ("hi, can you train the model")."""
    if any(p.required for p in command.params):
        return None
    if _PINGS.fullmatch(request.text):
        # "test @everyone": a Discord ping sets the words off as a comma does; after `train`,
        # whose words are examples, the command says a mention is none, rather than retrain
        # unasked (a new model becomes the current one)
        return None if any(p.source for p in command.params) else True
    hello = _words_of("typed.greetings")
    greeted = after_greeting(f"{request.command} {request.text}", hello)
    if greeted is not None and only_address(greeted, _words_of(*_ADDRESS) | hello):
        return True
    if not only_people(request.text):
        return None
    return request.command.endswith(",") or request.text.lstrip().startswith(",")


def past_flags(command: Command | None, request: Request) -> Request:
    """`train -d kaggle_tweets`, `correct -l positive`, `test --dataset movie_reviews`: the
    words after a command's name written as a command-line tool's flags and their values, as
    the values in order (a flag that is an option's name, `--label positive`, as
    `label=positive`). Read as written, `-d kaggle_tweets` was an example to add and `-l` the
    number of the reply to correct. Only when the words begin with a flag and each flag has a
    value after it; an opinion (`feedback`) is kept as typed."""
    words = request.text.split()
    if command is None or command.name == "feedback" or not words or not _FLAG.fullmatch(words[0]):
        return request
    names = {p.name for p in command.params}
    kept: list[str] = []
    named = ""  # `name=` for the value after a flag that is an option's name
    for word, after in zip(words, [*words[1:], None], strict=True):
        flag = _FLAG.fullmatch(word)
        if flag is None:
            kept.append(named + word)
            named = ""
            continue
        if after is None or _FLAG.fullmatch(after):
            return request  # `--verbose`: a switch we have none of
        name = (flag["name"] or flag["letter"]).replace("-", "_").lower()
        named = f"{name}=" if name in names else ""
    return dataclasses.replace(request, text=" ".join(kept))


def _quoted(text: str) -> bool:
    """Whether `text` holds words in quotes, single ones too (`status 'my job'`): a written
    argument, refused as the command's parser refuses it (an apostrophe is no quote)."""
    try:
        return any(token.quoted for token in tokenize(text))
    except BadInput:
        return False


def only_people(words: str) -> bool:
    """Whether `words` only address people or the bot, in any language ("everyone", "всем",
    "guys!"): no argument of a command."""
    return only_address(words, _words_of(*_ADDRESS))


def _words_of(*keys: str) -> set[str]:
    """The words of these lists in every language: a command's English name is typed
    anywhere, and so is "hi всем"."""
    return {w for code in i18n.languages() for key in keys for w in i18n.word_list(code, key)}


def _the_model(words: str, language: str) -> bool:
    """`words` only point at the model or say when (`typed.the_model`: "it", "it again",
    "the model now"), or at the active dataset, after the model's words or alone
    (`typed.active_dataset`: "on the current dataset"): after `train` they name no example,
    and no folder ("train on the current dataset" looked for a folder `current`)."""
    said = normalize(words)
    models = {normalize(w) for w in i18n.word_list(language, "typed.the_model")}
    active = {normalize(w) for w in i18n.word_list(language, "typed.active_dataset")}
    return bool(said) and (
        said in models | active
        or any(said.endswith(f" {data}") and said[: -len(data) - 1] in models for data in active)
    )


def feedback_lists(language: str) -> tuple[list[str], list[str], tuple[list[str], list[str]]]:
    """A language's words of labelled feedback (assistant/intents/feedback_head.py): what names
    it, what makes its head a question, and whom it is for."""
    return (
        i18n.word_list(language, "typed.feedback_words"),
        i18n.word_list(language, "typed.question_words"),
        (
            i18n.word_list(language, "typed.feedback_for"),
            i18n.word_list(language, "typed.feedback_recipients"),
        ),
    )


def feedback_elsewhere(line: str, language: str) -> bool:
    """Whether `line` is feedback labelled for someone else in `language`'s words ("feedback
    for the kitchen staff: ...", "my feedback for marketing: ..."): no feedback for the bot."""
    return for_someone_else(line, *feedback_lists(language))


class ArgumentReading:
    """The typed-argument readings of a `Reader`, which supplies the command lookup, the
    guilds' languages and names, and its sentence reading."""

    _find_command: Callable[[str], Command | None]
    _language: Callable[[str], str]
    _lists: Callable[[str], dict[str, list[str]]]

    if TYPE_CHECKING:  # the `Reader`'s own (assistant/reading.py)
        understand: Callable[..., Request | None]

        def intents_for(self, language: str) -> IntentMatcher: ...

    def parse_typed(self, command: Command, request: Request) -> dict[str, Any]:
        """`parse`, except that ordinary words after the name of a command that takes none of
        them ("cancel my subscription? nah") get a hint instead of its usage: they matched no
        sentence, so the name was most likely a word of something else. One word after the
        name is still an argument (`cancel 7`, `help train`), as in `Reader._past_politeness`;
        so are numbers and marked arguments, written wrong, and the arguments a command needs. Words
        that go on to another command ("train on movie reviews and then test it") are refused
        as two commands: read as arguments, they became an example to learn. A command that
        takes none, or whose words are free text (`_to_people`), given words that only address
        people ("hi all", "привет всем", "train everyone"), runs, or gets the hint where that
        is not clear (`_address_alone`)."""
        request = past_flags(command, request)
        second = self._chained(command, request)
        if second is not None:
            raise BadInput(i18n.tr("error.two_commands", first=request.command, second=second))
        try:
            options = parse(command, request.text)
        except BadInput:
            text = request.text
            plain = _address_alone(command, request)
            if plain is None and (
                len(text.split()) < 2
                or any(p.required for p in command.params)
                or any(c.isdigit() for c in text)
                or any(mark in text for mark in ARGUMENT_MARKS)
                or _quoted(text)
                or links_a_choice(command, text)  # `export to xml`: which formats there are
            ):
                raise
        else:
            plain = self._to_people(command, request)
            if plain is None:
                return self._names_in_words(command, request, options)
        if plain:  # "hi all", "привет всем", "leave, guys", "status, everyone", "test, all"
            return parse(command, "")
        raise BadInput(
            i18n.tr("error.bare_command", name=request.command.lower().rstrip(",;:.?!…"))
        )

    def _to_people(self, command: Command, request: Request) -> bool | None:
        """`_address_alone` for a command whose words are free text (`train`, `test`,
        `archive`; `feedback` is read by its sentence template first): "train everyone"
        added "everyone" as an example, "archive guys" looked for a folder `guys`. None when
        the words are more than an address ("train everyone loved it"), or name the guild's
        data (a folder called `team`)."""
        free = any(p.source or p.words or p.kind in ("text", "json") for p in command.params)
        if not free or self._marked_or_named(request.text.lstrip(" ,"), request):
            return None
        return _address_alone(command, request)

    def _names_in_words(
        self, command: Command, request: Request, options: dict[str, Any]
    ) -> dict[str, Any]:
        """`options` with unquoted words taken as a text that are a folder's name written
        with spaces ("train movie reviews") as that folder (`folder:movie_reviews`); words
        that hold such a name among others ("train model movie reviews now") are refused
        with both readings. Taken as they are, both were added to the dataset as an example,
        where the user meant the name."""
        text = request.text
        if any(mark in text for mark in ARGUMENT_MARKS):
            return options
        lists = self._lists(request.guild_id)
        names = dict.fromkeys([*lists.get("dataset", []), *lists.get("folder", [])])
        for param in command.params:
            words = options.get(param.name)
            if not (param.source or param.kind == "json") or not isinstance(words, str):
                continue
            said = " " + normalize(words.replace("_", " ")) + " "
            # the words alone once politeness and a reason after a dash are read off
            # ("train kaggle tweets pls", "train kaggle tweets — the old model is stale")
            head = _REASON_MARK.split(words, maxsplit=1)[0]
            language = self._language(request.guild_id)
            alone = normalize(addressed(head, language, self.intents_for(language)).loose)
            clause = addressed(head.split(",")[0], language, self.intents_for(language)).loose
            if param.source and _the_model(clause, language):
                # "retrain it", "train it again, accuracy was trash": no example to add
                return {**options, param.name: None}
            if ":" in words.split()[0] or len(said.split()) < 2:
                continue  # `file:NAME`, `folder:NAME` and one word name what they name
            for name in names:
                spoken = normalize(name.replace("_", " "))
                alone_name = alone.replace("_", " ") == spoken
                if alone_name and param.source and name in lists.get("folder", []):
                    return {**options, param.name: f"folder:{name}"}
                if f" {spoken} " in said and said.strip() != spoken:
                    raise BadInput(
                        i18n.tr(
                            "error.name_in_words",
                            name=name,
                            name_command=f"{request.command.lower()} {name}",
                            quoted=f'{request.command.lower()} "{words}"',
                        )
                    )
            asked = self._asked_name(request.command, alone, language) if param.source else None
            if asked is not None:
                # "train on catz", "train the model on the catz dataset": asked for a dataset
                # the data folder lacks; the command says so (and which name is near), where
                # the words were added to the dataset as an example
                return {**options, param.name: f"folder:{asked}"}
        return options

    def _asked_name(self, verb: str, words: str, language: str) -> str | None:
        """The name `verb` + `words` would ask to use were it a dataset's ("on catz", "the
        model on the catz dataset": the templates' own sentences with the name in the list),
        or None when the words are no such request."""
        # the guild's language, and English, whose command names are typed everywhere
        for matcher in map(self.intents_for, dict.fromkeys((language, "en"))):
            for name in dict.fromkeys(reversed(words.split()[-2:])):  # last, or before "dataset"
                lists = matcher.lists_with({"dataset": [name]})
                said = recognize(f"{normalize(verb)} {words}", matcher.intents, slot_lists=lists)
                if said is not None and any(e.value == name for e in said.entities.values()):
                    return name
        return None

    def _chained(self, command: Command, request: Request) -> str | None:
        """The command that words after a joiner in `request`'s arguments name, as the guild
        calls it, or None (assistant/intents/chained.py)."""
        if command.name in WRITTEN_AS_IS or len(request.text) > LONGEST_SENTENCE:
            return None
        language = self._language(request.guild_id)
        joiners = [
            *i18n.word_list(language, "typed.joiners"),
            *i18n.word_list("en", "typed.joiners"),
        ]

        def says(clause: str) -> str | None:
            found = self._find_command(clause.split()[0].strip(",.!?:;"))
            if found is None:
                meant = self.understand(
                    clause,
                    user=request.user,
                    guild_id=request.guild_id,
                    channel_id=request.channel_id,
                    exact=True,
                )
                found = self._find_command(meant.command) if meant is not None else None
            return None if found is None else found.name

        said = next_command(request.text, joiners, says)
        return None if said is None else i18n.command_name(language, said)

    def _past_reason(self, request: Request) -> Request:
        """`status — I need to know if I can start testing`, `cancel: wrong dataset`: a
        command's name, a dash or colon, then why; the command alone when it needs no
        arguments and the words after the mark are none of its own, else the command with
        the words after the mark (`help - train`). Read as its arguments, the reason got the
        command's usage."""
        name, text = request.command, request.text
        if name.endswith(":") and name != ":":
            name, text = name[:-1], f": {text}"
        elif name.endswith(",") and self._takes_data(name[:-1]):
            # "retrain, accuracy was trash"; after other names a comma goes on talking ("Hello,
            # I am sorry to bother you, ... could you explain how to use this bot?")
            name, text = name[:-1], f": {text}"
        command = self._find_command(name)
        reason = _REASON_MARK.match(text)
        if command is None or reason is None or any(p.required for p in command.params):
            return request
        rest = text[reason.end() :]
        try:
            with i18n.speaking(self._language(request.guild_id)):
                parse(command, rest)
        except UserError:
            rest = ""
        if any(p.source for p in command.params) and not self._marked_or_named(rest, request):
            # `train — the old model is stale`: why, not an example to add (one is quoted)
            rest = ""
        return dataclasses.replace(request, command=name, text=rest)

    def _takes_data(self, name: str) -> bool:
        """`name` is a command that takes a text or path as data (`train`)."""
        command = self._find_command(name)
        return command is not None and any(p.source for p in command.params)

    def _marked_or_named(self, words: str, request: Request) -> bool:
        """`words` are written arguments (quoted, `name:value`) or a folder's or dataset's
        name, not free words."""
        if any(mark in words for mark in ARGUMENT_MARKS) or ":" in (words.split() or [""])[0]:
            return True
        lists = self._lists(request.guild_id)
        said = normalize(words.replace("_", " "))
        names = [*lists.get("dataset", []), *lists.get("folder", [])]
        return any(normalize(name.replace("_", " ")) == said for name in names)
