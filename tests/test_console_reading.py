"""What a line typed at the console is read as, probed by a hostile tester: a command name
before ordinary words, a near sentence that names another command, `help` and `yes` for the
console's own words."""

from __future__ import annotations

from collections.abc import Callable

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import User
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged

TYPED = {"user": User(id="1", name="ada"), "guild_id": "console", "channel_id": "c"}
"""Where `Reader.understand` reads a line, as the console's user."""


async def test_yes_is_offered_only_for_a_command_the_user_may_run(
    make_config: Callable[..., Config],
) -> None:
    """A console user without the `trainer` role was told "Did you mean `select_dataset`? ...
    Answer `yes` to run `select_dataset`.", and `yes` was refused for want of the role."""
    app = Assistant(make_config(permissions={"console_user_is_admin": False}))
    await app.start()
    try:
        console = TypedConsole(app)
        for typo, name in [("selct_dataset", "select_dataset"), ("trian", "train")]:
            named = await console.send(typo)
            assert f"Did you mean `{name}`?" in named["text"], named
            assert "Answer `yes`" not in named["text"] and not named["data"], named
            assert (await console.send("yes"))["command"] is None  # nothing was offered
        offered = await console.send("statu")
        assert offered["text"].endswith("Answer `yes` to run `status`."), offered
        assert (await console.send("yes"))["ok"]
    finally:
        await app.close()


async def test_help_explains_the_console_commands_it_lists(app: Assistant) -> None:
    """`help` lists `wait`, `say`, `yes` and `quit`; `help wait` answered "There is no command
    `wait`"."""
    console = TypedConsole(app)
    listed = (await console.send("help"))["text"]
    for word in ("wait", "say", "yes", "quit"):
        reply = await console.send(f"help {word}")
        assert reply["ok"] and reply["text"].startswith(f"`{word}"), reply
        assert reply["text"] in listed, reply
    assert (await console.send("language ru"))["ok"]
    reply = await console.send("help да")
    assert reply["ok"] and reply["text"].startswith("`да`: выполнить команду"), reply
    assert not (await console.send("help fly"))["ok"]


async def test_a_command_name_before_ordinary_words_is_a_hint(app: Assistant) -> None:
    """ "cancel my subscription? nah" is no `cancel` with arguments: it was answered with the
    command's usage, as if the user had got its arguments wrong. A name alone, or with a polite
    word or one argument, is still the command."""
    console = TypedConsole(app)
    for line, name in (
        ("cancel my subscription? nah", "cancel"),
        ("status of everything ok", "status"),
        ("undo that last thing you did", "undo"),
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == f"Did you mean `{name}`? Type `{name}` alone to run it.", (line, text)
    for line, command, start in (
        ("cancel", "cancel", "No training job is running."),
        ("cancel 7", "cancel", "There is no job 7"),
        ("status please", "status", "**Status**"),
        ("trainer status", "status", "**Status**"),
        ("please undo", "undo", "There is no active dataset yet"),
    ):
        reply = await console.send(line)
        assert reply["command"] == command and reply["text"].startswith(start), (line, reply)
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "отменить мою подписку, нет")
    assert text == "Может быть, `отменить`? Чтобы выполнить, напишите `отменить` без других слов."


