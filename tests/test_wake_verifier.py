"""The learned check of the wake word (audio/wake_verifier.py) with real parts: espeak-ng speech
in voices it was not trained on, the bundled Whisper model, the pocketsphinx grammar recognizer,
and the training script run end to end on a small corpus."""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.config.voice import SecondOpinionSettings
from audio.asr.neural import NeuralResult, WhisperModel
from audio.decision import Hearing
from audio.hearing import Hearer
from audio.wake_verifier import BUNDLED, WakeVerifier, check_wake_word, verifier_for
from tests.speech import hear_spoken, speak

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model(hearer: Hearer) -> WhisperModel:
    assert hearer.neural is not None
    return hearer.neural


@pytest.fixture(scope="module")
def verifier(model: WhisperModel) -> WakeVerifier:
    found = verifier_for(model, None)
    assert found is not None, "the bundled verifier must fit the bundled model"
    return found


FLOOR = SecondOpinionSettings().wake_verifier_floor


def odds(probability: float) -> float:
    return probability / (1 - probability) if probability < 1 else float("inf")


@pytest.mark.parametrize(
    ("said", "voice", "lead", "wake"),
    [
        ("hey trainer, run a test", "en-us", "hey", True),
        ("okay trainer what's the status", "en-gb", "okay", True),
        ("hey trainer", "en-us+f3", "hey", True),
        ("hey trainer run a test", "en-gb", "hey", True),
        ("hey trainee, run a test", "en-gb", "hey", False),
        ("hey tanner, run a test", "en-us", "hey", False),
        ("hey tanner, run a test", "en-gb-scotland", "hey", False),
    ],
)
def test_the_wake_word_is_probable_and_other_names_are_not(
    model: WhisperModel, verifier: WakeVerifier, said: str, voice: str, lead: str, wake: bool
) -> None:
    """Clear of the floor either way: odds four times the floor's when the wake word was said,
    a quarter of them when another name was."""
    probability = verifier.probability(model, model.transcribe(speak(said, voice)), lead)
    assert probability is not None, said
    if wake:
        assert odds(probability) > 4 * odds(FLOOR), probability
    else:
        assert odds(probability) < odds(FLOOR) / 4, probability


def test_a_call_to_another_name_is_refused_by_the_verifier(hearer: Hearer) -> None:
    """Whisper writes "Hey Tanner" as noise here, and the search finds "hey trainer, run a
    test" in it; the verifier refuses it. Without the verifier, the same audio acts (so it is
    the verifier that refused)."""
    settings = hearer.settings
    try:
        h = hear_spoken(hearer, "hey tanner, run a test", "en-gb-scotland")
        assert not h.accepted(in_window=False), h.debug()
        last = h.stages[-1]
        assert (last.stage, last.verdict) == ("wake", "rejected"), h.debug()
        assert last.why.startswith("said to someone else"), h.debug()
        assert any("said to someone else" in line for line in h.debug_lines())
        hearer.settings = settings.model_copy(update={"wake_verifier": False})
        unchecked = hear_spoken(hearer, "hey tanner, run a test", "en-gb-scotland")
        assert unchecked.accepted(in_window=False), unchecked.debug()
        assert "wake" not in [s.stage for s in unchecked.stages]
    finally:
        hearer.settings = settings


def test_another_name_alone_opens_no_window(hearer: Hearer) -> None:
    """The grammar hears "hey dana" as the wake phrase alone; the verifier refuses it, so no
    follow-up window opens for what is said next. Without it, one would."""
    settings = hearer.settings
    try:
        h = hear_spoken(hearer, "hey dana", "en-us+f3")
        assert not h.wake_only and not h.accepted(in_window=False), h.debug()
        assert [(s.stage, s.verdict) for s in h.stages] == [
            ("grammar", "wake only"),
            ("wake", "rejected"),
        ], h.debug()
        hearer.settings = settings.model_copy(update={"wake_verifier": False})
        assert hear_spoken(hearer, "hey dana", "en-us+f3").wake_only
    finally:
        hearer.settings = settings


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_a_name_near_the_wake_word_said_alone_opens_no_window(hearer: Hearer, voice: str) -> None:
    """ "hey trina" alone: the grammar hears the wake phrase alone, and the verifier finds
    "trainer" probable (0.90 and 0.93 in these voices), above the floor a command after the wake
    phrase needs but under the one for the wake phrase alone (`wake_alone_floor`): no
    follow-up window opens, and nothing is answered. The wake phrase alone scores 0.99 and more
    (`test_the_wake_phrase_alone_is_confirmed`)."""
    h = hear_spoken(hearer, "hey trina", voice)
    assert not h.wake_only and not h.accepted(in_window=False), h.debug()
    (wake,) = [s for s in h.stages if s.stage == "wake"]
    assert wake.verdict == "rejected", h.debug()
    floors = hearer.settings
    assert wake.score is not None
    assert floors.wake_verifier_floor <= wake.score < floors.wake_alone_floor, h.debug()


