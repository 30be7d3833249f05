"""A newcomer's hostile inputs at the console: Discord mentions where an example or feedback
goes, lines with no words as examples, Russian refusals naming options, phrasings with a word
too many, example numbers after `undo`, and a label with a stop after it."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from transports.console import GUILD

MENTIONS = ("@everyone", "@here", "<@123>", "<@!123>", "<@&789>", "<#456>", "<@123>, <#456>")


async def test_a_mention_alone_is_no_example_and_no_feedback(app: Assistant, reviews: Path) -> None:
    """`train @everyone`, `train <@123>`, `train <@&789>` retrained as if nothing followed (a
    new model became the current one), `train <#456>` stored the channel's mention as an
    example, and `feedback <@123>` was kept as feedback. Each is refused with what would
    work, nothing stored; a mention inside words is kept."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    hint = (
        "nothing was added. An example is the text to learn, as in"
        ' `train "what a lovely film"`; `train` alone retrains the model.'
    )
    for mention in MENTIONS:
        text = await refused_and_unchanged(app, console, f"train {mention}")
        assert text == f"A mention is no example (`{mention}`): {hint}", text
        text = await refused_and_unchanged(app, console, f"feedback {mention}")
        assert text == (
            "What is your feedback? Write it after the command:"
            " `feedback the replies are too long`."
        ), text
    text = await refused_in_russian(app, console, "train <@123>")
    assert text.startswith("Упоминание — не пример (`<@123>`): ничего не добавлено."), text
    assert (await console.send("language en"))["ok"]
    saved = await console.send("feedback <@123> the bot is great")
    assert saved["text"] == "Thank you for the feedback (#1)!", saved
    assert [f.text for f in app.store.feedback(GUILD, limit=10)] == ["<@123> the bot is great"]
    added = await console.send("train <@123> loved this film")
    assert added["text"].startswith("Added 1 example (positive 1)."), added
    await console.wait()


async def test_a_line_with_no_letters_is_no_example(app: Assistant, reviews: Path) -> None:
    """`train ---`, `train -5` and `train 123` each stored the characters as an example and
    retrained. A line with no letters is refused, showing a line that adds an example."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    hint = (
        "nothing was added. An example is the text to learn, as in"
        ' `train "what a lovely film"`; `train` alone retrains the model.'
    )
    for line, shown in (
        ("train ---", "---"),
        ("train -5", "-5"),
        ("train 123", "123"),
        ('train "10/10" false', "10/10"),
        ("train 42 label:billing", "42"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == f"`{shown}` holds no letters, so it is no example: {hint}", text
    text = await refused_in_russian(app, console, "train 123")
    assert text.startswith("В `123` нет ни одной буквы, это не пример: ничего не добавлено."), text
    assert (await console.send("language en"))["ok"]
    added = await console.send('train "rated 10/10, a must see"')
    assert added["text"].startswith("Added 1 example (positive 1)."), added
    await console.wait()
