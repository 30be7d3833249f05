"""A typed command with its reason in one line, read by general rules (assistant/intents/
parts.py, assistant/reading.py, assistant/typed_arguments.py): a reason without a comma ("so I
can ..."), a command's name then a dash and why, chat politeness after a greeting, a clause led
by a word only one command has, shorthand read off once written out; and near sentences that
name any of many datasets."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from assistant.intents.matcher import IntentMatcher
from tests.consoles import TypedConsole
from tests.test_typed_phrasings import read, with_names
from transports.console import GUILD


async def test_a_reason_after_a_command_is_read_past(app: Assistant) -> None:
    with_names(app)
    for line, want in (
        (
            "archive kaggle tweets so I can download it tonight",
            ("archive", {"dir": "kaggle_tweets"}),
        ),
        ("join the voice channel because we want to talk to you", ("join", {})),
        ("hi sorry to bother, what's the status?", ("status", {})),
        ("I uploaded the wrong file, cancel that training", ("cancel", {})),
        ("stop that run rn pls", ("cancel", {})),
        # a reason alone is no command, nor is a clause that only looks like one
        ("I picked the wrong dataset, that's all", None),
        ("the train was late so I missed the meeting", None),
    ):
        assert read(app, line) == want, line


async def test_a_command_name_then_a_dash_and_why_runs_the_command(app: Assistant) -> None:
    """ "status — is it done yet" was the status command given "— is it done yet" as its
    arguments, and answered with its usage."""
    with_names(app)
    assert read(app, "status — is it done yet") == ("status", {"text": ""})
    assert read(app, "help: I'm lost") == ("help", {"text": ""})
    assert read(app, "help - train") == ("help", {"text": "train"})  # words it takes stay
    console = TypedConsole(app)
    reply = await console.send("status — I want to know if I can start")
    assert reply["ok"] and reply["command"] == "status", reply


async def test_near_sentences_name_any_of_many_datasets(app: Assistant) -> None:
    """The typed index holds each sentence once, whatever it names: filled with every name,
    `train`'s sentences passed its bound with three datasets, and near sentences of the
    commands cut were lost. With forty datasets, a near sentence names the one written."""
    root = Path(app.config.data_root)
    for number in range(40):
        (root / f"project_{number}_reviews").mkdir(parents=True)
    for line, want in (
        (
            "please make an archive for the project 39 reviews folder",
            ("archive", "project_39_reviews"),
        ),
        ("trian the model on project 7 reviews", ("train", "project_7_reviews")),
        ("swich to the project 21 reviews dataset", ("select_dataset", "project_21_reviews")),
    ):
        got = read(app, line)
        assert got is not None and (got[0], *got[1].values()) == want, (line, got)


async def test_a_new_name_is_read_at_once_by_the_same_typed_index(app: Assistant) -> None:
    """The typed index writes names as marks, so a dataset made after it was built is read
    by its near sentences at once, without enumerating the 190,000 sentences again (5 s of
    CPU per new name, before); another app of the same templates shares the index."""
    with_names(app)
    assert read(app, "trian the model on kaggle tweets") == ("train", {"data_dir": "kaggle_tweets"})
    index = app.reading.intents_for("en").typed._near_sentences().sentences
    (Path(app.config.data_root) / "project_7_reviews").mkdir()
    got = read(app, "trian the model on project 7 reviews")
    assert got == ("train", {"data_dir": "project_7_reviews"}), got
    assert app.reading.intents_for("en").typed._near_sentences().sentences is index
    other = IntentMatcher()
    other.update_lists({"dataset": ["x_y"], "folder": ["x_y"], "file": ["a.txt"]})
    assert other.typed._near_sentences().sentences is index


async def test_russian_slang_for_training_is_train(app: Assistant) -> None:
    """ "трейн" (the English word as Russian chat writes it) was read as `train` alone, but
    "трейн модели" got "Did you mean `отменить`?": the templates had "трейн" only in sentences
    that stop it."""
    with_names(app)
    app.store.set_guild_language(GUILD, "ru")
    assert read(app, "трейн модели") == ("train", {})
    assert read(app, "запусти трейн на movie reviews") == ("train", {"data_dir": "movie_reviews"})
    assert read(app, "останови трейн") == ("cancel", {})


async def test_two_commands_in_one_line_run_neither_and_say_so(app: Assistant) -> None:
    """ "train on movie reviews and then test it" was `train` with the words as an example to
    learn ("on movie reviews and then test it"), and "test the model, then archive movie
    reviews" classified its words as a sentence. Both are refused, naming the two commands,
    and nothing is stored; words in quotes, and an opinion, stay the user's own."""
    with_names(app)
    console = TypedConsole(app)
    assert (await console.send("!select_dataset movie_reviews"))["ok"]
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    for line, second in (
        ("!train on movie reviews and then test it", "test"),
        ("!test the model, then archive movie reviews", "archive"),
        ("!archive movie reviews and then select kaggle tweets", "select_dataset"),
    ):
        reply = await console.send(line)
        assert not reply["ok"] and f"and `{second}`; I run one at a time" in reply["text"], reply
    assert app.store.examples(dataset) == []
    assert (await console.send('!train "good and then test it" positive'))["ok"]
    assert app.store.examples(dataset) == [("good and then test it", "positive")]
    assert (await console.send("!feedback the test command is slow and then it hangs"))["ok"]
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("!обучить на movie reviews и потом проверь")
    assert not reply["ok"] and "Это две команды" in reply["text"], reply


