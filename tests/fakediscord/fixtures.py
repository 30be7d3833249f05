"""pytest fixtures: a started FakeDiscord and the real bot started against it as bot.py would
(`DiscordApp`, the in-loop form of `run_discord`). Bind them in a test module:

    from tests.fakediscord import fixtures
    fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from assistant.config import Config

from .server import FakeDiscord


@pytest.fixture
async def fake(tmp_path: Any) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(tmp_path / "fakediscord")
    await server.start()
    yield server
    await server.close()


def discord_overrides(fake: FakeDiscord, **discord: Any) -> dict[str, Any]:
    """config.yaml keys pointing the bot at the fake."""
    return {
        "discord": {
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "ca_cert": str(fake.ca_cert),
            "rate_limit_count": 50,
            "rate_limit_seconds": 10,
            **discord,
        }
    }


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Callable[..., Config]) -> Config:
    return make_config(**discord_overrides(fake))


@pytest.fixture
async def bot(fake: FakeDiscord, bot_config: Config) -> AsyncIterator[Any]:
    """The running DiscordApp (`.bot`, `.assistant`), logged in with its commands registered."""
    from transports.discord.run import DiscordApp

    # guild_ready_timeout: discord.py waits this long for more guilds after READY (2 s default).
    app = DiscordApp(bot_config, fake.token, guild_ready_timeout=0.1)
    await app.start()
    try:
        await app.wait_ready(20)
        await fake.wait_for(lambda: "train" in fake.commands, 10, "slash commands registered")
        yield app
    finally:
        await app.close()
