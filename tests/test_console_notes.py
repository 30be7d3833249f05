"""Feedback and corrections as people type them: invisible characters that would turn the
admins' listing around are not stored, a `correct` that names no reply says how it is used,
and only a typed name with spaces is told to be quoted."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from assistant.messages import Request, User
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from tests.test_console_cyrillic_names import cyrillic_folder
from transports.console import CHANNEL, GUILD


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


async def test_a_list_of_quoted_examples_is_one_example_each(app: Assistant) -> None:
    """`train 'a lovely film', 'great fun'` was answered "Did you mean `train`?", then refused
    as several quoted texts ("give one example at a time"); each quoted text is an example of
    its own now, in either language; a comma or a full stop after one quoted example is
    punctuation, not a word to refuse."""
    console = TypedConsole(app)
    for line in ("train 'a lovely film', 'great fun'", 'train "a dull film", "tedious" false'):
        reply = await console.send(line)
        assert reply["ok"] and "Added 2 examples" in reply["text"], reply
        await console.wait()  # the second starts training
    assert (await console.send("language ru"))["ok"]
    reply = await console.send("train «отличный фильм», «скука» false")
    assert reply["ok"] and "Добавлено примеров: 2" in reply["text"], reply
    await console.wait()
    assert (await console.send("language en"))["ok"]
    for line in ('train "a fine film",', 'train "a slow film" false.'):
        assert (await console.send(line))["ok"], line
        await console.wait()
    stored = [e for d in app.store.datasets(GUILD) for e in app.store.examples(d)]
    assert sorted(stored) == [
        ("a dull film", "negative"),
        ("a fine film", "positive"),
        ("a lovely film", "positive"),
        ("a slow film", "negative"),
        ("great fun", "positive"),
        ("tedious", "negative"),
        ("отличный фильм", "negative"),
        ("скука", "negative"),
    ]


async def test_a_label_then_why_corrects_my_last_prediction(app: Assistant, reviews: Path) -> None:
    """ "correct positive, you were wrong" was refused as "`positive,` is not the number of a
    reply": a label written first, then a comma or dash and why, names no reply and means my
    last prediction in the channel. The words after it are why, never part of the label (with
    a reply's number too, "negative, it is sarcasm" was stored as a new label)."""
    console = TypedConsole(app)
    assert (await console.send("correct positive, you were wrong"))["text"] == (
        "`positive` would correct my last prediction in this channel, but I have made none"
        " here: `test` classifies sentences, and `correct #N positive` corrects a reply of mine"
        " by its number. To tell the maintainers something, use `feedback <your text>`."
    )
    for line in ("select_dataset reviews", "train", "wait"):
        assert (await console.send(line))["ok"], line
    predicted = await console.send('test ["a lovely film"]')
    assert (await console.send("status"))["ok"]  # a reply that is no prediction comes after it
    noted = (
        "Thanks! Noted for dataset **reviews**: “a lovely film” is **{}**. It will be used in"
        " its next training run."
    )

    def stored() -> list[tuple[str, str, str]]:
        fixes = app.store.corrections("console", "prediction")
        return [(c.original, c.correction, c.message_id) for c in fixes]

    for line, label in (
        ("correct negative, you were wrong", "negative"),
        ("correct: positive — no, it was right", "positive"),
        ("fix negative - it is sarcasm", "negative"),
        ("correct Positive; sorry, it was right", "positive"),
        # a label alone, typed or as a spoken sentence gives it ("Usage: ..." before)
        ("correct negative", "negative"),
        ("correct that to positive", "positive"),
        ("that's wrong, it should be negative", "negative"),
        (f"correct #{predicted['id']} negative, it is sarcasm", "negative"),
        (f"correct #{predicted['id']} positive", "positive"),
    ):
        fixed = await console.send(line)
        assert fixed["text"] == noted.format(label), (line, fixed)
        # the same item corrected again replaces its correction
        assert stored() == [("a lovely film", label, predicted["id"])], line
    # what the voice grammar makes of "hey trainer, correct that to negative", as the voice
    # session hands it over
    spoken = await app.handle(
        Request(
            "correct",
            options={"text": "negative"},
            source="voice",
            user=User(id="1", name="ada", is_admin=True),
            guild_id=GUILD,
            channel_id=CHANNEL,
        )
    )
    assert spoken.ok and spoken.text == noted.format("negative"), spoken.text
    assert stored() == [("a lovely film", "negative", predicted["id"])]
    last = f"My last prediction here (reply #{predicted['id']})"
    for line, refusal in (
        (
            "correct me, the meeting is at 5",
            f"{last} knows no label `me` (its labels: negative, positive). `correct"
            f" #{predicted['id']} me` gives it that new label; to tell the maintainers"
            " something, use `feedback <your text>`.",
        ),
        (
            "correct negativ, you were wrong",
            "There is no label `negativ`; did you mean `negative`?",
        ),
        ("correct me", "Usage: `correct <message id> <correction>`, or reply to my message."),
    ):
        assert await refused_and_unchanged(app, console, line) == refusal, line
    two = await console.send('test ["a lovely film", "dull"]')
    text = await refused_and_unchanged(app, console, "correct negative, both wrong")
    assert text == (
        f"My last prediction here (reply #{two['id']}) has 2 items; say which one is"
        f" `negative`, e.g. `correct #{two['id']} 2 negative`."
    ), text


async def test_a_label_then_why_corrects_my_last_prediction_in_russian(app: Assistant) -> None:
    """ "исправь: позитивный, ты ошибся" was read as the sentence "ты ошибся" (a correction with
    no label) and given the usage."""
    cyrillic_folder(app.root.root)
    console = TypedConsole(app)
    for line in ("language ru", "select_dataset кино", "train", "wait"):
        assert (await console.send(line))["ok"], line
    predicted = await console.send('проверить ["a dull and tedious film"]')
    assert predicted["kind"] == "prediction", predicted
    for line, label in (
        ("исправь: позитивный, ты ошибся", "позитивный"),
        ("исправить негативный — нет, всё верно", "негативный"),
        ("correct позитивный, ты ошибся", "позитивный"),
    ):
        fixed = await console.send(line)
        assert fixed["text"] == (
            f"Спасибо! Записал для набора **кино**: «a dull and tedious film» — **{label}**. Это"
            " будет учтено при следующем обучении."
        ), (line, fixed)
        fixes = app.store.corrections("console", "prediction")
        assert [(c.correction, c.message_id) for c in fixes] == [(label, predicted["id"])]
    # a label alone; and the templates' `positive`, said as the dataset's own label
    for line, label in (
        ("исправить негативный", "негативный"),
        ("исправь это на позитивный", "позитивный"),
        ("correct that to negative", "негативный"),
    ):
        fixed = await console.send(line)
        assert fixed["ok"] and f"**{label}**" in fixed["text"], (line, fixed["text"])
    text = await refused_and_unchanged(app, console, "исправь: хороший, ты ошибся")
    assert text.startswith(f"Мой последний прогноз здесь (ответ #{predicted['id']}) не знает"), text


async def test_politeness_or_a_person_after_correct_is_no_label(app: Assistant) -> None:
    """Only a label written first after the command's word is read so: not politeness after a
    comma ("Исправьте, пожалуйста, ..." names its label later), nor a person ("поправь меня,
    если я ошибаюсь, ..." asks no correction at all)."""
    app.store.set_guild_language("console", "ru")
    user = User(id="1", name="ada")

    def read(line: str) -> Request | None:
        return app.reading.understand(line, user=user, guild_id="console", channel_id="console")

    polite = read("Исправьте, пожалуйста, класс последнего примера на положительный")
    assert polite is not None and polite.options == {"text": "positive"}, polite
    for chat in ("поправь меня, если я ошибаюсь, но встреча в пять?", "correct me, it's at 5"):
        said = read(chat)
        assert said is None or said.command != "correct", (chat, said)
    labelled = read("поправь: негативный — это сарказм")
    assert labelled is not None and labelled.options == {"text": "негативный — это сарказм"}


async def test_a_correction_without_a_label_asks_for_it(app: Assistant, reviews: Path) -> None:
    """ "that was wrong" and "you misclassified it" (a correction, no label) failed with an
    internal error once a label alone could correct; they ask which label my last prediction
    should have, and the line the question shows works as written."""
    console = TypedConsole(app)
    usage = "Usage: `correct <message id> <correction>`, or reply to my message."
    assert await refused_and_unchanged(app, console, "that was wrong") == usage
    for line in ("select_dataset reviews", "train", "wait"):
        assert (await console.send(line))["ok"], line
    predicted = await console.send('test ["a lovely film"]')
    said = predicted["data"]["predictions"][0]["prediction"]
    other = "negative" if said == "positive" else "positive"
    for line in ("that was wrong", "you misclassified it", "fix label", "!correct it"):
        text = await refused_and_unchanged(app, console, line)
        assert text == (
            f"My last prediction here (reply #{predicted['id']}) said **{said}** for “a lovely"
            f" film”. What should it be? Type `correct {other}`, or say “correct that to"
            f" {other}” (its labels: negative, positive)."
        ), text
    fixed = await console.send(f"correct {other}")
    assert fixed["ok"] and f"is **{other}**" in fixed["text"], fixed
    fixed = await console.send(f"correct the last prediction to {said}")
    assert fixed["ok"] and f"is **{said}**" in fixed["text"], fixed
