"""Names like the wake word, with real parts (espeak-ng speech, the pocketsphinx grammar
recognizer and the neural second opinion): a call to another name noticed in the model's words,
names one sound from the wake word told from it by scoring, a name the model wrote in the wake
word's place weighed against it, and a new wake phrase that does not answer to the old one."""

from __future__ import annotations

import asyncio

import pytest

from assistant.config.voice import VoiceSettings
from assistant.intents.snap import GrammarSnapper
from audio.hearing import Hearer
from audio.scored_gate import ScoredGate
from audio.wake_check import near_names, wake_choice
from bench.voice_corpus import render
from tests.speech import hear_spoken, speak, utterance
from tests.voice_corpus import DATASETS


def test_a_call_to_another_name_is_noticed(snapper: GrammarSnapper) -> None:
    head = snapper.head("Hey Rayner, train the model.")
    assert not head.wake and head.other_name == "rayner" and head.rest == "train the model"
    assert snapper.head("OK trainor, help", aliases=["trainor"]).wake
    # A number is nobody's name: the wake word garbled into one is no call to someone else.
    assert snapper.head("Hey, 3, good job.").other_name is None
    assert snapper.head("Okay three, train the model").other_name is None
    # A sentence's full stop is not part of the name (a dot inside a file name is).
    assert snapper.head("Okay, trader. Okay, trader.").other_name == "trader"


def test_names_one_sound_from_the_wake_word_are_known(hearer: Hearer) -> None:
    assert hearer.snapper is not None
    names = near_names(hearer.matcher.wake_words, hearer.snapper.vocabulary)
    assert {"rainer", "trader", "trainee"} <= set(names)
    assert "trainer" not in names and "train" not in names  # a word of the commands


@pytest.mark.parametrize(
    ("said", "voice", "command", "name"),
    [
        ("hey trader, help", "en-us", "help", "trader"),
        ("hey trainer, help", "en-us", "help", None),
        # Whisper writes "Hey Rayna, select ...": "rayner" in lower case scored below
        # "trainer"; written as a name ("Rainer,") it is the likelier.
        ("hey rayner, select dataset movie reviews", "en-gb", "select dataset movie reviews",
         "rainer"),
        ("hey trainer, select dataset movie reviews", "en-gb", "select dataset movie reviews",
         None),
    ],
)  # fmt: skip
def test_a_near_name_is_told_from_the_wake_word_by_scoring(
    hearer: Hearer, gate: ScoredGate, said: str, voice: str, command: str, name: str | None
) -> None:
    """Whisper writes "hey trader, help" as "Hat Raider, Hell": no name to notice in its
    words, so the sentence is scored with each near name in the wake word's place."""
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak(said, voice))
    assert gate.called_name(heard, [f"Hey trainer {command}"]) == name


@pytest.mark.parametrize(
    ("said", "voice", "written", "command", "refused"),
    [
        # Whisper writes "Hey Trainus Elect, I just had to move in reviews": the wake word
        # was said, and scores above the name written.
        ("hey trainer select dataset movie reviews", "en-gb", "trainus",
         "select dataset movie reviews", False),
        # A real call to someone else: the name written stays the likelier.
        ("hey computer, train the model", "en-us", "computer", "train the model", True),
    ],
)  # fmt: skip
def test_a_name_written_for_the_wake_word_is_weighed_against_it(
    hearer: Hearer,
    gate: ScoredGate,
    said: str,
    voice: str,
    written: str,
    command: str,
    refused: bool,
) -> None:
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak(said, voice))
    name = gate.called_name(heard, [f"Hey trainer {command}"], written)
    assert (name is not None) == refused, name


@pytest.mark.parametrize(
    "text", ["hey rainer, train the model", "hey trader, help", "hey banana, train the model"]
)
def test_a_command_for_another_name_never_acts(hearer: Hearer, text: str) -> None:
    h = hear_spoken(hearer, text)
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()


