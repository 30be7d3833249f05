"""Data commands typed at the console by a hostile tester: what the user sees, and that a
refused line changes nothing in the database or the data root."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import Request, User
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged

TYPED = {"user": User(id="1", name="ada"), "guild_id": "console", "channel_id": "c"}
"""Where `Reader.understand` reads a line, as the console's user."""


async def refused_in_russian(app: Assistant, console: TypedConsole, line: str) -> str:
    """The console switched to Russian, then `line` refused there; the refusal's text."""
    assert (await console.send("language ru"))["ok"]
    return await refused_and_unchanged(app, console, line)


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
    on kaggle tweets", and trained; "score the model on ..." as "create a model on ...". Each is
    `test` on that dataset (refused here: there is no model yet); a typo of a training sentence
    still trains."""
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
        assert text == "Dataset **reviews** has no model yet. Add examples and run `train` first."
    for line in ("evaluate the model", "score the model"):
        assert (await console.send(line))["command"] == "test", line
    typo = app.reading.understand("trian the model on kaggle tweets", **TYPED)
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


async def test_a_name_with_backticks_stays_one_code_span(app: Assistant) -> None:
    """A folder named ``my`data`` closed the reply's code span in the middle of its name
    (`` `my`data` `` shows `my` as code, then `data` and a stray backtick); a name is quoted with
    a fence longer than any run of backticks in it, and in bold its backticks are escaped."""
    write_folder_dataset(app.root.root, name="my`data", per_label=2)
    console = TypedConsole(app)
    chosen = await console.send("select_dataset my`data")
    assert chosen["text"] == (
        "Active dataset: **my\\`data**. Folder `` my`data ``: negative 2, positive 2."
    ), chosen
    made = await console.send("archive my`data")
    assert made["text"].startswith("Archived `` my`data `` (4 files) to `` archives/my`data-"), made
    write_folder_dataset(app.root.root, name="a``b", per_label=2)
    chosen = await console.send("select_dataset a``b")
    assert "Folder ``` a``b ```: negative 2, positive 2." in chosen["text"], chosen
    assert (await console.send("language ru"))["ok"]
    sent = await console.send("getfile my`data/positive/0000.txt")
    assert sent["text"].startswith("Вот `` my`data/positive/0000.txt `` ("), sent


async def test_a_label_folder_is_not_read_as_a_dataset_of_positives(app: Assistant) -> None:
    """`select_dataset reviews/negative` made a dataset whose 3 negative reviews were all
    labelled positive; the user is told to select the dataset the folder is a label of, or to
    give the label; `false` still adds it to the active dataset as its negative examples."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    write_folder_dataset(app.root.root / "projects", name="films", per_label=2)
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "select_dataset reviews/negative")
    assert text == (
        "`reviews/negative` is the label folder **negative** of the dataset `reviews`:"
        " `select_dataset reviews` uses the whole dataset, or"
        " `select_dataset reviews/negative false` adds its files to the active dataset as"
        " negative examples (`true`: as positive)."
    ), text
    text = await refused_and_unchanged(app, console, "select_dataset projects/films/positive/")
    assert text.startswith(
        "`projects/films/positive` is the label folder **positive** of the"
        " dataset `projects/films`: `select_dataset projects/films` uses"
    ), text
    assert (await console.send("select_dataset projects/films"))["ok"]
    joined = await console.send("select_dataset reviews/negative false")
    assert joined["text"].startswith(
        "Active dataset: **projects/films**. Folder `reviews/negative` as its **negative**"
        " examples: negative 3."
    ), joined
    text = await refused_in_russian(app, console, "select_dataset reviews/positive")
    assert text.startswith("`reviews/positive` — папка метки **positive** набора `reviews`"), text


