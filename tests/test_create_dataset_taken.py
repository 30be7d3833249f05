"""`create_dataset NAME` where NAME is a file of the data folder said "`NAME` is a folder in the
data folder; `select_dataset NAME` uses it" (which then refused it), and where NAME was a link
that loops, the dataset was made beside it. Both are refused as a name already taken, and
nothing changes."""

from __future__ import annotations

import os

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian


async def test_a_name_a_file_or_a_looping_link_has_is_taken(app: Assistant) -> None:
    root = app.root.root
    (root / "notes").write_text("a file, no folder\n", encoding="utf-8")
    console = TypedConsole(app)
    taken = (
        "`{}` is already the name of a file in the data folder, so no dataset was created; a"
        " dataset needs a name nothing there has."
    )
    text = await refused_and_unchanged(app, console, "create_dataset notes")
    assert text == taken.format("notes"), text
    os.symlink("loop", root / "loop")  # (the unchanged-check stats every entry: not this one)
    reply = await console.send("create_dataset loop")
    assert not reply["ok"] and reply["text"] == taken.format("loop"), reply
    assert app.store.datasets("console") == []
    os.remove(root / "loop")
    text = await refused_in_russian(app, console, "create_dataset notes")
    assert text.startswith("`notes` — уже имя файла в папке данных"), text
