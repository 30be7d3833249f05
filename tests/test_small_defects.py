"""Small defects found by a hostile tester, each asserted as the user sees it: names of Discord
markup, a zip of nothing but a zip, a CSV of bytes that are no text, speech nobody may hear, and
the cache folder of a developer's many configurations."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from transports.console import GUILD

MARKED = ("**bold**", "<@1>", "<#2>", "~~gone~~")
"""Folders on disk named with markup that bold text cannot make plain."""


async def test_a_folder_named_with_discord_markup_is_no_dataset_and_is_listed_as_written(
    app: Assistant,
) -> None:
    """A folder `**bold**` selected as a dataset read `Active dataset: ****bold****.` (bold, in
    Discord), `<@1>` named a member in every reply. Such a folder is refused as a dataset, as a
    label of the kind is, nothing stored; listed, it shows as written. `__x__`, which a label
    may hold, stays a dataset, shown in a code span rather than underlined; a backtick and a
    spoiler's bars stay escaped in bold, as before."""
    for name in (*MARKED, "__x__", "a`b", "||hid||"):
        write_folder_dataset(app.root.root, name=name, per_label=2)
    console = TypedConsole(app)
    listed = (await console.send("select_dataset"))["text"]
    for line in (
        "- `**bold**`",
        "- `<@1>`",
        "- `<#2>`",
        "- `~~gone~~`",
        "- `__x__`",
        "- **a\\`b**",
        "- **|\u200b|hid|\u200b|**",
    ):
        assert line in listed.splitlines(), (line, listed)
    for name in MARKED:
        text = await refused_and_unchanged(app, console, f"select_dataset {name}")
        assert text.startswith("`") and " cannot be a dataset's name: " in text, text
        assert "Rename the folder" in text, text
    assert (await refused_and_unchanged(app, console, "select_dataset **bold**")).startswith(
        "`**bold**` cannot be a dataset's name"
    )
    assert (await refused_and_unchanged(app, console, "select_dataset <@1> true")).startswith(
        "`<@1>` cannot be a dataset's name"
    ), "with no active dataset, the folder would be the dataset"
    text = await refused_in_russian(app, console, "select_dataset <@1>")
    assert text.startswith("`<@1>` не может быть именем набора"), text
    assert (await console.send("language en"))["ok"]
    chosen = await console.send("select_dataset __x__")
    assert chosen["text"] == "Active dataset: `__x__`. Folder `__x__`: negative 2, positive 2."
    joined = await console.send("select_dataset <@1> true")
    assert joined["text"].startswith("Active dataset: `__x__`. Folder `<@1>` as its **positive**")


async def test_a_dataset_stored_before_with_a_name_of_markup_is_shown_as_written(
    app: Assistant,
) -> None:
    """A dataset named `<@1>` stored before such names were refused (its folder since deleted)
    is still selected and shown in a code span, never as a mention or in bold."""
    app.store.select_dataset(GUILD, "<@1>")
    app.store.select_dataset(GUILD, "**bold**")
    console = TypedConsole(app)
    chosen = await console.send("select_dataset <@1>")
    assert chosen["text"] == "Active dataset: `<@1>` (0 added examples).", chosen
    status = (await console.send("status"))["text"]
    assert "Active dataset: `<@1>` · " in status, status
    listed = (await console.send("select_dataset"))["text"]
    assert "- `**bold**`" in listed.splitlines(), listed


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


async def test_a_zip_of_a_zip_says_the_inner_archive_is_not_opened(
    app: Assistant, tmp_path: Path
) -> None:
    """A zip holding only `reviews.zip` answered "holds no examples: no line of text in it",
    as if the inner zip were not there. The reply names it and says archives inside are not
    opened; beside examples, it is named as skipped."""
    inner = _zip(tmp_path / "reviews.zip", {"positive/1.txt": b"a fine film"}).read_bytes()
    outer = _zip(tmp_path / "outer.zip", {"data/reviews.zip": inner, "logo.png": b"\x89PNG"})
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    text = await refused_and_unchanged(app, console, f"train +attach {outer}")
    assert text == (
        "`outer.zip` holds no examples: no `.txt`, `.csv`, `.tsv` or `.jsonl` file with text in"
        " it, and archives inside it are not opened (`data/reviews.zip`). Unpack them and send"
        " their files, or a zip of those files."
    ), text
    text = await refused_in_russian(app, console, f"train +attach {outer}")
    assert text.startswith("В `outer.zip` нет примеров: ") and "(`data/reviews.zip`)" in text
    assert (await console.send("language en"))["ok"]
    both = _zip(tmp_path / "both.zip", {"1.txt": b"dull", "more.zip": inner})
    reply = await console.send(f"train +attach {both} false")
    assert reply["ok"], reply
    assert (
        "Archives inside are not opened, so these were skipped: `more.zip`. Unpack them and send"
        " their files to add them too."
    ) in reply["text"].splitlines(), reply["text"]
    await console.wait()


async def test_a_csv_of_bytes_that_are_no_text_is_refused_not_read_as_russian(
    app: Assistant, tmp_path: Path
) -> None:
    """A CSV of bytes counting down from 0xFF (`\\xff\\xfe\\xfd…`) has every byte a letter in
    Windows-1251, and was read as Russian: rows of `яюэьыъщшч…` stored as examples. It is
    refused as no text, nothing stored, in both languages; a Russian CSV in Windows-1251 of
    the same shape is still read."""
    block = bytes(range(0xFF, 0xDF, -1))  # `яюэьыъщшчцхфутсрпонмлкйизжедгвба` in Windows-1251
    rows = b"".join(block[i:] + block[:i] + b",good\n" for i in range(8))
    (tmp_path / "noise.csv").write_bytes(b"text,label\n" + rows)
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    line = f"train +attach {tmp_path / 'noise.csv'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`noise.csv` is not text I can read: not UTF-8 or UTF-16, nor Russian (Windows-1251,"
        ' KOI8-R) or Western European (Windows-1252) text. Save it as UTF-8 (in Excel, "CSV'
        ' UTF-8") and send it again.'
    )
    (tmp_path / "noise.txt").write_bytes(block[2:] + b"\n" + block)  # no UTF-16 mark first
    text = await refused_in_russian(app, console, f"train +attach {tmp_path / 'noise.txt'}")
    assert text.startswith("`noise.txt` — не текст, который я могу прочитать"), text
    real = "text,label\nРеспублика Кыргызстан и её горы,good\nскучно и затянуто,bad\n"
    (tmp_path / "real.csv").write_bytes(real.encode("cp1251"))
    reply = await console.send(f"train +attach {tmp_path / 'real.csv'}")
    assert reply["ok"] and "Windows-1251" in reply["text"], reply
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    assert sorted(app.store.examples(dataset)) == [
        ("Республика Кыргызстан и её горы", "good"),
        ("скучно и затянуто", "bad"),
    ]
    await console.wait()
