"""A number written after the name of what it numbers, as people write it: `examples page 2`,
`cancel job 1`, `remove example 1` and `relabel example 1 negative` were each refused as "Too
many arguments", though `page:2` and `examples 2` were read."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def test_a_number_after_its_name_is_that_option(app: Assistant, reviews: Path) -> None:
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    lines = "\n".join(f"note number {n}" for n in range(25))
    assert (await console.send(f"train {lines}"))["ok"]
    second = await console.send("examples page 2")
    assert second["ok"] and second["data"]["page"] == 2, second["text"]
    relabelled = await console.send("relabel example 1 negative")
    assert relabelled["ok"], relabelled["text"]
    dataset = app.store.active_dataset("console")
    assert dataset is not None
    labels = {e.id: e.label for e in app.store.stored_examples(dataset)}
    assert labels[1] == "negative" and labels[2] == "positive", labels
    assert (await console.send("remove example #2"))["ok"]
    assert 2 not in {e.id for e in app.store.stored_examples(dataset)}
    status = await console.send("status job 99")
    assert not status["ok"] and status["text"] == "There is no job 99.", status["text"]
    # a name alone is the value it always was; the name of another option is no help
    text = await refused_and_unchanged(app, console, "remove example")
    assert text.startswith("`example` is not an example number"), text
    text = await refused_and_unchanged(app, console, "examples job 2")
    assert text == "Too many arguments. Usage: `examples [page]`", text
    assert (await console.send("language ru"))["ok"]
    russian = await console.send("examples страница 2")
    assert russian["ok"] and russian["data"]["page"] == 2, russian["text"]
