"""Where the two recognizers agree, a later check does not overrule them (audio/hearing.py).

Real synthesized speech as the voice bench renders it (bench/voice_corpus.py), in espeak-ng
voices that no gate was tuned on: each case was a miss of the hearing path before the rule.
"""

from __future__ import annotations

import asyncio

import pytest

from audio.decision import Hearing
from audio.hearing import Hearer
from bench.voice_corpus import render
from tests.speech import utterance


def hear(
    hearer: Hearer, text: str, voice: str, speed: int, pitch: int, room: str, seed: int
) -> Hearing:
    """What the hearing path decides on `text` as the voice bench renders it."""
    pcm = utterance(render(text, voice, speed, pitch, room, seed))
    return asyncio.run(hearer.hear(pcm))


@pytest.mark.parametrize(
    ("text", "voice", "speed", "pitch", "seed", "command", "slots"),
    [
        ("hey trainer say hi", "en+klatt", 165, 50, 0, "hi", {}),
        (
            "hey trainer zip up kaggle tweets",
            "en-us+m2",
            170,
            50,
            14,
            "archive",
            {"dir": "kaggle_tweets"},
        ),
    ],
)
def test_a_command_both_recognizers_heard_after_the_wake_phrase_acts(
    hearer: Hearer,
    text: str,
    voice: str,
    speed: int,
    pitch: int,
    seed: int,
    command: str,
    slots: dict[str, str],
) -> None:
    """The grammar heard the wake phrase and the command, Whisper wrote "Hey Trainers ...",
    and the wake-word verifier alone doubted the wake word in the room's echo. How much it
    doubts depends on the CPU's float paths (0.2-0.35 against the floor of 0.3 on the
    machines this ran on), so the floor is then set to 1, above any score it gives: the two
    recognizers outvote it, whatever it scores."""
    h = hear(hearer, text, voice, speed, pitch, "reverb", seed)
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert (h.intent.name, dict(h.intent.slots)) == (command, slots), h.debug()
    wake = [s for s in h.stages if s.stage == "wake"]
    assert wake and wake[-1].verdict == "confirmed", h.debug()
    kept = hearer.settings
    try:
        hearer.settings = kept.model_copy(update={"wake_verifier_floor": 1.0})
        h = hear(hearer, text, voice, speed, pitch, "reverb", seed)
    finally:
        hearer.settings = kept
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert (h.intent.name, dict(h.intent.slots)) == (command, slots), h.debug()
    wake = [s for s in h.stages if s.stage == "wake"]
    assert wake and wake[-1].verdict == "confirmed", h.debug()
    assert wake[-1].score is not None and wake[-1].score < 1.0, h.debug()
    assert "both recognizers heard the wake phrase" in wake[-1].why, h.debug()


@pytest.mark.parametrize(
    ("voice", "speed", "pitch", "room"),
    [("en-us+adam", 165, 55, "clean"), ("en+klatt", 165, 50, "reverb")],
)
def test_the_models_shorter_sentence_keeps_the_option_the_grammar_heard(
    hearer: Hearer, voice: str, speed: int, pitch: int, room: str
) -> None:
    # Whisper wrote "Hey Trainer Correct Matt Tanaga Team": "correct that" scored above
    # "correct that to negative", the grammar's sentence; the label is not to be dropped.
    h = hear(hearer, "hey trainer correct that to negative", voice, speed, pitch, room, 20)
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert (h.intent.name, dict(h.intent.slots)) == ("correct", {"text": "negative"}), h.debug()
