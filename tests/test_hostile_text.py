"""Hostile text through the real surfaces (the console and discord.py against the fake
Discord): replies that would not fit Discord's limits, and members' text echoed back with line
breaks or backticks that would break the reply's own formatting. Each says what the member
sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.limits import CONTENT_CHARS
from tests.test_console_commands import refused_and_unchanged
from tests.test_discord_components import from_interaction
from tests.test_discord_probe import replying_to
from tests.test_discord_text import as_csv, no_traceback

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


def long_labels(labels: int = 50) -> bytes:
    """A CSV of 200 rows with `labels` labels of 99 characters: a reply counting them is
    longer than one Discord message."""
    rows = [
        (f"sentence {i} about topic {i % labels}", f"{i % labels:02d}" + "l" * 97)
        for i in range(200)
    ]
    return as_csv(rows)


async def test_a_started_job_whose_reply_is_paged_still_shows_its_progress(
    fake: FakeDiscord, bot: Any
) -> None:
    """A `train` that brings 50 long labels announces each: its reply is sent as embed pages.
    Its progress edits put the reply's first 2,000 characters in the message's content, beside
    the embed that already showed them, and cut the progress line off: the member saw the text
    twice and never the bar, nor 100%."""
    sent = await fake.send_message("!train", attachments=[("many.csv", long_labels(), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"])
    assert started["embeds"] and not started["content"], started  # paged
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=120)
    shown = fake.find_message(started["id"])
    assert shown is not None and shown.get("edits", 0) >= 1
    assert "100%" in shown["content"] and len(shown["content"]) <= CONTENT_CHARS, shown["content"]
    assert "This adds the label" not in shown["content"], shown["content"][:300]
    assert "This adds the label" in shown["embeds"][0]["description"]  # the pages stay
    assert fake.refused == []
    no_traceback(fake)


MULTI_LINE = "a fine film\n# HEADING\n```\nthe rest of the reply is code"
"""An example of several lines: as a line of a reply, a heading, then a code block that
swallows whatever the reply says after it."""


async def test_a_removed_example_of_several_lines_is_quoted_on_one_line(
    fake: FakeDiscord, bot: Any
) -> None:
    sent = await fake.send_message(f'!train "{MULTI_LINE}"')
    added = await fake.wait_for_reply(after=sent["id"])
    assert "Added 1 example" in added["content"], added
    sent = await fake.send_message("!remove #1")
    question = await fake.wait_for_reply(after=sent["id"])
    await fake.click(question, fake.components(question)[0]["custom_id"])
    done = await fake.wait_for(
        lambda: "Removed example #1" in (fake.find_message(question["id"]) or {})["content"],
        10,
        "removed",
    )
    content = (fake.find_message(question["id"]) or {})["content"]
    assert done and content == (
        "Removed example #1 (**positive**: a fine film # HEADING \\`\\`\\` the rest of the reply"
        " is code). `train` retrains without it."
    ), content
    no_traceback(fake)


async def test_a_corrected_item_of_several_lines_is_quoted_on_one_line(
    app: Assistant, reviews: Path
) -> None:
    """The thanks for a correction, and the question of which label, quoted the item with its
    line breaks (the prediction itself already showed it on one line)."""
    console = TypedConsole(app)
    for line in ("select_dataset reviews", "train", "wait"):
        assert (await console.send(line))["ok"], line
    item = MULTI_LINE.replace("\n", "\\n")  # as JSON writes a line break
    predicted = await console.send(f'test ["{item}"]')
    flat = "a fine film # HEADING \\`\\`\\` the rest of the reply is code"
    assert f"“{flat}”" in predicted["text"], predicted
    asked = await console.send("that was wrong")
    assert f"for “{flat}”. What should it be?" in asked["text"], asked
    thanks = await console.send("correct positive")
    assert f"Noted for dataset **reviews**: “{flat}” is **positive**" in thanks["text"], thanks
    assert [c.original for c in app.store.corrections("console", "prediction")] == [MULTI_LINE]


async def test_backticks_in_a_json_mistake_stay_inside_the_code_block(app: Assistant) -> None:
    """A JSON mistake is shown in a code block with a mark under it. Three backticks in the
    line shown closed the block there: the mark and the example after it came out as
    text and the closing fence opened a block of its own."""
    console = TypedConsole(app)
    for language, example in (("en", "Example:"), ("ru", "Пример:")):
        assert (await console.send(f"language {language}"))["ok"]
        text = await refused_and_unchanged(app, console, 'test ["x"] ```')
        _, opened, rest = text.partition("```\n")
        shown, closed, tail = rest.partition("\n```\n")
        assert opened and closed and tail.startswith(example), text
        assert "``" not in shown, shown  # nothing inside ends the block early
        assert shown.replace("\u200b", "") == '["x"] ```\n      ^', shown


async def test_a_json_key_given_twice_is_refused_not_half_kept(
    app: Assistant, tmp_path: Path
) -> None:
    """`{"text": "a", "text": "b"}` added "b" alone, and `{"label": "x", "label": "y"}` tested
    against "y": JSON keeps a repeated key's last value, and the member never knew."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    assert await refused_and_unchanged(
        app, console, 'train {"text": "a fine film", "text": "dull", "label": "x"}'
    ) == ("That gives `text` twice in one object, and JSON would keep only the last; give it once.")
    upload = tmp_path / "rows.jsonl"
    upload.write_text('{"text": "fine", "label": "a"}\n{"text": "x", "label": "a", "label": "b"}\n')
    assert await refused_and_unchanged(app, console, f"train +attach {upload}") == (
        "`rows.jsonl` line 2 gives `label` twice in one object, and JSON would keep only the"
        " last; give it once."
    )
    assert (await console.send("language ru"))["ok"]
    assert await refused_and_unchanged(app, console, 'test [{"text": "a", "text": "b"}]') == (
        "Это: `text` дважды в одном объекте, а JSON оставил бы только последнее; укажите его"
        " один раз."
    )