async def test_evaluating_the_model_on_a_dataset_is_never_training(app: Assistant) -> None:
    """ "evaluate the model on kaggle tweets" was read as the nearest sentence, "update the model
    on kaggle tweets", and trained; "score the model on ..." as "create a model on ...". Each is
    `test` on that dataset (refused here: there is no model yet); a typo of a training sentence
    still trains."""
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    write_folder_dataset(app.root.root, name="kaggle_tweets", per_label=3)
    console = TypedConsole(app)
    assert (await console.send("select dataset reviews"))["ok"]
    for line in (
        "evaluate the model on kaggle tweets",
        "score the model on kaggle tweets",
        "assess the model on kaggle tweets",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == "Dataset **reviews** has no model yet. Add examples and run `train` first."
    for line in ("evaluate the model", "score the model"):
        assert (await console.send(line))["command"] == "test", line
    typo = app.reading.understand("trian the model on kaggle tweets", **TYPED)
    assert typo is not None and typo.command == "train", typo
    assert typo.options == {"data_dir": "kaggle_tweets"}, typo


async def test_the_bots_name_after_a_command_is_no_argument(app: Assistant) -> None:
    """ "go ahead and train, bot" and "train, bot" call the bot by name after the command; read
    as `train`'s argument, "bot" was added to the dataset as a positive example."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset fresh"))["ok"]  # an empty one, to retrain
    for line in ("go ahead and train, bot", "train, bot", "!train, trainer", "train @bot"):
        refused = await refused_and_unchanged(app, console, line)
        assert refused.startswith("Training needs at least 4 examples; the dataset has 0"), line
    status = await console.send("!status, trainer")
    assert status["ok"] and status["text"].startswith("**Status**"), status


async def test_a_folders_name_in_a_commands_words_is_the_folder_not_an_example(
    app: Assistant,
) -> None:
    """ "train movie reviews" and "train model movie reviews now" were each added to the
    dataset as a positive example, where the user named the folder `movie_reviews`. A name
    written with spaces is the folder; among other words it is refused with both readings."""
    write_folder_dataset(app.config.data_root, "movie_reviews", per_label=20)
    console = TypedConsole(app)
    refused = await refused_and_unchanged(app, console, "train model movie reviews now")
    assert refused == (
        "Your words name `movie_reviews`, so nothing ran. To use it, type `train movie_reviews`;"
        ' to mean the words themselves, put them in quotes: `train "model movie reviews now"`.'
    )
    refused = await refused_and_unchanged(app, console, "test modle on movie reviews")
    assert "type `test movie_reviews`" in refused
    # politeness and a reason after a dash are no part of the name
    trained = await console.send("train movie reviews pls — it has new labels")
    assert trained["ok"] and "Added 1 example" not in trained["text"], trained
    assert "movie_reviews" in trained["text"], trained


async def test_a_misspelt_file_asked_for_in_a_sentence_gets_the_near_name(
    app: Assistant,
) -> None:
    """ "send me reprot.txt" was no command ("I didn't find a command in that"), where
    `getfile reprot.txt` suggests the file meant; a sentence asking for one word with an
    extension asks for that file."""
    (app.config.data_root / "report.txt").write_text("accuracy 0.91\n", encoding="utf-8")
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "send me reprot.txt")
    assert text == "There is no `reprot.txt` in the data folder. Did you mean `report.txt`?"
    sent = await console.send("send me report.txt")
    assert sent["ok"] and sent["text"].startswith("Here is `report.txt`"), sent


async def test_a_sentence_with_quotes_after_the_prefix_is_read_as_without_it(
    app: Assistant,
) -> None:
    """`please add "a quietly moving film" as positive` added the example, but with the prefix
    (as on Discord, where a line needs one) the quotes were taken for arguments of a command
    `please`, and the reply was "I don't know the command `please`. Did you mean `correct`?"."""
    console = TypedConsole(app)
    for line in (
        '!please add "a quietly moving film" as positive',
        '!could you add "dull from start to end" as negative',
    ):
        reply = await console.send(line)
        assert reply["ok"] and "Added 1 example" in reply["text"], (line, reply)
    dataset = app.store.active_dataset("console")
    assert dataset is not None
    assert sorted(app.store.examples(dataset)) == [
        ("a quietly moving film", "positive"),
        ("dull from start to end", "negative"),
    ]
    # a name that is no command, with quotes and no sentence, is still refused as before
    text = await refused_and_unchanged(app, console, '!foo "bar"')
    assert text == "I don't know the command `foo`. Type `help` to see what I can do.", text
