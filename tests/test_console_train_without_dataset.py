"""`train` with no active dataset: alone it said "Training needs at least 4 examples; the dataset
has 0", of a dataset there was not; with a text it started a dataset named `default` and made it
active without saying so (its name appeared first in `status`)."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged

NO_ACTIVE = (
    'There is no active dataset yet: `select_dataset NAME` picks one, `train "some text"`'
    " starts one."
)
STARTED = (
    "There was no active dataset, so I started **default** and made it active"
    " (`create_dataset NAME` starts one with a name of your choice)."
)


async def test_train_without_a_dataset_says_which_one_it_starts(app: Assistant) -> None:
    console = TypedConsole(app)
    assert await refused_and_unchanged(app, console, "train") == NO_ACTIVE
    first = await console.send('train "what a lovely film"')
    assert first["ok"] and first["text"].endswith("\n" + STARTED), first["text"]
    assert first["data"]["dataset"] == "default"
    active = app.store.active_dataset("console")
    assert active is not None and active.name == "default"
    again = await console.send('train "dull and slow" false')
    assert again["ok"] and "There was no active dataset" not in again["text"], again["text"]
    assert len(app.store.examples(active)) == 2


async def test_in_russian_too(app: Assistant) -> None:
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "train")
    assert text.startswith("Активного набора данных пока нет"), text
    first = await console.send('train "отличный фильм"')
    assert first["ok"] and (
        "\nАктивного набора не было, поэтому я начал набор **default**" in first["text"]
    ), first["text"]
