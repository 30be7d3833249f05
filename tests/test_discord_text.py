"""The real bot (discord.py, started like bot.py does) against a loopback fake Discord: typed
and slash commands, attachments, files, corrections, errors, permissions, gateway recovery."""

from __future__ import annotations

import csv
import io
from typing import Any

import discord

from tests.corpus import sentences
from tests.fakediscord import FakeDiscord, fixtures

# The fixtures live in tests/fakediscord (tests/conftest.py is shared); bind them here.
fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

MESSAGE_CONTENT, MEMBERS, VOICE_STATES = 1 << 15, 1 << 1, 1 << 7


def as_csv(rows: list[tuple[str, str]]) -> bytes:
    """A `text,label` CSV, quoted where a text has a comma."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    return out.getvalue().encode()


def csv_examples(per_label: int = 12) -> bytes:
    return as_csv(
        [
            (text, label)
            for label in ("positive", "negative")
            for text in sentences(label, per_label)
        ]
    )


def is_error(message: dict[str, Any]) -> bool:
    return bool(message["embeds"]) and message["embeds"][0].get("title") == "Couldn't do that"


def error_text(message: dict[str, Any]) -> str:
    return str(message["embeds"][0].get("description", ""))


def no_traceback(fake: FakeDiscord) -> None:
    for message in fake.sent_messages():
        blob = message["content"] + "".join(str(e) for e in message["embeds"])
        assert "Traceback" not in blob and 'File "' not in blob


async def test_login_intents_and_typed_slash_commands(fake: FakeDiscord, bot: Any) -> None:
    assert fake.gateway.identifies == 1
    assert fake.gateway.intents is not None
    assert fake.gateway.intents & (MESSAGE_CONTENT | MEMBERS | VOICE_STATES) == (
        MESSAGE_CONTENT | MEMBERS | VOICE_STATES
    )
    options = {o["name"]: o for o in fake.commands["train"]["options"]}
    assert options["positive"]["type"] == 5  # bool
    assert options["file"]["type"] == 11  # attachment
    assert {o["name"]: o["type"] for o in fake.commands["cancel"]["options"]} == {"job": 4}
    # `/getfile` alone names the newest files to choose from (its path is autocompleted)
    assert fake.commands["getfile"]["options"][0]["required"] is False
    assert all(len(c["description"]) <= 100 for c in fake.commands.values())
    assert {"optout", "optin"} <= set(fake.commands)
    assert fake.unknown_routes == []


async def test_prefix_command_replies_to_the_message(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!hi")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Hello, alice" in reply["content"]
    assert reply["message_reference"]["message_id"] == sent["id"]


async def test_slash_command_with_typed_option(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.interaction("help", {"command": "train"})
    reply = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert "train" in reply["content"]
    assert fake.interactions[interaction]["responses"] == [5]  # deferred, then edited


async def test_a_typed_sentence_after_the_prefix_is_understood(fake: FakeDiscord, bot: Any) -> None:
    """ "!please say hi" named no command ("please") before typed sentences were read as such."""
    sent = await fake.send_message("!please say hi")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert "Hello, alice" in reply["content"], reply
    for line in ("!what's the status", f"<@{bot.bot.user.id}> what's the status"):
        sent = await fake.send_message(line)
        reply = await fake.wait_for_reply(after=sent["id"])
        assert not is_error(reply) and "Status" in reply["content"], (line, reply)
    sent = await fake.send_message("!does the model work well for me")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "Did you mean `test`?" in error_text(reply), reply


async def test_unknown_command_gets_a_suggestion(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!hepl")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "help" in error_text(reply)


async def test_train_with_attachment_progress_result_then_correct_by_reply(
    fake: FakeDiscord, bot: Any
) -> None:
    sent = await fake.send_message(
        "!train", attachments=[("reviews.csv", csv_examples(), "text/csv")]
    )
    started = await fake.wait_for_reply(after=sent["id"])
    assert "Training started" in started["content"], started
    assert "Added 24 examples" in started["content"]
    # The job's result is announced in the channel, as a reply to the message that started it.
    result = await fake.wait_for_reply(
        after=started["id"],
        where=lambda m: m.get("message_reference", {}).get("message_id") == started["id"],
        timeout=30,
    )
    assert "finished" in result["content"].lower(), result
    edited = fake.find_message(started["id"])
    assert edited is not None and edited.get("edits", 0) >= 1 and "100%" in edited["content"]

    asked = await fake.send_message('!test ["what a lovely film"]')
    prediction = await fake.wait_for_reply(after=asked["id"])
    assert not is_error(prediction), prediction
    correction = await fake.send_message("!correct negative", reply_to=prediction["id"])
    thanks = await fake.wait_for_reply(after=correction["id"])
    assert "Thanks" in thanks["content"], thanks
    fixes = bot.assistant.store.corrections(str(fake.guild_id), "prediction")
    assert [(c.original, c.correction, c.message_id) for c in fixes] == [
        ("what a lovely film", "negative", prediction["id"])
    ]
    no_traceback(fake)


async def test_slash_train_with_attachment_option(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.interaction("train", {"file": ("more.csv", csv_examples(6))})
    reply = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert "Added 12 examples" in reply["content"], reply
    await fake.wait_for(
        lambda: any("finished" in m["content"].lower() for m in fake.sent_messages()), 30, "result"
    )


async def test_attachment_over_the_limit_is_refused_before_download(
    fake: FakeDiscord, bot: Any
) -> None:
    huge = bot.assistant.config.limits.attachment_bytes + 1
    sent = await fake.send_message(
        "!train", attachments=[("big.csv", b"text,label\n")], attachment_size=huge
    )
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "attachments may be at most" in error_text(reply)
    assert fake.cdn_downloads == []


async def test_a_failed_download_is_explained_without_a_traceback(
    fake: FakeDiscord, bot: Any
) -> None:
    fake.cdn_missing = True  # the CDN answers 404, as for an expired attachment URL
    sent = await fake.send_message("!train", attachments=[("gone.csv", csv_examples(2))])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "couldn't download `gone.csv`" in error_text(reply)
    no_traceback(fake)


async def test_getfile_sends_the_file(fake: FakeDiscord, bot: Any) -> None:
    folder = bot.assistant.config.data_root / "notes"
    folder.mkdir(parents=True)
    (folder / "hello.txt").write_bytes(b"hello from the data folder\n")
    sent = await fake.send_message("!getfile notes/hello.txt")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert [a["filename"] for a in reply["attachments"]] == ["hello.txt"]
    assert fake.attachment_data(reply["attachments"][0]) == b"hello from the data folder\n"
    escape = await fake.send_message("!getfile ../state/trainer.db")
    refused = await fake.wait_for_reply(after=escape["id"])
    assert is_error(refused) and not refused["attachments"]


async def test_bad_input_is_a_friendly_error_embed(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!test [not json")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply)
    assert "not valid JSON" in error_text(reply)
    embed = discord.Embed.from_dict(reply["embeds"][0])
    assert embed.colour is not None and embed.colour.value == 0xD93F3F
    no_traceback(fake)


async def test_member_without_the_role_is_refused(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!train a great film", author=fake.bob)
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "trainer" in error_text(reply), reply
    interaction = await fake.interaction("getfile", {"path": "x.txt"}, author=fake.bob)
    slash = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert is_error(slash)
    assert bot.assistant.store.jobs(str(fake.guild_id)) == []


async def test_optout_and_optin_are_stored(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!optout", author=fake.bob)
    await fake.wait_for_reply(after=sent["id"])
    assert bot.assistant.store.voice_optouts(str(fake.guild_id)) == {str(fake.bob.id)}
    interaction = await fake.interaction("optin", {}, author=fake.bob)
    await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert bot.assistant.store.voice_optouts(str(fake.guild_id)) == set()


async def test_gateway_disconnect_resumes_and_keeps_working(fake: FakeDiscord, bot: Any) -> None:
    await fake.drop_gateway()
    # Sent while the bot is disconnected: delivered by the RESUME replay.
    sent = await fake.send_message("!hi", author=fake.bob)
    reply = await fake.wait_for_reply(after=sent["id"], timeout=20)
    assert "Hello, bob" in reply["content"]
    assert fake.gateway.resumes == 1 and fake.gateway.identifies == 1


async def test_prefix_forms_of_a_negative_example_mean_the_same(
    fake: FakeDiscord, bot: Any
) -> None:
    """The README's argument forms, typed in Discord: quotes are text, three ways to say false."""
    forms = [
        '!train "dull and slow" false',
        '!train "the plot made no sense" positive:false',
        '!train "I want my money back" positive=false',
        "!train rated 10/10, a must see false",
    ]
    for form in forms:
        sent = await fake.send_message(form)
        reply = await fake.wait_for_reply(after=sent["id"])
        assert "Added 1 example (negative 1)" in reply["content"], reply
    store = bot.assistant.store
    stored = store.examples(store.active_dataset(str(fake.guild_id)))
    assert stored == [
        ("dull and slow", "negative"),
        ("the plot made no sense", "negative"),
        ("I want my money back", "negative"),
        ("rated 10/10, a must see", "negative"),
    ]
    no_traceback(fake)


