"""Data commands typed at the console by a hostile tester: what the user sees, and that a
refused line changes nothing in the database or the data root."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import User
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged

TYPED = {"user": User(id="1", name="ada"), "guild_id": "console", "channel_id": "c"}
"""Where `Assistant.understand` reads a line, as the console's user."""


async def test_a_file_that_is_not_utf8_is_named_by_its_path_in_the_folder(app: Assistant) -> None:
    """Every sub-folder of a dataset has its `0000.txt`: the name alone does not say which one
    to fix."""
    root = write_folder_dataset(app.root.root, name="mixed", per_label=3)
    (root / "negative" / "0001.txt").write_bytes("плохо".encode("cp1251"))
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "select_dataset mixed")
    assert text == "`mixed/negative/0001.txt` is not UTF-8 text.", text
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_and_unchanged(app, console, "train folder:mixed")
    assert text == "`mixed/negative/0001.txt` is not UTF-8 text.", text


async def test_a_folder_named_in_cyrillic_is_chosen_in_a_sentence(app: Assistant) -> None:
    """«выбери набор reviews» (the Russian guide) works for a folder whose name has no Latin
    letters or digits too, and so does the English sentence."""
    write_folder_dataset(app.root.root, name="Отзывы", per_label=3)
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    console = TypedConsole(app)
    chosen = await console.send("select dataset Отзывы")
    assert chosen["ok"] and chosen["text"].startswith("Active dataset: **Отзывы**."), chosen
    assert (await console.send("select dataset reviews"))["ok"]
    assert (await console.send("language ru"))["ok"]
    chosen = await console.send("выбери набор Отзывы")
    assert chosen["ok"] and chosen["text"].startswith("Активный набор данных: **Отзывы**."), chosen
    assert app.store.active_dataset("console").name == "Отзывы"


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


async def test_the_archives_folder_is_not_archived_as_empty(app: Assistant, reviews: Path) -> None:
    """`archive` leaves the archives out of every archive, so an archive of `archives` said
    "0 files" of a folder that holds them, and added an empty zip to it."""
    console = TypedConsole(app)
    made = await console.send("archive reviews")
    assert made["ok"], made
    (app.root.root / "archives" / "old").mkdir()
    for line in ("archive archives", "archive archives/old", "archive ./archives/"):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith("`archives` holds the archives"), text


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


async def test_a_file_named_with_file_is_named_by_its_path_too(app: Assistant) -> None:
    """`train file:a/1.txt` then `file:b/1.txt`: both replies said `1.txt`."""
    for folder, body in (("a", b"fine words"), ("b", "плохо".encode("cp1251"))):
        (app.root.root / "files" / folder).mkdir(parents=True)
        (app.root.root / "files" / folder / "1.txt").write_bytes(body)
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_and_unchanged(app, console, "train file:files/b/1.txt")
    assert text == "`files/b/1.txt` is not UTF-8 text.", text
    added = await console.send("train file:files/a/1.txt label:fine")
    assert added["text"].startswith("This adds the label `fine` from `files/a/1.txt`: 1 example.")


async def test_a_folder_dataset_selected_again_says_what_else_it_trains_on(
    app: Assistant,
) -> None:
    """`select_dataset reviews` counted only the folder `reviews`: a folder joined to the
    dataset and its added examples, which the next `train` uses, went unsaid (`status` and a
    stored dataset's reply say them)."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    write_folder_dataset(app.root.root, name="more", per_label=2)
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("select_dataset more false"))["ok"]
    assert (await console.send('train "an added example"'))["ok"]
    await console.wait()
    chosen = await console.send("select_dataset reviews")
    assert chosen["text"] == (
        "Active dataset: **reviews**. Folder `reviews`: negative 3, positive 3.\n"
        "Folder `more` as **negative**.\n"
        "And 1 added example (`examples` lists them)."
    ), chosen
    assert (await console.send("create_dataset other"))["ok"]
    alone = await console.send("select_dataset more")
    assert alone["text"] == "Active dataset: **more**. Folder `more`: negative 2, positive 2."


async def test_an_archive_of_one_file_says_one_file(app: Assistant) -> None:
    (app.root.root / "single").mkdir()
    (app.root.root / "single" / "1.txt").write_text("one example", encoding="utf-8")
    made = await TypedConsole(app).send("archive single")
    assert made["text"].startswith("Archived `single` (1 file) to `archives/single-"), made


async def test_the_archives_folder_is_no_dataset(app: Assistant, reviews: Path) -> None:
    """Folders read no zips, so `select_dataset archives` made an empty dataset `archives`
    that `select_dataset` then listed; the folder list leaves it out, as not a dataset."""
    console = TypedConsole(app)
    assert (await console.send("archive reviews"))["ok"]
    for line in ("select_dataset archives", "select_dataset archives/ false"):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith("`archives` holds the zips `archive` makes, not a dataset"), text
    assert (await console.send("select_dataset"))["data"]["datasets"] == ["reviews"]


async def test_status_counts_one_added_example_in_the_singular(app: Assistant) -> None:
    """`status` said "· 1 added examples" (the other replies that count them say "example")."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send('train "the only example so far"'))["ok"]
    status = await console.send("status")
    assert "· 1 added example\n" in status["text"], status["text"]
    assert (await console.send('train "a second one" false'))["ok"]
    assert "· 2 added examples\n" in (await console.send("status"))["text"]


