"""Sentence -> command: hassil templates with run-time slot lists (datasets, folders, files).

The same matcher serves voice transcripts and typed free text (typed text near a sentence
without being one is typed.py's). Spoken slot values map back to the real names
("i m d b twenty twenty six" -> "imdb2026").
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hassil import Intents, recognize_all
from hassil.expression import Sentence
from hassil.intents import SlotList, TextSlotList
from hassil.sample import sample_expression

from assistant.messages import Request, User

from .normalize import normalize
from .quoted_label import label_after, split_quoted
from .spoken import file_words, spoken_forms
from .templates import DEFAULT_SENTENCES, load_sentences, parsed, templates_key

if TYPE_CHECKING:
    from .typed import TypedMatcher

NAME_LISTS = ("dataset", "folder", "file")
"""Lists whose values are real folder/file names; they get generated spoken forms."""
_QUOTES = "\"'“”‘’«»„"
_FILE_NAME = re.compile(r"^[^\s/\\]+\.[A-Za-z0-9]{1,5}$")
"""One word with an extension (`reprot.txt`, `data.csv`): a file's name, however misspelt."""
_SEVERAL_QUOTED = re.compile(r"[\"'”’»]\s*[,;]?\s*[\"'“‘«„]")
"""A quote closing one sentence and another opening the next: a list of quoted sentences."""


@dataclass(frozen=True)
class Intent:
    """A recognised command."""

    name: str
    """Command name, e.g. "train" (the product's command names)."""
    slots: dict[str, Any] = field(default_factory=dict)
    """Command options by option name, with real values ("data_dir": "imdb2026")."""
    text: str = ""
    """The words that were matched (wake phrase removed)."""
    wake: bool = False
    """True when the text started with a wake phrase."""

    def same_command(self, other: Intent) -> bool:
        """The same command with the same options, however it was worded."""
        return self.name == other.name and self.slots == other.slots


