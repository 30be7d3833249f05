"""Feedback and corrections as people type them: invisible characters that would turn the
admins' listing around are not stored, a `correct` that names no reply says how it is used,
and only a typed name with spaces is told to be quoted."""

from __future__ import annotations

from assistant.app import Assistant
from assistant.messages import Request, User
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian


async def test_feedback_and_corrections_are_stored_without_invisible_characters(
    app: Assistant,
) -> None:
    """A right-to-left override typed into feedback was stored and listed as written, turning
    the rest of the admins' listing line around; archive names already lost such characters.
    Joiners stay: they are part of emoji and of words."""
    console = TypedConsole(app)
    line = "feedback the bot \u202eis slow\u202c, \u2066really\u2069\u200f 👩\u200d💻 says so\ufeff"
    saved = await console.send(line)
    assert saved["ok"], saved
    assert [f.text for f in app.store.feedback("console")] == [
        "the bot is slow, really 👩\u200d💻 says so"
    ]
    listing = await console.send("feedback")
    assert listing["text"].endswith("**console**: the bot is slow, really 👩\u200d💻 says so"), (
        listing
    )
    refused = await refused_and_unchanged(app, console, "feedback \u202e\u200f")
    assert refused == "Usage: `feedback <your text>`.", refused

    greeted = await console.send("hi")
    fixed = await console.send(f"correct #{greeted['id']} it said \u202ehello\u202c twice\u200e")
    assert fixed["text"] == "Thanks! Your correction is saved.", fixed
    [note] = app.store.corrections("console", "info")
    assert note.correction == "it said hello twice", note


async def test_correct_followed_by_words_that_name_no_reply_explains_correct(
    app: Assistant,
) -> None:
    """`correct me if I'm wrong, the meeting is at 5` was answered "I can't find a reply of mine
    with id `me`": the words name no reply at all, so the reply says how `correct` is used.
    (With an opinion of the bot after the comma, "... the bot is slow", the line is feedback.)"""
    console = TypedConsole(app)
    hint = (
        "`me` is not the number of a reply of mine: `correct` takes one first, as in"
        " `correct #N negative`, or reply to my message with the correction. To tell the"
        " maintainers something, use `feedback <your text>`."
    )
    for line, answer in (
        ("correct me if I'm wrong, the meeting is at 5", hint),
        ("correct #abc it was wrong", hint.replace("`me`", "`#abc`")),
        (
            "correct #424242 negative",
            "I can't find a reply of mine with id `424242` in this server.",
        ),
    ):
        assert await refused_and_unchanged(app, console, line) == answer
    text = await refused_in_russian(app, console, "correct me if I'm wrong, the meeting is at 5")
    assert text.startswith("`me` — не номер моего ответа: `correct` принимает номер первым"), text


async def test_only_a_typed_name_with_spaces_is_told_to_quote_it(app: Assistant) -> None:
    """getfile and archive told a spoken request (and a slash option) to quote the name as
    `getfile "docs/q3 sales report.txt"`: there are no quotes to say, and a slash option is
    one value already. A typed line still gets the quoted form."""
    (app.root.root / "docs").mkdir()
    (app.root.root / "docs" / "q3 sales report.txt").write_text("sales", encoding="utf-8")
    (app.root.root / "old notes").mkdir()
    (app.root.root / "old notes" / "1.txt").write_text("a note", encoding="utf-8")
    asked = {"user": User(id="1", name="ada", is_admin=True), "guild_id": "g1", "channel_id": "c"}
    for source in ("voice", "slash"):
        sent = await app.handle(
            Request("getfile", options={"path": "docs/q3 sales report.txt"}, source=source, **asked)
        )
        assert sent.text == "Here is `docs/q3 sales report.txt` (5 bytes).", (source, sent.text)
        made = await app.handle(
            Request("archive", options={"dir": "old notes"}, source=source, **asked)
        )
        assert made.ok and "quote" not in made.text, (source, made.text)
        assert made.text.startswith("Archived `old notes` (1 file)"), (source, made.text)
    console = TypedConsole(app)
    typed = await console.send("getfile docs/q3 sales report.txt")
    assert typed["text"].endswith('quote it: `getfile "docs/q3 sales report.txt"`.'), typed
    typed = await console.send("archive old notes")
    assert typed["text"].endswith('quote it: `archive "old notes"`.'), typed


async def test_feedback_is_stored_as_written_with_its_emoji(app: Assistant) -> None:
    """ "feedback nice 👩‍💻" was stored as "nice", and an opinion about the bot lost its case
    and commas: a wildcard's words were cut to the last word that is a word."""
    console = TypedConsole(app)
    for line in ("feedback nice 👩\u200d💻", "The bot is GREAT, thanks!! 🎉"):
        assert (await console.send(line))["command"] == "feedback", line
    assert sorted(f.text for f in app.store.feedback("console")) == [
        "The bot is GREAT, thanks!! 🎉",
        "nice 👩\u200d💻",
    ]


async def test_train_tells_only_a_typed_line_to_quote_a_file_name(app: Assistant) -> None:
    """`train`'s "`notes.txt` is a file in the data folder ...; to add the words as text, put
    them in quotes" was said to a spoken request too, where there are no quotes to say."""
    (app.root.root / "notes.txt").write_text("a lovely film\ndull\n", encoding="utf-8")
    asked = {"user": User(id="1", name="ada", is_admin=True), "guild_id": "g1", "channel_id": "c"}
    spoken = await app.handle(
        Request("train", options={"data": "notes.txt"}, source="voice", **asked)
    )
    assert spoken.ok and spoken.text.startswith("This adds the label `positive`"), spoken.text
    assert "quotes" not in spoken.text, spoken.text
    typed = await TypedConsole(app).send("train notes.txt")
    assert typed["text"].startswith("`notes.txt` is a file in the data folder"), typed


async def test_words_after_a_quoted_example_are_refused_in_russian_too(app: Assistant) -> None:
    """The refusal of `train "скучно" false 😀` shows, in Russian, the two lines that may
    have been meant."""
    text = await refused_in_russian(app, TypedConsole(app), 'train "скучно" false 😀')
    assert text == (
        "Пример — только текст в кавычках, а `😀` после него — не параметр. Чтобы добавить это"
        ' к примеру, поставьте его внутрь кавычек: `train "скучно 😀" false`; иначе уберите:'
        ' `train "скучно" false`.'
    ), text
