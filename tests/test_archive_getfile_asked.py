"""`archive` and `getfile` asked for in words: a line that begins with the command's name and
goes on as a sentence ("archive the dataset kaggle tweets", "downlaod report.txt for me") was
read as a path of all its words and refused ("There is no `the dataset kaggle tweets`"), and
asked with no name ("zip it up", "send the file") they answered with their usage. Found by
running every line the phrasing corpora read right through the console."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import with_names


def with_filled_names(app: Assistant) -> None:
    """`with_names`, its folders each holding a file: an empty folder is not archived."""
    with_names(app)
    for name in ("movie_reviews", "kaggle_tweets"):
        (app.root.root / name / "note.txt").write_text("a note\n", encoding="utf-8")


async def test_a_sentence_after_the_commands_name_names_the_folder_or_file(
    app: Assistant,
) -> None:
    with_filled_names(app)
    console = TypedConsole(app)
    reply = await console.send("archive the dataset kaggle tweets")
    assert reply["ok"] and reply["text"].startswith("Archived `kaggle_tweets`"), reply
    reply = await console.send("downlaod report.txt for me")
    assert reply["ok"] and reply["text"].startswith("Here is `report.txt`"), reply
    # a name, then words said with it: the name is sent, and the reply says how it was read
    reply = await console.send("fetch report.txt thx")
    assert reply["ok"] and reply["text"].endswith(
        "I read `report.txt` as the name, and `thx` as words said with it."
    ), reply
    reply = await console.send("Please give me file report.txt, I need it for my slides.")
    assert reply["ok"] and reply["text"].startswith("Here is `report.txt`"), reply
    # words that name nothing there are still refused as the name they were typed as
    reply = await console.send("archive nonexistent folder name")
    assert reply["text"] == "There is no `nonexistent folder name` in the data folder.", reply


async def test_asked_without_a_name_they_use_the_active_dataset_or_ask_which(
    app: Assistant,
) -> None:
    with_filled_names(app)
    console = TypedConsole(app)
    for line in ("send the file pls", "getfile please"):  # "pls" had been the file's name
        asked = await console.send(line)
        assert asked["text"].startswith("Which file? The newest are `report.txt`"), asked
    asked = await console.send("zip it up")
    assert asked["text"] == (
        "Which folder? The data folder has `kaggle_tweets`, `movie_reviews`; for example"
        " `archive kaggle_tweets`."
    ), asked
    archives = app.root.root / "archives"
    assert not archives.exists()  # asking made nothing
    hinted = await console.send("archive kaggle_tweets")  # the form the question shows
    assert hinted["ok"], hinted
    assert (await console.send("select_dataset movie_reviews"))["ok"]
    for line in ("zip it up", "archive"):
        reply = await console.send(line)
        assert reply["ok"] and reply["text"].startswith("Archived `movie_reviews`"), reply
    asked = await console.send("send the file")
    newest = asked["text"].rsplit("`getfile ", 1)[1].rstrip("`.")
    assert asked["text"].startswith(f"Which file? The newest are `{newest}`"), asked
    assert "`report.txt`" in asked["text"] and newest.startswith("archives/"), asked
    sent = await console.send(f"getfile {newest}")  # the form the question shows
    assert sent["ok"] and sent["text"].startswith(f"Here is `{newest}`"), sent


async def test_the_other_kinds_prefix_names_the_thing_and_the_command_says_what_it_is(
    app: Assistant,
) -> None:
    """`getfile folder:movie_reviews` said "There is no `folder:movie_reviews`"."""
    with_filled_names(app)
    console = TypedConsole(app)
    reply = await console.send("getfile folder:movie_reviews")
    assert reply["text"] == "`movie_reviews` is a folder, not a file.", reply
    reply = await console.send("archive file:movie_reviews")
    assert reply["ok"] and reply["text"].startswith("Archived `movie_reviews`"), reply
