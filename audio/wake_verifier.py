"""A learned check of the wake word: was "trainer" said, or a name that sounds like it?

Whisper tiny's decoder, made to begin its transcript with "Hey trainer", holds in its state
after "Hey" what it expects next from the sound, and in its state after "trainer" how the
sound went on. The transcript and the scores read from the same states (audio/wake_check.py)
blur "hey trainee" and "hey trainer" for some voices; a logistic regression over the two states
themselves, trained for this one word, keeps them apart.

It is trained by `scripts/train_wake_verifier.py` on speech synthesized at training time, in
voices that neither the tests nor the voice bench use, calling the wake word and hundreds of
other names and near words (none of the bench's), and stored beside this module with the
checksum of the Whisper model and the audio window it was trained with: with another model or
window its input means something else, so it is not used. Another wake word needs its own file
(`second_opinion.wake_verifier_file`), made by the same script.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.config.voice import SecondOpinionSettings
from assistant.intents.matcher import normalize

from .asr.neural import NeuralResult, WhisperModel
from .decision import Hearing, StageReport

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).with_name("wake_verifiers") / "trainer.npz"
"""The verifier of "trainer" for the bundled Whisper tiny.en and the default window."""


@dataclass(frozen=True)
class WakeVerifier:
    """A logistic regression over the decoder's states at the greeting and the wake word."""

    wake_word: str
    """The word it checks ("trainer")."""
    model_sha256: str
    """sha256 of the model.bin whose decoder states it was trained on."""
    window_s: float
    """The model's least audio window at training (`second_opinion.window_s`)."""
    mean: np.ndarray
    """Per feature, the training set's mean (features are standardised first)."""
    scale: np.ndarray
    """Per feature, the training set's standard deviation."""
    weights: np.ndarray
    """Per standardised feature, its weight in the log-odds that the wake word was said."""
    bias: float
    """The log-odds with every standardised feature at 0."""
    about: str
    """How it was trained (voices, utterances, held-out results), for the log and the docs."""

    @classmethod
    def load(cls, path: Path) -> WakeVerifier:
        """Read a verifier file; ValueError when it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                verifier = cls(
                    str(data["wake_word"]),
                    str(data["model_sha256"]),
                    float(data["window_s"]),
                    data["mean"].astype(np.float32),
                    data["scale"].astype(np.float32),
                    data["weights"].astype(np.float32),
                    float(data["bias"]),
                    str(data["about"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path} is not a wake-word verifier: {exc}") from None
        if not verifier.mean.shape == verifier.scale.shape == verifier.weights.shape:
            raise ValueError(f"{path} is not a wake-word verifier: its arrays disagree")
        return verifier

    def save(self, path: Path) -> None:
        np.savez(
            path,
            wake_word=self.wake_word,
            model_sha256=self.model_sha256,
            window_s=self.window_s,
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=self.bias,
            about=self.about,
        )

    def fits(self, model: WhisperModel) -> bool:
        """Whether it was trained on this model's states (same model.bin, same window)."""
        return model.sha256 == self.model_sha256 and model.window_s == self.window_s

    def probability(self, model: WhisperModel, heard: NeuralResult, lead: str) -> float | None:
        """How probably the audio began with `lead` and the wake word ("Hey trainer") rather
        than another name; None without the decoder's states."""
        found = features(model, heard, lead, self.wake_word)
        if found is None or found.shape != self.weights.shape:
            return None
        logit = float(((found - self.mean) / self.scale) @ self.weights) + self.bias
        return float(1.0 / (1.0 + np.exp(-logit)))


def features(
    model: WhisperModel, heard: NeuralResult, lead: str, wake_word: str
) -> np.ndarray | None:
    """The decoder's states after the greeting's last token and after each of the wake word's,
    with the transcript forced to begin "<Lead> <wake word>", in one row (training and use)."""
    lead = lead.capitalize()
    states = model.states(heard, f"{lead} {wake_word}")
    if states is None:
        return None
    return np.asarray(states[len(model.tokens(lead)) - 1 :].reshape(-1), dtype=np.float32)


