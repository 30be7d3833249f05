"""A prediction corrected with its label written as `train` and `relabel` take one: `correct #7 1
label:negative` stored the label `label:negative` (announced as a new label of the dataset, so
the next training run learnt a third class), `correct label:negative` said my last prediction
knew no label `label` and offered to add that one, and `correct #7 1 "negative"` was refused
as the label `"negative"`."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.test_console_commands import refused_and_unchanged
from tests.test_console_data_fixes import trained


def stored(app: Assistant) -> list[tuple[str, str]]:
    return sorted((c.original, c.correction) for c in app.store.corrections("console"))


async def test_a_label_written_as_an_option_is_that_label(app: Assistant, reviews: Path) -> None:
    console, _ = await trained(app)
    tested = await console.send('test ["great film", "awful film"]')
    fixed = await console.send(f"correct #{tested['id']} 1 label:negative")
    assert fixed["ok"] and "is a new label" not in fixed["text"], fixed["text"]
    assert stored(app) == [("great film", "negative")]
    quoted = await console.send(f'correct #{tested["id"]} 2 "positive"')
    assert quoted["ok"], quoted["text"]
    assert stored(app) == [("awful film", "positive"), ("great film", "negative")]
    # the label forgotten after `label:` is refused as `train "x" label:` is, nothing stored
    text = await refused_and_unchanged(app, console, f"correct #{tested['id']} 1 label:")
    assert text.startswith("`label` has no value after `label:`."), text

    # my last prediction, named by nothing but the label
    single = await console.send('test ["meh"]')
    assert single["ok"]
    text = await refused_and_unchanged(app, console, "correct label:")
    assert text.startswith("`label` has no value after `label:`."), text
    last = await console.send("correct label:negative, it was dull")
    assert last["ok"], last["text"]
    assert ("meh", "negative") in stored(app)

    # in a Russian server, by the option's Russian name too
    assert (await console.send("language ru"))["ok"]
    russian = await console.send(f"correct #{tested['id']} 2 метка=negative")
    assert russian["ok"] and "новая метка" not in russian["text"], russian["text"]
    assert ("awful film", "negative") in stored(app)
    assert all(":" not in label and "=" not in label for _, label in stored(app)), stored(app)


async def test_a_note_in_words_keeps_its_words(app: Assistant, reviews: Path) -> None:
    """Only a prediction's label is read as an option: a correction of another reply is kept
    as written, `label:` and all."""
    console, _ = await trained(app)
    hello = await console.send("hi")
    saved = await console.send(f"correct #{hello['id']} the label: said hello twice")
    assert saved["ok"], saved["text"]
    assert [c.correction for c in app.store.corrections("console")] == [
        "the label: said hello twice"
    ]
