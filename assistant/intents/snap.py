"""Snap free text to the nearest sentence of the grammar: the matcher's templates with the
current slot lists, wake phrases separate.

An open-vocabulary transcript ("Okay, trainer select the latest at IMBB2026.") is compared
with every sentence the templates can produce (wildcard sentences excluded, as in the grammar
recognizer) by character edit similarity; the nearest one and its similarity in [0, 1] come
back, and the matcher turns that sentence into the command. The caller gates on the score.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from hassil import Intents
from hassil.expression import TextChunk
from hassil.intents import SlotList, TextSlotList, TextSlotValue
from hassil.sample import sample_intents

from .. import kept
from ..child_process import in_child
from .matcher import NAME_LISTS, Intent, IntentMatcher, normalize
from .packed import packed, unpacked
from .search import extract
from .spoken import cardinal, is_number

_DIGITS = re.compile(r"\d+")
CALL_WORDS = ("hey", "okay", "ok", "hi", "hello", "a", "hay")
"""Words people (and recognizers) put before a name when calling someone."""
logging.getLogger("hassil.sample").setLevel(logging.ERROR)
"""It warns once per sentence whose list is empty (no files yet): expected, not news."""
MAX_SENTENCES = 200_000
"""Bound on the enumerated sentences (memory and time); beyond it the rest are left out."""
MAX_TYPED_SENTENCES = 310_000
"""The same bound for the typed index, whose size does not grow with the names (`NAME_MARK`).
Its templates say about 2.9 million sentences (English, 7 December 2026), so the bound cuts
the commands that say the most (`_in_turn`), and every phrasing added to another command
takes a place from them: the spoken-style phrasings took 6,700 and had cut `join`'s "come in
the voice chat there". The bound holds every sentence it held before them."""
NAME_MARK = "zzname"
"""A dataset, folder or file name (`NAME_LISTS`) in the typed index and in the typed text
compared with it. Typed text writes names as they are, so a sentence is the same sentence
whatever it names, and the index holds it once: filled with every name, the sentences of
`train` alone passed the bound with three datasets, and the commands cut lost their near
sentences."""


@dataclass(frozen=True)
class Snap:
    """The grammar sentence nearest to some text."""

    sentence: str
    """The grammar's sentence (normalized words)."""
    score: float
    """Similarity in [0, 1]: 1 is the same text."""
    intent: Intent | None
    """The matcher's command for `sentence`."""


@dataclass(frozen=True)
class CallHead:
    """How free text begins: with the wake phrase, with another name, or neither."""

    wake: bool
    """It starts with one of the wake phrases (exactly, after normalization)."""
    other_name: str | None
    """It starts like a call ("hey rayner", "okay traver") to someone else: that word."""
    rest: str
    """The text after the call (all of it when there is none)."""


def _in_turn(intents: Any, lists: dict[str, Any]) -> Iterator[str]:
    """Every intent's sentences, one of each in turn: a bound on the total then cuts only the
    intents with the most sentences (every dataset name multiplies `select_dataset`'s), never
    all of the ones listed last, which were cut whole (`help`, `status`, `cancel` lost every
    near sentence once the templates had grown)."""
    streams = [
        iter(sample_intents(intents, slot_lists=lists, intent_names={name}))
        for name in intents.intents
    ]
    while streams:
        for stream in list(streams):
            item = next(stream, None)
            if item is None:
                streams.remove(stream)
            else:
                yield item[1]


def spell_digits(text: str) -> str:
    """Digits as words, the way the grammar lists say them ("2026" -> "two thousand twenty six"
    is one form; the real name is in the lists too)."""
    return _DIGITS.sub(lambda m: " " + cardinal(int(m.group())) + " ", text)