class IntentMatcher:
    """Templates + current slot lists. `match` is thread-safe against `update_lists`."""

    def __init__(
        self,
        wake_phrases: Iterable[str] = ("hey trainer", "okay trainer"),
        intents_file: str | Path | None = None,
        is_word: Callable[[str], bool] | None = None,
        sentences: Path = DEFAULT_SENTENCES,
    ) -> None:
        self.wake_phrases = [normalize(p) for p in wake_phrases if normalize(p)]
        self.wake_words = frozenset(w for p in self.wake_phrases for w in p.split()[1:])
        """The names in the wake phrases ("trainer"), without the greeting before them."""
        self.data = load_sentences(intents_file, sentences)
        if self.wake_phrases:
            rules = self.data.setdefault("expansion_rules", {})
            rules["wake"] = "(" + "|".join(self.wake_phrases) + ")"
        self.templates_key = templates_key(self.data)
        """What the templates are (with the wake phrases): equal for two matchers of the same
        sentences, so what is made of the templates alone is made once per process."""
        self.intents = parsed(self.templates_key, self.data)
        self.is_word = is_word or _every_token_is_a_word
        """Whether a token is a dictionary word (said as a word, not spelled). The speech side
        passes its recognizer's dictionary, so names are spelled the way it can hear them."""
        self._lock = threading.Lock()
        self._values: dict[str, list[str]] = {}
        self._case_twins: dict[str, list[str]] = {}
        """Lower-cased name -> the names spelled so, where there are two or more (`Notes`,
        `notes`); made when the lists change."""
        self._spoken: dict[str, list[tuple[str, Any]]] = {
            name: [(text, v.value_out) for v in lst.values for text in _value_texts(v)]
            for name, lst in self.intents.slot_lists.items()
            if isinstance(lst, TextSlotList)
        }
        self._file_aliases: dict[str, list[str]] = {}
        """A file's name (its stem, lower case) -> what a language also calls it: the
        templates' list `file_alias` (Russian "отчёт", "репорт" for `report.txt`); no list of
        its own, as it names nothing without a file."""
        for form, value in self._spoken.pop("file_alias", []):
            self._file_aliases.setdefault(str(value).lower(), []).append(form)
        self._name_aliases = [
            (form, normalize(str(value))) for form, value in self._spoken.pop("name_alias", [])
        ]
        """What a language also calls words of a folder's name: the templates' list
        `name_alias` (Russian "твиты" for "tweets", English "film reviews" for "movie
        reviews"); no list of its own, as it names nothing without a folder."""
        self._slot_lists: dict[str, SlotList] = {}
        self._version = 0
        """Increases whenever a list changes (`lists_version`)."""
        # Sort wake phrases longest first so "okay trainer" wins over a shorter prefix.
        self._wake_re = (
            re.compile(
                r"^(?:"
                + "|".join(re.escape(p) for p in sorted(self.wake_phrases, key=len, reverse=True))
                + r")\b[\s,]*"
            )
            if self.wake_phrases
            else None
        )

    @classmethod
    def from_settings(
        cls,
        settings: Any,
        is_word: Callable[[str], bool] | None = None,
        sentences: Path = DEFAULT_SENTENCES,
    ) -> IntentMatcher:
        """Build from `VoiceSettings` (`sentences`: the templates of another language)."""
        return cls(settings.wake_phrases, settings.intents_file, is_word, sentences)

    @cached_property
    def spoken_intents(self) -> Intents:
        """The templates without the blocks marked `metadata: {typed: true}`: what the voice
        grammar and the sentences speech snaps to are made of (sentences.yaml says why)."""
        spoken = copy.copy(self.intents)
        spoken.intents = {}
        for name, intent in self.intents.intents.items():
            data = [d for d in intent.data if not (d.metadata or {}).get("typed")]
            if data:
                spoken.intents[name] = dataclasses.replace(intent, data=data)
        return spoken

    @cached_property
    def typed(self) -> TypedMatcher:
        """Typed free text's own reading: the near sentences, the templates' words
        (assistant/intents/typed.py)."""
        from .typed import TypedMatcher

        return TypedMatcher(self)

    @property
    def lists_key(self) -> tuple[Any, ...]:
        """What the templates and the run-time lists' spoken forms are: equal for two matchers
        that say the same sentences (what is enumerated from them can be shared)."""
        with self._lock:
            spoken = tuple((name, tuple(pairs)) for name, pairs in sorted(self._spoken.items()))
        return (self.templates_key, spoken)

    @property
    def lists_version(self) -> int:
        """Increases whenever a list changes (what is made of the lists is rebuilt then)."""
        with self._lock:
            return self._version

    @property
    def expansion_rules(self) -> dict[str, Sentence]:
        return self.intents.expansion_rules

    def spoken_lists(self) -> dict[str, list[tuple[str, Any]]]:
        """Every text list as (spoken text, real value) pairs, for grammar generation."""
        with self._lock:
            return {name: list(values) for name, values in self._spoken.items()}

    def slot_lists(self) -> dict[str, SlotList]:
        """The current run-time slot lists (spoken forms and real names), as hassil lists."""
        with self._lock:
            return dict(self._slot_lists)

    def update_lists(self, lists: dict[str, list[str]]) -> None:
        """Replace the values of some lists, e.g. {"dataset": ["movie_reviews", "imdb2026"]}."""
        with self._lock:
            if all(self._values.get(name) == list(values) for name, values in lists.items()):
                return  # the same names (typed text refreshes them on every message)
            self._version += 1
            for name, values in lists.items():
                self._values[name] = list(values)
                self._spoken[name] = self._spoken_pairs(name, values)
            self._slot_lists = _text_lists(self._spoken, self._values)
            spellings: dict[str, set[str]] = {}
            for values in self._values.values():
                for value in values:
                    spellings.setdefault(value.lower(), set()).add(value)
            self._case_twins = {k: sorted(v) for k, v in spellings.items() if len(v) > 1}

    def lists_with(self, lists: dict[str, list[str]]) -> dict[str, SlotList]:
        """The slot lists as they would be with these values, without changing the matcher's."""
        with self._lock:
            spoken, names = dict(self._spoken), {**self._values, **lists}
        spoken.update({name: self._spoken_pairs(name, values) for name, values in lists.items()})
        return _text_lists(spoken, names)

    def _spoken_pairs(self, name: str, values: list[str]) -> list[tuple[str, Any]]:
        """(spoken form, value) for each value of a run-time list."""
        pairs: dict[str, Any] = {}
        for value in dict.fromkeys(values):
            if name == "file":
                said = file_words(value)
                forms = [f for words in said for f in spoken_forms(words, self.is_word)]
                forms += self._file_aliases.get(said[0].lower(), [])
            elif name in NAME_LISTS:
                forms = spoken_forms(value, self.is_word)
                forms += _aliased(forms, self._name_aliases, values)
            else:
                forms = [normalize(value.replace("_", " "))]
            # Two values said alike ("report.csv", "report.txt"): the first (newest) is meant.
            for form in forms:
                if form:
                    pairs.setdefault(form, value)
        return list(pairs.items())

    def split_wake(self, text: str) -> tuple[bool, str]:
        """(True, rest) when `text` starts with a wake phrase; the rest is normalised."""
        norm = normalize(text)
        if self._wake_re is not None:
            m = self._wake_re.match(norm)
            if m:
                return True, norm[m.end() :].strip()
        return False, norm

    def match(self, text: str, last_resort: bool = False) -> Intent | None:
        """The command in `text` (a leading wake phrase is allowed), or None. Blocks marked
        `metadata: {last_resort: true}` count only with `last_resort`: a wildcard that takes
        any name ("use dataset {name}") must not win over the nearest known one ("imdb 2026"
        is the dataset `imdb2026`), so typed text tries them after the near sentences."""
        wake, rest = self.split_wake(text)
        if not rest:
            return None
        with self._lock:
            lists = dict(self._slot_lists)
        for result in recognize_all(rest, self.intents, slot_lists=lists):
            if bool((result.intent_metadata or {}).get("last_resort")) != last_resort:
                return None
            intent = self._intent(text, rest, wake, result)
            if intent is not None:
                return intent
            # a sentence in quotes was wanted and there is none ("check status" is no
            # "check {json}"): another sentence may still say it
        return None

    def _intent(self, text: str, rest: str, wake: bool, result: Any) -> Intent | None:
        """The command one recognised sentence says, or None when its sentence to learn or
        classify had to be in quotes and is not."""
        slots = {
            name: self._as_cased(text, entity.value) for name, entity in result.entities.items()
        }
        for name, entity in result.entities.items():
            if entity.is_wildcard and isinstance(entity.value, str):
                # Any words as the user wrote them (a path, a dataset's name, feedback):
                # normalizing drops the dots of "../", the case and the punctuation, and a
                # refusal must quote what was typed.
                feedback = result.intent.name == "feedback" and name == "text"
                slots[name] = _as_written(text, entity.value, to_end=feedback)
        metadata = result.intent_metadata or {}
        path = slots.get("path")
        if metadata.get("file_name") and not (isinstance(path, str) and _FILE_NAME.match(path)):
            return None  # "send me reprot.txt" names a file; "send me a joke" does not
        for name in ("data", "json"):
            # A sentence to learn or classify ("add 'Dull plot' as negative", "classify 'Wow'"),
            # as written and as the command's arguments read a text: quoted, a JSON string.
            if isinstance(slots.get(name), str):
                written = _as_written(text, slots[name])
                if _json_list(written):
                    # `check ["great film"]`: the list `help` shows after `test`, as typed
                    slots[name] = written
                    continue
                if metadata.get("quoted") and written[:1] not in _QUOTES:
                    return None  # "what do you predict for the game?" names no sentence
                if metadata.get("after_colon") and not _after_colon(text, written):
                    return None  # "add this as positive please" names no sentence
                labelled = split_quoted(written)
                if labelled is not None and not _SEVERAL_QUOTED.search(written):
                    # `"dull" is negative`: the quotes end the sentence, a label may follow
                    label = label_after(labelled[1])
                    if label is None:
                        return None  # `"dull" yesterday`: words after it that no slot took
                    slots[name] = json.dumps(labelled[0], ensure_ascii=False)
                    if result.intent.name == "train" and not slots.get("label"):
                        slots["label"] = {"true": "positive", "false": "negative"}.get(label, label)
                elif not _SEVERAL_QUOTED.search(written):
                    slots[name] = json.dumps(written.strip(_QUOTES), ensure_ascii=False)
                else:  # "classify 'great', 'awful', 'meh'": several sentences, as the
                    slots[name] = written  # command reads a list of quoted ones
        if result.intent.name == "feedback" and ("text" not in slots or metadata.get("whole")):
            # "great job" is itself the feedback ("i want to give feedback" sets no text), and
            # so is "the bot is too slow" (`whole`: the words matched are part of it), as the
            # user wrote it: case, commas and emoji are part of what they said.
            slots["text"] = _as_written(text, rest, to_end=True)
        return Intent(result.intent.name, slots, rest, wake)

    def _as_cased(self, text: str, value: Any) -> Any:
        """A name as `text` spells it, when names differ only by case (`Notes`, `notes`):
        sentences are matched in lower case, where the first name of a spelling would win.
        Spelt as neither (`NOTES`), it stays as written, for the command to say which names
        it could be: the first was taken without a word."""
        if not isinstance(value, str):
            return value
        twins = self._case_twins.get(value.lower())
        if twins is None:
            return value
        written = [n for n in twins if re.search(rf"(?<!\S){re.escape(n)}(?!\S)", text)]
        if len(written) == 1:
            return written[0]
        spelt = re.search(rf"(?<!\S){re.escape(value)}(?!\S)", text, re.IGNORECASE)
        return spelt[0] if spelt and not written else value


