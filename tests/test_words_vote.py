"""A spoken sentence outside the grammar is heard as one of the grammar's sentences; when the
neural model wrote, surely, words that say another command, the command is refused
(`second_opinion.words_vote`, audio/words_vote.py). Real espeak-ng speech, the
real grammar recognizer and the bundled Whisper model."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.config.voice import VoiceSettings
from audio.decision import Hearing
from audio.hearing import Hearer
from tests.speech import speak
from tests.voice_corpus import DATASETS

# Typed-only phrasings (not in the voice grammar), in voices the grammar recognizer then hears
# as another command: "show me the commands" as "show me the manual" (instruction).
CASES = [
    ("hey trainer show me the commands", "en-us", "help"),
    ("hey trainer show me the commands", "en-gb", "help"),
    ("hey trainer let's train a new model", "en-us+f3", "train"),
]


@pytest.fixture(scope="module")
def hearer() -> Hearer:
    # The vote alone: the model's words are not also read as a typed line here (they would
    # make "show me the commands" act as `help` itself: the last test).
    h = Hearer.local(VoiceSettings(), read_words=lambda _words, _guild: None)
    h.update_lists({"dataset": DATASETS, "folder": DATASETS})
    deadline = time.monotonic() + 120
    while not h.words.ready:
        assert time.monotonic() < deadline, "the words were never learned"
        time.sleep(0.1)
    yield h
    h.close()


def heard(hearer: Hearer, pcm: bytes, vote: bool) -> Hearing:
    hearer.settings.words_vote = vote
    try:
        return asyncio.run(hearer.hear(pcm))
    finally:
        hearer.settings.words_vote = True


def acted(hearing: Hearing) -> str | None:
    return hearing.intent.name if hearing.intent and hearing.accepted(False) else None


def test_sure_words_that_say_another_command_refuse_the_grammar_s(hearer: Hearer) -> None:
    by_vote, wrong_without = [], []
    for sentence, voice, meant in CASES:
        pcm = speak(sentence, voice)
        with_vote = heard(hearer, pcm, vote=True)
        assert acted(with_vote) in (None, meant), (sentence, voice)
        if "the model wrote words that say" in " ".join(s.why for s in with_vote.stages):
            by_vote.append((sentence, voice))
        without = acted(heard(hearer, pcm, vote=False))
        if without not in (None, meant):
            wrong_without.append((sentence, voice, without))
    assert len(by_vote) >= 2, by_vote
    # Without the vote the grammar's other command does not act either: the model also scores
    # a sentence of the command its words say above the grammar's (audio/scored_gate.py).
    assert not wrong_without, wrong_without


def test_a_refusal_says_which_command_the_words_said(hearer: Hearer) -> None:
    hearing = asyncio.run(hearer.hear(speak("hey trainer show me the commands", "en-us")))
    why = " ".join(s.why for s in hearing.stages)
    assert not hearing.accepted(False) and "words that say help, not instruction" in why, why


def test_read_as_a_typed_line_the_models_words_act_as_the_command_they_say() -> None:
    """With the model's sure words read as typed lines are (the bot's hearing path), the
    command they say acts instead of only refusing the grammar's."""
    h = Hearer.local(VoiceSettings())
    h.update_lists({"dataset": DATASETS, "folder": DATASETS})
    try:
        hearing = asyncio.run(h.hear(speak("hey trainer show me the commands", "en-us")))
    finally:
        h.close()
    assert acted(hearing) == "help", hearing.debug()