async def test_requests_in_their_frames_context_first_and_chat_after_a_greeting(
    app: Assistant,
) -> None:
    """Lines written with phrasings of our own, not from a corpus: the frames a request is put
    in, a request after a sentence of context, and chat after a greeting to the bot, which had
    all been answered with no command."""
    with_names(app)
    for line, want in (
        (
            "any chance you could pack kaggle tweets into a zip?",
            ("archive", {"dir": "kaggle_tweets"}),
        ),
        ("would you be able to leave the voice channel", ("leave", {})),
        ("I need that you cancel the training", ("cancel", {})),
        (
            "my boss asked for last week's figures. could you send over report.txt?",
            ("getfile", {"path": "report.txt"}),
        ),
        ("hello trainer! glad the weekend is over", ("hi", {})),
        ("heyyy, back from my break", ("hi", {})),
        # goals said instead of the action
        ("I don't need you in the voice channel anymore", ("leave", {})),
        ("is model ready yet or no", ("status", {})),
        ("i want to see what commands there are", ("help", {})),
        # a retraction, and greetings to other people
        ("Please stop the training. No wait.", None),
        ("hey guys what's up, anyone up for some games?", None),
    ):
        assert read(app, line) == want, line


async def test_a_run_on_request_and_a_name_put_first(app: Assistant) -> None:
    """Dictated lines run on without a mark, and people name what they mean first: each had
    been answered with no command (assistant/intents/run_on.py)."""
    with_names(app)
    for line, want in (
        (
            "ok so i uploaded the data can you train on kaggle tweets now",
            ("train", {"data_dir": "kaggle_tweets"}),
        ),
        ("movie reviews - can you train on that", ("train", {"data_dir": "movie_reviews"})),
        ("kaggle tweets: archive it please", ("archive", {"dir": "kaggle_tweets"})),
        ("report.txt, send it to me", ("getfile", {"path": "report.txt"})),
        # a greeting before the context is no command of its own, and "this bot" is what the
        # question is about, not a call of the bot (both had made it "Did you mean `hi`?")
        (
            "Hi, my friend set this up and I am lost, can you explain how I should use this bot?",
            ("instruction", {}),
        ),
        # asked of someone else by name, and chat with an asking word in it
        ("Sara, can you send me the file from the meeting?", None),
        ("my train was late so please excuse me", None),
        ("movie reviews are fun to read, aren't they", None),
    ):
        assert read(app, line) == want, line


async def test_two_requests_in_two_sentences_run_neither_and_say_so(app: Assistant) -> None:
    """ "please test the model. could you send over report.txt?" ran `test` and dropped the
    file unsaid (the second sentence is only a near sentence), and with both sentences exact
    ("... send me report.txt") the reply said it found no command at all. Both now name the
    two commands and run neither; thanks or a greeting beside one request still run it."""
    with_names(app)
    console = TypedConsole(app)
    assert (await console.send("!select_dataset movie_reviews"))["ok"]
    for line in (
        "please test the model. could you send over report.txt?",
        "please test the model. send me report.txt",
    ):
        assert read(app, line) is None, line
        reply = await console.send(line)
        want = "That is two commands, `test` and `getfile`; I run one at a time, so nothing ran."
        assert not reply["ok"] and want in reply["text"], reply
    assert app.store.jobs(GUILD) == []
    assert read(app, "thanks a lot. please test the model") == ("test", {})
    assert read(app, "hi there. can you train on kaggle tweets?") == (
        "train",
        {"data_dir": "kaggle_tweets"},
    )
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("проверь модель. пришли мне report.txt")
    assert not reply["ok"] and "Это две команды" in reply["text"], reply


