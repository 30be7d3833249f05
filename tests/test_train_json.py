"""JSON typed after `train`: read as examples, as a `.jsonl`'s lines are; written wrong, refused
showing where, with nothing stored. Before, `train {"text": "dull", "label": "negative"}`
stored the braces and all as a positive example, and a JSON mistake did the same."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import with_names
from transports.console import GUILD


def _stored(app: Assistant) -> list[tuple[str, str]]:
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    return app.store.examples(dataset)


async def test_typed_json_adds_its_examples_with_their_labels(app: Assistant) -> None:
    with_names(app)
    console = TypedConsole(app)
    assert (await console.send("!select_dataset movie_reviews"))["ok"]
    reply = await console.send('!train {"text": "dull and slow", "label": "negative"}')
    assert reply["ok"] and "the `label` fields of your JSON" in reply["text"], reply
    # the README's form, as written
    reply = await console.send('train ["great plot", {"text": "dull", "label": "negative"}]')
    assert reply["ok"], reply
    assert sorted(_stored(app)) == [
        ("dull", "negative"),
        ("dull and slow", "negative"),
        ("great plot", "positive"),
    ]
    # a text that only opens with a bracket is a text
    assert (await console.send("!train [spoiler] a great film"))["ok"]
    assert ("[spoiler] a great film", "positive") in _stored(app)


async def test_json_written_wrong_is_refused_showing_where_and_stores_nothing(
    app: Assistant,
) -> None:
    with_names(app)
    console = TypedConsole(app)
    assert (await console.send("!select_dataset movie_reviews"))["ok"]
    for line, reason in (
        ('!train {"text": "a", "label": ', "Expecting value"),
        ("!train {text: c}", "Expecting property name enclosed in double quotes"),
        ('!train [{"text": "d"', "Expecting ',' delimiter"),
        ('!train {"label": "negative"}', "Item 1 must be a non-empty string"),
    ):
        reply = await console.send(line)
        assert not reply["ok"] and reason in reply["text"], (line, reply)
        if reason.startswith("Expecting"):
            assert "That is not valid JSON" in reply["text"], reply
            # the form shown is the one to type, and it works as written
            assert (
                'Example: `train {"text": "dull and slow", "label": "negative"}`' in (reply["text"])
            ), reply
        assert "Traceback" not in reply["text"]
    assert _stored(app) == []
    reply = await console.send('!train {"text": "dull and slow", "label": "negative"}')
    assert reply["ok"] and _stored(app) == [("dull and slow", "negative")], reply
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send('!обучить {"text": "скучно", "label":')
    assert not reply["ok"] and "не корректный JSON" in reply["text"], reply
    assert 'Пример: `train {"text": "скучно и долго", "label": "negative"}`' in reply["text"]
    reply = await console.send('!train {"text": "скучно и долго", "label": "negative"}')
    assert reply["ok"], reply
