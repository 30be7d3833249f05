"""`correct` in a thread started from one of the bot's predictions, through real discord.py
against the fake: the prediction the thread is about is the one corrected, found from the
recorded replies (the thread has the id of the message it was started from)."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_components import from_interaction
from tests.test_discord_text import csv_examples, error_text, is_error, no_traceback
from tests.test_discord_threads import ask, replying_to

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def trained(fake: FakeDiscord) -> None:
    sent = await fake.send_message("!train", attachments=[("r.csv", csv_examples(), "text/csv")])
    started = await fake.wait_for_reply(after=sent["id"], where=replying_to(sent))
    await fake.wait_for_reply(after=started["id"], where=replying_to(started), timeout=60)


async def predicted(fake: FakeDiscord, items: str) -> dict[str, Any]:
    """The bot's prediction message in the channel, for `!test [items]`."""
    sent = await fake.send_message(f"!test [{items}]")
    reply = await fake.wait_for_reply(after=sent["id"], where=replying_to(sent))
    assert not is_error(reply) and "→" in reply["content"], reply
    return reply


def fixes(bot: Any, fake: FakeDiscord) -> list[tuple[str, str, str]]:
    found = bot.assistant.store.corrections(str(fake.guild_id), "prediction")
    return [(c.original, c.correction, c.message_id) for c in found]


async def test_correct_in_a_thread_of_a_prediction_corrects_that_prediction(
    fake: FakeDiscord, bot: Any
) -> None:
    """A member starts a thread from the bot's prediction to discuss it and types `!correct
    negative` there: it was answered with the usage (no reply named, no label-then-why), the
    prediction the thread is about uncorrected. A later prediction in the channel is not it;
    one named by its id still is the one corrected."""
    await trained(fake)
    lovely = await predicted(fake, '"what a lovely film"')
    later = await predicted(fake, '"a wonderful, moving film"')  # the channel's last one
    thread = await fake.start_thread("is it?", message=lovely)
    thanks = await ask(fake, thread, "!correct negative")
    assert thanks["channel_id"] == str(thread.id), thanks
    assert thanks["content"].startswith("Thanks! Noted for dataset **default**"), thanks
    assert "“what a lovely film” is **negative**" in thanks["content"], thanks
    assert fixes(bot, fake) == [("what a lovely film", "negative", lovely["id"])]

    # a word that is no label of the prediction is refused, and stores nothing
    refused = await ask(fake, thread, "!correct it was sarcasm")
    assert is_error(refused) and "knows no label `it was sarcasm`" in error_text(refused)
    assert fixes(bot, fake) == [("what a lovely film", "negative", lovely["id"])]

    # the slash command too (the later word counts), and a prediction named by id wins
    interaction = await fake.interaction("correct", {"text": "positive"}, channel_id=thread.id)
    slash = await fake.wait_for_reply(where=from_interaction(interaction))
    assert "“what a lovely film” is **positive**" in slash["content"], slash
    named = await ask(fake, thread, f"!correct {later['id']} negative")
    assert "“a wonderful, moving film” is **negative**" in named["content"], named
    assert sorted(fixes(bot, fake)) == sorted(
        [
            ("what a lovely film", "positive", lovely["id"]),
            ("a wonderful, moving film", "negative", later["id"]),
        ]
    )
    # outside the thread a bare label is the channel's last prediction's
    outside = await fake.send_message("!correct positive")
    noted = await fake.wait_for_reply(after=outside["id"], where=replying_to(outside))
    assert "“a wonderful, moving film” is **positive**" in noted["content"], noted
    no_traceback(fake)


