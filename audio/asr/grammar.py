"""JSGF grammar + cut dictionary from the hassil templates, wake phrases and slot lists.

The grammar accepts exactly what the matcher accepts (minus wildcard sentences, which need an
open vocabulary), so every recognised word sequence parses into a command. One JSGF rule per
expansion rule and per list keeps the text small; a new dataset only changes its list rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hassil.expression import (
    Alternative,
    Expression,
    ListReference,
    Permutation,
    RuleReference,
    Sequence,
    TextChunk,
)

from assistant.intents.matcher import IntentMatcher, normalize

from .pronounce import Lexicon

_WORD = re.compile(r"[a-z0-9']+")
GARBAGE_PREFIX = "g_"
"""Garbage-loop words are renamed so that a hypothesis containing one is easy to spot."""
NEAR_PREFIX = "n_"
"""Near-homophones of the wake words ("train her" for "trainer") get this prefix."""
REJECT_PREFIXES = (GARBAGE_PREFIX, NEAR_PREFIX)
"""A hypothesis with a word carrying one of these prefixes is out of grammar."""


@dataclass(frozen=True)
class Grammar:
    """A generated grammar and the pronunciations of its words."""

    jsgf: str
    """JSGF text with public rule <utt>: [wake] command | wake."""
    words: dict[str, tuple[str, ...]]
    """Every word of the grammar -> its ARPAbet pronunciations."""
    wake_phrases: list[str]
    """Normalised wake phrases that made it into the grammar."""
    dropped: list[str]
    """Words (or whole list values) left out because no pronunciation was found."""

    def dictionary_text(self) -> str:
        """The cut dictionary in pocketsphinx format (word, then phones; variants as word(2))."""
        lines = []
        for word in sorted(self.words):
            for i, phones in enumerate(self.words[word]):
                lines.append(f"{word if i == 0 else f'{word}({i + 1})'} {phones}")
        return "\n".join(lines) + "\n"


_RULE_REF = re.compile(r"<(\w+)>")
"""A reference to an expansion rule in template text."""


def _rule_name(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)


class _Builder:
    def __init__(self, matcher: IntentMatcher, lexicon: Lexicon) -> None:
        self.matcher = matcher
        self.lexicon = lexicon
        self.rules: dict[str, str | None] = {}
        self.lists = matcher.spoken_lists()
        self.wildcards = {
            name
            for name, lst in matcher.intents.slot_lists.items()
            if type(lst).__name__ == "WildcardSlotList"
        }
        self.words: set[str] = set()
        self.known: dict[str, tuple[str, ...]] = {}
        self.dropped: list[str] = []

    def collect_words(self) -> None:
        """First pass: every word that may appear, so pronunciations are looked up in one go."""
        texts = list(self.matcher.wake_phrases) + list(self.matcher.intents.skip_words)
        for values in self.lists.values():
            texts.extend(spoken for spoken, _ in values)
        for intent in self.matcher.spoken_intents.intents.values():
            for data in intent.data:
                for sentence in data.sentences:
                    texts.extend(_chunks(sentence.expression))
        rules = self.matcher.expansion_rules
        for name in _spoken_rules(self.matcher):
            texts.extend(_chunks(rules[name].expression))
        words = {w for text in texts for w in _WORD.findall(normalize(text))}
        self.known = self.lexicon.pronunciations(words)
        self.dropped = sorted(words - self.known.keys())

    def phrase(self, text: str) -> str | None:
        """Words of a text chunk, or None when one of them cannot be pronounced."""
        words = _WORD.findall(normalize(text))
        if any(w not in self.known for w in words):
            return None
        self.words.update(words)
        return " ".join(words)

    def expr(self, e: Expression) -> str | None:
        """JSGF for an expression; '' for nothing, None for "cannot be said"."""
        if isinstance(e, TextChunk):
            return self.phrase(e.text)
        if isinstance(e, RuleReference):
            return self.rule(e.rule_name)
        if isinstance(e, ListReference):
            return self.list_rule(e.list_name)
        if isinstance(e, Permutation):
            orders: list[Expression] = [
                Sequence(items=[item, rest]) for item, rest in e.iterate_permutations()
            ]
            return self.alternatives(orders, optional=False)
        if isinstance(e, Alternative):
            return self.alternatives(e.items, e.is_optional)
        if isinstance(e, Sequence):
            parts = [self.expr(item) for item in e.items]
            if any(p is None for p in parts):
                return None
            return " ".join(p for p in parts if p)
        return None

    def alternatives(self, items: list[Expression], optional: bool) -> str | None:
        options: list[str] = []
        for item in items:
            text = self.expr(item)
            if text == "":
                optional = True
            elif text is not None:
                options.append(text)
        options = list(dict.fromkeys(options))
        if not options:
            return "" if optional else None
        body = " | ".join(options)
        return f"[{body}]" if optional else f"({body})"

    def rule(self, name: str) -> str | None:
        key = _rule_name("r_", name)
        if key not in self.rules:
            self.rules[key] = None  # guards against recursion
            rule = self.matcher.expansion_rules.get(name)
            body = self.expr(rule.expression) if rule else None
            self.rules[key] = body
        body = self.rules[key]
        if body is None:
            return None
        return f"<{key}>" if body else ""

    def list_rule(self, name: str) -> str | None:
        if name in self.wildcards:
            return None
        key = _rule_name("l_", name)
        if key not in self.rules:
            forms = []
            for spoken, _value in self.lists.get(name, []):
                text = self.phrase(spoken)
                if text:
                    forms.append(text)
                else:
                    self.dropped.append(spoken)
            forms = list(dict.fromkeys(forms))
            self.rules[key] = "(" + " | ".join(forms) + ")" if forms else None
        return None if self.rules[key] is None else f"<{key}>"


def _non_rhotic(prons: tuple[str, ...]) -> tuple[str, ...]:
    """Add British-style variants ("trainer" T R EY N AH): cmudict is rhotic American only,
    and without them en-gb speech missed the wake phrase 6 times in 29."""
    extra = []
    for p in prons:
        if p.endswith(" ER"):
            extra.append(p[:-3] + " AH")
    return tuple(dict.fromkeys([*prons, *extra]))


def _spoken_rules(matcher: IntentMatcher) -> list[str]:
    """The expansion rules the voice grammar uses: those its sentences name, the rules those
    name, and `ask`/`end`. Words of typed-only rules ("prediction", "from") must not join the
    grammar's words, which the out-of-grammar loop leaves out of its own."""
    rules = {name: rule.text or "" for name, rule in matcher.expansion_rules.items()}
    texts = [
        text
        for intent in matcher.spoken_intents.intents.values()
        for data in intent.data
        for text in data.sentence_texts
    ]
    found: list[str] = [name for name in ("ask", "end") if name in rules]
    pending = [name for text in texts for name in _RULE_REF.findall(text)]
    while pending:
        name = pending.pop()
        if name in rules and name not in found:
            found.append(name)
            pending.extend(_RULE_REF.findall(rules[name]))
    return found


