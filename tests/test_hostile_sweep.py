"""Odd lines typed at `bot.py console --json` that an adversarial sweep found answered wrongly:
what the user sees, and that a refused line changes nothing in the database or the data root."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import kept, refused_and_unchanged, refused_in_russian
from tests.test_hostile_startup import refused_start, run


async def test_an_option_of_test_with_no_value_says_so(app: Assistant, reviews: Path) -> None:
    """`test dataset:` (its name forgotten) answered "That is not valid JSON: Expecting value
    ... dataset:", and `test json:` "There is no dataset or folder `json:`"; as `train "a"
    label:` does, each now says the option has no value."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    for line, name in (
        ("test dataset:", "dataset"),
        ('test dataset:""', "dataset"),
        ("test folder:", "folder"),
        ("test json:", "json"),
        ("test json: ", "json"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith(f"`{name}` has no value after `{name}:`."), (line, text)
        assert "JSON" not in text and "no dataset" not in text, (line, text)
    text = await refused_in_russian(app, console, "test dataset:")
    assert text.startswith("У параметра `dataset` нет значения после `dataset:`"), text


async def test_a_typed_json_option_of_test_is_read_as_the_slash_option(
    app: Assistant, reviews: Path
) -> None:
    """`test json:["a lovely film"]`, the slash option written out as the README's "one
    argument syntax" says a typed option may be, answered "There is no dataset or folder
    `json:["a lovely film"]`"; it classifies the items, and a plain sentence after `json:`
    is one item, as `/test json:` takes it."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    for line in ('test json:["a lovely film", "dull"]', "test json:a lovely film"):
        reply = await console.send(line)
        assert reply["ok"], (line, reply["text"])
        assert "no dataset" not in reply["text"], reply["text"]
        predictions = reply["data"]["predictions"]
        assert predictions[0]["text"] == "a lovely film", predictions


async def test_create_dataset_archives_is_refused_as_the_archives_folder(
    app: Assistant, reviews: Path
) -> None:
    """With the data folder's `archives/` made by `archive`, `create_dataset archives` said
    "`archives` is a folder in the data folder; `select_dataset archives` uses it", and
    `select_dataset archives` then refused it as the archives' folder."""
    console = TypedConsole(app)
    assert (await console.send("archive reviews"))["ok"]
    for name in ("archives", "Archives"):
        text = await refused_and_unchanged(app, console, f"create_dataset {name}")
        assert "select_dataset" not in text, text
        assert text.startswith(f"`{name}` is where `archive` keeps its zips"), text
    before = kept(app)
    assert not (await console.send("select_dataset archives"))["ok"]
    assert kept(app) == before


async def test_a_label_written_as_a_mention_or_in_bold_is_refused(
    app: Assistant, tmp_path: Path
) -> None:
    """Counts show labels as plain words ("Added 1 example (<@123> 1)"): a label `<@123>` was
    shown on Discord as a member's mention (never pinging, but naming someone), `<#123>` as a
    link to a channel, `<t:0>` as a date, and `**bold**` made the count bold (and its
    example's line in `examples` read `****bold****`). They are refused as `||` is, typed or
    from a file, and nothing is added; a label with a lone `*`, `_` or `<` is still a label."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    for label in ("<@123>", "<@&456>", "<#789>", "<t:0>", "</train:1>", "<:yes:1>", "**bold**"):
        text = await refused_and_unchanged(app, console, f'train "a fine film" label:"{label}"')
        assert text.startswith(f"`{label}` cannot be a label"), text
        assert "mentions" in text, text
    text = await refused_and_unchanged(app, console, 'train "dull" label:~~gone~~')
    assert text.startswith("`~~gone~~` cannot be a label"), text
    upload = tmp_path / "rows.csv"
    upload.write_text("text,label\na fine film,good\ndull,<@123>\n", encoding="utf-8")
    text = await refused_and_unchanged(app, console, f"train +attach {upload}")
    assert "`<@123>` cannot be a label" in text, text
    text = await refused_in_russian(app, console, 'train "a fine film" label:"<@123>"')
    assert text.startswith("`<@123>` не может быть меткой") and "упоминания" in text, text
    assert (await console.send("language en"))["ok"]
    for label in ("5*", "not_spam", "__label__good", "<3", "a<b"):
        reply = await console.send(f'train "a fine film" label:"{label}"')
        assert reply["ok"], (label, reply["text"])
        await console.wait()


async def test_a_csv_of_very_many_columns_is_refused_in_a_few_lines(
    app: Assistant, tmp_path: Path
) -> None:
    """A CSV whose first line names 20,000 columns (none of them texts) was refused in a reply
    of 100 KB, every column named; one of 70,000 (a first line over the csv module's limit for
    one field, read with the other separators tried) said "not a valid CSV file: field larger
    than field limit (131072)" of a file of one-letter fields; a row of a million fields said
    "has 1000002 fields". Each is refused in a short reply, its counts written as numbers are."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    for count in (20_000, 70_000):
        upload = tmp_path / f"wide{count}.csv"
        upload.write_text(",".join(["a"] * count) + "\n" + ",".join(["b"] * count) + "\n")
        text = await refused_and_unchanged(app, console, f"train +attach {upload}")
        assert text.startswith(f"`{upload.name}` needs a column of texts"), text[:300]
        assert len(text) < 1000 and f"and {count - 10:,} more" in text, text[-300:]
    upload = tmp_path / "row.csv"
    upload.write_text("text,label\nhello,good" + ",x" * 1_000_000 + "\n")
    text = await refused_and_unchanged(app, console, f"train +attach {upload}")
    assert "line 2 has 1,000,002 fields" in text, text[:300]


async def test_a_name_on_disk_ending_in_a_space_can_be_named_in_quotes(app: Assistant) -> None:
    """A file `notes. ` (a name ending in a space, as a copy from another system can have)
    could not be reached: `getfile notes.` said "Did you mean `notes. `?", and that name
    typed in quotes, `getfile "notes. "`, was taken without its space and said the same."""
    (app.root.root / "odd").mkdir()
    (app.root.root / "odd" / "notes. ").write_text("kept\n", encoding="utf-8")
    (app.root.root / " spaced ").mkdir()
    (app.root.root / " spaced " / "a.txt").write_text("a fine film\n", encoding="utf-8")
    console = TypedConsole(app)
    missing = await refused_and_unchanged(app, console, "getfile odd/notes.")
    assert "Did you mean `odd/notes. `?" in missing, missing
    sent = await console.send('getfile "odd/notes. "')
    assert sent["ok"], sent["text"]
    assert Path(sent["files"][0]).read_text(encoding="utf-8") == "kept\n"
    archived = await console.send('archive " spaced "')
    assert archived["ok"] and "(1 file)" in archived["text"], archived["text"]


FORMULAS = ('=HYPERLINK("https://evil.example","x")', "+1+1", "@SUM(A1)", "-2+3 stars")


async def test_an_exported_csv_holds_no_formula_and_reads_back_the_same(
    app: Assistant, tmp_path: Path
) -> None:
    """Examples beginning with `=`, `+`, `-` or `@` were exported as they are, so a
    spreadsheet opening `export csv` ran them as formulas (a member's `=HYPERLINK(...)` in
    the admin's Excel). Such a cell is written after a `'`, which Excel shows as text and does
    not show; and the file read back by `train` gives the same examples, without the `'`."""
    upload = tmp_path / "rows.jsonl"
    upload.write_text(
        "".join(f'{{"text": {json.dumps(t)}, "label": "-1"}}\n' for t in FORMULAS)
        + '{"text": "a fine film", "label": "good"}\n',
        encoding="utf-8",
    )
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    assert (await console.send(f"train +attach {upload}"))["ok"]
    await console.wait()
    exported = await console.send("export csv")
    rows = list(csv.reader(io.StringIO(Path(exported["files"][0]).read_text(encoding="utf-8"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell[:1] in "=+-@" for cell in cells), rows
    assert ["'" + FORMULAS[0], "'-1"] in rows and ["a fine film", "good"] in rows, rows
    assert (await console.send("create_dataset again"))["ok"]
    assert (await console.send(f"train +attach {exported['files'][0]}"))["ok"]
    await console.wait()
    active = app.store.active_dataset("console")
    assert active is not None
    again = set(app.store.examples(active))
    assert again == {*((t, "-1") for t in FORMULAS), ("a fine film", "good")}, again


def test_a_config_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    """`--config /dev/null` (as if to mean "no config") started on the defaults, with the data
    and state folders beside the file: as root, `/dev/data` and `/dev/state` (a tmpfs, gone at
    the next boot), the database in them. A device or a pipe is refused at start-up, and no
    folder is made beside it."""
    before = sorted(os.listdir("/dev"))
    (tmp_path / "config.yaml").symlink_to("/dev/null")
    refused_start(run(tmp_path, "status\n"), "config.yaml", "not a regular file", "/dev/null")
    assert sorted(os.listdir("/dev")) == before


async def test_the_lines_suggested_after_a_quote_work_when_the_text_holds_a_quote(
    app: Assistant,
) -> None:
    """`train "a\\"b"` (a quote escaped as in code; a quote closes at the next quote) was
    refused with `train "a\\ b""` to type instead, itself refused as an unclosed quote. The
    suggested lines now put a text that holds a `"` in other quotes, and each one works."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset quotes"))["ok"]
    text = await refused_and_unchanged(app, console, 'train "a\\"b"')
    assert text.endswith('`train «a\\ b"»`; else leave it out: `train "a\\"`.'), text
    text = await refused_and_unchanged(app, console, 'train «he said "hi"» nope')
    assert text.endswith('`train «he said "hi" nope»`; else leave it out: `train «he said "hi"»`.')
    for line in ('train «a\\ b"»', 'train "a\\"', 'train «he said "hi" nope»'):
        reply = await console.send(line)
        assert reply["ok"] and "Added 1 example" in reply["text"], (line, reply["text"])
    dataset = app.store.dataset("console", "quotes")
    assert dataset is not None
    texts = sorted(text for text, _ in app.store.examples(dataset))
    assert texts == ["a\\", 'a\\ b"', 'he said "hi" nope'], texts


async def test_an_option_named_in_the_servers_language_with_no_value_says_so(
    app: Assistant, reviews: Path
) -> None:
    """On a Russian server `test набор:` (the option's Russian name, its value forgotten)
    was read as the sentence "test the dataset" and showed the model's figures; as
    `test dataset:` does, it says the option has no value. With a value it names the set."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    text = await refused_in_russian(app, console, "test набор:")
    assert text.startswith("У параметра `набор` нет значения после `набор:`"), text
    text = await refused_and_unchanged(app, console, "train метка:")
    assert text.startswith("У параметра `метка` нет значения после `метка:`"), text
