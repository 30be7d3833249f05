"""A member's display name shown in a reply, through the real client against the fake Discord:
anyone picks their name, so its Markdown must show as the characters it is, not as markup."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

NAME = "**Boss** `x` ||spoiler|| [x](https://evil.example)\n# line _two_ ~~gone~~ a\\*b"
SHOWN = (
    "\\*\\*Boss\\*\\* \\`x\\` |\u200b|spoiler|\u200b| [x]\u200b(https://evil.example)"
    " # line \\_two\\_ \\~\\~gone\\~\\~ a\\\\\\*b"
)
"""NAME as a reply shows it: on one line, each mark escaped with a backslash (which Discord
hides), a spoiler's bars and a masked link's `](` parted by a zero-width space."""


async def test_a_display_name_with_markdown_is_shown_as_written(
    fake: FakeDiscord, bot: Any
) -> None:
    """`hi` greeted a member called `**Boss**` in bold, `||x||` as a spoiler and
    `[x](https://evil.example)` as a link whose words hid where it went; a line break in the
    name began a heading. The admins' feedback listing showed the author's name the same way."""
    member = fake.add_member(NAME, [fake.role_admin])
    sent = await fake.send_message("!hi", author=member)
    hello = await fake.wait_for_reply(after=sent["id"])
    assert hello["content"] == f"HI! 👋 Hello, {SHOWN}.", hello["content"]
    sent = await fake.send_message("!feedback the greeting is nice", author=member)
    await fake.wait_for_reply(after=sent["id"])
    sent = await fake.send_message("!feedback", author=member)
    listing = await fake.wait_for_reply(after=sent["id"])
    assert listing["content"].split("\n")[1].endswith(f"**{SHOWN}**: the greeting is nice"), (
        listing["content"]
    )

    switched = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=switched["id"])
    sent = await fake.send_message("!hi", author=member)
    hello = await fake.wait_for_reply(after=sent["id"])
    assert hello["content"] == f"ПРИВЕТ! 👋 Здравствуйте, {SHOWN}.", hello["content"]
