"""Typed lines in chat spelling: shorthand ("u", "dc", "щас") written out and a misspelt word
taken for the template word it is a typo of (assistant/intents/spelling.py), without ever
changing the words a user asked to store; and the near sentences of every command kept
however many datasets there are."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_typed_phrasings import read, with_names
from transports.console import GUILD


async def test_shorthand_and_typos_are_read_as_the_words_they_stand_for(app: Assistant) -> None:
    with_names(app)
    for line, want in (
        ("trainer u there?", ("hi", {})),
        ("can u joim the call", ("join", {})),
        ("is the model done traning yet??", ("status", {})),
        ("trainer whats the statsu?", ("status", {})),
        ("trian", None),  # one word is left to "Did you mean": no training starts on a typo
        ("hey trainr", ("hi", {})),
        ("bot dc from the vocie channel pls", ("leave", {})),
        ("cna you send report.txt", ("getfile", {"path": "report.txt"})),
        (
            "bot can we swtich over to the movie reviews data?",
            ("select_dataset", {"dir": "movie_reviews"}),
        ),
    ):
        assert read(app, line) == want, line
    app.store.set_guild_language(GUILD, "ru")
    assert read(app, "выйди из войса пожалуйсто") == ("leave", {})
    assert read(app, "напомни каманды пожалуйста") == ("help", {})


async def test_respelled_words_are_never_stored(app: Assistant) -> None:
    """Feedback or a sentence to classify is what the user typed: a reading that respelled
    them ("teh traning" in the feedback below) is not taken, so no text is stored that the
    user did not write."""
    console = TypedConsole(app)
    line = "my feedbak for the bot is teh traning takes too long"
    reply = await console.send(line)
    stored = [f.text for f in app.store.feedback(GUILD)]
    assert all(text in line for text in stored), (stored, reply)


async def test_a_polite_frame_does_not_turn_a_request_into_an_example(app: Assistant) -> None:
    """ "Is it possible to train a new classifier from scratch using the reviews folder,
    please?" was passed to `train` as its arguments once the polite frame was read off: the
    words became a positive example. Nothing is added; the reply says what it did."""
    write_folder_dataset(Path(app.config.data_root))
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    before = app.store.examples(dataset)
    await console.send(
        "Is it possible to train a new classifier from scratch using the reviews folder, please?"
    )
    await console.wait()
    assert app.store.examples(dataset) == before


async def test_feedback_after_a_dash_is_taken_as_written(app: Assistant) -> None:
    console = TypedConsole(app)
    reply = await console.send("trainer, a bit of feedback — status messages could be shorter")
    assert reply["ok"] and reply["command"] == "feedback", reply
    assert [f.text for f in app.store.feedback(GUILD)] == ["status messages could be shorter"]


async def test_every_command_keeps_its_near_sentences_with_many_datasets(app: Assistant) -> None:
    """Every dataset name multiplies the sentences that name one; the near-sentence index is
    bounded, and it once filled up before the commands listed last (`help`, `status`,
    `cancel`) had any: with enough datasets, "kancell the training" was no command."""
    root = Path(app.config.data_root)
    for number in range(40):
        (root / f"project_{number}_reviews").mkdir(parents=True)
    for line, want in (
        ("kancell the training", "cancel"),
        ("whaat commands are thre", "help"),
        ("shw me the progres", "status"),
    ):
        got = read(app, line)
        assert got is not None and got[0] == want, (line, got)