def markup_left(content: str) -> str:
    """What Discord reads as markup in a message: its backticks that are not escaped, its
    spoiler bars and masked links' `](`."""
    live = content.replace("\\`", "")
    return "".join(c for c in live if c == "`") + "||" * live.count("||") + "](" * live.count("](")


async def test_examples_with_backticks_spoilers_and_links_stay_text(
    fake: FakeDiscord, bot: Any
) -> None:
    """A backtick in an example paired with the next one, in another example or in the reply's
    own `relabel #N LABEL`, and made code of everything between; a `||` hid the listing up to
    the next one, and `[free nitro](https://...)` was a link whose words hid where it went."""
    for text in ("it`s fine", "don`t miss [free nitro](https://evil.example) ||now||"):
        sent = await fake.send_message(f'!train "{text}"')
        assert "Added 1 example" in (await fake.wait_for_reply(after=sent["id"]))["content"]
    sent = await fake.send_message("!examples")
    listing = (await fake.wait_for_reply(after=sent["id"]))["content"]
    assert "#1 **positive**: it\\`s fine\n" in listing, listing
    link, bars = "[free nitro]\u200b(https://evil.example)", "|\u200b|now|\u200b|"
    assert f"#2 **positive**: don\\`t miss {link} {bars}\n" in listing, listing
    hint = (
        "`relabel #N LABEL` changes one, `remove #N` deletes one, `undo` removes the last"
        " addition, `export` sends them all."
    )
    assert listing.endswith(hint) and markup_left(listing) == markup_left(hint), listing
    sent = await fake.send_message("!remove #1")
    question = await fake.wait_for_reply(after=sent["id"])
    await fake.click(question, fake.components(question)[0]["custom_id"])
    await fake.wait_for(
        lambda: "Removed" in (fake.find_message(question["id"]) or {})["content"], 10, "removed"
    )
    removed = (fake.find_message(question["id"]) or {})["content"]
    assert removed == "Removed example #1 (**positive**: it\\`s fine). `train` retrains without it."
    assert markup_left(removed) == "``"


async def test_backticks_in_feedback_stay_in_their_entry(app: Assistant) -> None:
    """The admins' listing: three backticks in one entry opened a code block that ran through
    the entries after it, and a lone one paired with the next entry's."""
    console = TypedConsole(app)
    for text in ("the ``` export breaks", "it`s slow", "and [this](https://evil.example) ||too||"):
        assert (await console.send(f"feedback {text}"))["ok"]
    listing = (await console.send("feedback"))["text"]
    assert markup_left(listing) == "", listing
    assert "it\\`s slow" in listing and "the \\`\\`\\` export breaks" in listing, listing
    assert [f.text for f in app.store.feedback("console")][-1] == "the ``` export breaks"