async def test_ratings_and_reports_about_the_bot_are_feedback(app: Assistant) -> None:
    """ "rate bot 5/5" and "bot, you crashed twice yesterday, just letting you know" were
    answered with no command (and offered `hi`); said to the bot, they are its feedback, kept
    whole. A rating of the model is no feedback about the bot."""
    console = TypedConsole(app)
    for line in (
        "rate bot 5/5",
        "bot, you crashed twice yesterday, just letting you know",
        "I'd give this bot 4 stars",
        "heads up, the bot went offline last night",
    ):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "feedback", (line, reply)
    app.store.set_guild_language(GUILD, "ru")
    for line in ("оцениваю бота на 5/5", "бот, ты вчера дважды падал, просто чтобы ты знал"):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "feedback", (line, reply)
    texts = [row.text for row in app.store.feedback(GUILD)]
    assert "rate bot 5/5" in texts, texts
    assert any("ты вчера дважды падал" in text for text in texts), texts
    assert read(app, "rate the model") != ("feedback", {"text": "rate the model"})


async def test_a_file_is_named_among_many_newer_archives(app: Assistant) -> None:
    """Typed lines read file names from the voice grammar's list, the 40 newest files: after
    40 archives, "send report.txt pls" was no command. Typed lines name any file."""
    import os

    with_names(app)
    archives = Path(app.config.data_root) / "archives"
    archives.mkdir()
    os.utime(Path(app.config.data_root) / "report.txt", (1_000_000, 1_000_000))
    for number in range(45):
        (archives / f"movie_reviews-{number:02d}.zip").write_bytes(b"PK")
    assert read(app, "send report.txt pls") == ("getfile", {"path": "report.txt"})
    assert read(app, "please send me archives/movie_reviews-03.zip") == (
        "getfile",
        {"path": "archives/movie_reviews-03.zip"},
    )
    assert "report.txt" not in app.speakable_lists("console")["file"]  # the voice grammar's


async def test_orders_in_the_passive_and_asked_indirectly(app: Assistant) -> None:
    """Managers write what should happen to a thing, others ask whether a way exists; the
    command is the same (assistant/intents/passive.py, `typed.polite`). Each had been no
    command."""
    with_names(app)
    for line, want in (
        ("The current training job must be cancelled immediately.", ("cancel", {})),
        (
            "The active dataset should be set to kaggle_tweets.",
            ("select_dataset", {"dir": "kaggle_tweets"}),
        ),
        ("the kaggle tweets folder has to be zipped", ("archive", {"dir": "kaggle_tweets"})),
        (
            "the model needs to be urgently retrained on movie reviews",
            ("train", {"data_dir": "movie_reviews"}),
        ),
        ("is there a way to download report.txt?", ("getfile", {"path": "report.txt"})),
        ("I was wondering whether you could drop out of the call now", ("leave", {})),
        (
            "Kindly do the needful and train the model on movie_reviews",
            ("train", {"data_dir": "movie_reviews"}),
        ),
        ("yes cancel that", ("cancel", {})),
        # shorthand written out clause by clause
        ("ok u can go now, leave the voice", ("leave", {})),
        # said of other things, or no order at all
        ("the meeting should be cancelled", None),
        ("the report should be ready by friday", None),
    ):
        assert read(app, line) == want, line
    app.store.set_guild_language(GUILD, "ru")
    for line, want in (
        ("обучение нужно срочно отменить", ("cancel", {})),
        ("папку movie reviews надо заархивировать", ("archive", {"dir": "movie_reviews"})),
        ("нам надо поговорить", None),
    ):
        assert read(app, line) == want, line


async def test_yes_before_a_command_still_answers_a_suggestion_alone(app: Assistant) -> None:
    """ "yes" before a command is read off ("yes cancel that"); "yes" alone still runs what
    was offered."""
    console = TypedConsole(app)
    offered = await console.send("stauts")
    assert not offered["ok"] and "`status`" in offered["text"], offered
    ran = await console.send("yes")
    assert ran["ok"] and ran["command"] == "status", ran
