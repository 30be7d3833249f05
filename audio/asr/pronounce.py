"""Pronunciations for the grammar's words: cmudict first, espeak-ng for the rest.

Dataset names ("kaggle", "yelp") and some template words ("classifier") are missing from
cmudict; espeak-ng prints their IPA, which maps onto the acoustic model's ARPAbet phones.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from assistant import kept

log = logging.getLogger(__name__)

# Longest IPA sequences first; stress and length marks are stripped before mapping.
_IPA = {
    "aɪɚ": "AY ER", "aɪə": "AY ER", "aʊɚ": "AW ER",
    "eɪ": "EY", "aɪ": "AY", "aʊ": "AW", "oʊ": "OW", "əʊ": "OW", "ɔɪ": "OY",
    "tʃ": "CH", "dʒ": "JH", "ɑɹ": "AA R", "ɔɹ": "AO R", "ɛɹ": "EH R", "ɪɹ": "IH R",
    "ʊɹ": "UH R", "əl": "AH L", "n̩": "AH N", "l̩": "AH L",
    "ɑ": "AA", "ɒ": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɚ": "ER", "ɝ": "ER",
    "ɜ": "ER", "ɔ": "AO", "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "o": "OW",
    "ʊ": "UH", "u": "UW", "a": "AA", "y": "UW",
    "b": "B", "d": "D", "f": "F", "ɡ": "G", "g": "G", "h": "HH", "k": "K", "l": "L", "m": "M",
    "n": "N", "ŋ": "NG", "p": "P", "ɹ": "R", "r": "R", "s": "S", "ʃ": "SH", "t": "T",
    "θ": "TH", "ð": "DH", "v": "V", "w": "W", "j": "Y", "z": "Z", "ʒ": "ZH", "ɾ": "T",
    "ʔ": "T", "x": "K", "ç": "HH", "ɬ": "L",
}  # fmt: skip
_IGNORED = set("ˈˌːˑ‍͡-‿ ")
_LETTERS = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N",
    "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW",
    "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z IY",
}  # fmt: skip
"""Spelled letters, used when a single letter is missing from the dictionary."""


def ipa_to_arpabet(ipa: str) -> str:
    """Map espeak-ng IPA to ARPAbet phones; unknown symbols are dropped."""
    text = "".join(c for c in ipa if c not in _IGNORED)
    phones: list[str] = []
    i = 0
    while i < len(text):
        for size in (3, 2, 1):
            chunk = text[i : i + size]
            if chunk in _IPA:
                phones.append(_IPA[chunk])
                i += size
                break
        else:
            i += 1  # a symbol the model has no phone for
    return " ".join(phones)


def default_dictionary() -> Path:
    """cmudict bundled with the pocketsphinx wheel."""
    from pocketsphinx import get_model_path

    return Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"


@lru_cache(maxsize=4)
def load_cmudict(path: Path) -> dict[str, tuple[str, ...]]:
    """word -> pronunciations. Read once per process, and parsed once for every process: kept
    in the user's cache (assistant/kept.py) by the file's content (126k words: 0.2-0.3 s of CPU
    to parse, 0.06 s to load; a start that hears speech reads it in two processes)."""
    content = hashlib.sha256(path.read_bytes()).hexdigest()
    name = kept.key(content, (), Path(__file__).parent)
    words: dict[str, tuple[str, ...]] = kept.load_or_keep(
        "cmudict", name, lambda: _parse_cmudict(path), lambda value: isinstance(value, dict)
    )
    return words


def _parse_cmudict(path: Path) -> dict[str, tuple[str, ...]]:
    words: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, phones = line.partition(" ")
            words.setdefault(word.split("(")[0], []).append(phones.split("#")[0].strip())
    return {w: tuple(p) for w, p in words.items()}


class Lexicon:
    """Pronunciations from cmudict, with espeak-ng for missing words (results cached)."""

    def __init__(self, dictionary: Path | None = None) -> None:
        self.path = dictionary or default_dictionary()
        self._generated: dict[str, tuple[str, ...]] = {}
        self._accents: dict[tuple[frozenset[str], tuple[str, ...]], dict[str, tuple[str, ...]]] = {}
        self._near: dict[tuple[str, tuple[str, ...], int], list[tuple[tuple[str, ...], str]]] = {}
        self._lock = threading.Lock()

    @property
    def cmudict(self) -> dict[str, tuple[str, ...]]:
        return load_cmudict(self.path)

    def is_word(self, word: str) -> bool:
        """True when the dictionary knows `word` (so it is said as a word, not spelled)."""
        return word in self.cmudict

    def pronunciations(self, words: set[str]) -> dict[str, tuple[str, ...]]:
        """All pronunciations for `words`; missing ones are generated, unsayable ones left out."""
        found = {w: self.cmudict[w] for w in words if w in self.cmudict}
        missing = sorted(words - found.keys())
        with self._lock:
            todo = [w for w in missing if w not in self._generated]
            if todo:
                self._generated.update(self._generate(todo))
            found.update({w: self._generated[w] for w in missing if self._generated.get(w)})
        return found

    def accent_variants(
        self, words: set[str], voices: tuple[str, ...] = ("en-gb", "en-us")
    ) -> dict[str, tuple[str, ...]]:
        """Extra pronunciations of `words` as espeak-ng says them in other accents.

        Used for the wake phrase only: missing it costs the whole command, and British
        speakers' "trainer" lost to the out-of-grammar loop without these variants.
        """
        key = (frozenset(words), voices)
        if key in self._accents:
            return self._accents[key]
        out: dict[str, tuple[str, ...]] = {}
        ordered = sorted(words)
        for voice in voices:
            for word, ipa in zip(ordered, _espeak_ipa(ordered, voice), strict=True):
                arpa = ipa_to_arpabet(ipa)
                if arpa:
                    out[word] = (*out.get(word, ()), arpa)
        self._accents[key] = out
        return out

    def near_homophones(
        self, word: str, prons: tuple[str, ...], count: int
    ) -> list[tuple[tuple[str, ...], str]]:
        """`near_homophones` of a word's pronunciations, cached per word and count."""
        key = (word, prons, count)
        with self._lock:
            if key not in self._near:
                self._near[key] = near_homophones(prons, self.path, count)
            return self._near[key]

    def _generate(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for w in words:
            if len(w) == 1 and w in _LETTERS:
                out[w] = (_LETTERS[w],)
        rest = [w for w in words if w not in out]
        if not rest:
            return out
        ipa = _espeak_ipa(rest)
        for word, phon in zip(rest, ipa, strict=True):
            arpa = ipa_to_arpabet(phon)
            if arpa:
                out[word] = (arpa,)
            else:
                log.warning("no pronunciation for %r; it cannot be recognised by voice", word)
                out[word] = ()
        return out


def _espeak_ipa(words: list[str], voice: str = "en-us") -> list[str]:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        log.warning("espeak-ng missing: words outside cmudict are spelled or left out")
        return ["" for _ in words]
    clean = [w.replace("'", "") for w in words]
    proc = subprocess.run(
        [exe, "-q", "--ipa", "-v", voice],
        input="\n".join(clean) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if len(lines) == len(words):
        return lines
    # Lines got merged or split: ask word by word (slower, but exact).
    return [
        subprocess.run(
            [exe, "-q", "--ipa", "-v", voice, w], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        for w in clean
    ]


@lru_cache(maxsize=4)
def pronunciation_index(path: Path) -> dict[str, str]:
    """Pronunciation (space-separated phones) -> one plain word that is said that way."""
    index: dict[str, str] = {}
    for word, prons in load_cmudict(path).items():
        if not word.isalpha():
            continue
        for phones in prons:
            index.setdefault(phones, word)
    return index


VOWELS = frozenset(
    ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]
)
"""ARPAbet vowels (cmudict without stress marks)."""


def _neighbours(
    phones: tuple[str, ...], inventory: tuple[str, ...], edits: str = "i"
) -> set[tuple[str, ...]]:
    """Phone sequences one edit away from `phones`: insertions ("i"), deletions ("d"),
    substitutions ("s")."""
    out: set[tuple[str, ...]] = set()
    n = len(phones)
    for i in range(n):
        if "d" in edits:
            out.add(phones[:i] + phones[i + 1 :])
        if "s" in edits:
            out.update((*phones[:i], p, *phones[i + 1 :]) for p in inventory if p != phones[i])
    if "i" in edits:
        # Consonants inside the word only. A sound added at either edge is coarticulation
        # with the neighbouring words ("hey at rainer", "trainers ay"), and a vowel inside
        # a cluster is epenthesis ("t(o) rainer"): both stole real wake phrases.
        consonants = [p for p in inventory if p not in VOWELS]
        for i in range(1, n):
            # Doubling a neighbour ("train nurr" for "trainer") sounds the same: skip it.
            near = {phones[i - 1], phones[i]}
            out.update((*phones[:i], p, *phones[i:]) for p in consonants if p not in near)
    return out


def near_homophones(
    prons: tuple[str, ...], path: Path, max_phrases: int = 40, edits: str = "i"
) -> list[tuple[tuple[str, ...], str]]:
    """Real words and word pairs (from the dictionary) that sound one phone away from a
    word, as (words, phones) pairs: by default a consonant added inside it ("trainer" ->
    "train her", "train the", "trade nurr"); `edits` "d" and "s" add deletions and
    substitutions ("drainer", "trader"), which stole most real wake phrases when measured.

    Used as competitors of the wake words in the grammar, so that speech which sounds like
    "train her" is recognised as that instead of being forced onto "trainer". Exact
    homophones (distance 0) are left out: they would tie with the wake word itself.
    """
    index = pronunciation_index(path)
    own = {tuple(p.split()) for p in prons}
    inventory = tuple(sorted({ph for p in index for ph in p.split()}))
    found: dict[tuple[str, ...], tuple[str, ...]] = {}
    for pron in sorted(own):
        for seq in sorted(_neighbours(pron, inventory, edits)):
            if seq in own or len(seq) < 2:
                continue
            text = " ".join(seq)
            if text in index:
                found.setdefault(seq, (index[text],))
                continue
            for k in range(1, len(seq)):
                a, b = seq[:k], seq[k:]
                if a in own or b in own:
                    continue  # the word itself plus a stray sound is not a competitor
                if " ".join(a) in index and " ".join(b) in index:
                    found.setdefault(seq, (index[" ".join(a)], index[" ".join(b)]))
                    break
    # Single words first, then pairs made of common words; deterministic; bounded size.
    common = set(frequent_words())

    def rank(item: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[int, int, tuple[str, ...]]:
        words = item[1]
        return (len(words), -sum(w in common for w in words), words)

    ordered = sorted(found.items(), key=rank)
    return [(words, " ".join(seq)) for seq, words in ordered[:max_phrases]]


FREQUENT_WORDS = Path(__file__).with_name("garbage_words.txt")


@lru_cache(maxsize=1)
def frequent_words() -> tuple[str, ...]:
    """The most frequent English words, most frequent first (garbage_words.txt)."""
    return tuple(
        w.strip()
        for w in FREQUENT_WORDS.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    )
