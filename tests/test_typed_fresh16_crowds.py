"""Typed lines of another crowd: people who speak of the bot in the third person ("could the
bot leave the call? we're done here"), who ask permission ("is it ok if I train on the
tweets?"), who put the example after a colon with its label first ("file this under
negative: ..."), who name the active dataset rather than its name ("train on the current
dataset"), who pass feedback on to "whoever maintains you"; Russian infinitives ("показать
статус"), the object before its verb ("обучение отменяй"), "не могли бы вы". Lines of our own
in the families fresh16's tuning half showed (bench/phrasings_fresh16.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_typed_phrasings import assert_crowds_read
from transports.console import GUILD

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    # the bot in the third person, in any sentence of the line
    ("would the bot mind leaving the call? we're done here.", "leave", {}),
    ("what is the bot busy with at the moment?", "status", {}),
    ("could Trainer show its commands?", "help", {}),
    ("is the bot training anything right now?", "status", {}),
    # permission asked
    ("is it ok if I archive kaggle tweets?", "archive", {"dir": "kaggle_tweets"}),
    ("is it alright to ask which dataset is active?", "status", {}),
    ("would it be okay if we select movie_reviews?", "select_dataset", {"dir": "movie_reviews"}),
    # the active dataset named, not a folder
    ("start a training run on the active dataset", "train", {}),
    ("fit a fresh model using the selected dataset", "train", {}),
    # the job the writer started
    ("halt the job I just kicked off", "cancel", {}),
    ("evaluate the latest model", "test", {}),
    ("would you mind doing an evaluation of the model?", "test", {}),
    # a label first, the example after a colon
    ("file this one under positive: the staff were lovely", "train",
     {"data": '"the staff were lovely"', "label": "positive"}),
    ("a negative example for the classifier: the soup was cold", "train",
     {"data": '"the soup was cold"', "label": "negative"}),
    # a correction said as people keep records
    ("mark that last one as positive", "correct", {"text": "positive"}),
    ("your previous guess was wrong, it's negative", "correct", {"text": "negative"}),
    # feedback passed on
    ("let whoever made you know that the replies are slow", "feedback",
     {"text": "the replies are slow"}),
    ("for the developers' attention: the guide is out of date", "feedback",
     {"text": "the guide is out of date"}),
    ("I'd appreciate the user guide", "instruction", {}),
    ("tell me what's in progress", "status", {}),
    # a greeting and chat first, the request after (and a name signed under it)
    ("Hi Trainer, thanks for yesterday. Could you archive movie reviews? Cheers, Tom", "archive",
     {"dir": "movie_reviews"}),
    ("Morning, Trainer — is anything training at the moment?", "status", {}),
    ("please train on kaggle tweets — Ahmed", "train", {"data_dir": "kaggle_tweets"}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("показать состояние", "status", {}),
    ("как по обучению?", "status", {}),
    ("что сейчас выполняется?", "status", {}),
    ("тренировку останови", "cancel", {}),
    ("сделайте бэкап", "archive", {}),
    ("занеси как позитивный: врач был очень внимателен", "train",
     {"data": '"врач был очень внимателен"', "label": "positive"}),
    ("обучи модель на активном наборе", "train", {}),
    ("нужно руководство по использованию", "instruction", {}),
    ("переключи бота на датасет kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
    ("не могли бы вы сообщить создателям, что бот тормозит", "feedback",
     {"text": "бот тормозит"}),
]  # fmt: skip

CHAT = {
    "en": [
        "is it ok if I leave early today?",
        "would the bakery mind if we came late?",
        "the bot should be proud of itself",
        "tell me what's for lunch",
        "mark my words, it will rain",
        "can you send me the notes, Sara?",
    ],
    "ru": [
        "что сейчас идёт в кино?",
        "можно я уйду пораньше?",
    ],
}


async def test_lines_of_new_crowds_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    assert_crowds_read(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)


async def test_training_on_the_current_dataset_trains_the_active_one(app: Assistant) -> None:
    """ "train on the current dataset" answered "There is no `current` in the data folder":
    the words were read as a folder's name. They name the active dataset."""
    write_folder_dataset(Path(app.config.data_root))
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    for line in ("train on the current dataset", "обучи на текущем датасете"):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "train", (line, reply)
        assert "current" not in reply["text"] and "текущ" not in reply["text"], reply["text"]
        await console.wait()
        app.store.set_guild_language(GUILD, "ru")
    jobs = app.store.jobs(GUILD)
    assert [job.status for job in jobs] == ["succeeded", "succeeded"], jobs