@pytest.mark.parametrize("voice", ["en-us", "en-gb", "en-us+f3"])
def test_the_wake_phrase_alone_is_confirmed(hearer: Hearer, voice: str) -> None:
    h = hear_spoken(hearer, "hey trainer", voice)
    assert h.wake_only, h.debug()
    assert [(s.stage, s.verdict) for s in h.stages] == [
        ("grammar", "wake only"),
        ("wake", "confirmed"),
    ], h.debug()


def test_a_command_with_the_wake_word_is_confirmed_and_acts(hearer: Hearer) -> None:
    h = hear_spoken(hearer, "okay trainer what's the status", "en-gb")
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert h.intent.name == "status"
    wake = [s for s in h.stages if s.stage == "wake"]
    assert len(wake) == 1 and wake[0].verdict == "confirmed", h.debug()
    assert wake[0].heard == "okay trainer" and wake[0].score is not None
    assert odds(wake[0].score) > 4 * odds(FLOOR), h.debug()


def _accepted(hearer: Hearer, model: WhisperModel) -> tuple[Hearing, NeuralResult]:
    """A command the grammar heard after the wake phrase, and the model's view of its audio."""
    pcm = speak("hey trainer, train the model", "en-us")
    h = hear_spoken(hearer, "hey trainer, train the model", "en-us")
    assert h.accepted(in_window=False), h.debug()
    return h, model.transcribe(pcm)


def test_another_wake_word_is_not_checked_by_this_verifier(
    hearer: Hearer, model: WhisperModel
) -> None:
    """The bundled verifier knows "trainer" only: with "hey computer" as the wake phrase the
    decision is left as it was (the scored checks still run)."""
    h, heard = _accepted(hearer, model)
    kept = check_wake_word(h, model, heard, SecondOpinionSettings(), ["hey computer"])
    assert kept is h


def test_a_verifier_for_another_model_or_window_is_not_used(
    tmp_path: Path, model: WhisperModel, verifier: WakeVerifier, caplog: pytest.LogCaptureFixture
) -> None:
    other_model = tmp_path / "other-model.npz"
    dataclasses.replace(verifier, model_sha256="0" * 64).save(other_model)
    other_window = tmp_path / "other-window.npz"
    dataclasses.replace(verifier, window_s=30.0).save(other_window)
    with caplog.at_level(logging.INFO, logger="audio.wake_verifier"):
        assert verifier_for(model, other_model) is None
        assert verifier_for(model, other_window) is None
    assert caplog.text.count("trained on another model or window") == 2


def test_a_file_that_is_not_a_verifier_leaves_the_check_off(
    tmp_path: Path, hearer: Hearer, model: WhisperModel, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not numpy at all")
    with caplog.at_level(logging.WARNING, logger="audio.wake_verifier"):
        assert verifier_for(model, broken) is None
    assert "is not a wake-word verifier" in caplog.text
    h, heard = _accepted(hearer, model)
    settings = SecondOpinionSettings(wake_verifier_file=broken)
    assert check_wake_word(h, model, heard, settings, ["hey trainer"]) is h


def test_the_bundled_verifier_says_how_it_was_trained(verifier: WakeVerifier) -> None:
    assert verifier.wake_word == "trainer" and BUNDLED.is_file()
    assert "held-out voices" in verifier.about and "(espeak-ng, Flite)" in verifier.about
    assert np.all(verifier.scale > 0)


def test_the_training_script_makes_a_verifier_the_hearer_can_use(
    tmp_path: Path, model: WhisperModel
) -> None:
    """`scripts/train_wake_verifier.py` end to end on a small corpus (the bundled file was made
    by the same script with its defaults: 36 espeak-ng voices of 60 utterances, 4 Flite voices
    of 120)."""
    out = tmp_path / "small.npz"
    script = ROOT / "scripts" / "train_wake_verifier.py"
    args = ["--voices", "2", "--per-voice", "6", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    made = verifier_for(model, out)
    assert made is not None and made.wake_word == "trainer"
    assert made.weights.shape == verifier_for(model, None).weights.shape  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("said", "voice", "to_me"),
    [
        ("hey trainer, any jobs at the moment", "en-us", True),
        ("hey tanner, any jobs at the moment", "en-gb-scotland", False),
        ("hey trina, any jobs at the moment", "en-us", False),
    ],
)
def test_words_no_command_holds_are_marked_as_said_to_me_only_after_the_wake_word(
    hearer: Hearer, said: str, voice: str, to_me: bool
) -> None:
    """Refused either way (nothing acts), but said to the bot the refusal is marked so (the
    session then answers "Sorry, I didn't catch that" instead of staying silent), and only
    when the learned check confirms the wake word (audio/called.py)."""
    h = hear_spoken(hearer, said, voice)
    assert h.rejected and h.intent is None and not h.accepted(in_window=False), h.debug()
    assert h.wake is to_me, h.debug()
    if to_me:
        assert h.text.endswith("at the moment"), h.debug()  # the words as the model wrote them
        assert "said to me" in h.stages[-1].why, h.debug()