@pytest.mark.parametrize(
    ("said", "voice", "for_me"),
    [
        ("hey tina, what's the status", "en-us", False),
        ("hey banana, train the model", "en-gb", False),
        ("okay brandon, what's the status", "en-us+f3", False),
        ("hey trainer run a test", "en-us+f3", True),
        ("okay trainer, cancel the training", "en-gb", True),
    ],
)
def test_after_the_greeting_the_model_would_write_the_name_that_was_called(
    hearer: Hearer, gate: ScoredGate, said: str, voice: str, for_me: bool
) -> None:
    """No list of names: forced to begin "Hey", the model writes "Tina", "Banana" or
    "Brandon" next, and the wake word when it was said."""
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(utterance(speak(said, voice)))
    choice = wake_choice(hearer.neural, heard, hearer.matcher.wake_phrases)
    assert choice is not None
    assert (gate.other_choice(heard) is None) == for_me, choice


def test_a_command_the_search_builds_from_a_call_to_another_name_does_not_act(
    hearer: Hearer,
) -> None:
    """Whisper writes noise for "hey tina, what's the status" in this voice, and the search
    through the grammar finds "Hey trainer what's the status" well inside its gate."""
    pcm = utterance(speak("hey tina, what's the status", "en-us+f3", 150, 60, seed=118))
    h = asyncio.run(hearer.hear(pcm, False))
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()
    searched = [s for s in h.stages if s.stage == "search"]
    assert searched and "'Tina'" in searched[0].why, h.debug()


def test_a_command_whisper_wrote_with_a_name_for_the_wake_word_still_acts(
    hearer: Hearer,
) -> None:
    """ "Hey Trainos, l'I'M Bb2026": refused before as a call to someone else."""
    h = hear_spoken(hearer, "hey trainer use the i m d b twenty twenty six data", "en-gb")
    assert h.accepted(in_window=False), h.debug()
    assert h.intent is not None and (h.intent.name, h.intent.slots) == (
        "select_dataset",
        {"dir": "imdb2026"},
    ), h.debug()


def test_another_wake_phrase_does_not_wake_on_the_old_one_or_its_rhymes() -> None:
    h = Hearer.local(VoiceSettings(wake_phrases=["hey computer"]))
    try:
        h.update_lists({"dataset": DATASETS, "folder": DATASETS})
        heard = hear_spoken(h, "hey computer, train the model")
        assert heard.intent is not None and heard.intent.name == "train", heard.debug()
        for text in ("hey trainer, train the model", "hey commuter, train the model"):
            heard = hear_spoken(h, text)
            assert not heard.accepted(in_window=False) and not heard.wake_only, heard.debug()
        # The default spellings of "trainer" do not stand in for "computer".
        assert h._aliases() == []
    finally:
        h.close()


@pytest.mark.parametrize(
    ("said", "condition", "seed", "command"),
    [
        # Whisper writes "Hey, traitor, thank you": "trainer" 0.9 nats below "traitor".
        ("hey trainer thank you", "noise", 22, ("feedback", {"text": "thank you"})),
        # "Hey, traitor, where are we with the training?" in a room: 0.03 above.
        ("hey trainer where are we with the training", "reverb", 34, ("status", {})),
    ],
)
def test_a_name_written_for_a_wake_word_both_other_checks_heard_does_not_refuse(
    hearer: Hearer, said: str, condition: str, seed: int, command: tuple[str, dict[str, str]]
) -> None:
    """The grammar heard the wake phrase and the command, the wake-word verifier confirms the
    wake word, and the model wrote a name in its place nearly as probable as the wake word:
    the command acts (it was refused as addressed to 'traitor')."""
    pcm = utterance(render(said, "en-us", 160, 50, condition, seed))
    h = asyncio.run(hearer.hear(pcm, False))
    assert "traitor" in h.stages[1].heard.lower(), h.debug()
    assert h.accepted(in_window=False), h.debug()
    assert h.intent is not None and (h.intent.name, dict(h.intent.slots)) == command, h.debug()


def test_a_call_to_trina_the_grammar_and_the_verifier_took_for_the_wake_word_is_refused(
    hearer: Hearer,
) -> None:
    """Both hear "hey trainer select dataset movie reviews" (the verifier 0.99), but the model
    writes "Trina" 2.5 nats likelier than the wake word: still addressed to someone else."""
    pcm = utterance(
        render("hey trina, select dataset movie reviews", "en-us", 160, 50, "opus48k", 110)
    )
    h = asyncio.run(hearer.hear(pcm, False))
    assert h.stages[0].verdict == "accepted", h.debug()
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()
    assert any("'trina'" in s.why for s in h.stages), h.debug()