def _json_list(written: str) -> bool:
    """Whether `written` is a JSON list (of the sentences, or `{"text", "label"}` objects, that
    `test` classifies): typed after "check", it names the sentences as quotes do."""
    if not written.startswith("["):
        return False
    try:
        return isinstance(json.loads(written), list)
    except ValueError:
        return False


def _aliased(forms: list[str], aliases: list[tuple[str, str]], values: list[str]) -> list[str]:
    """A folder's name said with a language's words for words of it ("kaggle tweets" as
    "kaggle твиты", "movie reviews" as "отзывы о фильмах"), and the alias alone when the
    words it stands for are in no other name of the list ("твиты" for `kaggle_tweets`,
    unless `my_tweets` is there too)."""
    said = [f" {normalize(v.replace('_', ' '))} " for v in values]
    found = []
    for alias, words in aliases:
        for form in forms:
            padded = f" {form} "
            if f" {words} " not in padded:
                continue
            found.append(padded.replace(f" {words} ", f" {alias} ").strip())
            if sum(f" {words} " in other for other in said) == 1:
                found.append(alias)
    return found


def _after_colon(text: str, written: str) -> bool:
    """Whether `written` follows a colon or a dash in `text` ("add this as positive: best
    pizza in town"), which says where the sentence to learn begins."""
    at = text.rfind(written)
    return at > 0 and text[:at].rstrip().endswith((":", "-", "–", "—"))


