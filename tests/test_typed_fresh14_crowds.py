"""Typed lines of another crowd: people used to other bots and tools, who type another bot's
prefix before a command (`t!status`, `$help`) or a command-line tool's flags (`train -d NAME`,
`correct -l negative`); phone dictation that says a name's marks as words ("kaggle underscore
tweets", "report dot txt", "report точка txt"); a very formal writer's frames ("I must ask you
to ... at once", "Позвольте спросить, ..."); Russian IT slang for the makers ("передай
разрабам, что ..."). Lines of our own in the families bench phrasings of fresh14's tuning half
showed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import assert_crowds_read, read, with_names

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    # another bot's prefix before a command's name
    ("t!status", "status", {"text": ""}),
    ("$help", "help", {"text": ""}),
    ("?hi", "hi", {"text": ""}),
    ("tr.archive movie_reviews", "archive", {"dir": "movie_reviews"}),
    # a command-line tool's flags before the arguments
    # the flag that is an option's name names it
    ("test --dataset kaggle_tweets", "test", {"text": "dataset=kaggle_tweets"}),
    ("archive -d movie_reviews", "archive", {"dir": "movie_reviews"}),
    # a name's marks said as words
    ("archive kaggle underscore tweets", "archive", {"dir": "kaggle_tweets"}),
    ("send me report dot txt", "getfile", {"path": "report.txt"}),
    # a formal writer's frames
    ("I must ask you to show the status at once.", "status", {}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("скинь report точка txt", "getfile", {"path": "report.txt"}),
    ("передай разрабам что кнопки слишком мелкие", "feedback", {"text": "кнопки слишком мелкие"}),
    ("Позвольте спросить, как идёт обучение?", "status", {}),
]  # fmt: skip

CHAT = {
    "en": [
        "t!rex is my favourite dinosaur",
        "?what",
        "she wore a polka dot dress",
        "I must ask you to keep it down",
    ],
    "ru": [
        "передай соль пожалуйста",
        "точка зрения у него странная",
    ],
}


async def test_lines_of_new_crowds_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    assert_crowds_read(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)


async def test_another_bots_prefix_runs_our_command(app: Assistant) -> None:
    """ "t!status" was "I didn't find a command in that": the whole word named none."""
    console = TypedConsole(app)
    reply = await console.send("t!status")
    assert reply["ok"] and reply["command"] == "status", reply


async def test_a_flag_before_a_label_corrects_with_that_label(app: Assistant) -> None:
    """ "correct -l negative" took `-l` for the number of the reply to correct."""
    with_names(app)
    assert read(app, "correct -l negative") == ("correct", {"text": "negative"})
    assert read(app, "train -d movie_reviews") == ("train", {"text": "movie_reviews"})
    # a word with a dash in front is an example's word, not a flag
    assert read(app, "train -not bad at all") == ("train", {"text": "-not bad at all"})


async def test_a_dictated_folder_name_is_archived(app: Assistant) -> None:
    """ "zip movie underscore reviews" was no command: the name is `movie_reviews`."""
    with_names(app)
    (Path(app.config.data_root) / "movie_reviews" / "reviews.txt").write_text("a fine film\n")
    console = TypedConsole(app)
    reply = await console.send("zip movie underscore reviews")
    assert reply["ok"] and reply["command"] == "archive", reply
    (archived,) = reply["files"]
    assert Path(archived).name.endswith(".zip") and "movie_reviews" in Path(archived).name, reply
