"""The words that mark a file or a folder of the data folder (`file:`, `folder:`) in the
server's language: on a Russian console `train файл:tickets.csv` stored the text
"файл:tickets.csv" as a positive example."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset

TICKETS = [("the refund never came", "billing"), ("the app crashes", "bug")] * 3


def tickets(root: Path) -> Path:
    path = root / "tickets.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        writer.writerows((f"{text} {n}", label) for n, (text, label) in enumerate(TICKETS))
    return path


async def test_russian_file_and_folder_words_name_them_and_english_ones_still_do(
    app: Assistant,
) -> None:
    root = app.root.root
    tickets(root)
    write_folder_dataset(root, "reviews", per_label=10)
    (root / "checks.json").write_text(json.dumps(["the refund never came"]), encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    assert (await console.send("create_dataset отзывы"))["ok"]
    added = await console.send("train файл:tickets.csv")
    assert added["ok"] and "billing 3, bug 3" in added["text"], added["text"]
    await console.wait()
    stored = app.store.stored_examples(app.store.active_dataset("console"), offset=0, limit=50)
    assert sorted(e.label for e in stored) == ["billing"] * 3 + ["bug"] * 3, stored
    tested = await console.send("test файл:checks.json")
    assert tested["ok"] and tested["kind"] == "prediction", tested["text"]
    sent = await console.send("getfile файл:tickets.csv")
    assert sent["ok"] and sent["kind"] == "file", sent["text"]
    wrong_kind = await console.send("getfile папка:reviews")
    assert "папка" in wrong_kind["text"] and not wrong_kind["ok"], wrong_kind["text"]
    zipped = await console.send("archive папка:reviews")
    assert zipped["ok"] and "`reviews`" in zipped["text"], zipped["text"]
    more = await console.send("train «ещё один пример» папка:reviews")
    assert not more["ok"], more["text"]  # a text and a folder: one source only
    folder = await console.send("train папка:reviews label:отзыв")
    assert folder["ok"] and "отзыв 20" in folder["text"], folder["text"]
    await console.wait()
    # English words still work on a Russian server
    english = await console.send("getfile file:tickets.csv")
    assert english["ok"] and english["kind"] == "file", english["text"]


async def test_russian_option_names_set_the_options_they_name(app: Assistant) -> None:
    """`label:NAME`, `page:N`, `format:jsonl` named an option on a Russian console only in
    English: `train "списали дважды" метка:биллинг` stored the words `метка:биллинг` as part
    of the example (or was refused as words after a quoted text)."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    assert (await console.send("create_dataset отзывы"))["ok"]
    added = await console.send('train "с меня дважды списали деньги" метка:биллинг')
    assert added["ok"] and "биллинг 1" in added["text"], added["text"]
    colon = await console.send("train приложение падает при входе метка=баг")
    assert colon["ok"] and "баг 1" in colon["text"], colon["text"]
    stored = app.store.stored_examples(app.store.active_dataset("console"), offset=0, limit=9)
    assert sorted((e.text, e.label) for e in stored) == [
        ("приложение падает при входе", "баг"),
        ("с меня дважды списали деньги", "биллинг"),
    ]
    page = await console.send("examples страница:1")
    assert page["ok"] and "страница 1 из 1" in page["text"], page["text"]
    exported = await console.send("export формат:jsonl")
    assert exported["ok"] and ".jsonl" in exported["text"], exported["text"]
    english = await console.send('train "ещё списали" label:биллинг')
    assert english["ok"] and "биллинг 1" in english["text"], english["text"]
    # a word that names no option of the command stays a word of the text
    text = await console.send("train задача:3 не выполнена")
    assert text["ok"] and "positive 1" in text["text"], text["text"]