async def test_a_file_name_with_spaces_typed_unquoted_is_found(app: Assistant) -> None:
    """`getfile docs/q3 sales report.txt` said only "Too many arguments": the words are the
    file's name, so it is sent, and the reply shows the quoted form, which works as typed."""
    (app.root.root / "docs").mkdir()
    (app.root.root / "docs" / "q3 sales report.txt").write_text("sales", encoding="utf-8")
    (app.root.root / "old notes").mkdir()
    (app.root.root / "old notes" / "1.txt").write_text("a note", encoding="utf-8")
    console = TypedConsole(app)
    sent = await console.send("getfile docs/q3 sales report.txt")
    assert sent["ok"] and sent["data"]["path"] == "docs/q3 sales report.txt", sent
    assert sent["text"].endswith(
        "I read the words as one name, `docs/q3 sales report.txt`; to be sure of it, quote it:"
        ' `getfile "docs/q3 sales report.txt"`.'
    ), sent
    typed = await console.send('getfile "docs/q3 sales report.txt"')
    assert typed["text"] == "Here is `docs/q3 sales report.txt` (5 bytes).", typed
    assert (await console.send("getfile docs/q3 sales report.txt please"))["ok"]
    made = await console.send("archive old notes")
    assert made["ok"] and made["text"].startswith("Archived `old notes` (1 file)"), made
    assert 'quote it: `archive "old notes"`.' in made["text"], made
    text = await refused_and_unchanged(app, console, "getfile docs/q3 report.txt")
    assert text == "There is no `docs/q3 report.txt` in the data folder.", text
    assert (await console.send("language ru"))["ok"]
    sent = await console.send("getfile docs/q3 sales report.txt")
    assert sent["text"].endswith('`getfile "docs/q3 sales report.txt"`.'), sent


async def test_a_dataset_name_with_spaces_typed_unquoted_is_found(app: Assistant) -> None:
    """Unquoted, the second word of `select_dataset reviews 2024` was taken for the yes/no
    option ("`positive` must be true or false, not `2024`"), and `select_dataset movie reviews
    false`, read as the sentence "select movie reviews", dropped its `false`. The words are the
    folder's name, as getfile takes a file's."""
    write_folder_dataset(app.root.root, name="reviews 2024", per_label=3)
    write_folder_dataset(app.root.root, name="movie reviews", per_label=2)
    console = TypedConsole(app)
    chosen = await console.send("select_dataset reviews 2024")
    assert chosen["ok"] and chosen["data"]["dataset"] == "reviews 2024", chosen
    assert chosen["text"] == (
        "Active dataset: **reviews 2024**. Folder `reviews 2024`: negative 3, positive 3.\n"
        "I read the words as one name, `reviews 2024`; to be sure of it, quote it:"
        ' `select_dataset "reviews 2024"`.'
    ), chosen
    typed = await console.send('select_dataset "reviews 2024"')
    assert typed["text"] == (
        "Active dataset: **reviews 2024**. Folder `reviews 2024`: negative 3, positive 3."
    ), typed
    assert (await console.send("select_dataset reviews 2024 please"))["ok"]
    chosen = await console.send("select_dataset movie reviews")  # as README shows it
    assert chosen["ok"] and chosen["data"]["dataset"] == "movie reviews", chosen
    assert (await console.send("create_dataset films"))["ok"]
    joined = await console.send("select_dataset movie reviews false")
    assert joined["data"] == {
        "dataset": "films",
        "folder": "movie reviews",
        "label": "negative",
        "examples": 4,
    }, joined
    text = await refused_and_unchanged(app, console, "select_dataset reviews 2025")
    assert text == "There is no `reviews 2025` in the data folder.", text
    text = await refused_in_russian(app, console, "select_dataset reviews 2025")
    assert text == "В папке данных нет `reviews 2025`.", text
    chosen = await console.send("select_dataset reviews 2024")
    assert chosen["text"].endswith('`select_dataset "reviews 2024"`.'), chosen


def selection(app: Assistant) -> list[Any]:
    """The datasets, their folders and the active dataset, as the database holds them."""
    db = sqlite3.connect(app.config.state_dir / "trainer.db")
    try:
        return [
            db.execute(sql).fetchall()
            for sql in (
                "SELECT id, guild_id, name, model_version FROM datasets ORDER BY id",
                "SELECT * FROM dataset_folders ORDER BY dataset_id, folder",
                # a guild with no active dataset may have no row yet, or NULL: both are none
                "SELECT guild_id, active_dataset FROM guilds"
                " WHERE active_dataset IS NOT NULL ORDER BY guild_id",
            )
        ]
    finally:
        db.close()


