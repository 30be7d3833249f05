"""Dataset names in Cyrillic as well as Latin letters, but in one alphabet: `create_dataset
отзывы` was refused as "1 to 40 letters, digits, `-` or `_`" (it took ASCII letters only), while
a folder `кино` could be selected. A name mixing look-alike letters of both alphabets is refused,
naming the odd ones; the data root stays the only place a name reaches."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import sentences
from tests.test_console_commands import refused_and_unchanged, refused_in_russian

BAD_NAME = (
    "A dataset name is 1 to 40 letters of one alphabet (Latin or Cyrillic), digits, `-` or `_`,"
    " for example `movies-2` or `отзывы-2`."
)


def cyrillic_folder(root: Path, name: str = "кино", per_label: int = 30) -> Path:
    """`root/кино/позитивный/N.txt` and `root/кино/негативный/N.txt`: Cyrillic folder names,
    and so Cyrillic labels."""
    for label, written in (("positive", "позитивный"), ("negative", "негативный")):
        folder = root / name / written
        folder.mkdir(parents=True)
        for index, sentence in enumerate(sentences(label, per_label)):
            (folder / f"{index:02d}.txt").write_text(sentence, encoding="utf-8")
    return root / name


async def test_a_cyrillic_dataset_is_created_selected_trained_and_archived(
    app: Assistant,
) -> None:
    cyrillic_folder(app.root.root)
    console = TypedConsole(app)
    created = await console.send("create_dataset отзывы")
    assert created["text"] == (
        'Created dataset **отзывы**; it is now active. Add examples with `train "some text"`,'
        ' `train "other text" false`, or attach files.'
    ), created
    trained = await console.send("train folder:кино")
    assert trained["ok"] and "**отзывы**" in trained["text"], trained
    await console.wait()
    model = app.store.current_model(app.store.active_dataset("console"))
    assert model is not None and model.dataset == "отзывы", model
    assert sorted(model.labels) == ["негативный", "позитивный"], model
    assert (await console.send("select_dataset кино"))["data"]["dataset"] == "кино"
    chosen = await console.send("select_dataset отзывы")
    assert chosen["ok"] and chosen["data"]["dataset"] == "отзывы", chosen
    tested = await console.send('test ["a wonderful, moving film"]')
    assert tested["ok"] and "**отзывы**" in tested["text"], tested
    archived = await console.send("archive кино")
    assert archived["text"].startswith("Archived `кино` (60 files) to `archives/кино-"), archived
    [made] = (app.root.root / "archives").glob("кино-*.zip")
    with zipfile.ZipFile(made) as zipped:
        assert "позитивный/00.txt" in zipped.namelist()
    # in a Russian server too, and a name typed with a combining breve is the composed `й`
    assert (await console.send("language ru"))["ok"]
    made_ru = await console.send("create_dataset йогурт-2")
    assert made_ru["data"] == {"dataset": "йогурт-2"}, made_ru
    decomposed = await console.send("create_dataset и\u0306ога")
    assert decomposed["data"] == {"dataset": "\u0439ога"}, decomposed
    assert app.store.dataset("console", "\u0439ога") is not None
    assert (await console.send("select_dataset \u0439ога"))["data"]["dataset"] == "\u0439ога"


async def test_a_name_that_mixes_latin_and_cyrillic_is_refused_naming_the_odd_letters(
    app: Assistant,
) -> None:
    """`рaбота` with a Latin `a` and `работа` look the same: two such datasets could not be
    told apart, and one typed again would find neither."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "create_dataset рaбота")
    assert text == (
        "`рaбота` mixes alphabets: Latin `a` among Cyrillic letters. A name is written in one"
        " alphabet, since look-alike letters (Latin `a`, Cyrillic `а`) would make two names"
        " that look the same."
    ), text
    text = await refused_and_unchanged(app, console, "create_dataset cоrpus-2")
    assert text.startswith("`cоrpus-2` mixes alphabets: Cyrillic `о` among Latin letters."), text
    text = await refused_and_unchanged(app, console, "create_dataset my данные")
    assert text.startswith("`my-данные` mixes alphabets: Latin `m`, `y` among Cyrillic"), text
    for name in ("Ｆilms", "ʼkino", "٣", "_x", "a" * 41):  # no fullwidth, modifier, other digits
        text = await refused_and_unchanged(app, console, f"create_dataset {name}")
        assert text == BAD_NAME, (name, text)
    text = await refused_in_russian(app, console, "create_dataset рaбота")
    assert text == (
        "В `рaбота` смешаны алфавиты: буквы латиницы `a` среди букв кириллицы. Имя пишется"
        " одним алфавитом: похожие буквы (латинская `a`, кириллическая `а`) дали бы два имени,"
        " которые выглядят одинаково."
    ), text