def _as_written(text: str, value: str, to_end: bool = False) -> str:
    """The words of `text` that normalize to `value` (the last such run), else `value`. With
    `to_end`, a run followed only by what normalizes to nothing (emoji, "!!!") keeps it, and
    the text is kept to its end as written, line breaks and all: the feedback "nice 👩‍💻" is
    not "nice", and feedback of several lines keeps them."""
    spans = [found.span() for found in re.finditer(r"\S+", text)]
    words = [text[start:end] for start, end in spans]
    for start in range(len(words) - 1, -1, -1):
        for end in range(start + 1, len(words) + 1):
            if normalize(" ".join(words[start:end])) == value:
                if to_end and not normalize(" ".join(words[end:])):
                    return text[spans[start][0] :].rstrip()
                return " ".join(words[start:end]).rstrip("?!,;:")
    return value


def _every_token_is_a_word(_token: str) -> bool:
    """Without a recognizer's dictionary (typed text only), say names as written."""
    return True


def _value_texts(value: Any) -> list[str]:
    """Every form a list value may be said in: `in: (положительно|позитивный)` is several.
    Once a run-time list replaces the templates' lists, these forms are all that is left of
    them (a value's alternatives collapsed to its `out` made "позитивный" match nothing)."""
    chunk = getattr(value.text_in, "text", None)
    if isinstance(chunk, str):
        return [normalize(chunk)]
    forms = [normalize(text) for text in sample_expression(value.text_in)]
    return [form for form in dict.fromkeys(forms) if form] or [str(value.value_out)]


def _text_lists(
    spoken: dict[str, list[tuple[str, Any]]], names: dict[str, list[str]]
) -> dict[str, SlotList]:
    """Each list's spoken forms plus the real names themselves: typed "movie_reviews" matches
    too, and so does "Отзывы", which has no spoken form (only Latin letters and digits do)."""
    lists: dict[str, SlotList] = {}
    for name, pairs in spoken.items():
        tuples: dict[str, Any] = {}
        for form, value in pairs:
            tuples.setdefault(form, value)
            if isinstance(value, str):
                tuples.setdefault(value.lower(), value)
        for value in names.get(name, []):
            tuples.setdefault(value.lower(), value)
        if tuples:
            lists[name] = TextSlotList.from_tuples(
                list(tuples.items()), allow_template=False, name=name
            )
    return lists


def to_request(
    intent: Intent,
    user: User,
    guild_id: str,
    channel_id: str,
    message_id: str | None = None,
) -> Request:
    """A voice Request for the core: options are the intent's slots."""
    return Request(
        command=intent.name,
        text=intent.text,
        user=user,
        guild_id=guild_id,
        channel_id=channel_id,
        message_id=message_id,
        options=dict(intent.slots),
        source="voice",
    )


__all__ = ["Intent", "IntentMatcher", "load_sentences", "normalize", "to_request"]