async def test_items_and_newer_predictions_in_a_thread_of_a_prediction(
    fake: FakeDiscord, bot: Any
) -> None:
    """A prediction of several items: `correct negative` asks which, `correct 2 negative`
    corrects item 2 of it. A prediction made in the thread since is the one then meant; one
    replied to is the one corrected."""
    await trained(fake)
    both = await predicted(fake, '"what a lovely film", "dull and slow"')
    thread = await fake.start_thread("which one", message=both)
    which = await ask(fake, thread, "!correct negative")
    assert is_error(which) and "has 2 items" in error_text(which), which
    assert fixes(bot, fake) == []
    second = await ask(fake, thread, "!correct 2 positive, it was ironic")
    assert "“dull and slow” is **positive**" in second["content"], second
    assert fixes(bot, fake) == [("dull and slow", "positive", both["id"])]

    inside = await ask(fake, thread, '!test ["a waste of two hours"]')
    newer = await ask(fake, thread, "!correct positive")
    assert "“a waste of two hours” is **positive**" in newer["content"], newer
    assert fixes(bot, fake)[-1] == ("a waste of two hours", "positive", inside["id"])
    # a reply to one of its predictions names that one, whichever is the thread's last
    await ask(fake, thread, '!test ["rated 10/10"]')
    replied = await ask(fake, thread, "!correct negative", reply_to=inside["id"])
    assert "“a waste of two hours” is **negative**" in replied["content"], replied
    no_traceback(fake)


async def test_correct_in_a_thread_of_a_prediction_in_russian(fake: FakeDiscord, bot: Any) -> None:
    await trained(fake)
    language = await fake.send_message("!язык ru")
    await fake.wait_for_reply(after=language["id"], where=replying_to(language))
    lovely = await predicted(fake, '"what a lovely film"')
    thread = await fake.start_thread("спорно", message=lovely)
    thanks = await ask(fake, thread, "!исправить negative")
    assert thanks["content"].startswith("Спасибо! Записал для набора **default**"), thanks
    assert "«what a lovely film» — **negative**" in thanks["content"], thanks
    refused = await ask(fake, thread, "!исправить это сарказм")
    assert "не знает метки `это сарказм`" in str(refused["embeds"]), refused
    assert fixes(bot, fake) == [("what a lovely film", "negative", lovely["id"])]
    no_traceback(fake)


async def test_correct_suggests_the_threads_predictions_first(fake: FakeDiscord, bot: Any) -> None:
    """`/correct`'s message_id suggests the server's newest predictions; in a thread started
    from a prediction it suggested a newer one of the channel first, as everywhere. There the
    thread's own come first, as `correct negative` there takes them: those made in it (newest
    first), then the one it was started from; the channel's order is unchanged."""
    await trained(fake)
    lovely = await predicted(fake, '"what a lovely film"')
    thread = await fake.start_thread("is it?", message=lovely)
    later = await predicted(fake, '"a wonderful, moving film", "dull"')  # the channel's last
    inside = await ask(fake, thread, '!test ["a waste of two hours"]')
    elsewhere = await predicted(fake, '"rated 10/10"')  # the server's newest

    suggested = await fake.autocomplete("correct", "message_id", "", channel_id=thread.id)
    assert [c["value"] for c in suggested] == [
        inside["id"],
        lovely["id"],
        elsewhere["id"],
        later["id"],
    ], suggested
    assert suggested[1]["name"].startswith(f"{lovely['id']}: “what a lovely film” → ")
    typed = await fake.autocomplete("correct", "message_id", "film", channel_id=thread.id)
    assert [c["value"] for c in typed] == [lovely["id"], later["id"]], typed
    in_channel = await fake.autocomplete("correct", "message_id", "")
    assert [c["value"] for c in in_channel] == [
        elsewhere["id"],
        inside["id"],
        later["id"],
        lovely["id"],
    ], in_channel

    # the first suggestion, chosen, is the one corrected
    chosen = {"message_id": suggested[0]["value"], "text": "positive"}
    interaction = await fake.interaction("correct", chosen, channel_id=thread.id)
    noted = await fake.wait_for_reply(where=from_interaction(interaction))
    assert "“a waste of two hours” is **positive**" in noted["content"], noted
    no_traceback(fake)