@dataclass(frozen=True)
class _Index:
    """The sentences of some templates and lists, as the snapper searches them."""

    sentences: list[str]
    keys: list[str]
    """Each sentence as compared (`_key`)."""
    vocabulary: frozenset[str]
    truncated: bool
    """The bound cut some sentences."""

    @cached_property
    def by_length(self) -> tuple[list[int], list[str], list[int]]:
        """The keys shortest first: their lengths, the keys, and each one's place in `keys`
        (a search with a least similarity reads only the lengths that can reach it)."""
        order = sorted(range(len(self.keys)), key=lambda place: len(self.keys[place]))
        return [len(self.keys[place]) for place in order], [self.keys[p] for p in order], order

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled in parts (assistant/intents/packed.py): loading it lets other threads run."""
        lengths, _keys, order = self.by_length
        # A key is its sentence itself unless it dropped an apostrophe: kept as one object.
        pairs = zip(self.keys, self.sentences, strict=True)
        own = {place: key for place, (key, sentence) in enumerate(pairs) if key is not sentence}
        fields = (self.sentences, own, self.vocabulary, self.truncated, lengths, order)
        return _unpacked_index, tuple(map(packed, fields))

    @classmethod
    def of(cls, intents: Any, lists: dict[str, SlotList], bound: int) -> _Index:
        sentences: dict[str, None] = {}
        truncated = False
        for text in _in_turn(intents, lists):
            sentences.setdefault(normalize(text), None)
            if len(sentences) >= bound:
                truncated = True
                break
        ordered = list(sentences)
        vocabulary = frozenset(w for s in ordered for w in s.split())
        return cls(ordered, [_key(s) for s in ordered], vocabulary, truncated)


def _unpacked_index(*parts: Any) -> _Index:
    sentences, own, vocabulary, truncated, lengths, order = map(unpacked, parts)
    keys = list(sentences)
    for place, key in own.items():
        keys[place] = key
    index = _Index(sentences, keys, vocabulary, truncated)
    index.__dict__["by_length"] = (lengths, [keys[place] for place in order], order)
    return index


_TYPED_INDEXES: dict[tuple[str, ...], _Index] = {}
"""Typed indexes by the templates they were enumerated from and the name lists marked in
them. The same for every guild, app and set of names, so made once per process: about 5 s
of CPU and 75 MB each, which every new name used to cost again (and every app in the tests).
One per language in practice: typed lines always come with the three name lists set."""
_TYPED_LOCK = threading.Lock()
_SPOKEN_INDEXES: OrderedDict[tuple[Any, ...], _Index] = OrderedDict()
"""The last spoken indexes by `IntentMatcher.lists_key`: a hearer made again with the same
names (a voice part restarted, every test's bot) shares one instead of enumerating 66,000
sentences again (0.4 s of CPU)."""
_SPOKEN_KEPT = 2
_SPOKEN_LOCK = threading.Lock()


def _spoken_index(matcher: IntentMatcher) -> _Index:
    """The sentences the voice grammar says with the matcher's current lists, made or shared."""
    key = matcher.lists_key
    with _SPOKEN_LOCK:  # a second hearer with the same names waits and shares it
        index = _SPOKEN_INDEXES.get(key)
        if index is not None:
            _SPOKEN_INDEXES.move_to_end(key)
            return index
        lists = matcher.slot_lists()
        index = _Index.of(matcher.spoken_intents, lists, MAX_SENTENCES)
        if matcher.lists_key == key:  # not changed meanwhile: these are the key's sentences
            _SPOKEN_INDEXES[key] = index
            while len(_SPOKEN_INDEXES) > _SPOKEN_KEPT:
                _SPOKEN_INDEXES.popitem(last=False)
        return index


def _typed_index(
    templates: dict[str, Any], lists: dict[str, SlotList], key: tuple[str, ...]
) -> _Index:
    """The typed index of `key`, from the disk when an earlier run kept it (2 s of CPU to
    enumerate, in a child process: assistant/child_process.py; 0.1 s to load; kept.py)."""
    name = kept.key(f"{key} {MAX_TYPED_SENTENCES}", ("hassil",), Path(__file__).parent)
    index: _Index = kept.load_or_make(
        "typed-index",
        name,
        lambda: in_child(_made_index, templates, lists),
        lambda index: isinstance(index, _Index),
    )
    return index


def _made_index(templates: dict[str, Any], lists: dict[str, SlotList]) -> _Index:
    """Every sentence of the templates (a matcher's `data`) with these lists."""
    index = _Index.of(Intents.from_dict(templates), lists, MAX_TYPED_SENTENCES)
    index.by_length  # noqa: B018 (kept with it: 0.3 s to sort at every start)
    return index


class GrammarSnapper:
    """Every sentence of a matcher's grammar, searchable by similarity. Rebuild on list change."""

    def __init__(self, matcher: IntentMatcher, typed: bool = False) -> None:
        self.matcher = matcher
        self.typed = typed
        """Typed text snaps to every sentence, the typed-only blocks too; speech only to the
        sentences the voice grammar holds (sentences.yaml says why)."""
        self._lock = threading.Lock()
        self._sentences: list[str] = []
        self._keys: list[str] = []
        self._index: _Index | None = None
        self._vocabulary: frozenset[str] = frozenset()
        self._names: tuple[re.Pattern[str], dict[str, str]] | None = None
        """The names a typed text may write (typed index only), to be read as `NAME_MARK`,
        and each as the lists have it."""
        self.truncated = False
        self._built = -1
        """The matcher's `lists_version` the sentences were enumerated for."""
        self.rebuild()

    def rebuild(self) -> None:
        """Enumerate the sentences for the matcher's current slot lists (the typed index only
        once per templates: the names are `NAME_MARK` in it); nothing when they are the lists
        it was built for (a hearer given the names it has: 0.4 s of CPU for nothing)."""
        version = self.matcher.lists_version
        if version == self._built:
            return
        lists = self.matcher.slot_lists()
        if self.typed:
            names = _names(lists)
            marked = [name for name in NAME_LISTS if name in lists]
            lists = {**lists, **{name: _marked(name) for name in marked}}
            key = (self.matcher.templates_key, *marked)
            with _TYPED_LOCK:  # CPU-bound under the GIL: a second builder waits and shares it
                index = _TYPED_INDEXES.get(key)
                if index is None:
                    index = _TYPED_INDEXES[key] = _typed_index(self.matcher.data, lists, key)
        else:
            names = None
            index = _spoken_index(self.matcher)
        with self._lock:
            self._sentences, self._keys, self._index = index.sentences, index.keys, index
            self._vocabulary, self.truncated, self._names = index.vocabulary, index.truncated, names
            self._built = version

    def __len__(self) -> int:
        return len(self._sentences)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word of every sentence."""
        return self._vocabulary

    @property
    def sentences(self) -> list[str]:
        """Every sentence (normalized; a list never changed, replaced when a rebuild changes
        them)."""
        return self._sentences

    def head(self, text: str, aliases: Iterable[str] = ()) -> CallHead:
        """Split a leading wake phrase, or notice a call to another name. `aliases` are other
        spellings of the wake word that a recognizer writes ("trainor" for "trainer")."""
        words = normalize(text).split()
        wake_words = self.matcher.wake_words
        alias = set(aliases)
        if words and words[0] == "ok":
            words[0] = "okay"
        if len(words) >= 2 and wake_words:
            word = words[1]
            glued = next((w for w in wake_words if word.startswith(w) and word != w), None)
            if glued is not None:  # "TrainerCancel": a recognizer glued two words together
                words[1:2] = [glued, word[len(glued) :]]
            elif word in alias:
                words[1] = sorted(wake_words)[0]
        text = " ".join(words)
        wake, rest = self.matcher.split_wake(text)
        if wake:
            return CallHead(True, None, rest)
        words = rest.split()
        if (
            len(words) >= 2
            and words[0] in CALL_WORDS
            and words[1] not in wake_words
            and words[1] not in self._vocabulary
            and not is_number(words[1])
        ):
            # "hey rayner, train the model": a call to someone, not to us. Only when the rest
            # is a command is it worth flagging (a greeting followed by chatter is chatter).
            # A word of the commands themselves is no name: "hey, train the model" lost the
            # wake word, it was not said to a "train". Nor is a number ("Hey, 3, no good
            # job" is how Whisper wrote "hey trainer good job" in a Scottish voice).
            return CallHead(False, words[1], " ".join(words[2:]))
        return CallHead(False, None, rest)

    def snap(self, text: str) -> Snap | None:
        """The nearest grammar sentence to `text` (wake phrase already removed)."""
        nearest = self.nearest(text, 1)
        return nearest[0] if nearest else None

    def nearest(self, text: str, count: int, least: float = 0.0) -> list[Snap]:
        """The `count` grammar sentences nearest to `text`, nearest first; with `least`, only
        those at least that similar (the search skips the rest cheaply, and the matcher reads
        only what is returned: typed lines gate at 0.88, and reading 8 candidates cost more
        than finding them)."""
        from rapidfuzz import fuzz

        query = self.without_politeness(normalize(text))
        with self._lock:
            keys, sentences, names, index = self._keys, self._sentences, self._names, self._index
        written: list[str] = []
        if names is not None:

            def mark(found: re.Match[str]) -> str:
                written.append(found[0])
                return NAME_MARK

            query = names[0].sub(mark, query)
        if not query:
            return []
        if not written and least > 0 and index is not None:
            places = _within(_key(query), index, least)
            return [self._snap(sentences[place], score) for score, place in places[:count]]
        if not written:
            found = extract(_key(query), keys, count)
            return [self._snap(sentences[place], score) for _key_text, score, place in found]
        # Scored again with the names written in: a long name is much of a sentence, and the
        # gates were set with names in it ("i need the report.txt file" is near "i need the
        # report.txt"; with the names short marks, the difference counts double).
        real = [names[1][name] for name in written] if names is not None else written
        found = extract(_key(query), keys, max(count, 20))
        text = _key(_filled(query, written))
        scored = sorted(
            (
                (fuzz.ratio(text, _key(_filled(sentences[index], written))), sentences[index])
                for _key_text, _score, index in found
            ),
            key=lambda pair: -pair[0],
        )
        return [
            self._snap(_filled(sentence, written), score, _filled(sentence, real))
            for score, sentence in scored[:count]
            if score >= least * 100
        ]

    def _snap(self, sentence: str, score: float, named: str | None = None) -> Snap:
        """`sentence` as a snap; `named`: the same sentence with the names as the lists have
        them, which the matcher reads ("project 39 reviews" is `project_39_reviews`)."""
        return Snap(sentence, score / 100.0, self.matcher.match(named or sentence))

    def without_politeness(self, text: str) -> str:
        """Skip words (please, can you, ...) at either end do not count against a sentence."""
        skips = sorted((normalize(w) for w in self.matcher.intents.skip_words), key=len)[::-1]
        changed = True
        while changed and text:
            changed = False
            for skip in skips:
                if text.startswith(skip + " ") or text == skip:
                    text, changed = text[len(skip) :].strip(), True
                if text.endswith(" " + skip):
                    text, changed = text[: -len(skip)].strip(), True
        return text


def _marked(name: str) -> SlotList:
    """A list whose one value is `NAME_MARK`."""
    return TextSlotList(name, [TextSlotValue(TextChunk(NAME_MARK), NAME_MARK)])


def _names(lists: dict[str, SlotList]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """Every way the names of `lists` may be written (their spoken forms, the names, and the
    names with spaces for underscores: "project 39 reviews"), longest first, as whole words of
    normalized text; and each way -> the name, as the lists have it."""
    forms: dict[str, str] = {}
    for name in NAME_LISTS:
        found = lists.get(name)
        for value in found.values if isinstance(found, TextSlotList) else []:
            real = str(value.value_out).lower()
            written = [real, real.replace("_", " ")]
            if isinstance(value.text_in, TextChunk):
                written.append(value.text_in.text)
            for form in map(normalize, written):
                if form:
                    forms.setdefault(form, real)
    if not forms:
        return None
    either = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    return re.compile(rf"(?<!\S)(?:{either})(?!\S)"), forms


def _filled(sentence: str, written: list[str]) -> str:
    """`sentence` with its `NAME_MARK`s replaced by the names the text wrote, in order (a
    mark with no name left stays, and the sentence then names nothing)."""
    parts = sentence.split(NAME_MARK)
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append(written[index] if index < len(written) else NAME_MARK)
        out.append(part)
    return "".join(out)


def _within(query: str, index: _Index, least: float) -> list[tuple[float, int]]:
    """Every key at least `least` similar to `query` (`fuzz.ratio`), nearest first, each as
    (score, its place in `index.keys`); ties in the order of the keys, as a search of them all
    gives. The similarity is 1 - (letters to delete and insert) / (both lengths), and the
    lengths' difference is to be deleted or inserted at least, so only keys of a length
    between `least / (2 - least)` and `(2 - least) / least` times the query's can reach it:
    about a third of the index for typed lines' gate."""
    lengths, keys, places = index.by_length
    size = len(query)
    start = bisect_left(lengths, math.floor(size * least / (2 - least)))
    stop = bisect_right(lengths, math.ceil(size * (2 - least) / least))
    found = extract(query, keys[start:stop], None, least * 100)
    return sorted(((score, places[start + at]) for _key, score, at in found), key=_nearest)


def _nearest(found: tuple[float, int]) -> tuple[float, int]:
    return -found[0], found[1]


def _key(text: str) -> str:
    """What is compared: words without the apostrophes recognizers drop or keep at will."""
    return text.replace("'", "")


__all__ = ["CallHead", "GrammarSnapper", "Snap", "spell_digits"]