@lru_cache(maxsize=4)
def verifier_for(model: WhisperModel, path: Path | None) -> WakeVerifier | None:
    """The verifier at `path` (None: the bundled one) when it was trained on `model`'s states;
    else None, and the log says why. Read once per model and file."""
    try:
        verifier = WakeVerifier.load(path or BUNDLED)
    except ValueError as exc:
        log.warning("the wake-word verifier is off: %s", exc)
        return None
    if not verifier.fits(model):
        log.info(
            "the wake-word verifier %s is off: it was trained on another model or window",
            path or BUNDLED,
        )
        return None
    return verifier


def check_wake_word(
    hearing: Hearing,
    model: WhisperModel,
    heard: NeuralResult,
    settings: SecondOpinionSettings,
    wake_phrases: Sequence[str],
    heard_twice: bool = False,
) -> Hearing:
    """`hearing` as it was, unless it acts on the wake phrase and the wake word is improbable
    (under `wake_verifier_floor`; the wake phrase alone, under `wake_alone_floor`): then
    refused as said to someone else. Either way the check
    is one more stage in its report. Wake phrases of another word than the verifier's, and
    decisions that do not lean on the wake phrase, are not checked.

    `heard_twice`: both recognizers heard the wake phrase before a command (the grammar, and
    the model's own transcript begins with it). Those two outvote the verifier: on tuning,
    calibration and three more espeak-ng voices (470 commands, every condition), it refused 2
    of the 252 commands heard so (both in a room), and no call to another name, near-homophone
    or other speech reached it heard so twice."""
    if not settings.wake_verifier or not hearing.wake or hearing.rejected:
        return hearing
    if hearing.intent is None and not hearing.wake_only:
        return hearing
    started = time.perf_counter()
    floor = settings.wake_alone_floor if hearing.wake_only else settings.wake_verifier_floor
    found = wake_probability(hearing, model, heard, settings, wake_phrases, floor)
    if found is None:
        return hearing
    said, score = found
    ms = (time.perf_counter() - started) * 1000
    if score >= floor or (heard_twice and hearing.intent is not None):
        why = f"{score:.2f} >= {floor}"
        if score < floor:
            why = f"{score:.2f} < {floor}, but both recognizers heard the wake phrase"
        report = StageReport("wake", said, score, "confirmed", why, ms)
        return replace(hearing, stages=[*hearing.stages, report])
    word = said.split()[-1]
    why = f"said to someone else ({score:.2f} < {floor} that it was {word!r})"
    # Probable enough for a command: the speaker's next words are heard joined to it.
    maybe = hearing.wake_only and score >= settings.wake_verifier_floor
    if maybe:
        why = f"not sure it was said to me ({score:.2f} < {floor} that it was {word!r})"
    report = StageReport("wake", said, score, "rejected", why, ms)
    stages = [*hearing.stages, report]
    return Hearing(hearing.text, False, None, True, 0.0, "neural", stages, maybe_wake=maybe)


def wake_probability(
    hearing: Hearing,
    model: WhisperModel,
    heard: NeuralResult,
    settings: SecondOpinionSettings,
    wake_phrases: Sequence[str],
    floor: float | None = None,
) -> tuple[str, float] | None:
    """The wake phrase as the verifier read it ("hey trainer") and its probability that the
    wake word was said, at the greeting where it is likeliest (the first to reach `floor`,
    `wake_verifier_floor` unless given); None without a verifier for this model or a wake
    phrase of its word."""
    floor = settings.wake_verifier_floor if floor is None else floor
    verifier = verifier_for(model, settings.wake_verifier_file)
    if verifier is None:
        return None
    leads = [p.split()[0] for p in wake_phrases if p.split()[1:] == [verifier.wake_word]]
    scores: dict[str, float] = {}
    # The greeting either recognizer heard first: a pass there is a pass of the best greeting,
    # so the others are scored only when it fails (about 20 ms each, on the reply's path).
    for lead in _heard_first(dict.fromkeys(leads), hearing, heard):
        score = verifier.probability(model, heard, lead)
        if score is not None:
            scores[lead] = score
            if score >= floor:
                break
    if not scores:
        return None
    lead = max(scores, key=lambda key: scores[key])
    return f"{lead} {verifier.wake_word}", scores[lead]


def _heard_first(leads: Iterable[str], hearing: Hearing, heard: NeuralResult) -> list[str]:
    """`leads` with those the grammar or the model heard at the start moved to the front."""
    said = [
        normalize(text).split()[:1] for text in (heard.text, *(s.heard for s in hearing.stages))
    ]
    first = {words[0] for words in said if words}
    return sorted(leads, key=lambda lead: lead not in first)
