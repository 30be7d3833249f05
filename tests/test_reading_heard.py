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
