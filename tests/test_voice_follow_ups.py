"""Commands said inside a follow-up window, without the wake phrase, against chatter that
begins with a command's very words; and what the grammar search may make of a few words.
Real espeak-ng speech, webrtcvad, the grammar recognizer and the neural second opinion."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from assistant.intents.spoken import written_length
from audio.asr.base import Transcript
from audio.hearing import Hearer
from audio.rescore import unrepeated
from tests.speech import hear_spoken, speak, utterance


def test_a_spelled_name_or_number_is_written_as_one_word() -> None:
    assert (
        written_length(["use", "the", "i", "m", "d", "b", "twenty", "twenty", "six", "data"]) == 5
    )
    assert written_length(["hey", "trainer", "i", "need", "help"]) == 5


@pytest.mark.parametrize(
    ("text", "voice", "command"),
    [
        ("cancel the training", "en-us+f3", "cancel"),  # written "cancel the trading"
        ("what's the status", "en-us", "status"),
        ("train the model", "en-us+f3", "train"),
    ],
)
def test_a_follow_up_without_the_wake_phrase_acts(
    hearer: Hearer, text: str, voice: str, command: str
) -> None:
    h = hear_spoken(hearer, text, voice, in_window=True)
    assert h.accepted(in_window=True), h.debug()
    assert h.intent is not None and h.intent.name == command, h.debug()


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("what's the status of the pizza order", "en-us"),
        ("what's the status of the pizza order", "en-gb"),
        ("thank you so much for dinner", "en-us"),
    ],
)
def test_chatter_that_starts_like_a_command_does_not_act(
    hearer: Hearer, text: str, voice: str
) -> None:
    h = hear_spoken(hearer, text, voice, in_window=True)
    assert not h.accepted(in_window=True), h.debug()


@pytest.mark.parametrize(
    ("text", "voice"), [("hey train her", "en-us"), ("hey trade her", "en-gb")]
)
def test_the_search_does_not_make_a_command_of_a_few_words(
    hearer: Hearer, text: str, voice: str
) -> None:
    h = hear_spoken(hearer, text, voice, in_window=False)
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("hey trade her", "en-gb"),
        ("hey trade her", "en-us+f3"),
        ("hey train her", "en-gb-x-rp"),
        ("hey train her", "en-us+f3"),
    ],
)
def test_a_name_near_the_wake_word_is_not_greeted(hearer: Hearer, text: str, voice: str) -> None:
    """The search found "Hey trainer how are you" (or "... hi") in these calls, at -1.6 to
    -1.0 per token against a gate of -1.8: a greeting is short enough to fit what follows a
    near name. The search does not look for social talk; said to the bot, the grammar hears
    it."""
    h = hear_spoken(hearer, text, voice, in_window=False)
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()
    greeted = hear_spoken(hearer, "hey trainer how are you", voice, in_window=False)
    assert greeted.accepted(in_window=False), greeted.debug()
    assert greeted.intent is not None and greeted.intent.name == "hi", greeted.debug()


def test_a_surer_command_overrules_the_grammar_in_a_follow_up_window(hearer: Hearer) -> None:
    """The grammar heard another command than the one said ("come here" for "thank you", as
    in a reverberant room): the model's, far surer, acts, as after the wake phrase."""
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak("thank you", voice="en-gb"))
    grammar = hearer.interpret(Transcript("come here"))
    assert grammar.intent is not None and grammar.intent.name == "join"
    hearing = hearer.judge(grammar, heard, "verify_window", True)
    assert hearing.accepted(in_window=True), hearing.debug()
    assert hearing.intent is not None and hearing.intent.name == "feedback", hearing.debug()


def test_a_follow_up_the_model_wrote_twice_is_matched_by_what_it_wrote_once(
    hearer: Hearer,
) -> None:
    """Said "run a test" in a follow-up window, through Opus (the voice bench's case): the
    grammar rejects it, and the model wrote "Run up here! Run up here!", a repetition loop, on
    some CPUs and "Run up here!" on others. The sentences near the whole loop were long
    commands, far less likely than its words ("Run the training run on movie reviews"), and the
    command was refused; near its words once, "Run a test" is among them and acts. So the
    loop is judged as what was written once, whichever the model wrote here."""
    from bench.voice_corpus import render

    pcm = utterance(render("run a test", "en-us+f3", 150, 60, "opus48k", seed=89))
    h = asyncio.run(hearer.hear(pcm, in_window=True))
    assert h.accepted(in_window=True), h.debug()
    assert h.intent is not None and h.intent.name == "test", h.debug()

    assert hearer.neural is not None
    heard = hearer.neural.transcribe(pcm)
    once = unrepeated(heard.text)
    assert once.startswith("Run"), heard.text
    first = hearer.interpret(asyncio.run(hearer.first_stage(pcm)))
    assert first.rejected, first.debug()
    for written in (once, f"{once} {once}", f"{once} {once} {once}"):
        looped = replace(heard, text=written, candidates=None)
        judged = hearer.judge(first, looped, "rescue", True)
        assert judged.accepted(in_window=True), (written, judged.debug())
        assert judged.intent is not None and judged.intent.name == "test", judged.debug()
