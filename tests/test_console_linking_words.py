"""A linking word before an option's value, as people write it: `export to jsonl` answered "Did
you mean `export`? Type `export` alone to run it" (which sends CSV: the format was lost), and
`relabel #1 as negative` was refused as too many arguments."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def test_a_value_after_as_or_to_is_the_value(app: Assistant, reviews: Path) -> None:
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "a fine day"'))["ok"]
    for line, file in (("export to jsonl", "notes.jsonl"), ("export as csv", "notes.csv")):
        reply = await console.send(line)
        assert reply["ok"] and reply["data"]["file"] == file, (line, reply["text"])
    dataset = app.store.active_dataset("console")
    assert dataset is not None
    for line, label in (("relabel #1 as negative", "negative"), ("relabel 1 to bug", "bug")):
        assert (await console.send(line))["ok"], line
        assert [e.label for e in app.store.stored_examples(dataset)] == [label], line
    # a label that is such a word is still that label, and an unknown format still refused
    assert (await console.send("relabel 1 to"))["ok"]
    assert [e.label for e in app.store.stored_examples(dataset)] == ["to"]
    await refused_and_unchanged(app, console, "export to xml")
    assert (await console.send("language ru"))["ok"]
    russian = await console.send("экспорт в jsonl")
    assert russian["ok"] and russian["data"]["file"] == "notes.jsonl", russian["text"]