async def test_yes_is_offered_only_for_a_command_the_user_may_run(
    make_config: Callable[..., Config],
) -> None:
    """A console user without the `trainer` role was told "Did you mean `select_dataset`? ...
    Answer `yes` to run `select_dataset`.", and `yes` was refused for want of the role."""
    app = Assistant(make_config(permissions={"console_user_is_admin": False}))
    await app.start()
    try:
        console = TypedConsole(app)
        for typo, name in [("selct_dataset", "select_dataset"), ("trian", "train")]:
            named = await console.send(typo)
            assert f"Did you mean `{name}`?" in named["text"], named
            assert "Answer `yes`" not in named["text"] and not named["data"], named
            assert (await console.send("yes"))["command"] is None  # nothing was offered
        offered = await console.send("statu")
        assert offered["text"].endswith("Answer `yes` to run `status`."), offered
        assert (await console.send("yes"))["ok"]
    finally:
        await app.close()


async def test_help_explains_the_console_commands_it_lists(app: Assistant) -> None:
    """`help` lists `wait`, `say`, `yes` and `quit`; `help wait` answered "There is no command
    `wait`"."""
    console = TypedConsole(app)
    listed = (await console.send("help"))["text"]
    for word in ("wait", "say", "yes", "quit"):
        reply = await console.send(f"help {word}")
        assert reply["ok"] and reply["text"].startswith(f"`{word}"), reply
        assert reply["text"] in listed, reply
    assert (await console.send("language ru"))["ok"]
    reply = await console.send("help да")
    assert reply["ok"] and reply["text"].startswith("`да`: выполнить команду"), reply
    assert not (await console.send("help fly"))["ok"]


async def test_a_command_name_before_ordinary_words_is_a_hint(app: Assistant) -> None:
    """ "cancel my subscription? nah" is no `cancel` with arguments: it was answered with the
    command's usage, as if the user had got its arguments wrong. A name alone, or with a polite
    word or one argument, is still the command."""
    console = TypedConsole(app)
    for line, name in (
        ("cancel my subscription? nah", "cancel"),
        ("status of everything ok", "status"),
        ("undo that last thing you did", "undo"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == f"Did you mean `{name}`? Type `{name}` alone to run it.", (line, text)
    for line, command, start in (
        ("cancel", "cancel", "No training job is running."),
        ("cancel 7", "cancel", "There is no job 7"),
        ("status please", "status", "**Status**"),
        ("trainer status", "status", "**Status**"),
        ("please undo", "undo", "There is no active dataset yet"),
    ):
        reply = await console.send(line)
        assert reply["command"] == command and reply["text"].startswith(start), (line, reply)
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "отменить мою подписку, нет")
    assert text == "Может быть, `отменить`? Чтобы выполнить, напишите `отменить` без других слов."


async def test_evaluating_the_model_on_a_dataset_is_never_training(app: Assistant) -> None:
    """ "evaluate the model on kaggle tweets" was read as the nearest sentence, "update the model
    on kaggle tweets", and trained; "score the model on ..." as "create a model on ...". `test`
    takes no dataset, so it is suggested; a typo of a training sentence still trains."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    write_folder_dataset(app.root.root, name="kaggle_tweets", per_label=3)
    console = TypedConsole(app)
    assert (await console.send("select dataset reviews"))["ok"]
    for line in (
        "evaluate the model on kaggle tweets",
        "score the model on kaggle tweets",
        "assess the model on kaggle tweets",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert "Did you mean `test`?" in text, (line, text)
    for line in ("evaluate the model", "score the model"):
        assert (await console.send(line))["command"] == "test", line
    typo = app.understand("trian the model on kaggle tweets", **TYPED)
    assert typo is not None and typo.command == "train", typo
    assert typo.options == {"data_dir": "kaggle_tweets"}, typo


async def test_a_file_asked_for_from_somewhere_names_the_place(app: Assistant) -> None:
    """ "get the file from the printer" asked getfile for a file `from the printer`."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "get the file from the printer")
    assert text == "There is no `printer` in the data folder.", text
    (app.root.root / "notes").mkdir()
    (app.root.root / "notes" / "Report One.txt").write_text("fine", encoding="utf-8")
    sent = await console.send("send me the file from notes/Report One.txt")
    assert sent["ok"] and sent["text"].startswith("Here is `notes/Report One.txt`"), sent


async def test_a_name_typed_in_a_sentence_is_quoted_as_typed(app: Assistant) -> None:
    """ "use dataset ../state" was refused as "`/state` is an absolute path": the name had lost
    its dots to the sentence reader."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "use dataset ../state")
    assert text.startswith("`../state` points outside the data folder"), text
    saved = await console.send("my feedback is The Bot, Sadly, Forgets THINGS")
    assert saved["ok"], saved
    assert [f.text for f in app.store.feedback("console")] == ["The Bot, Sadly, Forgets THINGS"]


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
