"""What the console said of what it was given and did not use: a file attached to a command
that takes none (`status +attach notes.txt`) was dropped without a word."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole


async def test_a_file_attached_to_a_command_that_takes_none_is_said_to_be_unused(
    app: Assistant, tmp_path: Path
) -> None:
    """`status` and `feedback` with a file answered as if no file had come: the user thought it
    was read. The reply now says it was not used, and which commands take files."""
    notes = tmp_path / "notes.txt"
    notes.write_text("a lovely film\n")
    more = tmp_path / "more.csv"
    more.write_text("text,label\ndull,negative\n")
    console = TypedConsole(app)
    status = await console.send(f"status +attach {notes}")
    assert status["ok"], status
    assert (
        "(`status` takes no files: `notes.txt` was not used. Files go with `train`, `test`.)"
        in (status["text"])
    ), status["text"]
    feedback = await console.send(f"feedback the bot is great +attach {notes} +attach {more}")
    assert feedback["ok"], feedback
    assert (
        "(`feedback` takes no files: `notes.txt`, `more.csv` were not used. "
        "Files go with `train`, `test`.)" in feedback["text"]
    ), feedback["text"]
    [stored] = app.store.feedback("console", limit=5)
    assert stored.text == "the bot is great", stored
    # without a file, nothing of the kind is said
    plain = await console.send("status")
    assert "takes no files" not in plain["text"], plain
    assert (await console.send("language ru"))["ok"]
    russian = await console.send(f"status +attach {notes}")
    assert (
        "(`status` не принимает файлы: `notes.txt` не использован. "
        "Файлы принимают `train`, `test`.)" in russian["text"]
    ), russian["text"]
    several = await console.send(f"hi +attach {notes} +attach {more}")
    assert "`notes.txt`, `more.csv` не использованы" in several["text"], several["text"]
