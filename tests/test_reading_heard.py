"""The model's words after the wake phrase, read as the bot reads a typed line
(assistant/reading.py `Reader.heard`): what the hearing path scores as one more candidate."""

from __future__ import annotations

from assistant.app import Assistant


async def test_a_reading_never_waits_for_the_guesser_and_reads_more_once_it_is_learned(
    app: Assistant,
) -> None:
    reader = app.reading
    # Before the guesser is learned, the templates read (a filler and a question: `help`)...
    heard = reader.heard("okay so what are my options", "g1")
    assert heard is not None and heard.name == "help"
    # ...and a line only the guesser reads waits for nothing: it is not read, nor learned.
    assert reader.heard("you're doing great", "g1") is None
    assert "en" not in reader._guessers
    reader.guesser("en")  # learned as the bot's voice starts (states/parts.py)
    praise = reader.heard("you're doing great", "g1")
    assert praise is not None and praise.name == "feedback"


async def test_chatter_reads_as_no_command(app: Assistant) -> None:
    reader = app.reading
    reader.guesser("en")
    for words in ("my train was late today", "i have a test tomorrow", "the status of my order"):
        assert reader.heard(words, "g1") is None, words


async def test_a_name_the_guild_lacks_is_no_reading(app: Assistant) -> None:
    """Typed, "select the dataset linkout" is read with the name so that the command can say
    there is none; heard, a name the guild lacks is the model's misspelling of one it has
    ("select the dataset cardal tweet" for kaggle tweets), and that reading had beaten the
    grammar's, which had heard the name right."""
    (app.root.root / "kaggle_tweets").mkdir()
    reader = app.reading
    reader.guesser("en")
    heard = reader.heard("select the dataset kaggle tweets", "g1")
    assert heard is not None and heard.slots == {"dir": "kaggle_tweets"}, heard
    assert reader.heard("select the dataset cardal tweet", "g1") is None
    assert reader.heard("please send me reprot.txt", "g1") is None
    heard = reader.heard("correct that was actually negative", "g1")  # a label is no name
    assert heard is not None and heard.name == "correct", heard
