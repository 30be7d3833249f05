"""Typed lines of another crowd: work-chat messages whose request comes second, needs said
instead of orders ("we need the model retrained"), the bot named anywhere, English of French,
Arabic, Hindi and Chinese speakers ("namaste bot", "should have been positive"), shorthand
("ds"), hedged asks; Russian typed in Latin letters ("otmeni obuchenie") or with an English
word in it ("select датасет ..."), formal requests, slang ("ливни из войса"). Lines of our own
in the families bench/phrasings_fresh11.json's tuning half showed; and typed defects found
beside them: times written with digits, feedback for someone else, feedback to "everyone",
and `test` given words no dataset is called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_typed_phrasings import misread_crowds, read, with_names
from transports.console import GUILD

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    ("list cmds", "help", {}),
    ("what are the commands we can send you", "help", {}),
    ("tell me what the bot is good at", "help", {}),
    ("which model is the bot running right now", "status", {}),
    ("display the current status", "status", {}),
    ("what's loaded at the moment?", "status", {}),
    ("is there a training run in progress right now?", "status", {}),
    ("what model and what dataset are you using", "status", {}),
    # "ds" is a dataset
    ("pls run a test on the kaggle tweets ds", "test", {"dataset": "kaggle_tweets"}),
    ("test on kaggle tweets ds", "test", {"dataset": "kaggle_tweets"}),
    ("point the bot at the kaggle tweets data instead", "select_dataset", {"dir": "kaggle_tweets"}),
    ("make kaggle tweets the current ds from now on", "select_dataset", {"dir": "kaggle_tweets"}),
    ("show me the handbook", "instruction", {}),
    ("do you have a user manual somewhere?", "instruction", {}),
    ("can i have the complete docs", "instruction", {}),
    # a need said instead of an order
    ("we need the model retrained on movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("i'd like the kaggle tweets folder archived", "archive", {"dir": "kaggle_tweets"}),
    ("could we get movie reviews zipped up", "archive", {"dir": "movie_reviews"}),
    ("we want the classifier retrained", "train", {}),
    ("i'm afraid the answer was not correct, it should be positive", "correct",
     {"text": "positive"}),
    ("should have been positive", "correct", {"text": "positive"}),
    # greetings of other languages' speakers
    ("namaste bot", "hi", {}),
    ("hello there my good friend", "hi", {}),
    ("kill whatever is running at the moment", "cancel", {}),
    ("please join the voice call where we're sitting", "join", {}),
    # a labelled head of up to eight words, for the bot's makers
    ("an idea for the people who built you: a dark theme", "feedback", {"text": "a dark theme"}),
    # a reason said without "because"
    ("archive movie reviews, we might need it next year", "archive", {"dir": "movie_reviews"}),
    ("cancel the training it's taking too long", "cancel", {}),
    # a time written with digits is read past as a worded one is
    ("test the model on movie reviews in 10 mins", "test", {"dataset": "movie_reviews"}),
    ("could you archive kaggle tweets at 6:30 pm", "archive", {"dir": "kaggle_tweets"}),
    # a Russian word of the same command in an English line
    ("select датасет movie reviews", "select_dataset", {"dir": "movie_reviews"}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    # Russian typed in Latin letters
    ("otmenite obuchenie pozhaluysta", "cancel", {}),
    ("arhiviruy kaggle_tweets", "archive", {"dir": "kaggle_tweets"}),
    ("kak polzovatsya botom?", "instruction", {}),
    ("select датасет movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("скажите текущее состояние модели", "status", {}),
    ("идет ли ещё тренировка", "status", {}),
    ("какие возможности есть у тебя", "help", {}),
    ("хочу оставить фидбек о боте", "feedback", {"text": ""}),
    ("ливни из войса", "leave", {}),
    ("залетай в войс", "join", {}),
    ("давайте работать с kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
    ("проведите оценку модели на movie reviews", "test", {"dataset": "movie_reviews"}),
    ("какая точность у модели", "test", {}),
    ("привет всем и тебе, тренер", "hi", {}),
    ("обучи модель на kaggle tweets через 10 минут", "train", {"data_dir": "kaggle_tweets"}),
]  # fmt: skip

CHAT = {
    "en": [
        "a complaint for the landlord: the heating is broken",
        "my idea for the weekend: a long hike",
        "i'll be there in 5 minutes",
        "the meeting moved to 6:30",
        "I need my car washed before friday",
        "we want the kids trained in first aid",
    ],
    "ru": [
        "ya budu doma cherez 5 minut",
        "kupi moloko po doroge",
        "встреча в 18:30",
    ],
}


async def test_lines_of_work_chat_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    with_names(app)
    found = misread_crowds(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)
    assert found == {"en": ([], []), "ru": ([], [])}, found


async def test_feedback_for_someone_else_is_not_kept(app: Assistant) -> None:
    """ "feedback for the kitchen staff: the soup was cold" was kept as feedback for the bot
    (a template "feedback {text}" took it): it is addressed to someone else. Feedback for
    the bot's makers is still kept."""
    console = TypedConsole(app)
    reply = await console.send("feedback for the kitchen staff: the soup was cold")
    assert not reply["ok"] and reply["text"] == (
        "That reads as feedback for someone else, so I did not keep it: I pass on feedback"
        " about this bot only. To leave some, type `feedback` and your words."
    ), reply
    reply = await console.send("feedback for the devs: the charts are great")
    assert reply["ok"] and reply["text"].startswith("Thank you for the feedback"), reply
    assert [row.text for row in app.store.feedback(GUILD)] == ["the charts are great"]
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("отзыв для повара: суп холодный")
    assert not reply["ok"] and reply["text"].startswith("Похоже, этот отзыв адресован не мне"), (
        reply
    )
    assert len(app.store.feedback(GUILD)) == 1


