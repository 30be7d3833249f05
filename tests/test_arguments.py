"""One argument syntax: typed, console, Discord prefix and spoken requests read the same way,
and every form the README shows works exactly as written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.commands.arguments import finish, parse
from assistant.config import Config
from assistant.errors import BadInput
from tests.test_walkthrough import readme_block
from tests.walkthrough_files import write_walkthrough_files
from transports.console import ConsoleTransport


@pytest.fixture
def no_training(make_config: Callable[..., Config]) -> Config:
    """Examples are stored but no job starts, so every form can run one after another."""
    return make_config(trainer={"sklearn": {"min_examples": 1_000_000}})


@pytest.fixture
async def quiet_app(no_training: Config, tmp_path: Path) -> Any:
    write_walkthrough_files(tmp_path)
    app = Assistant(no_training)
    await app.start()
    yield app
    await app.close()


def test_the_three_ways_to_say_false_and_quotes_are_text(app: Assistant) -> None:
    train = app.commands.get("train")
    assert train is not None
    forms = [
        '"dull and slow" false',
        '"dull and slow" positive:false',
        '"dull and slow" positive=false',
        'positive=false "dull and slow"',
    ]
    parsed = [parse(train, form) for form in forms]
    assert all(p == parsed[0] for p in parsed), parsed
    assert parsed[0]["positive"] is False and parsed[0]["data"] == '"dull and slow"'
    # a spoken or slash request arrives as options and goes through the same checks
    assert finish(train, {"data": '"dull and slow"', "positive": "false"}) == parsed[0]
    # unquoted words are text, whatever they contain; the last bare `true` is the label
    assert parse(train, "this movie was 10/10 true")["data"] == "this movie was 10/10"
    # after a quoted text, a bare `positive` or `negative` is the label, as the README's
    # Intents paragraph writes it (it was kept as the text `"a lovely film" positive`)
    said = parse(train, '"a lovely film" positive')
    assert said["data"] == '"a lovely film"' and said["positive"] is True, said
    said = parse(train, '"dull and slow" Negative')
    assert said["data"] == '"dull and slow"' and said["positive"] is False, said
    # unquoted, the word is part of the text
    assert parse(train, "the ending felt negative")["data"] == "the ending felt negative"
    assert parse(train, "it's great")["data"] == "it's great"
    with pytest.raises(BadInput, match="never closed"):
        parse(train, '"unbalanced false')
    assert parse(app.commands.get("correct"), "#87 2 negative") == {  # type: ignore[arg-type]
        "message_id": "#87",
        "text": "2 negative",
    }


async def test_every_form_the_readme_shows_adds_what_it_says(
    quiet_app: Assistant, tmp_path: Path
) -> None:
    console = ConsoleTransport(quiet_app, json_mode=True)
    await quiet_app.handle(console.request_for("create_dataset forms"))
    replies = {}
    for line in readme_block("argument-forms"):
        reply = await quiet_app.handle(console.request_for(line))
        # adding nothing new, `train` only retrains, which this config never does
        nothing_new = "Training needs at least 1000000" in reply.text
        assert reply.ok or nothing_new, (line, reply.text)
        replies[line] = reply
    dataset = quiet_app.store.active_dataset("console")
    assert dataset is not None and dataset.name == "forms"
    stored = dict(quiet_app.store.examples(dataset))
    assert stored["what a lovely film"] == "positive"
    negatives = ("dull and slow", "the plot made no sense", "I want my money back")
    for negative in (*negatives, "a waste of two hours", "a waste of time"):
        assert stored[negative] == "negative"
    assert stored["a fine cast"] == "positive"
    assert stored["rated 10/10, a must see"] == "positive"
    assert stored["this movie was 10/10"] == "positive"
    assert stored["I was charged twice this month"] == "billing"
    assert stored["the app crashes when I log in"] == "bug"
    assert stored["the refund never came"] == "billing"  # typed JSON
    assert replies["train file:tickets.csv"].data["added"] == 12
    folder = replies["train folder:reviews"]
    assert "`reviews` is a folder" not in folder.text and folder.data["added"] > 40
    bare = replies["train reviews"]
    assert "`reviews` is a folder in the data folder, so I read the folder" in bare.text
    assert '`"reviews"`' in bare.text  # how to add the word as text instead
    assert not bare.ok and "Training needs" in bare.text  # the folder again: nothing new


async def test_quoted_names_are_text_and_prefixes_are_paths(quiet_app: Assistant) -> None:
    console = ConsoleTransport(quiet_app, json_mode=True)
    quoted = await quiet_app.handle(console.request_for('train "reviews"'))
    assert quoted.ok and quoted.data["added"] == 1
    missing = await quiet_app.handle(console.request_for("train file:nothing.csv"))
    assert not missing.ok and "no `nothing.csv`" in missing.text
    escape = await quiet_app.handle(console.request_for("train folder:../.."))
    assert not escape.ok and "outside the data folder" in escape.text
    mine = Path(quiet_app.config.data_root).parent / "mine.txt"
    mine.write_text("one\ntwo\n")
    kept = console.request_for(f'train "reviews" +attach {mine}')
    assert kept.text == '"reviews"' and kept.attachments[0].filename == "mine.txt"


async def test_russian_quotes_are_quotes(quiet_app: Assistant) -> None:
    """`train «отличный фильм» positive` stored the example «отличный фильм» positive, with
    the quotes and the label word in its text, where "..." stored `отличный фильм`."""
    console = ConsoleTransport(quiet_app, json_mode=True)
    for line in ("train «отличный фильм» positive", "train «скучно и долго» negative"):
        await quiet_app.handle(console.request_for(line))
    dataset = quiet_app.store.active_dataset("console")
    assert dataset is not None
    stored = dict(quiet_app.store.examples(dataset))
    assert stored == {"отличный фильм": "positive", "скучно и долго": "negative"}, stored


async def test_spoken_slots_use_the_same_rules(quiet_app: Assistant) -> None:
    """A spoken "train the model on the reviews dataset as negative" fills the same options,
    through the same intent templates as speech."""
    console = ConsoleTransport(quiet_app, json_mode=True)
    request = quiet_app.reading.understand(
        "train the model on the reviews dataset as negative",
        user=console.user,
        guild_id="console",
        channel_id="console",
    )
    assert request is not None and request.options == {"data_dir": "reviews", "positive": False}
    reply = await quiet_app.handle(request)
    assert reply.ok, reply.text
    dataset = quiet_app.store.active_dataset("console")
    assert dataset is not None
    assert {label for _, label in quiet_app.store.examples(dataset)} == {"negative"}


def test_polite_words_are_dropped_from_commands_but_kept_in_what_people_write(
    app: Assistant,
) -> None:
    def command(name: str) -> Any:
        found = app.commands.get(name)
        assert found is not None
        return found

    assert parse(command("select_dataset"), "reviews please")["dir"] == "reviews"
    assert parse(command("feedback"), "thanks")["text"] == "thanks"
    assert parse(command("train"), "loved it, thanks")["data"] == "loved it, thanks"
    assert parse(command("train"), "please")["data"] is None


def test_every_whole_number_option_is_bounded_however_it_arrives(app: Assistant) -> None:
    """Typed, slash and spoken numbers go through one conversion: from 1 to the largest integer
    the database holds (a larger one failed inside the query), the refusal quoting it short."""
    cancel, examples = app.commands.get("cancel"), app.commands.get("examples")
    assert cancel is not None and examples is not None
    assert parse(cancel, "#9223372036854775807")["job"] == 2**63 - 1
    assert finish(examples, {"page": 3})["page"] == 3  # a slash option arrives as an int
    for raw in (2**63, "99999999999999999999999"):
        with pytest.raises(BadInput, match=r"from 1 to 9,223,372,036,854,775,807"):
            finish(cancel, {"job": raw})
    for raw in (0, "-1"):
        with pytest.raises(BadInput, match=r"of 1 or more, not `"):
            finish(cancel, {"job": raw})
    with pytest.raises(BadInput, match=r"from 1 to .*, not `9{29}…`") as refused:
        parse(examples, "9" * 5_000)  # more digits than Python reads
    assert len(str(refused.value)) < 120
    with pytest.raises(BadInput, match=r"must be a whole number, not `x{29}…`"):
        parse(examples, "x" * 5_000)