async def test_a_cyrillic_name_still_reaches_nothing_outside_the_data_root(
    app: Assistant, tmp_path: Path
) -> None:
    """The names a dataset may take hold no `/` or `.`; the folders a user names are still
    confined: `..`, an absolute path and a symlink out of the root are refused, in Cyrillic as
    in Latin, and nothing changes."""
    cyrillic_folder(app.root.root)
    outside = cyrillic_folder(tmp_path, "снаружи")
    (app.root.root / "чужое").symlink_to(outside, target_is_directory=True)
    console = TypedConsole(app)
    for line in ("create_dataset ../отзывы", "create_dataset /отзывы", "create_dataset .."):
        assert await refused_and_unchanged(app, console, line) == BAD_NAME, line
    refusals = {
        "select_dataset ../снаружи": "`../снаружи` points outside the data folder",
        "select_dataset чужое": "`чужое` points outside the data folder",
        "train folder:чужое": "`чужое` points outside the data folder",
        "archive чужое": "`чужое` points outside the data folder",
        "getfile чужое/позитивный/00.txt": "`чужое/позитивный/00.txt` points outside",
        "archive /кино": "`/кино` is an absolute path",
        "select_dataset кино/../../снаружи": "`кино/../../снаружи` points outside",
    }
    for line, refusal in refusals.items():
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith(refusal), (line, text)
    assert not (app.root.root / "archives").exists()
    assert app.store.datasets("console") == []


async def test_a_name_on_disk_in_either_unicode_form_is_selected_by_the_other(
    app: Assistant, tmp_path: Path
) -> None:
    """A folder copied from a Mac is named decomposed (`и` and a combining breve for `й`, `e`
    and a combining acute for `é`), while a keyboard types the composed letter; a folder
    written composed is typed decomposed by such a machine. Each was "There is no ..."."""
    cyrillic_folder(app.root.root, "и\u0306ога")  # decomposed on disk
    cyrillic_folder(app.root.root, "caf\u00e9")  # composed on disk
    console = TypedConsole(app)
    for typed, on_disk in (("\u0439ога", "и\u0306ога"), ("cafe\u0301", "caf\u00e9")):
        for _ in range(2):  # and again, once it is a stored dataset
            chosen = await console.send(f"select_dataset {typed}")
            assert chosen["ok"] and chosen["data"]["folder"] == on_disk, chosen
            assert chosen["data"]["examples"] == 60, chosen
        assert app.store.active_dataset("console").name == on_disk
    # a created dataset keeps its name composed: typed decomposed, it is found too
    assert (await console.send("create_dataset \u0439огурт"))["ok"]
    assert (await console.send("select_dataset caf\u00e9"))["ok"]
    chosen = await console.send("select_dataset и\u0306огурт")
    assert chosen["ok"] and chosen["data"]["dataset"] == "\u0439огурт", chosen
    trained = await console.send("train folder:\u0439ога/позитивный")
    assert trained["ok"] and "и\u0306ога/позитивный" in trained["text"], trained
    await console.wait()
    # still only inside the data root: a decomposed link out is no way out when typed composed
    outside = cyrillic_folder(tmp_path, "снаружи")
    (app.root.root / "e\u0301chappe").symlink_to(outside, target_is_directory=True)
    for line in (
        "select_dataset \u00e9chappe",
        "archive \u00e9chappe",
        "train folder:\u00e9chappe",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == "`e\u0301chappe` points outside the data folder, which is not allowed."
    assert not (app.root.root / "archives").exists()
