"""Examples and labels typed at the console by a hostile tester: options without a value,
repeats, files with no examples, a mistyped label; what the user sees, and that a refused line
changes nothing in the database or the data root."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian


async def test_an_option_named_without_a_value_is_refused(app: Assistant) -> None:
    """`label:` with the label forgotten added the text as `positive`."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    for line, option in (
        ('train "I was charged twice" label:', "label"),
        ('train "I was charged twice" label=', "label"),
        ('train "dull and slow" positive=', "positive"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith(f"`{option}` has no value after `{option}"), text
    assert app.store.count_examples(app.store.active_dataset("console")) == 0


async def test_a_repeated_example_that_cannot_train_yet_says_it_was_a_repeat(
    app: Assistant,
) -> None:
    """With too few examples to train, `train` of an example the dataset has said only that
    training needs more, as if the example had been lost."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "same words" label:a'))["ok"]
    text = await refused_and_unchanged(app, console, 'train "same words" label:a')
    assert text == (
        "1 repeat of an example already in the dataset was skipped.\n"
        "Training needs at least 4 examples; the dataset has 1. Add more with"
        ' `train "what a lovely film"` and `train "dull and slow" false`.'
    ), text


async def test_a_repeat_inside_one_file_is_not_called_a_repeat_of_the_dataset(
    app: Assistant,
) -> None:
    """A CSV holding one row twice, added to an empty dataset, said "1 repeat of an example
    already in the dataset was skipped"; the dataset had none."""
    (app.root.root / "dups.csv").write_text(
        "text,label\nsame,a\nsame,a\nother,b\n", encoding="utf-8"
    )
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "other" label:b'))["ok"]
    added = await console.send("train file:dups.csv")
    assert added["text"].endswith(
        "Added 1 example (a 1). 1 repeat within this request was skipped. 1 repeat of an"
        " example already in the dataset was skipped. Not training yet. Training needs at"
        ' least 4 examples; the dataset has 2. Add more with `train "what a lovely film"` and'
        ' `train "dull and slow" false`.'
    ), added
    text = await refused_in_russian(app, console, "train file:dups.csv")
    assert text.startswith(
        "Пропущено повторов внутри запроса: 1.\nПропущено повторов примеров, которые уже есть"
        " в наборе: 2."
    ), text


async def test_a_text_given_two_labels_is_kept_and_told(app: Assistant) -> None:
    """A CSV holding one text twice with two labels was stored without a word: noisy data,
    which a model learns little from. Both rows are still kept, and the reply says how many
    texts have more than one label, quoting one (its markup inert) with its labels; a text
    labelled one way here and another in the dataset counts too."""
    (app.root.root / "noisy.csv").write_text(
        "text,label\n"
        '"||spoiler|| `x`",pos\nfine,pos\n"||spoiler|| `x`",neg\nawful,neg\nsame,pos\nsame,neg\n',
        encoding="utf-8",
    )
    (app.root.root / "more.csv").write_text("text,label\nfine,neg\nok,pos\n", encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    added = await console.send("train file:noisy.csv")
    assert added["ok"], added
    assert added["text"].split("\n")[2] == (
        "2 texts are given more than one label, e.g. “|\u200b|spoiler|\u200b| \\`x\\`” (neg,"
        " pos); all were kept."
    ), added["text"]
    assert "Added 6 examples (neg 3, pos 3)." in added["text"]
    await console.wait()
    assert (await console.send("language ru"))["ok"]
    added = await console.send("train file:more.csv")
    assert added["ok"], added
    assert added["text"].startswith(
        "У 1 текста несколько меток: «fine» (neg, pos); сохранены все.\n"
    )
    await console.wait()
    assert len(app.store.examples(app.store.active_dataset("console"))) == 8


async def test_a_file_or_folder_with_no_examples_says_so(app: Assistant) -> None:
    """`train file:empty.txt` (or a `.csv` with only its header, or an empty folder) answered
    only that training needs more examples, as if the file had been read into the dataset; an
    attachment with none already said it holds none."""
    root = app.root.root
    (root / "empty.txt").write_text("", encoding="utf-8")
    (root / "header.csv").write_text("text,label\n", encoding="utf-8")
    (root / "nothing").mkdir()
    (root / "nothing" / "blank.txt").write_text("  \n", encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert await refused_and_unchanged(app, console, "train file:empty.txt") == (
        "`empty.txt` is empty (0 bytes)."
    )
    text = await refused_and_unchanged(app, console, "train header.csv")
    assert "`header.csv` holds no examples: no line of text in it" in text, text
    for line in ("train folder:nothing", "train nothing false", "train data_dir:nothing"):
        text = await refused_and_unchanged(app, console, line)
        assert "`nothing` holds no examples: no `.txt`, `.csv`, `.tsv` or `.jsonl` file" in text
    text = await refused_in_russian(app, console, "train folder:nothing")
    assert "В `nothing` нет примеров" in text, text


async def test_status_counts_one_added_example_in_the_singular(app: Assistant) -> None:
    """`status` said "· 1 added examples" (the other replies that count them say "example")."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "the only example so far"'))["ok"]
    status = await console.send("status")
    assert "· 1 added example\n" in status["text"], status["text"]
    assert (await console.send('train "a second one" false'))["ok"]
    assert "· 2 added examples\n" in (await console.send("status"))["text"]


async def test_a_typo_of_a_label_is_refused_with_the_label_meant(
    app: Assistant, reviews: Path
) -> None:
    """`correct ID negativ` stored a new label `negativ` for the next training run."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    tested = await console.send('test ["what a lovely film"]')
    for typo, meant in (("negativ", "negative"), ("Positiv", "positive")):
        text = await refused_and_unchanged(app, console, f"correct #{tested['id']} {typo}")
        assert text == f"There is no label `{typo.lower()}`; did you mean `{meant}`?", text
    fixed = await console.send(f"correct #{tested['id']} sarcastic")
    assert fixed["ok"] and "is **sarcastic**" in fixed["text"], fixed
    assert [c.correction for c in app.store.corrections("console", "prediction")] == ["sarcastic"]
