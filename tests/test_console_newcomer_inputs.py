"""A newcomer's hostile inputs at the console: Discord mentions where an example or feedback
goes, lines with no words as examples, Russian refusals naming options, phrasings with a word
too many, example numbers after `undo`, and a label with a stop after it."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from tests.test_console_newcomer import trained_reviews
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


async def test_a_russian_refusal_names_options_as_russian_does(
    app: Assistant, reviews: Path
) -> None:
    """On a Russian server, "`page` должно быть целым числом не меньше 1" and "Не хватает
    `label`. Использование: `relabel <example> <label>`": Russian words around English option
    names, though the server types them in Russian too (`страница:2`, `метка:bug`). Refusals,
    their usages and `help` name options as Russian does; the options so named work."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_in_russian(app, console, "examples 0")
    assert text == "Значение `страница` должно быть целым числом не меньше 1, а не `0`.", text
    for line, expected in (
        ("cancel x", "Значение `задача` должно быть целым числом, а не `x`."),
        ("relabel #1", "Не хватает параметра `метка`. Использование: `relabel <пример> <метка>`"),
        ("export формат:xml", "Значение `формат` должно быть одним из: csv, jsonl, а не `xml`."),
        ("status 1 2", "Слишком много аргументов. Использование: `status [задача]`"),
    ):
        assert await refused_and_unchanged(app, console, line) == expected, line
    helped = await console.send("help examples")
    assert helped["text"].startswith("`!examples [страница]` · `!примеры`:"), helped
    assert "\n- `страница`: Страница из 20 примеров" in helped["text"], helped
    assert (await console.send("train «скучно» метка:плохо"))["ok"]
    assert (await console.send("examples страница:1"))["ok"]
    relabelled = await console.send("relabel пример:1 метка:хорошо")
    assert relabelled["ok"], relabelled
    # the names as a sentence inflects them ("состояние задачи 1" was too many arguments)
    assert (await console.send("примеры страницу 1"))["ok"]


async def test_undo_that_status_of_job_1_and_export_to_xml(app: Assistant, reviews: Path) -> None:
    """ "undo that", "status of job 1" and "export to xml" were refused as too many arguments
    or answered "Did you mean `export`?". The first undoes, the second gives job 1's status,
    the third says which formats there are; in Russian too."""
    console = TypedConsole(app)
    await trained_reviews(app, console)
    for line in ("status of job 1", "status for job #1"):
        status = await console.send(line)
        assert status["text"].startswith("job #1 on **reviews** (sklearn): succeeded"), (
            line,
            status,
        )
    assert (await console.send("create_dataset notes"))["ok"]
    for line in ("undo that", "undo the last one", "revert what I just added"):
        assert (await console.send('train "a fine day"'))["ok"]
        undone = await console.send(line)
        assert undone["text"].startswith("Removed the last addition to **notes**: 1 example"), (
            undone
        )
    assert (await console.send('train "a fine day"'))["ok"]
    for line in ("export to xml", "export as pdf"):
        text = await refused_and_unchanged(app, console, line)
        assert text == f"`format` must be one of csv, jsonl, not `{line.split()[-1]}`.", text
    text = await refused_in_russian(app, console, "экспорт в xml")
    assert text == "Значение `формат` должно быть одним из: csv, jsonl, а не `xml`.", text
    undone = await console.send("откати это")
    assert undone["text"].startswith("Последнее добавление в **notes** убрано, примеров: 1"), undone
    status = await console.send("состояние задачи 1")  # the option's name as inflected
    assert status["text"].startswith("задача #1 на **reviews**"), status


async def test_an_undone_examples_number_is_not_given_again(app: Assistant, reviews: Path) -> None:
    """After `undo` took back example #2, the next example added was #2 again: `remove #2`,
    typed from the undo's reply or an earlier listing, deleted the new example instead. A
    number once given is never given again."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    for text in ("first example", "second example"):
        assert (await console.send(f'train "{text}"'))["ok"]
    undone = await console.send("undo")
    assert "#2 **positive**: second example" in undone["text"], undone
    assert (await console.send('train "third example"'))["ok"]
    listed = await console.send("examples")
    assert "#1 **positive**: first example\n#3 **positive**: third example\n" in listed["text"]
    text = await refused_and_unchanged(app, console, "remove #2")
    assert text == "**notes** has no added example #2; `examples` lists them.", text


async def test_a_label_that_ends_a_sentence_keeps_no_stop(app: Assistant, reviews: Path) -> None:
    """`correct negative.` was refused ("There is no label `negative.`; did you mean
    `negative`?"), and `relabel #1 negative.` or `label:billing.` stored a new label with the
    stop in it. The marks that end a sentence are no part of a typed label."""
    console = TypedConsole(app)
    await trained_reviews(app, console)
    tested = await console.send('test ["a fine film"]')
    noted = "Thanks! Noted for dataset **reviews**: “a fine film” is **negative**."
    for line in ("correct negative.", f"correct #{tested['id']} 1 negative?!"):
        reply = await console.send(line)
        assert reply["text"].startswith(noted), (line, reply)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "an ok film"'))["ok"]
    relabelled = await console.send("relabel #1 negative.")
    assert relabelled["text"] == "Example #1 is now **negative** (was positive). `train` retrains."
    added = await console.send('train "charged twice" label:billing.')
    assert added["text"].startswith("This adds the label `billing` from your text"), added
    # an abbreviation's stop is its own: `n.a.` is no sentence ended after `n.a`
    assert (await console.send('train "no idea" label:n.a.'))["ok"]
    listed = await console.send("examples")
    assert "**negative**: an ok film\n" in listed["text"], listed
    assert "**billing**: charged twice\n" in listed["text"], listed
    assert "**n.a.**: no idea\n" in listed["text"], listed
