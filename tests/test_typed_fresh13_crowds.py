"""Typed lines of another crowd: English written by people whose first language is another
(greetings in their own language, "where I can find", "can you to stop"), teachers and support
staff whose request sits inside a long line, emoji typed for words ("🛑", "❌ negative"),
feedback asked to be passed on to the makers, a plan of the writer's own after the request
("... and I will start again later"), and Russian with Ukrainian words or spelt in Latin
letters ("obuchi model"). Lines of our own in the families bench/phrasings_fresh13.json's
tuning half showed."""

from __future__ import annotations

from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import misread_crowds, read, with_names
from transports.console import GUILD

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    # a greeting in the writer's own language
    ("ohayo trainer", "hi", {}),
    ("Cześć! hello bot", "hi", {}),
    ("buenos dias... I mean good morning", "hi", {}),
    # a request inside a long line, with polite frames around it
    (
        "we are all in the voice channel, so if you could come and join us that would be great",
        "join",
        {},
    ),
    ("go and test the model on the tweets please", "test", {"dataset": "kaggle_tweets"}),
    (
        "the data is ready, so start the training on movie reviews and let me know when it's done",
        "train",
        {"data_dir": "movie_reviews"},
    ),
    ("could you explain how to use you, step by step?", "instruction", {}),
    ("where I can find the user's manual?", "instruction", {}),
    # a sentence to learn after a colon
    (
        "put this into the training data: the delivery came a week late",
        "train",
        {"data": '"the delivery came a week late"'},
    ),
    (
        "teach the model this sentence: what a wonderful day",
        "train",
        {"data": '"what a wonderful day"'},
    ),
    # emoji for words
    ("🛑🛑", "cancel", {}),
    ("✋ stop the training", "cancel", {}),
    ("⌛", "status", {}),
    ("📚?", "instruction", {}),
    ("✖ positive", "correct", {"text": "positive"}),
    ("📦 movie reviews", "archive", {"dir": "movie_reviews"}),
    ("📄 report.txt please", "getfile", {"path": "report.txt"}),
    # questions learners ask
    ("can you to cancel the training?", "cancel", {}),
    ("are you free now or busy?", "status", {}),
    ("is the training still running or finished?", "status", {}),
    ("at which epoch is the training now?", "status", {}),
    ("which folders do you have?", "select_dataset", {}),
    ("look at the list of commands", "help", {}),
    ("I need the report file asap", "getfile", {"path": "report.txt"}),
    # the writer's own plan after the request
    ("stop the training, I will fix the labels and start it again tomorrow", "cancel", {}),
    ("archive movie reviews and I'll download it later", "archive", {"dir": "movie_reviews"}),
    # feedback passed on to the makers
    (
        "the progress bar is confusing, please forward this to your developers",
        "feedback",
        {"text": "the progress bar is confusing"},
    ),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("тренер, вийди з войсу", "leave", {}),
    ("як там з навчанням?", "status", {}),
    ("навчи модель, будь ласка", "train", {}),
    ("otmeni trenirovku", "cancel", {}),
    ("🛑", "cancel", {}),
    ("❌ позитивный", "correct", {"text": "positive"}),
]  # fmt: skip

CHAT = {
    "en": [
        "hey sorry to bother everyone, who took my mug?",
        "❌ no pizza today",
        "🛑 traffic is terrible on the bridge",
        "my boss is angry about the numbers",
        "I'll archive my emails later",
        "konnichiwa everyone, how was the weekend?",
    ],
    "ru": [
        "що ти робиш сьогодні ввечері?",
        "🛑 пробка на мосту",
    ],
}


async def test_lines_of_new_crowds_are_read_as_their_commands_and_chat_stays_chat(
    app: Assistant,
) -> None:
    with_names(app)
    found = misread_crowds(app, {"en": ENGLISH, "ru": RUSSIAN}, CHAT)
    assert found == {"en": ([], []), "ru": ([], [])}, found


async def test_a_request_taken_back_in_a_later_sentence_runs_nothing(app: Assistant) -> None:
    """ "could you back up the kaggle tweets corpus? Never mind." was read as `archive` once
    the learnt guesser read the whole line as its near sentence; a correction or feedback
    whose later sentence begins with "no" keeps it."""
    with_names(app)
    assert read(app, "could you back up the kaggle tweets corpus? Never mind.") is None
    assert read(app, "please test the model on the tweets. no wait.") is None
    assert read(app, "That's wrong. No, it's negative.") == ("correct", {"text": "negative"})


async def test_feedback_passed_on_is_saved_as_the_user_wrote_it(app: Assistant) -> None:
    console = TypedConsole(app)
    reply = await console.send(
        "many clients say the answers are slow, please pass this to the people who made you"
    )
    assert reply["ok"] and reply["command"] == "feedback", reply
    saved = app.store.feedback(GUILD)
    assert [f.text for f in saved] == ["many clients say the answers are slow"], saved


async def test_an_emoji_stop_cancels_the_running_job(app: Assistant) -> None:
    """ "🛑" alone was answered with nothing the bot knows."""
    console = TypedConsole(app)
    reply = await console.send("🛑")
    assert reply["command"] == "cancel", reply
    assert reply["text"] == "No training job is running.", reply
