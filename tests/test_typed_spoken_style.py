"""Lines as people say them rather than type them: what a speech recognizer writes after the
wake phrase ("hey trainer, <words>"), read as a typed line without a prefix is
(assistant/reading.py `Reader.heard`). A command's own name alone ("train", "archive"), one
command asked twice in a breath ("how good is the model can you test it"), a file's name said
aloud ("report dot t x t"), and a retraction that is said to someone else ("never mind, I was
talking to my sister"). Lines of our own in the kinds the spoken corpora's tuning lines
showed; the same lines typed at the console read the same, and chat that shares their words
stays chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import assert_crowds_read, read, with_names

GUILD = "console"

SAID: list[tuple[str, str, dict[str, Any]]] = [
    # a command's own verb alone: said to the bot, it is that command
    ("train", "train", {}),
    ("archive", "archive", {}),
    ("archive please", "archive", {}),
    ("um, train", "train", {}),
    ("Archive.", "archive", {}),
    # one command asked twice in a breath, with no mark between
    ("how good is the model can you test it", "test", {}),
    ("help me out what are my options", "help", {}),
    ("is it done yet how's the training going", "status", {}),
]  # fmt: skip

SAID_RU: list[tuple[str, str, dict[str, Any]]] = [
    ("обучить", "train", {}),  # the command's Russian name alone
]  # fmt: skip

CHAT_RU = [
    "неважно, я с братом говорил",
    "это я не тебе",
]

CHAT = [
    # a retraction said to someone else takes nothing back and asks nothing
    "never mind, i was talking to my sister",
    "sorry, i was talking to my roommate",
    "never mind, that was for my brother",
    # the command words in chat
    "i trained for a marathon",
    "my test is on friday",
    "leave it to me",
    "the status of my order",
    "report the news",
    "the dot on the map is our hotel",
    "my dad still uses the old archive",
]  # fmt: skip


def test_said_lines_are_heard_as_their_commands(app: Assistant) -> None:
    """What a recognizer writes after the wake phrase, read as `Reader.heard` reads it."""
    with_names(app)
    reader = app.reading
    reader.guesser("en")
    misheard = []
    for words, command, slots in SAID:
        heard = reader.heard(words, GUILD)
        got = None if heard is None else (heard.name, heard.slots)
        if got != (command, slots):
            misheard.append((words, got))
    assert misheard == []


def test_chat_said_after_the_wake_phrase_is_no_command(app: Assistant) -> None:
    with_names(app)
    reader = app.reading
    reader.guesser("en")
    assert [(w, h) for w in CHAT if (h := reader.heard(w, GUILD)) is not None] == []


def test_said_lines_typed_read_the_same_and_chat_stays_chat(app: Assistant) -> None:
    """Typed at the console, a line that begins with a command's name is that command with
    its words (`leave it to me` is `leave`'s arguments, which it refuses); the others are
    read as they are heard."""

    def sentence(line: str) -> bool:
        return app.find_command(line.split()[0].strip(",.!?")) is None

    typed = [(line, command, slots) for line, command, slots in SAID if sentence(line)]
    assert_crowds_read(app, {"en": typed}, {"en": [line for line in CHAT if sentence(line)]})
    assert read(app, "train") == ("train", {"text": ""})


async def test_russian_said_lines_are_heard_as_their_commands(app: Assistant) -> None:
    with_names(app)
    app.store.set_guild_language(GUILD, "ru")
    reader = app.reading
    reader.guesser("ru")
    heard = [(w, reader.heard(w, GUILD)) for w, *_ in SAID_RU]
    assert [(w, h and (h.name, h.slots)) for w, h in heard] == [(w, (c, o)) for w, c, o in SAID_RU]
    assert [(w, h) for w in CHAT_RU if (h := reader.heard(w, GUILD)) is not None] == []
    typed = [line for line in SAID_RU if app.find_command(line[0].split()[0]) is None]
    assert_crowds_read(app, {"ru": typed}, {"ru": CHAT_RU})


async def test_a_file_named_aloud_is_sent_and_stays_inside_the_data_folder(app: Assistant) -> None:
    """ "download report dot txt" was read as the file `report dot txt` (no such file), and
    heard, as no command; the name's marks said as words are its marks. A name so written
    still names only what is inside the data folder."""
    with_names(app)
    (app.root.root.parent / "secret.txt").write_text("not yours\n", encoding="utf-8")
    console = TypedConsole(app)
    for line in ("download report dot t x t for me", "hey trainer, send over report dot txt"):
        reply = await console.send(line)
        assert reply["ok"] and reply["text"].startswith("Here is `report.txt`"), (line, reply)
        assert [Path(f).read_text(encoding="utf-8") for f in reply["files"]] == [
            "accuracy 0.91\n"  # report.txt's (tests/test_typed_phrasings.py `with_names`)
        ], reply
    for line in ("download ../secret dot txt", "download dot dot slash secret dot t x t"):
        reply = await console.send(line)
        assert not reply["ok"] and reply["files"] == [], (line, reply)
    heard = app.reading.heard("grab me report dot t x t please", GUILD)
    assert heard is not None and heard.slots == {"path": "report.txt"}, heard


async def test_a_lone_command_name_heard_runs_that_command(app: Assistant) -> None:
    """ "hey trainer, archive" was heard as no command (a single word was left to "did you
    mean"), while `archive` typed runs it: a command's own name said to the bot is that
    command, with what it does alone (here it asks which folder, as typed)."""
    with_names(app)
    console = TypedConsole(app)
    typed = await console.send("archive")
    heard = app.reading.heard("archive, please", GUILD)
    assert heard is not None and (heard.name, heard.slots) == ("archive", {}), heard
    said = await console.send("okay, archive.")
    assert said["text"] == typed["text"] and said["text"].startswith("Which folder?"), said
    assert not (app.root.root / "archives").exists()