async def undone_exactly(app: Assistant, console: TypedConsole, line: str) -> str:
    """`line`, then `undo`: the undo's text, once the datasets are as they were before."""
    before = selection(app)
    assert (await console.send(line))["ok"]
    undone = await console.send("undo")
    assert undone["ok"] and selection(app) == before, undone
    return str(undone["text"])


async def test_undo_takes_back_a_folder_joined_with_true_or_false(app: Assistant) -> None:
    """`select_dataset more true` adds a folder to the active dataset, and `undo` answered that
    there was nothing to undo: it now restores the dataset's folders exactly as they were (a
    folder it replaced comes back), one join at a time, newest first, after the examples of a
    later `train`; switching datasets is no change `undo` takes back, and it says so."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    write_folder_dataset(app.root.root, name="more", per_label=2)
    (app.root.root / "praise").mkdir()
    (app.root.root / "praise" / "1.txt").write_text("a lovely film", encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    assert (await console.send("select_dataset more true"))["ok"]
    assert (await console.send("select_dataset praise true"))["ok"]  # replaces `more`
    undone = await undone_exactly(app, console, "select_dataset praise false")
    assert undone == (
        "Took back the folder `praise` given to **notes** as its **negative** examples.\n"
        "Folder `praise` as **positive**."
    ), undone
    undone = await console.send("undo")
    assert undone["text"] == (
        "Took back the folder `praise` given to **notes** as its **positive** examples.\n"
        "Folder `more` as **positive**."
    ), undone
    assert (await console.send("undo"))["text"].startswith("Took back the folder `more`")
    assert app.store.active_dataset("console").folders == ()
    assert (await console.send("select_dataset reviews"))["ok"]
    text = await refused_and_unchanged(app, console, "undo")
    assert text == (
        "**reviews** has nothing to undo: `undo` takes back the examples the last `train` added"
        " to the active dataset, or the folder the last `select_dataset FOLDER true` (or"
        " `false`) gave it; it does not switch datasets back (`select_dataset NAME` does)."
    ), text
    text = await refused_in_russian(app, console, "undo")
    assert text.startswith("В **reviews** нечего отменять"), text


async def test_undo_of_a_join_that_started_the_dataset_leaves_none(app: Assistant) -> None:
    """With no active dataset, `select_dataset reviews/positive true` starts a dataset of that
    folder; `undo` removes it again, and no dataset is active, as before."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    console = TypedConsole(app)
    undone = await undone_exactly(app, console, "select_dataset reviews/positive true")
    assert undone == (
        "Took back the folder `reviews/positive` given to **reviews/positive** as its"
        " **positive** examples; the dataset it started is gone, and no dataset is active."
    ), undone
    assert (await console.send("select_dataset"))["data"]["datasets"] == ["reviews"]


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
    for line, name in (
        ("train file:empty.txt", "empty.txt"),
        ("train header.csv", "header.csv"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert f"`{name}` holds no examples: no line of text in it" in text, text
    for line in ("train folder:nothing", "train nothing false", "train data_dir:nothing"):
        text = await refused_and_unchanged(app, console, line)
        assert "`nothing` holds no examples: no `.txt`, `.csv` or `.jsonl` file" in text, text
    text = await refused_in_russian(app, console, "train folder:nothing")
    assert "В `nothing` нет примеров" in text, text


async def test_a_folder_with_a_name_as_long_as_allowed_is_archived(app: Assistant) -> None:
    """The archive's name adds a timestamp to the folder's: for a folder named as long as the
    file system allows, it was too long, and `archive` failed with "something went wrong"."""
    name = "x" * app.root.name_max
    (app.root.root / name).mkdir()
    (app.root.root / name / "a.txt").write_text("a note", encoding="utf-8")
    made = await TypedConsole(app).send(f"archive {name}")
    assert made["ok"] and made["text"].startswith(f"Archived `{name}` (1 file) to `archives/x"), (
        made
    )
    archived = app.root.root / made["data"]["archive"]
    assert archived.is_file() and len(archived.name.encode()) <= app.root.name_max


async def test_a_name_with_invisible_characters_is_shown_with_them_escaped(app: Assistant) -> None:
    """A right-to-left override in a file name (`report\\u202etxt.exe`) reversed the rest of
    the reply's line, so the file looked like `reportexe.txt`; a zero-width space hid in it."""
    (app.root.root / "report\u202etxt.exe").write_text("x", encoding="utf-8")
    console = TypedConsole(app)
    sent = await console.send("getfile report\u202etxt.exe")
    assert sent["text"] == "Here is `report\\u202etxt.exe` (1 byte).", sent
    text = await refused_and_unchanged(app, console, "getfile two\u200blines.txt")
    assert text == "There is no `two\\u200blines.txt` in the data folder.", text


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
        " example already in the dataset was skipped. Not training yet: Training needs at"
        ' least 4 examples; the dataset has 2. Add more with `train "what a lovely film"` and'
        ' `train "dull and slow" false`.'
    ), added
    text = await refused_in_russian(app, console, "train file:dups.csv")
    assert text.startswith(
        "Пропущено повторов внутри запроса: 1.\nПропущено повторов примеров, которые уже есть"
        " в наборе: 2."
    ), text


async def test_a_folder_with_no_label_folders_says_its_files_are_positive(
    app: Assistant,
) -> None:
    """`select_dataset flat` of a folder with only files answered "positive 3" and nothing
    more: why every file was positive, and how to label them, went unsaid."""
    (app.root.root / "flat").mkdir()
    for number in range(3):
        (app.root.root / "flat" / f"{number}.txt").write_text(f"text {number}", encoding="utf-8")
    console = TypedConsole(app)
    chosen = await console.send("select_dataset flat")
    assert chosen["text"] == (
        "Active dataset: **flat**. Folder `flat`: positive 3.\n"
        "The files directly in `flat`, in no label folder, are read as **positive** examples;"
        " label folders (`flat/positive/`, `flat/negative/`) label each file by its folder."
    ), chosen
    assert (await console.send("language ru"))["ok"]
    chosen = await console.send("select_dataset flat")
    assert (
        "Файлы прямо в `flat`, вне папок меток, читаются как примеры **positive**"
        in (chosen["text"])
    ), chosen


async def test_names_that_differ_only_by_case_are_taken_as_typed(app: Assistant) -> None:
    """With folders `Notes` and `notes`, `archive notes please` archived `Notes` and `select
    dataset notes` chose `Notes`: a sentence's names were matched in lower case, and the first
    name of that spelling won."""
    for name in ("Notes", "notes"):
        (app.root.root / name).mkdir()
        (app.root.root / name / "a.txt").write_text(f"in {name}", encoding="utf-8")
    console = TypedConsole(app)
    made = await console.send("archive notes please")
    assert made["text"].startswith("Archived `notes` (1 file)"), made
    for line, chosen in (
        ("select dataset notes", "notes"),
        ("select dataset Notes", "Notes"),
        ("select_dataset notes please", "notes"),
    ):
        reply = await console.send(line)
        assert reply["data"]["dataset"] == chosen, (line, reply)


async def test_a_file_whose_name_holds_quotes_is_sent_as_typed(app: Assistant) -> None:
    """`getfile it's "final".txt` answered that there is no `it's final .txt`: the quotes of a
    name typed exactly as the file is called were read as quoting."""
    (app.root.root / 'it\'s "final".txt').write_text("z", encoding="utf-8")
    (app.root.root / "two  spaces.txt").write_text("zz", encoding="utf-8")
    console = TypedConsole(app)
    for line, name in (
        ('getfile it\'s "final".txt', 'it\'s "final".txt'),
        ("getfile two  spaces.txt", "two  spaces.txt"),
    ):
        sent = await console.send(line)
        assert sent["ok"] and sent["data"]["path"] == name, (line, sent)


async def test_feedback_and_corrections_are_stored_without_invisible_characters(
    app: Assistant,
) -> None:
    """A right-to-left override typed into feedback was stored and listed as written, turning
    the rest of the admins' listing line around; archive names already lost such characters.
    Joiners stay: they are part of emoji and of words."""
    console = TypedConsole(app)
    line = "feedback the bot \u202eis slow\u202c, \u2066really\u2069\u200f 👩\u200d💻 says so\ufeff"
    saved = await console.send(line)
    assert saved["ok"], saved
    assert [f.text for f in app.store.feedback("console")] == [
        "the bot is slow, really 👩\u200d💻 says so"
    ]
    listing = await console.send("feedback")
    assert listing["text"].endswith("**console**: the bot is slow, really 👩\u200d💻 says so"), (
        listing
    )
    refused = await refused_and_unchanged(app, console, "feedback \u202e\u200f")
    assert refused == "Usage: `feedback <your text>`.", refused

    greeted = await console.send("hi")
    fixed = await console.send(f"correct #{greeted['id']} it said \u202ehello\u202c twice\u200e")
    assert fixed["text"] == "Thanks! Your correction is saved.", fixed
    [note] = app.store.corrections("console", "info")
    assert note.correction == "it said hello twice", note


async def test_correct_followed_by_words_that_name_no_reply_explains_correct(
    app: Assistant,
) -> None:
    """`correct me if I'm wrong, the bot is slow` was answered "I can't find a reply of mine
    with id `me`": the words name no reply at all, so the reply says how `correct` is used."""
    console = TypedConsole(app)
    hint = (
        "`me` is not the number of a reply of mine: `correct` takes one first, as in"
        " `correct #N negative`, or reply to my message with the correction. To tell the"
        " maintainers something, use `feedback <your text>`."
    )
    for line, answer in (
        ("correct me if I'm wrong, the bot is slow", hint),
        ("correct #abc it was wrong", hint.replace("`me`", "`#abc`")),
        (
            "correct #424242 negative",
            "I can't find a reply of mine with id `424242` in this server.",
        ),
    ):
        assert await refused_and_unchanged(app, console, line) == answer
    text = await refused_in_russian(app, console, "correct me if I'm wrong, the bot is slow")
    assert text.startswith("`me` — не номер моего ответа: `correct` принимает номер первым"), text


async def test_only_a_typed_name_with_spaces_is_told_to_quote_it(app: Assistant) -> None:
    """getfile and archive told a spoken request (and a slash option) to quote the name as
    `getfile "docs/q3 sales report.txt"`: there are no quotes to say, and a slash option is
    one value already. A typed line still gets the quoted form."""
    (app.root.root / "docs").mkdir()
    (app.root.root / "docs" / "q3 sales report.txt").write_text("sales", encoding="utf-8")
    (app.root.root / "old notes").mkdir()
    (app.root.root / "old notes" / "1.txt").write_text("a note", encoding="utf-8")
    asked = {"user": User(id="1", name="ada", is_admin=True), "guild_id": "g1", "channel_id": "c"}
    for source in ("voice", "slash"):
        sent = await app.handle(
            Request("getfile", options={"path": "docs/q3 sales report.txt"}, source=source, **asked)
        )
        assert sent.text == "Here is `docs/q3 sales report.txt` (5 bytes).", (source, sent.text)
        made = await app.handle(
            Request("archive", options={"dir": "old notes"}, source=source, **asked)
        )
        assert made.ok and "quote" not in made.text, (source, made.text)
        assert made.text.startswith("Archived `old notes` (1 file)"), (source, made.text)
    console = TypedConsole(app)
    typed = await console.send("getfile docs/q3 sales report.txt")
    assert typed["text"].endswith('quote it: `getfile "docs/q3 sales report.txt"`.'), typed
    typed = await console.send("archive old notes")
    assert typed["text"].endswith('quote it: `archive "old notes"`.'), typed
