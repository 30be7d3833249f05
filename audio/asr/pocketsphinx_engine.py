"""Offline grammar recognition with pocketsphinx: one warm decoder, rebuilt when lists change.

The grammar comes from the same templates as the intent matcher (see grammar.py), so every
accepted hypothesis parses into a command; out-of-grammar speech lands in a garbage loop of
frequent English words and is reported as rejected.
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config.voice import AsrSettings
from assistant.intents.matcher import IntentMatcher

from .base import Recognizer, Transcript
from .grammar import REJECT_PREFIXES, Grammar, GrammarOptions, build_grammar
from .pocketsphinx_native import Native, native
from .pronounce import Lexicon

log = logging.getLogger(__name__)

_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"}
_MIN_BYTES = 16_000 * 2 // 10
"""Under 0.1 s there is no word to recognise; skip the decoder."""
_LOG_BASE = math.log(1.0001)
"""pocketsphinx scores in logarithms of base 1.0001 (its `logbase`); the Python binding hands
them over as probabilities."""
_DITHER = np.rint(np.random.default_rng(0).standard_normal(16_000 * 60) * 4).astype(np.int16)
"""Noise at -78 dBFS, the same for every utterance (a minute, repeated): pocketsphinx heard
nothing, or lost the wake phrase, in speech with exact digital silence around it (TTS output,
an edited recording): its noise removal takes the silence's zero energy for the noise floor.
Four espeak-ng voices with a second of zeros before and two after, heard right with the wake
phrase: 2 without noise, 2 with one bit of it, 2 at -84 dBFS, 4 at -78 and -72 dBFS.
Its own `dither` draws from a generator that carries over from one utterance to the next."""


_FRONT_END = threading.Lock()
"""Held from setting an utterance's warp to the end of its decode, and while a decoder is made:
the warp is process-wide state in pocketsphinx's front end, so two recognizers of one process
(threads) must not set theirs, or make a decoder, between the other's setting and decoding
(decodes of one process take turns)."""


def _model_path(settings: AsrSettings) -> str:
    if settings.pocketsphinx_model:
        return str(settings.pocketsphinx_model)
    from pocketsphinx import get_model_path

    return get_model_path("en-us/en-us")


class PocketsphinxRecognizer(Recognizer):
    """JSGF grammar search over the intent templates, wake phrases and current slot lists."""

    name = "pocketsphinx"

    def __init__(
        self,
        settings: AsrSettings | None = None,
        matcher: IntentMatcher | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        try:
            import pocketsphinx  # noqa: F401 - fail early with a clear message
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise RuntimeError("pocketsphinx is not installed: pip install pocketsphinx") from exc
        self.settings = settings or AsrSettings()
        self.lexicon = lexicon or Lexicon(self.settings.pocketsphinx_dict)
        self.matcher = matcher or IntentMatcher(is_word=self.lexicon.is_word)
        self._lock = threading.Lock()
        """One lock per decoder: a pocketsphinx decoder is not thread-safe."""
        self._decoder: Any = None
        self._native: Native | None = None
        """The decoder's search called without the GIL (pocketsphinx_native.py)."""
        self.grammar: Grammar | None = None
        self.rebuild_ms = 0.0
        """How long the last grammar rebuild took (grammar + dictionary + decoder)."""
        self.rebuild()

    def update_lists(self, lists: dict[str, list[str]]) -> None:
        """New slot values (e.g. a new dataset): they are speakable as soon as this returns."""
        self.matcher.update_lists(lists)
        self.rebuild()

    def rebuild(self) -> None:
        """Regenerate grammar and dictionary and swap in a fresh decoder (about 50 ms)."""
        start = time.perf_counter()
        grammar = build_grammar(
            self.matcher,
            self.lexicon,
            GrammarOptions(
                garbage_count=self.settings.garbage_words,
                garbage_weight=self.settings.garbage_weight,
                near_wake=self.settings.near_wake,
                near_wake_weight=self.settings.near_wake_weight,
            ),
        )
        # A fresh decoder per grammar instead of add_word + add_jsgf_string: building one with
        # a cut dictionary takes ~30 ms, and the old one keeps serving until the swap. The
        # decoder reads its files while it is built, so they are removed right after: nothing
        # is left behind, even by a worker process that ends with os._exit.
        # Built under the front end's lock: making a decoder resets the process-wide warp, and
        # a decode runs without the GIL, so one made in another thread mid-decode changed the
        # stretch that utterance was heard with (a 0.85 stretch heard as 1.0: measured).
        with tempfile.TemporaryDirectory(prefix="trainer-asr-") as tmp, _FRONT_END:
            decoder = self._decoder_for(grammar, Path(tmp))
        fast = native(decoder)
        with self._lock:
            self._decoder, self._native, self.grammar = decoder, fast, grammar
        self.rebuild_ms = (time.perf_counter() - start) * 1000
        if grammar.dropped:
            log.warning("not speakable (no pronunciation): %s", ", ".join(grammar.dropped))
        log.debug("grammar rebuilt in %.0f ms (%d words)", self.rebuild_ms, len(grammar.words))

    def _decoder_for(self, grammar: Grammar, folder: Path) -> Any:
        """The grammar's decoder, built from files in `folder`."""
        from pocketsphinx import Decoder

        dict_path = folder / "words.dict"
        jsgf_path = folder / "grammar.jsgf"
        dict_path.write_text(grammar.dictionary_text(), encoding="utf-8")
        jsgf_path.write_text(grammar.jsgf, encoding="utf-8")
        decoder = Decoder(
            hmm=_model_path(self.settings),
            dict=str(dict_path),
            jsgf=str(jsgf_path),
            bestpath=False,  # the grammar hypothesis is final; no lattice rescoring needed
            loglevel="FATAL",
        )
        return decoder

    def transcribe(self, pcm: bytes) -> Transcript:
        return self.transcribe_warped(pcm, 1.0)

    def transcribe_warped(self, pcm: bytes, warp: float) -> Transcript:
        """The utterance heard with the frequency axis stretched by `warp` (vocal tract length
        normalisation: audio/speaker_fit.py; 1.0 hears it as it came)."""
        if len(pcm) < _MIN_BYTES:
            return Transcript("")
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        with _FRONT_END, self._lock:
            # Set on every utterance, 1.0 too: pocketsphinx keeps the warp in its front end's
            # process-wide state, which the next feature reinit reads; a decoder built with
            # one warp heard with another's after a second decoder was made (measured).
            # Set twice, another stretch first: the warp keeps the last stretch it was given
            # and, given the same one again after another decoder had reset it, stayed flat
            # (0.85 heard as 1.0 after a second recognizer was made: measured).
            self._decoder.config["warp_type"] = "inverse_linear"
            self._decoder.config["warp_params"] = "1.01" if warp != 1.01 else "1"
            self._decoder.reinit_feat()
            self._decoder.config["warp_params"] = f"{warp:g}"
            # Whole-utterance decoding: batch cepstral mean normalisation over the utterance.
            # Incremental decoding (full_utt=False) uses live CMN, which turned the first
            # utterance of a stream into garbage and deferred most work to end_utt anyway.
            # Each utterance from a fresh feature state (the cepstral mean above all, 0.04 ms):
            # pocketsphinx carries it over from the utterances before, even in whole-utterance
            # mode, so the same audio was heard differently after another speaker's, or another
            # guild's, utterance ("hey train her": rejected, or "hey trainer goodbye").
            self._decoder.reinit_feat()
            self._decoder.start_utt()
            if self._native is not None:  # the search without the GIL: other threads run
                self._native.process_raw(_dithered(pcm), full_utt=True)
                self._native.end_utt()
            else:
                self._decoder.process_raw(_dithered(pcm), full_utt=True)
                self._decoder.end_utt()
            hyp = self._decoder.hyp()
            raw = hyp.hypstr if hyp is not None else ""
            score = _per_frame(hyp.score, self._decoder.n_frames()) if hyp is not None else None
            return self._result(raw, score)

    def _result(self, raw: str, score: float | None = None) -> Transcript:
        words = [w for w in raw.split() if w not in _FILLERS]
        if any(w.startswith(REJECT_PREFIXES) for w in words):
            return Transcript("", rejected=True, raw=raw, score=score)
        wake, rest = self.matcher.split_wake(" ".join(words))
        return Transcript(self._complete(rest), wake=wake, raw=raw, score=score)

    def _complete(self, text: str) -> str:
        """When no grammar path reaches the end, pocketsphinx returns its best partial path,
        typically a whole command plus one stray word from trailing noise ("cancel the training
        for"). Drop that word when the rest is a complete command; a bare wake phrase left over
        does not count (it would open a follow-up window on noise)."""
        if not text or " " not in text or self.matcher.match(text) is not None:
            return text
        shorter = text.rsplit(" ", 1)[0]
        return shorter if self.matcher.match(shorter) is not None else text

    def close(self) -> None:
        """Nothing to release: the grammar files live only while a decoder is built."""


def _per_frame(probability: float, frames: int) -> float | None:
    """The hypothesis's path score (acoustic and grammar, as pocketsphinx's search weighed
    them) per 10 ms frame, in its own units (log base 1.0001). Each frame's acoustic score is
    taken against the best-scoring sound of that frame, so 0 is a perfect fit; commands fit at
    about -18 to -53, speech the grammar forced into a command at -21 to -56 (bench/README.md:
    it tells them apart too weakly for a gate). Free: pocketsphinx computes it anyway (its
    posterior needs `bestpath`, ten times the decode on this grammar)."""
    if probability <= 0.0 or frames <= 0:
        return None
    return math.log(probability) / _LOG_BASE / frames


def _dithered(pcm: bytes) -> bytes:
    """`pcm` (s16le) with `_DITHER` added, clipped to the sample range."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    noise = np.resize(_DITHER, len(x))
    return np.clip(x + noise, -32768, 32767).astype("<i2").tobytes()
