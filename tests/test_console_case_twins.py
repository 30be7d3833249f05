"""Two names in the data folder that differ only in case (`Cap` and `cap`, as a Linux disk may
hold): `archive CAP` zipped `Cap`, one of the two picked without a word, while `getfile
CAP/a.txt` and `select_dataset CAP` said there was no `CAP` at all. Each now says which names
it could mean, and changes nothing; either name written as it is on disk works as before."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def test_a_name_two_folders_share_but_for_case_asks_which(app: Assistant) -> None:
    for name, text in (("Cap", "upper"), ("cap", "lower")):
        (app.root.root / name).mkdir()
        (app.root.root / name / "a.txt").write_text(text, encoding="utf-8")
    console = TypedConsole(app)
    for line, said in (
        ("archive CAP", "`CAP`"),
        ("getfile CAP/a.txt", "`CAP/a.txt`"),
        ("select_dataset CAP", "`CAP`"),
        ("train folder:CAP", "`CAP`"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == (
            f"{said} could be `Cap` or `cap`: the data folder holds names that differ only in"
            " case. Write the name as it is written there."
        ), (line, text)
    sent = await console.send("getfile cap/a.txt")
    assert sent["ok"] and sent["files"], sent
    archived = await console.send("archive Cap")
    assert archived["ok"] and archived["data"]["archive"].startswith("archives/Cap-"), archived
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "getfile CAP/a.txt")
    assert text == (
        "`CAP/a.txt` может означать `Cap` или `cap`: в папке данных есть имена, которые"
        " различаются только регистром. Напишите имя так, как оно написано там."
    ), text