async def test_feedback_and_corrections_keep_their_line_breaks(fake: FakeDiscord, bot: Any) -> None:
    """A feedback message of several lines was stored as one line, its breaks made spaces, and
    so was a correction in words: they are stored as written, and the admins' listing quotes
    a feedback of several lines under its author, a line each."""
    sent = await fake.send_message(
        "!feedback The export is great.\n\n\nBut the CSV  has no header."
    )
    saved = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(saved), saved
    sent = await fake.send_message("!the bot is too slow\nand it forgets things")  # a sentence
    said = await fake.wait_for_reply(after=sent["id"])
    assert "Thank you for the feedback" in said["content"], said
    sent = await fake.send_message("!feedback one line")
    await fake.wait_for_reply(after=sent["id"])
    guild = str(fake.guild_id)
    assert [f.text for f in bot.assistant.store.feedback(guild)] == [
        "one line",
        "the bot is too slow\nand it forgets things",
        "The export is great.\n\nBut the CSV has no header.",
    ]
    sent = await fake.send_message("!feedback", author=fake.add_member("ada", [fake.role_admin]))
    listing = await fake.wait_for_reply(after=sent["id"])
    lines = listing["content"].split("\n")
    assert lines[1].endswith("**alice**: one line"), listing["content"]
    assert lines[2].endswith("**alice**:") and lines[5].endswith("**alice**:"), lines
    assert lines[3:5] == ["> the bot is too slow", "> and it forgets things"], lines
    assert lines[6:] == ["> The export is great.", ">", "> But the CSV has no header."], lines

    greeting = await fake.send_message("!hi")
    hello = await fake.wait_for_reply(after=greeting["id"])
    sent = await fake.send_message("!correct it said hello\ntwice", reply_to=hello["id"])
    thanks = await fake.wait_for_reply(after=sent["id"])
    assert "Thanks" in thanks["content"], thanks
    [note] = bot.assistant.store.corrections(guild, "info")
    assert note.correction == "it said hello\ntwice", note