def _chunks(e: Expression) -> list[str]:
    if isinstance(e, TextChunk):
        return [e.text]
    if isinstance(e, Sequence | Alternative | Permutation):
        return [t for item in e.items for t in _chunks(item)]
    return []


GARBAGE_WORDS = Path(__file__).with_name("garbage_words.txt")


def garbage_words(exclude: set[str], count: int) -> list[str]:
    """The `count` most frequent English words that are not grammar words."""
    words = [
        w.strip()
        for w in GARBAGE_WORDS.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]
    return [w for w in words if w not in exclude][:count]


@dataclass(frozen=True)
class GrammarOptions:
    """How the grammar rejects speech outside it (see `AsrSettings` for measured values)."""

    garbage_count: int = 100
    """Words in the out-of-grammar loop (0: no loop)."""
    garbage_weight: float = 1e-20
    """Prior of the loop against the commands."""
    near_wake: int = 0
    """Near-homophones per wake word in the rejection path (0: none)."""
    near_wake_weight: float = 1.0
    """Prior of the near-homophone path against the wake phrase."""
    near_wake_min_phones: int = 4
    """Only wake words at least this long get near-homophones."""
    name: str = "trainer"
    """JSGF grammar name."""


def build_grammar(
    matcher: IntentMatcher, lexicon: Lexicon, options: GrammarOptions | None = None
) -> Grammar:
    """Generate the JSGF grammar and cut dictionary for the matcher's current lists.

    Shape: ``[wake] [<ask>] command [<end>] | wake | /w/ garbage+ | /n/ near_wake garbage``.
    Politeness words (hassil skip_words; rules `ask` and `end` when the templates define
    them) are factored out of the commands: inlining them into every sentence made the
    search 30% slower.
    The garbage loop over frequent English words that are not command words catches speech
    outside the grammar; its weight trades false accepts against misses (numbers in
    `AsrSettings.garbage_weight`). `near_wake` > 0 adds a second rejection path for speech
    that starts like the wake phrase but is not it ("okay train her now"): the wake phrase
    with one word replaced by a dictionary near-homophone, followed by the garbage loop.
    """
    opts = options or GrammarOptions()
    b = _Builder(matcher, lexicon)
    b.collect_words()
    lines = ["#JSGF V1.0;", f"grammar {opts.name};"]
    command = _command_rule(b, lines)
    wakes = [w for w in (b.phrase(p) for p in matcher.wake_phrases) if w]
    alts = [f"/1/ ({command})"]
    if wakes:
        lines.append("<wake> = " + " | ".join(wakes) + ";")
        alts = [f"/1/ ([<wake>] {command})", "/1/ (<wake>)"]
    garbage = _garbage_entries(b, lexicon, opts.garbage_count)
    words = {w: _non_rhotic(b.known[w]) for w in b.words}
    wake_words = {w for phrase in wakes for w in phrase.split()}
    for word, extra in lexicon.accent_variants(wake_words).items():
        words[word] = tuple(dict.fromkeys([*words.get(word, ()), *extra]))
    near: dict[str, tuple[str, ...]] = {}
    near_phrases: list[str] = []
    if opts.near_wake > 0 and wakes:
        near, near_phrases = _near_wake(
            wakes, words, lexicon, opts.near_wake, opts.near_wake_min_phones
        )
    alts += _rejection_paths(lines, list(garbage), near_phrases, opts)
    lines.append("public <utt> = " + " | ".join(alts) + ";")
    lines += [f"<{key}> = {body};" for key, body in b.rules.items() if body]
    words |= garbage
    words |= near
    return Grammar("\n".join(lines) + "\n", words, wakes, sorted(set(b.dropped)))