async def test_a_command_behind_an_invisible_character_is_answered(
    fake: FakeDiscord, bot: Any
) -> None:
    """`!` then a right-to-left override or a zero-width space, then a command (pasted, or
    a phone's keyboard): no answer at all, as for "!!!"; the console answered the same line."""
    for typed in ("!\u202etrain\u202c", "!\u200bstatus"):
        sent = await fake.send_message(typed)
        reply = await fake.wait_for_reply(after=sent["id"], where=replying_to(sent), timeout=20)
        text = reply["content"] + "".join(str(e.get("description")) for e in reply["embeds"])
        assert "train" in text or "Status" in text, (typed, text)
    sent = await fake.send_message("!!!")
    hello = await fake.send_message("!hi")
    first = await fake.wait_for_reply(after=sent["id"])
    assert first["message_reference"]["message_id"] == hello["id"], first  # "!!!" stays unanswered
    no_traceback(fake)


async def test_a_label_or_a_name_with_discord_markup_is_refused_or_shown_inert(
    app: Assistant, tmp_path: Path
) -> None:
    """Labels are shown as plain words in every count ("Added 1 example (||x|| 1)"): `||` hid
    the reply up to the next bars, `[a](https://...)` was a link. Such a label is refused as
    a backtick is, typed or from a file; a folder so named is shown with its pairs parted."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    for label in ("||x||", "[free nitro](https://evil.example)"):
        text = await refused_and_unchanged(app, console, f'train "a fine film" label:"{label}"')
        assert text.startswith(f"`{label}` cannot be a label"), text
        assert "spoiler bars `||` or link brackets `](`" in text, text
    upload = tmp_path / "rows.csv"
    upload.write_text("text,label\na fine film,good\ndull,||bad||\n")
    text = await refused_and_unchanged(app, console, f"train +attach {upload}")
    assert "`||bad||` cannot be a label" in text, text
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, 'train "a fine film" label:"||x||"')
    assert text.startswith("`||x||` не может быть меткой"), text
    assert (await console.send("language en"))["ok"]
    (app.root.root / "||spoiled||").mkdir()
    listing = (await console.send("select_dataset"))["text"]
    assert "- **|\u200b|spoiled|\u200b|**" in listing, listing
    assert "||" not in listing


SURROGATE = "That path has a lone surrogate (such as `\\ud800`), which is not a character, so no"


async def test_a_path_with_a_lone_surrogate_is_refused_clearly(app: Assistant) -> None:
    """A lone surrogate (`\\ud800`; JSON and Discord's gateway can carry one) in a path or a
    dataset's name was "Sorry, something went wrong": the file system and the database refuse
    to encode it. A byte of a name on a disk that is not UTF-8 (`\\udcff`) is still a name."""
    console = TypedConsole(app)
    for line in (
        "getfile \ud800",
        "archive a\ud800",
        "train file:\ud800.txt",
        "select_dataset \ud800",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith(SURROGATE), (line, text)
    missing = await refused_and_unchanged(app, console, "select_dataset \udcff")
    assert missing == "There is no `\\udcff` in the data folder.", missing
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "getfile \ud800")
    assert text.startswith("В этом пути одиночный суррогат (например `\\ud800`)"), text


async def test_a_slash_path_with_a_lone_surrogate_is_refused_clearly(
    fake: FakeDiscord, bot: Any
) -> None:
    interaction = await fake.interaction("getfile", {"path": "\ud800"})
    reply = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert reply["embeds"][0]["description"].startswith(SURROGATE), reply
    no_traceback(fake)


async def test_a_name_with_a_look_alike_letter_says_which_letter(
    app: Assistant, reviews: Path
) -> None:
    """`rеviews` with a Cyrillic `е` was "There is no `rеviews` in the data folder. Did you
    mean `reviews`?": two names that look the same, and no way to see why one was not found.
    So was a command typed so (`trаin`)."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "select_dataset r\u0435views")
    assert text == (
        "There is no `r\u0435views` in the data folder. Did you mean `reviews`? The two look the"
        " same, but yours has Cyrillic `\u0435` where it has Latin letters."
    ), text
    text = await refused_and_unchanged(app, console, 'tr\u0430in "a fine film"')
    assert "Did you mean `train`? The two look the same, but yours has Cyrillic `\u0430`" in text
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "archive r\u0435views")
    assert text.endswith(
        "Может быть, `reviews`? Они выглядят одинаково, но у вас буквы кириллицы `\u0435` там,"
        " где в нём буквы латиницы."
    ), text


