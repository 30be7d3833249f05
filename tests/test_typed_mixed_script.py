"""A command's name, then the rest of the line in another language (people switch keyboards
mid-line), through the console in a real process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.consoles import Console


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("join в мой голосовой канал", "join"),
        ("status что там", "status"),
        ("help что ты умеешь", "help"),
    ],
)
def test_an_english_name_then_russian_words_that_say_it(
    tmp_path: Path, line: str, command: str
) -> None:
    """It answered "Может быть, `join`? Чтобы выполнить, напишите `join` без других слов":
    no template reads a line of two languages, and the words are no arguments of it."""
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\nlanguage: ru\n")
    (tmp_path / "data").mkdir()
    console = Console(tmp_path)
    reply = console.send(line)
    assert reply["ok"] and reply["command"] == command, reply
    console.close()


def test_words_in_the_same_language_that_are_no_arguments_still_run_nothing(
    tmp_path: Path,
) -> None:
    """Only another script is read so: "cancel my subscription? nah" stays a hint, as do
    Russian words that say something else than the command named first."""
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\nlanguage: ru\n")
    (tmp_path / "data").mkdir()
    console = Console(tmp_path)
    for line in ("cancel my subscription? nah", "status отстой этот ваш бот"):
        reply = console.send(line)
        assert not reply["ok"], reply
    console.close()
