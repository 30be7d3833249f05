"""Russian on Discord through the real client against the fake: slash localizations, replies."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, fixtures

# The fixtures live in tests/fakediscord (tests/conftest.py is shared); bind them here.
fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


async def test_slash_commands_carry_russian_names_and_descriptions(
    fake: FakeDiscord, bot: Any
) -> None:
    train = fake.commands["train"]
    assert train["name_localizations"]["ru"] == "обучить"
    assert train["description_localizations"]["ru"].startswith("Добавить размеченные примеры")
    options = {o["name"]: o for o in train["options"]}
    assert options["data"]["description_localizations"]["ru"].startswith("Текст примера")
    assert "ru" in fake.commands["language"]["name_localizations"]


async def test_a_server_switched_to_russian_answers_in_russian(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_message("!language ru")
    switched = await fake.wait_for_reply(after=sent["id"])
    assert "Теперь я говорю здесь по-русски." in switched["content"]
    sent = await fake.send_message("!hi")
    hello = await fake.wait_for_reply(after=sent["id"])
    assert "Здравствуйте, alice" in hello["content"]
    interaction = await fake.interaction("help", {"command": "train"})
    helped = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert "Добавить размеченные примеры" in helped["content"]