def _command_rule(b: _Builder, lines: list[str]) -> str:
    """One rule per intent, the politeness words around them; returns the command expression."""
    commands: list[str] = []
    for intent_name, intent in b.matcher.spoken_intents.intents.items():
        alts = []
        for data in intent.data:
            for sentence in data.sentences:
                text = b.expr(sentence.expression)
                if text:
                    alts.append(text)
        if alts:
            key = _rule_name("i_", intent_name)
            b.rules[key] = " | ".join(dict.fromkeys(alts))
            commands.append(f"<{key}>")
    ask, end = b.rule("ask"), b.rule("end")
    if ask is None and end is None:
        # No dedicated rules: allow any skip word on either side.
        polite = [w for w in (b.phrase(p) for p in b.matcher.intents.skip_words) if w]
        if polite:
            lines.append("<polite> = " + " | ".join(dict.fromkeys(polite)) + ";")
            ask = end = "<polite>"
    command = "(" + " | ".join(commands) + ")"
    return (f"[{ask}] " if ask else "") + command + (f" [{end}]" if end else "")


def _garbage_entries(b: _Builder, lexicon: Lexicon, count: int) -> dict[str, tuple[str, ...]]:
    """Dictionary entries of the out-of-grammar loop (prefixed words, first pronunciation)."""
    if count <= 0:
        return {}
    candidates = garbage_words(set(b.known), count)
    prons = lexicon.pronunciations(set(candidates))
    return {GARBAGE_PREFIX + w: prons[w][:1] for w in candidates if w in prons}


def _rejection_paths(
    lines: list[str], garbage: list[str], near_phrases: list[str], opts: GrammarOptions
) -> list[str]:
    """Top-level alternatives that reject: the loop, and near-wake phrases (+ the loop)."""
    if garbage:
        lines.append("<garbage> = (" + " | ".join(garbage) + ")+;")
    if not near_phrases:
        return [f"/{opts.garbage_weight:g}/ <garbage>"] if garbage else []
    lines.append("<near_wake> = " + " | ".join(near_phrases) + ";")
    if not garbage:
        return [f"/{opts.near_wake_weight:g}/ <near_wake>"]
    # One copy of the loop serves both rejection paths (a second copy cost ~15 ms per
    # utterance): (garbage | near_wake garbage) | near_wake alone.
    both = opts.garbage_weight + opts.near_wake_weight
    head = f"(/{opts.garbage_weight:g}/ <NULL> | /{opts.near_wake_weight:g}/ <near_wake>)"
    return [f"/{both:g}/ ({head} <garbage>)", f"/{opts.near_wake_weight:g}/ <near_wake>"]


def _near_wake(
    wakes: list[str],
    words: dict[str, tuple[str, ...]],
    lexicon: Lexicon,
    count: int,
    min_phones: int,
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Phrases that differ from a wake phrase in one word, replaced by a real word or word
    pair one phone away ("hey train her", "okay train the"), with their dictionary entries.

    Only wake words of at least `min_phones` phones get competitors: every one-phone change
    of a two-phone word like "hey" is some other word, and those stole real wake phrases.
    """
    entries: dict[str, tuple[str, ...]] = {}
    # (replaced word's competitors, words after it) -> words before it. Factoring the
    # shared parts ("(hey | okay) (n_train_her | ...)") keeps the search small.
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for wake in wakes:
        tokens = wake.split()
        for i, word in enumerate(tokens):
            prons = words.get(word, ())
            if not prons or min(len(p.split()) for p in prons) < min_phones:
                continue
            labels = []
            for j, (parts, phones) in enumerate(lexicon.near_homophones(word, prons, count)):
                label = f"{NEAR_PREFIX}{'_'.join(parts)}_{j}"
                entries[label] = (phones,)
                labels.append(label)
            if labels:
                key = (tuple(labels), " ".join(tokens[i + 1 :]))
                groups.setdefault(key, []).append(" ".join(tokens[:i]))
    phrases = []
    for (names, after), befores in groups.items():
        before = list(dict.fromkeys(befores))
        head = ""
        if any(before):
            head = (
                "(" + " | ".join(before) + ") "
                if all(before)
                else "[" + " | ".join(b for b in before if b) + "] "
            )
        phrases.append(f"{head}({' | '.join(names)}){' ' + after if after else ''}")
    return entries, list(dict.fromkeys(phrases))
