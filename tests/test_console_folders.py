"""Data folders at the console, probed by a hostile tester: selected as a dataset, joined to
one and taken back with `undo`, archived; what the user sees, and that a refused line changes
nothing in the database or the data root."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged, refused_in_russian


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


async def test_a_folder_with_a_text_under_two_labels_says_so(app: Assistant) -> None:
    """A folder dataset whose `positive/` and `negative/` held the same text said nothing of
    it, as `train` said nothing of a file with one text twice under two labels."""
    for label in ("positive", "negative"):
        (app.root.root / "mixed" / label).mkdir(parents=True)
        (app.root.root / "mixed" / label / "1.txt").write_text("so so", encoding="utf-8")
        (app.root.root / "mixed" / label / "2.txt").write_text(label, encoding="utf-8")
    console = TypedConsole(app)
    for language, said in (
        ("en", "1 text is given more than one label: “so so” (negative, positive); all were kept."),
        ("ru", "У 1 текста несколько меток: «so so» (negative, positive); сохранены все."),
    ):
        assert (await console.send(f"language {language}"))["ok"]
        chosen = await console.send("select_dataset mixed")
        assert chosen["text"].endswith("\n" + said), chosen


async def test_the_archives_folder_is_no_dataset(app: Assistant, reviews: Path) -> None:
    """Folders read no zips, so `select_dataset archives` made an empty dataset `archives`
    that `select_dataset` then listed; the folder list leaves it out, as not a dataset."""
    console = TypedConsole(app)
    assert (await console.send("archive reviews"))["ok"]
    for line in ("select_dataset archives", "select_dataset archives/ false"):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith("`archives` holds the zips `archive` makes, not a dataset"), text
    assert (await console.send("select_dataset"))["data"]["datasets"] == ["reviews"]


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


async def test_an_archive_of_one_file_says_one_file(app: Assistant) -> None:
    (app.root.root / "single").mkdir()
    (app.root.root / "single" / "1.txt").write_text("one example", encoding="utf-8")
    made = await TypedConsole(app).send("archive single")
    assert made["text"].startswith("Archived `single` (1 file) to `archives/single-"), made


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
