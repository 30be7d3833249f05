"""Commands said as people phrase them, not as the voice grammar does: the grammar recognizer
cannot hear "hey trainer, okay so what are my options" (no template of its grammar says it),
and the
neural model's words after the wake phrase, when it is sure of them, are read as the bot reads
a typed line (assistant/reading.py `Reader.heard`) and scored against the audio like the
grammar's sentences. Through the console's voice channel, the whole bot."""

from __future__ import annotations

from pathlib import Path

from tests.consoles import make_workdir, run_console
from tests.speech import join, speak, write_wav

HELP = "select_dataset"
"""A line of `help`'s answer (every command is listed)."""


def test_a_question_said_as_people_ask_it_is_answered(tmp_path: Path) -> None:
    make_workdir(tmp_path)
    said = write_wav(tmp_path / "ask.wav", join(speak("hey trainer okay so what are my options")))
    out = run_console(tmp_path, f"join\nsay {said}\nleave\n")
    assert "didn't catch" not in out, out
    assert HELP in out, out


def test_chatter_after_the_wake_phrase_acts_as_nothing(tmp_path: Path) -> None:
    """Speech no command is in, said after the wake phrase: its words are read as a typed line
    is, which reads no command in them."""
    make_workdir(tmp_path)
    said = write_wav(tmp_path / "chat.wav", join(speak("hey trainer my train was late today")))
    out = run_console(tmp_path, f"join\nsay {said}\nleave\n")
    assert "Thank you for the feedback" not in out, out
    assert "Training" not in out, out
