"""Russian on Discord through the real client against the fake: slash localizations, replies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from audio.tts.espeak import EspeakSynthesizer
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_text import error_text, is_error
from tests.test_russian_replies import english_in

ROOT = Path(__file__).resolve().parents[1]

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


async def test_a_member_without_the_role_cannot_switch_the_server(
    fake: FakeDiscord, bot: Any
) -> None:
    sent = await fake.send_message("!language ru", author=fake.bob)
    refused = await fake.wait_for_reply(after=sent["id"])
    assert is_error(refused), refused
    assert error_text(refused) == "Sorry, `language` needs one of these roles: `trainer`."
    interaction = await fake.interaction("language", {"code": "ru"}, author=fake.bob)
    slash = await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))
    assert is_error(slash) and "`trainer`" in error_text(slash), slash
    sent = await fake.send_message("!language", author=fake.bob)  # seeing it is open to all
    shown = await fake.wait_for_reply(after=sent["id"])
    assert shown["content"].startswith("I speak English here (`en`)."), shown
    assert bot.assistant.language(str(fake.guild_id)) == "en"


async def test_a_russian_speaker_does_the_whole_cycle_on_discord_and_hears_russian(
    fake: FakeDiscord, bot: Any, bot_config: Any
) -> None:
    """select → train → test → correct typed in Russian, then the answer to a spoken command is
    heard in Russian in the voice channel (spoken commands themselves are English offline)."""
    from tests.test_discord_voice import heard as transcripts
    from tests.test_discord_voice import join, said, speech48, speech_seconds

    shutil.copytree(ROOT / "samples" / "reviews_ru", bot_config.data_root / "reviews_ru")

    async def typed(content: str, **kw: Any) -> dict[str, Any]:
        sent = await fake.send_message(content, **kw)
        return await fake.wait_for_reply(after=sent["id"], timeout=30)

    assert "Теперь я говорю здесь по-русски." in (await typed("!язык ru"))["content"]
    selected = await typed("!выбрать reviews_ru")
    assert "Активный набор данных: **reviews_ru**" in selected["content"], selected
    started = await typed("!обучить")
    assert "Обучение на **reviews_ru** началось" in started["content"], started
    # The result is announced as a reply to the message that started the job (it was followed:
    # `!обучить` is `!train` under its Russian name, not an unknown command handled aside).
    finished = await fake.wait_for_reply(
        after=started["id"], timeout=60, where=lambda m: "Задача обучения #1" in m["content"]
    )
    assert "завершена" in finished["content"] and "доля верных ответов" in finished["content"]
    edited = fake.find_message(started["id"])  # the progress line it ended with, in Russian
    assert edited is not None and "100\u00a0% (выполнена) · модель v0001" in edited["content"], (
        edited
    )
    started = edited
    tested = await typed('!проверить ["фильм прекрасный и трогательный", "скучно и пусто"]')
    assert "Предсказаний: 2" in tested["content"], tested
    assert "“скучно и пусто” → **negative**" in tested["content"], tested
    fixed = await typed("!исправить 2 positive", reply_to=tested["id"])
    assert "Спасибо! Записал для набора **reviews_ru**" in fixed["content"], fixed
    status = await typed("!состояние")
    assert "учитываются при каждом обучении): 1" in status["content"], status
    also = await typed("!статус")  # another Russian name (commands.yaml `aliases`)
    assert also["content"] == status["content"], also
    for reply in (selected, started, finished, tested, fixed, status):
        assert not english_in(reply["content"]), reply["content"]

    joined = await join(fake)
    assert "Подключаюсь к вашему голосовому каналу" in joined["content"]
    assert (
        "только по-английски" in joined["content"]
    )  # said plainly: spoken Russian needs an engine
    notice = await fake.wait_for_reply(timeout=20, where=lambda m: "🎙️" in m["content"])
    assert notice["content"].startswith("🎙️ Я слушаю в канале"), notice
    fake.voice.reset_received()
    before = len(said(bot, fake))
    await fake.stream_voice(fake.alice, speech48("hey trainer, what's the status"))
    await fake.wait_for(lambda: len(said(bot, fake)) > before, 40, "the spoken answer")
    answer = said(bot, fake)[before]
    assert answer.startswith("Доля верных ответов модели"), (answer, transcripts(bot, fake))
    posted = await fake.wait_for_reply(
        after=joined["id"], timeout=20, where=lambda m: "**Состояние**" in m["content"]
    )
    assert "Модель: модель **v0001" in posted["content"]
    # What alice hears is that Russian sentence in espeak-ng's Russian voice: speech (not
    # silence or noise) about as long as the Russian voice takes to say it.
    expected = await EspeakSynthesizer(voice="en-us").synthesize(answer)
    expected_seconds = expected.seconds
    await fake.wait_for(
        lambda: len(fake.received_voice_pcm()) / 192_000 > 0.8 * expected_seconds, 20, "audio"
    )
    heard_seconds = len(fake.received_voice_pcm()) / 192_000
    assert 0.8 * expected_seconds < heard_seconds < 1.5 * expected_seconds + 1
    assert speech_seconds(fake.received_voice_pcm()) > 0.5 * expected_seconds
    opted = await typed("!optout", author=fake.bob)
    assert opted["content"].startswith("Готово: в голосовых каналах"), opted


async def test_a_voice_message_that_cannot_be_heard_is_refused_in_russian(
    fake: FakeDiscord, bot: Any
) -> None:
    # Decoding a voice message ran in no language, so its refusal was English on a Russian
    # server ("voice-message.wav: only 0 ms of audio, too short to hold speech").
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    one_sample = (
        b"RIFF&\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80>\0\0\0}\0\0\x02\0\x10\0data\x02\0\0\0\x01\0"
    )
    sent = await fake.send_message(
        "", attachments=[("voice-message.wav", one_sample, "audio/wav")], flags=1 << 13
    )
    refused = await fake.wait_for_reply(after=sent["id"], timeout=60)
    text = refused["content"] or refused["embeds"][0].get("description", "")
    assert "voice-message.wav: в нём всего 0 мс звука, слишком мало для речи" in text, refused


async def test_a_greeting_to_everyone_in_a_russian_server_greets(
    fake: FakeDiscord, bot: Any
) -> None:
    """ "!hi всем" was "Слишком много аргументов. Использование: `hi`"."""
    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    for line in ("!hi всем", "!привет всем"):
        sent = await fake.send_message(line)
        hello = await fake.wait_for_reply(after=sent["id"])
        assert "Здравствуйте, alice" in hello["content"], hello


async def test_an_admins_status_in_a_russian_server_counts_voice_receive_in_russian(
    fake: FakeDiscord, bot: Any
) -> None:
    """The voice receiver's line of an admin's `status` was English in a Russian server
    ("Voice receive: 0 frames from 0 packets; ...")."""
    from tests.test_discord_voice import join

    sent = await fake.send_message("!language ru")
    await fake.wait_for_reply(after=sent["id"])
    await join(fake)
    admin = fake.add_member("admin", [fake.role_admin])
    sent = await fake.send_message("!status", author=admin)
    reply = await fake.wait_for_reply(after=sent["id"], timeout=20)
    counts = reply["content"].splitlines()[-1]
    assert counts.startswith("Приём голоса: кадров: "), reply["content"]
    assert english_in(counts) == [], counts
