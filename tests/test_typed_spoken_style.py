"""Lines as people say them rather than type them: what a speech recognizer writes after the
wake phrase ("hey trainer, <words>"), read as a typed line without a prefix is
(assistant/reading.py `Reader.heard`). Short slang ("bounce", "pull up", "kill it"), a command's
own verb alone ("train", "archive"), fillers, one-word questions ("options?", "accuracy?"),
learners' grammar ("what is you doing now"), a file's name said aloud ("report dot t x t"),
and a retraction that is said to someone else ("never mind, I was talking to my sister").
Lines of our own in the kinds the spoken corpora's tuning lines showed; the same lines typed
at the console read the same, and chat that shares their words stays chat."""

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
    # slang for coming and going
    ("pull up", "join", {}),
    ("get in here", "join", {}),
    ("come on in", "join", {}),
    ("hop on the call with us", "join", {}),
    ("slide into the voice chat", "join", {}),
    ("bounce", "leave", {}),
    ("you can dip now", "leave", {}),
    ("hop off", "leave", {}),
    ("okay bye, you can go", "leave", {}),
    ("alright peace out", "leave", {}),
    ("later, trainer", "leave", {}),
    ("that's it, bounce", "leave", {}),
    # greetings as they are said
    ("yo what's up", "hi", {}),
    ("hey what's new", "hi", {}),
    ("howdy partner", "hi", {}),
    # the guide asked for in plain words
    ("show me the ropes", "instruction", {}),
    ("walkthrough please", "instruction", {}),
    ("give me a quick tour", "instruction", {}),
    ("explain the basics to me", "instruction", {}),
    ("teach me how to use this bot", "instruction", {}),
    ("how do you work", "instruction", {}),
    ("how does this work", "instruction", {}),
    ("getting started?", "instruction", {}),
    ("where do i even start", "instruction", {}),
    # the commands asked for in plain words
    ("options?", "help", {}),
    ("what options are there", "help", {}),
    ("the command list", "help", {}),
    ("show me the menu", "help", {}),
    ("what stuff can you do", "help", {}),
    ("what things are you able to do for me", "help", {}),
    ("help me out, what can i say", "help", {}),
    # progress asked as it is said
    ("you done yet", "status", {}),
    ("are we done yet", "status", {}),
    ("how much longer", "status", {}),
    ("how much longer will this take", "status", {}),
    ("how's the job coming", "status", {}),
    ("how's the training", "status", {}),
    ("what is you doing now", "status", {}),
    ("what you doing", "status", {}),
    ("finished yet?", "status", {}),
    # stopping
    ("kill it", "cancel", {}),
    ("kill the job", "cancel", {}),
    ("scrap it", "cancel", {}),
    ("shut it down", "cancel", {}),
    ("call it off", "cancel", {}),
    # measuring the model
    ("accuracy?", "test", {}),
    ("check the accuracy", "test", {}),
    ("accuracy check please", "test", {}),
    ("how accurate is it, can you test it", "test", {}),
    ("do the test with movie reviews", "test", {"dataset": "movie_reviews"}),
    ("make a test on kaggle tweets", "test", {"dataset": "kaggle_tweets"}),
    # training
    ("teach it kaggle tweets", "train", {"data_dir": "kaggle_tweets"}),
    ("fit on movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("learn from kaggle tweets", "train", {"data_dir": "kaggle_tweets"}),
    ("start learning", "train", {}),
    ("begin the learning now", "train", {}),
    # zipping, said short
    ("make a backup", "archive", {}),
    ("create an archive please", "archive", {}),
    # choosing a dataset
    ("make movie reviews active", "select_dataset", {"dir": "movie_reviews"}),
    ("set movie reviews as active", "select_dataset", {"dir": "movie_reviews"}),
    ("activate kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
    ("let me choose which dataset to use", "select_dataset", {}),
    ("what data are we on, i want to switch", "select_dataset", {}),
    ("i want to pick different data", "select_dataset", {}),
    # a prediction said to be wrong
    ("you guessed wrong", "correct", {}),
    ("your prediction was a mistake", "correct", {}),
    ("nah, that's wrong", "correct", {}),
    ("bad call, it's positive", "correct", {"text": "positive"}),
    ("wrong guess, positive", "correct", {"text": "positive"}),
    ("the last answer was wrong", "correct", {}),
    # feedback said to the bot or passed on
    ("nice work on that", "feedback", {"text": "nice work on that"}),
    ("great job there", "feedback", {"text": "great job there"}),
    ("send the developers my compliments", "feedback",
     {"text": "send the developers my compliments"}),
    # a bug to report, none said yet: the command asks for it
    ("file a bug with the developers", "feedback", {"text": ""}),
    # a file named aloud, its marks as words
    ("download report dot txt", "getfile", {"path": "report.txt"}),
    ("send over report dot t x t", "getfile", {"path": "report.txt"}),
    ("grab me report dot txt please", "getfile", {"path": "report.txt"}),
    ("share a file with me", "getfile", {}),
    # one command asked twice in a breath, with no mark between
    ("how good is the model can you test it", "test", {}),
    ("help me out what are my options", "help", {}),
    ("is it done yet how's the training going", "status", {}),
]  # fmt: skip

SAID_RU: list[tuple[str, str, dict[str, Any]]] = [
    ("неверно", "correct", {}),
    ("мимо, это негатив", "correct", {"text": "negative"}),
    ("глуши обучение", "cancel", {}),
    ("что умеешь?", "help", {}),
    ("открой меню", "help", {}),
    ("учись", "train", {}),
    ("обучить", "train", {}),  # the command's Russian name alone
]  # fmt: skip

CHAT_RU = [
    "неважно, я с братом говорил",
    "это я не тебе",
    "меню в этом кафе отличное",
    "я учусь на курсах",
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
    "the kids love to bounce on the trampoline",
    "let's dip the strawberries in chocolate",
    "pull up a chair",
    "she hopped off the bus",
    "we're killing time at the airport",
    "the menu at that place is great",
    "what options do we have for dinner",
    "accuracy matters in darts",
    "he predicted wrong about the election",
    "that haircut was a mistake",
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
