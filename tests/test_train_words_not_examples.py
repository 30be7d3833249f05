"""Words after `train` that are no example: a reason after a dash, a colon or a comma after
the command's name ("train — the old model is stale", "retrain, accuracy was trash"), and
words that only point at the model ("retrain it", "retrain again", "retrain it, accuracy was
trash"). Each was stored as a positive example; found by running the phrasing corpora's
lines through the console. A quoted text after the mark is still the example, without the
mark (`train — "a quoted one"` had stored the dash too)."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import with_names
from transports.console import GUILD


async def test_reasons_and_the_model_are_no_examples(app: Assistant) -> None:
    with_names(app)
    console = TypedConsole(app)
    assert (await console.send("select_dataset movie_reviews"))["ok"]
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    for line in (
        "train — the old model is stale",
        "train: accuracy was trash",
        "retrain, accuracy was trash",
        "retrain it",
        "retrain again",
        "retrain it, accuracy was trash",
        "train the model now",
    ):
        reply = await console.send(line)
        assert reply["command"] in ("train", "retrain") and "Added" not in reply["text"], line
        assert app.store.examples(dataset) == [], line
    app.store.set_guild_language(GUILD, "ru")
    for line in ("обучить её", "обучить заново, точность упала"):
        reply = await console.send(line)
        assert "Добавлен" not in reply["text"], (line, reply)
    assert app.store.examples(dataset) == []
    app.store.set_guild_language(GUILD, "en")
    # an example is still an example: quoted after the mark, or words of its own
    assert (await console.send('train — "a quoted one"'))["ok"]
    assert (await console.send("train it was a great movie"))["ok"]
    assert sorted(app.store.examples(dataset)) == [
        ("a quoted one", "positive"),
        ("it was a great movie", "positive"),
    ]


async def test_a_comma_after_other_command_names_goes_on_talking(app: Assistant) -> None:
    """The comma read as a reason mark after `train`'s name only: read so after any name,
    "Hi, my friend set this up and I am lost, can you explain ...?" greeted; and the
    hint for a name with its comma named the command with it (`hello,`)."""
    console = TypedConsole(app)
    line = "Hi, my friend set this up and I am lost, can you explain how I should use this bot?"
    reply = await console.send(line)
    assert not reply["text"].startswith("HI!"), reply  # no greeting
    assert "`hello,`" not in reply["text"], reply
