"""The files the README's walk-through uses, written where it expects them.

`data/reviews/` (positive/ and negative/ folders of .txt files, one review each),
`data/tickets.csv` (columns text,label: billing and bug), and on the console user's own disk
`praise.txt` (one example per line), `more-tickets.zip` (billing/, bug/ and notes/ folders of
.txt files) and `tickets-test.json` (labelled test items).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from tests.corpus import write_folder_dataset

BILLING = [
    "I was charged twice for my subscription",
    "the invoice shows the wrong amount",
    "please refund my last payment",
    "my card was billed after I cancelled",
    "why did the price go up on my bill",
    "I need a receipt for the annual plan",
    "the payment failed but money left my account",
    "how do I change my billing address",
]
BUGS = [
    "the app crashes when I open settings",
    "login button does nothing on android",
    "the page freezes after uploading a photo",
    "error 500 when saving my profile",
    "notifications stopped working after the update",
    "the screen goes blank when I rotate the phone",
    "search returns nothing even for exact names",
    "the export button throws an error",
]
PRAISE = [
    "thank you, the new design is lovely",
    "great support, you solved it in minutes",
    "love the app, keep up the good work",
    "the latest update is fantastic",
    "your team is wonderful and friendly",
    "best service I have used all year",
]


def write_walkthrough_files(workdir: Path) -> None:
    data = workdir / "data"
    write_folder_dataset(data, per_label=40)
    with open(data / "tickets.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([text, "billing"] for text in BILLING[:6])
        writer.writerows([text, "bug"] for text in BUGS[:6])
    # one line of praise.txt is really a bug report: the walk-through relabels it
    lines = [*PRAISE[:5], "the update deleted all my photos"]
    (workdir / "praise.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("billing/refund.txt", BILLING[6])
        archive.writestr("bug/export.txt", BUGS[6])
        archive.writestr("notes/todo.txt", "remember to ask about the new plan")
    (workdir / "more-tickets.zip").write_bytes(buffer.getvalue())
    items = [
        {"text": BILLING[7], "label": "billing"},
        {"text": BUGS[7], "label": "bug"},
        {"text": PRAISE[5], "label": "praise"},
        {"text": "I was billed twice, please refund me", "label": "billing"},
        {"text": "the app crashes on start", "label": "bug"},
        {"text": "thank you, wonderful work", "label": "praise"},
    ]
    (workdir / "tickets-test.json").write_text(json.dumps(items, indent=1), encoding="utf-8")