async def test_nan_and_infinity_are_no_json_numbers(app: Assistant, tmp_path: Path) -> None:
    """Python's `json` reads `NaN` (what Python writes for a missing value) and makes a number
    too large for a float infinity: rows of a JSONL written with NaN labels became the label
    `nan`, and `1e999` the label `inf`, without a word."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    upload = tmp_path / "rows.jsonl"
    upload.write_text('{"text": "fine", "label": "a"}\n{"text": "missing", "label": NaN}\n')
    assert await refused_and_unchanged(app, console, f"train +attach {upload}") == (
        "`rows.jsonl` line 2 holds `NaN`, which is no JSON number; write it in quotes if it is a"
        " label or a text, else leave the field out."
    )
    for typed in ('train {"text": "b", "label": 1e999}', "test [-Infinity]"):
        text = await refused_and_unchanged(app, console, typed)
        assert "which is no JSON number" in text, text
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, 'train {"text": "a", "label": NaN}')
    assert text.startswith("Это: `NaN` — не число JSON"), text


async def test_a_confirmed_undo_whose_answer_is_paged_can_be_turned(
    fake: FakeDiscord, bot: Any
) -> None:
    """`undo` of an addition of many long labels answers in two pages; confirmed with the
    button, its message showed page 1 of 2 with no buttons to reach page 2."""
    sent = await fake.send_message("!train", attachments=[("many.csv", long_labels(), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"])
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=120)
    sent = await fake.send_message("!undo")
    question = await fake.wait_for_reply(after=sent["id"], where=replying_to(sent))
    await fake.click(question, fake.components(question)[0]["custom_id"])
    answered = await fake.wait_for(
        lambda: (m := fake.find_message(question["id"])) and m["embeds"] and m, 10, "the answer"
    )
    assert answered["embeds"][0]["footer"]["text"] == "Page 1 of 2", answered["embeds"]
    [_, following] = fake.components(answered)
    await fake.click(answered, following["custom_id"])
    turned = await fake.wait_for(
        lambda: (
            (m := fake.find_message(question["id"]))
            and m["embeds"][0]["footer"]["text"] == "Page 2 of 2"
            and m
        ),
        10,
        "page 2",
    )
    assert "`train` retrains without them." in turned["embeds"][0]["description"], turned
    assert fake.refused == []


async def test_names_on_disk_with_escape_sequences_are_shown_escaped(app: Assistant) -> None:
    """A folder or file whose name holds a terminal escape sequence (or a right-to-left
    override) was printed raw by `select_dataset`'s list, `status` and `getfile`'s list: on the
    console it cleared the screen and set the window's title; elsewhere it was escaped."""
    name = "ev\x1b[2J\x1b]0;pwn\x07\u202e"
    write_folder_dataset(app.root.root, name=name, per_label=2)
    (app.root.root / f"{name}.txt").write_text("a note")
    console = TypedConsole(app)
    shown = "ev\\u001b[2J\\u001b]0;pwn\\u0007\\u202e"
    assert (await console.send(f"select_dataset {name}"))["ok"]
    for line in ("select_dataset", "status", "getfile"):
        text = (await console.send(line))["text"]
        assert not any(c in text for c in "\x1b\x07\u202e"), (line, text)
        assert shown in text, (line, text)


async def test_a_slash_command_without_its_required_option_is_answered(
    fake: FakeDiscord, bot: Any
) -> None:
    """Discord sends what a member's client shows: one still showing an older form of a
    command can send it without an option it now requires. discord.py only logged that, and
    the member saw "The application did not respond"."""
    for name in ("relabel", "create_dataset"):
        interaction = await fake.interaction(name, {})
        reply = await fake.wait_for_reply(where=from_interaction(interaction))
        assert reply["embeds"][0]["description"].startswith(
            f"Discord sent `/{name}` without an option it needs"
        ), reply
    assert bot.assistant.store.datasets(str(fake.guild_id)) == []
    no_traceback(fake)