async def test_feedback_to_everyone_asks_what_it_is(app: Assistant) -> None:
    """ "feedback everyone" was kept as the feedback "everyone": the word only calls people,
    so the bot asks what the feedback is and keeps nothing."""
    console = TypedConsole(app)
    for line in ("feedback everyone", "feedback, guys"):
        reply = await console.send(line)
        assert not reply["ok"] and reply["text"] == (
            "What is your feedback? Write it after the command: `feedback the replies are too"
            " long`."
        ), (line, reply)
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("feedback всем")
    assert reply["text"].startswith("Какой у вас отзыв?"), reply
    assert app.store.feedback(GUILD) == []


async def test_times_written_with_digits_are_read_past(app: Assistant) -> None:
    """ "status in 10 min" was "Too many arguments", "train the model on kaggle tweets in 5
    minutes" named kaggle_tweets and ran nothing: a digit made the words arguments. Worded
    times ("in ten minutes") were already read past."""
    with_names(app)
    console = TypedConsole(app)
    reply = await console.send("status in 10 min")
    assert reply["ok"] and reply["text"].startswith("**Status**"), reply
    assert read(app, "train the model on kaggle tweets in 5 minutes") == (
        "train",
        {"data_dir": "kaggle_tweets"},
    )
    # a number that is an argument stays one
    assert read(app, "cancel job 5") == ("cancel", {"text": "job 5"})
    # and an example to learn, feedback or a sentence to classify keeps its times as written
    for line in (
        "train the delivery came in 5 minutes, great",
        "feedback your replies come in 5 minutes, too slow",
        "test it arrived in 10 min",
    ):
        command, options = read(app, line) or ("", {})
        assert (command, options.get("text")) == (line.split()[0], line.split(" ", 1)[1]), line


async def test_an_english_command_word_with_a_russian_noun_selects(app: Assistant) -> None:
    """ "select датасет kaggle tweets" was "I didn't find a command in that": "датасет" is a
    Russian word of selecting a dataset, the rest English."""
    with_names(app)
    console = TypedConsole(app)
    for language in ("en", "ru"):
        app.store.set_guild_language(GUILD, language)
        reply = await console.send("select датасет kaggle tweets")
        assert reply["ok"] and reply["command"] == "select_dataset", reply
        assert "kaggle_tweets" in reply["text"], reply


async def test_russian_in_latin_letters_is_read(app: Assistant) -> None:
    """ "otmeni obuchenie" (отмени обучение) found no command in a Russian server."""
    console = TypedConsole(app)
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("ostanovi obuchenie")
    assert reply["command"] == "cancel", reply
    assert reply["text"] == "Сейчас не выполняется ни одна задача обучения.", reply


async def test_test_with_words_no_dataset_is_called_says_how_to_classify(
    app: Assistant, reviews: Path
) -> None:
    """`test <thousands of characters of plain words>` answered "That path is too long": the
    words name no dataset, and a sentence to classify is put in quotes."""
    write_folder_dataset(Path(app.config.data_root), "kaggle_tweets", per_label=4)
    console = TypedConsole(app)
    await console.send("select_dataset reviews")
    assert (await console.send("train"))["ok"]
    await console.wait()
    words = " ".join(["the plot was slow but the acting carried it"] * 150)
    for said in (words, words[:600]):
        reply = await console.send(f"test {said}")
        assert not reply["ok"], reply
        assert reply["text"] == (
            f"No dataset or folder is called that (`the plot was slow but the acting carried…`,"
            f" {len(said):,} characters). To classify a sentence, put it in quotes:"
            ' `test "a lovely film"`; `test <dataset>` measures the model on a dataset\'s'
            " labelled examples."
        ), reply
    reply = await console.send('test "the plot was slow but the acting carried it"')
    assert reply["ok"] and reply["kind"] == "prediction", reply
