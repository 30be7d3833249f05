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
