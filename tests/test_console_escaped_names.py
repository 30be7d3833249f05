"""A file whose name holds an invisible character (a line break, as a script may make it) is
listed by `getfile` with that character as an escape, `new\\u000aline.txt`, and the reply
suggests `getfile new\\u000aline.txt`: typed back as shown, it said there was no such file."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def test_a_name_typed_as_shown_with_its_escapes_is_found(app: Assistant) -> None:
    (app.root.root / "new\nline.txt").write_text("broken in two\n", encoding="utf-8")
    (app.root.root / "bidi\u202etxt.csv").write_text("text,label\n", encoding="utf-8")
    console = TypedConsole(app)
    listed = await console.send("getfile")
    assert "`new\\u000aline.txt`" in listed["text"], listed["text"]
    for shown, name in (("new\\u000aline.txt", "new\nline.txt"), ("bidi\\u202etxt.csv", None)):
        sent = await console.send(f"getfile {shown}")
        assert sent["ok"] and len(sent["files"]) == 1, (shown, sent["text"])
        assert name is None or sent["files"][0].endswith("line.txt"), sent["files"]
    # an escape that names nothing is still nothing, and a path out is still refused
    text = await refused_and_unchanged(app, console, "getfile new\\u000bline.txt")
    assert text.startswith("There is no `new\\u000bline.txt`"), text
    await refused_and_unchanged(app, console, "getfile \\u002e\\u002e/config.yaml")
    text = await refused_and_unchanged(app, console, "getfile x/\\u002e\\u002e/../config.yaml")
    assert text == "There is no `x/\\u002e\\u002e/../config.yaml` in the data folder.", text
    # an escape past Unicode's last character is no character: written as it came, not a crash
    text = await refused_and_unchanged(app, console, "getfile a\\UFFFFFFFFb.txt")
    assert text == "There is no `a\\UFFFFFFFFb.txt` in the data folder.", text
