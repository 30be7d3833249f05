"""Typed lines of another crowd: people who quote an example and say its label after it as
they would say it ("'dull' is negative", `train it on "dull" as negative`, «скучно» —
негатив); tickets and subjects ("Request: abort running training"); hedged asks ("I don't
suppose you could ...", "you wouldn't mind selecting ..., would you?"); the impatient ("...
already"); Russian officialese ("Прошу осуществить подключение ..."). Lines of our own in the
families fresh15's tuning half showed (bench/phrasings_fresh15.json)."""

from __future__ import annotations

from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import assert_crowds_read

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    # a ticket's or a subject's head, then the request
    ("Request: abort the running job", "cancel", {}),
    ("Ticket #42: status of the current training", "status", {}),
    ("Subject: list of commands", "help", {}),
    # a head that names feedback stays feedback, whatever the words after it name
    ("feature request: join voice by itself", "feedback", {"text": "join voice by itself"}),
    # hedged and impatient asks
    ("I don't suppose you could leave the voice channel?", "leave", {}),
    ("you wouldn't mind archiving movie_reviews, would you?", "archive", {"dir": "movie_reviews"}),
    ("would it be possible for you to join my voice channel?", "join", {}),
    ("stop the training already", "cancel", {}),
    ("check whether the training is finished", "status", {}),
    ("kill the job that's running", "cancel", {}),
    # feedback passed on, saying what it is
    ("the replies are too long, pass this on to the devs as a suggestion", "feedback",
     {"text": "the replies are too long"}),
    ("report to the developers that the progress bar stalls", "feedback",
     {"text": "the progress bar stalls"}),
    ("our feedback to the dev team is the guide is too long", "feedback",
     {"text": "the guide is too long"}),
    ("may I enquire as to the present status of the training", "status", {}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("Прошу прекратить выполнение этой задачи", "cancel", {}),
    ("Прошу выдать перечень всех команд", "help", {}),
    ("Прошу выполнить подключение к голосовому каналу", "join", {}),
    ("Заявка: какой статус у задачи", "status", {}),
    ("каково состояние текущего обучения", "status", {}),
    ("прерви задание тренировки", "cancel", {}),
    # a leading "а"/"ну а", the object before its verb, a label after a comma
    ("ну а что модель скажет про «отличный сервис»?", "test", {"json": '"отличный сервис"'}),
    ('научи модель на "доставка опять опоздала", негатив', "train",
     {"data": '"доставка опять опоздала"', "label": "negative"}),
    ("руководство где?", "instruction", {}),
    ("перечень команд выдай", "help", {}),
    ("назначь основным датасет kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
]  # fmt: skip

CHAT = {
    "en": [
        "Ticket: the printer on floor 2 is jammed again",
        "I don't suppose you could lend me a pen",
        "the train was already late",
    ],
    "ru": [
        "Заявка: купить бумагу для принтера",
        "прошу прощения за опоздание",
    ],
}


async def test_lines_of_new_crowds_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    assert_crowds_read(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)


async def test_a_label_said_after_a_quoted_example_is_its_label(app: Assistant) -> None:
    """`train "dull" is negative` was refused ("`is` after it is no option"), `train it on
    "dull" as negative` added the example `it on "dull" as negative` as positive, and "teach
    the model this sentence: 'dull' is negative" the example `dull' is negative`."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset quoted"))["ok"]
    lines = [
        'train "a warm and funny film" is positive',
        "train it on 'the acting was wooden' as negative",
        "teach the model this sentence: 'The service was fast' is positive",
        'train the "best" movie ever',  # quotes inside a sentence: all of it is the example
    ]
    for line in lines:
        reply = await console.send(line)
        assert reply["ok"], (line, reply)
    await console.wait()  # the four examples started a training
    await console.send("language ru")
    reply = await console.send('train "скучный и длинный фильм" — негатив')
    assert reply["ok"], reply["text"]
    await console.wait()
    assert dict(app.store.examples(app.store.active_dataset("console"))) == {
        "a warm and funny film": "positive",
        "the acting was wooden": "negative",
        "The service was fast": "positive",
        'the "best" movie ever': "positive",
        "скучный и длинный фильм": "negative",
    }


async def test_words_after_a_quoted_example_that_are_no_label_are_refused_and_change_nothing(
    app: Assistant,
) -> None:
    console = TypedConsole(app)
    assert (await console.send("create_dataset quoted"))["ok"]
    dataset = app.store.active_dataset("console")
    reply = await console.send('train "dull" is boring')
    assert not reply["ok"] and "`is boring` after it is no option" in reply["text"], reply
    assert app.store.examples(dataset) == []
