"""Typed lines of another crowd: ML students' jargon ("fine-tune on the current dataset"),
elderly and non-technical people's long polite asks ("could you tell me how well the computer
has learned"), gamers' slang with interjections inside ("u were wrong lmao"), terse lines,
questions asked in the passive or of the bot in the third person ("could the model be
retrained?", "can the bot leave the call"), words typed without a space ("joinvc"), and
folders named in a language's own words ("обучи модель на твитах", "the film reviews"). Lines
of our own in the families bench/phrasings_fresh12.json's tuning half showed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_typed_phrasings import misread_crowds, read, with_names
from transports.console import GUILD

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    # asked in the passive, or of the bot in the third person
    ("could the classifier be retrained on kaggle tweets?", "train", {"data_dir": "kaggle_tweets"}),
    ("can the movie reviews folder be archived", "archive", {"dir": "movie_reviews"}),
    ("could report.txt be sent over here?", "getfile", {"path": "report.txt"}),
    ("can the bot leave the call now?", "leave", {}),
    ("is the bot able to join my voice channel", "join", {}),
    # words typed without the space between them
    ("joinvc", "join", {}),
    ("leavevoice", "leave", {}),
    # interjections inside the line
    ("u were wrong lmao it was negative", "correct", {"text": "negative"}),
    ("fine-tune the model on the current dataset", "train", {}),
    ("remember this: the soup was cold", "train", {"data": '"the soup was cold"'}),
    ("see how accurate the model is now", "test", {}),
    ("zip it up", "archive", {}),
    ("getting started guide", "instruction", {}),
    ("the help text is way too long", "feedback", {"text": "the help text is way too long"}),
    ("grab me the document named report.txt", "getfile", {"path": "report.txt"}),
    ("post the report file here", "getfile", {"path": "report.txt"}),
    ("how's the experiment going", "status", {}),
    ("current model and dataset", "status", {}),
    ("halt the training", "cancel", {}),
    # a folder named in other words for words of its name
    ("train on the film reviews", "train", {"data_dir": "movie_reviews"}),
    ("test the model on the tweets", "test", {"dataset": "kaggle_tweets"}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("обучи модель на твитах", "train", {"data_dir": "kaggle_tweets"}),
    ("заархивируй отзывы о кино", "archive", {"dir": "movie_reviews"}),
    ("проверь модель на кинорецензиях", "test", {"dataset": "movie_reviews"}),
    ("юзни датасет movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("какой датасет сейчас", "status", {}),
    ("скоко еще до конца обучения", "status", {}),
    ("не лол это позитив", "correct", {"text": "positive"}),
]  # fmt: skip

CHAT = {
    "en": [
        "could the train be late again?",
        "can the meeting be moved to friday",
        "the tweets about the match were wild",
        "positive energy all day",
        "that was a negative experience",
        "nowhere to go tonight lol",
    ],
    "ru": [
        "это был позитивный вечер",
        "у меня негативный опыт с этим банком",
        "твиттер опять лежит",
    ],
}


async def test_lines_of_new_crowds_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    with_names(app)
    found = misread_crowds(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)
    assert found == {"en": ([], []), "ru": ([], [])}, found


async def test_a_folder_named_in_other_words_is_selected(app: Assistant) -> None:
    """ "use the tweets ds" selected a folder `tweets`, which there is not; "переключись на
    твиты" was no command. Both name kaggle_tweets, the one folder with tweets in its name."""
    root = Path(app.config.data_root)
    write_folder_dataset(root, "kaggle_tweets", per_label=4)
    console = TypedConsole(app)
    reply = await console.send("use the tweets ds")
    assert reply["ok"] and reply["command"] == "select_dataset", reply
    assert "kaggle_tweets" in reply["text"], reply
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("переключись на твиты")
    assert reply["ok"] and reply["command"] == "select_dataset", reply
    assert "kaggle_tweets" in reply["text"], reply


async def test_two_folders_with_the_word_are_not_guessed_between(app: Assistant) -> None:
    """With kaggle_tweets and my_tweets, "твиты" alone names neither; "kaggle твиты" does."""
    root = Path(app.config.data_root)
    for name in ("kaggle_tweets", "my_tweets"):
        (root / name).mkdir(parents=True)
    app.store.set_guild_language(GUILD, "ru")
    assert read(app, "обучи модель на твитах") is None
    assert read(app, "обучи модель на kaggle твитах") == ("train", {"data_dir": "kaggle_tweets"})


async def test_a_passive_question_runs_the_command(app: Assistant) -> None:
    """ "could the current job be cancelled?" found no command."""
    console = TypedConsole(app)
    reply = await console.send("could the current job be cancelled?")
    assert reply["command"] == "cancel", reply
    assert reply["text"] == "No training job is running.", reply


async def test_a_label_that_describes_something_else_corrects_nothing(app: Assistant) -> None:
    """ "это был негативный опыт" (a negative experience) corrected the last reply to
    negative; "это был негативный отзыв" still corrects."""
    app.store.set_guild_language(GUILD, "ru")
    assert read(app, "это был негативный опыт") is None
    assert read(app, "это был негативный отзыв") == ("correct", {"text": "negative"})
