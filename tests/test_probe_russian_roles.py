"""A Russian-speaking server and its members without the role, through the loopback fake
Discord: what a member sees when a command is refused, and that a refusal changes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import Config
from tests.consoles import make_workdir, run_console
from tests.fakediscord import FakeDiscord, fixtures
from tests.fakediscord.fixtures import discord_overrides
from tests.test_discord_text import error_text, is_error
from tests.test_hostile_startup import refused_start, run
from tests.test_russian_replies import english_in

ROOT = Path(__file__).resolve().parents[1]

fake, bot = fixtures.fake, fixtures.bot


@pytest.fixture
def bot_config(fake: FakeDiscord, make_config: Any) -> Config:
    """A server whose language is Russian from config.yaml (`language: ru`)."""
    return make_config(language="ru", **discord_overrides(fake))


def refused(message: dict[str, Any]) -> str:
    """The refusal a member sees; fails if the message is no refusal."""
    assert message["embeds"] and message["embeds"][0].get("title") == "Не получилось", message
    return error_text(message)


async def typed(fake: FakeDiscord, content: str, **kw: Any) -> dict[str, Any]:
    sent = await fake.send_message(content, **kw)
    return await fake.wait_for_reply(after=sent["id"], timeout=30)


async def slash(fake: FakeDiscord, name: str, options: dict[str, Any], **kw: Any) -> dict[str, Any]:
    interaction = await fake.interaction(name, options, **kw)
    return await fake.wait_for_reply(where=lambda m: m.get("interaction_id") == str(interaction))


async def test_commands_asked_about_first_are_refused_in_russian(
    fake: FakeDiscord, bot: Any, bot_config: Config
) -> None:
    """`remove`, `undo` and `rollback` ask Confirm / Cancel first; a member without the role
    was refused in English on a Russian server ("Sorry, `train` needs one of these roles"),
    typed or as a slash command, while every other refusal there was Russian."""
    added = await typed(fake, '!обучить "скучно и долго" negative')
    assert not is_error(added), added
    store = bot.assistant.store
    dataset = store.active_dataset(str(fake.guild_id))
    before = store.examples(dataset)
    for reply in (
        await typed(fake, "!удалить 1", author=fake.bob),
        await typed(fake, "!откатить", author=fake.bob),
        await typed(fake, "!вернуть_модель", author=fake.bob),
        await slash(fake, "remove", {"example": "1"}, author=fake.bob),
        await slash(fake, "undo", {}, author=fake.bob),
    ):
        text = refused(reply)
        assert text.startswith("Извините, для `") and "`trainer`" in text, text
        assert english_in(text) == [], text
        assert not fake.components(reply), reply  # no Confirm button to press
    assert store.examples(dataset) == before


async def test_a_refusal_names_the_command_the_member_ran(fake: FakeDiscord, bot: Any) -> None:
    """`relabel`, `remove`, `undo`, `use_model` and `rollback` are guarded by config.yaml's
    `train` roles; bob typed `!переметить 1 positive` and read that `train` needs a role, a
    command he had not run."""
    for line, name in (
        ("!переметить 1 positive", "relabel"),
        ("!удалить 1", "remove"),
        ("!взять_модель v0001", "use_model"),
        ("!вернуть_модель", "rollback"),
    ):
        text = refused(await typed(fake, line, author=fake.bob))
        assert text == f"Извините, для `{name}` нужна одна из ролей: `trainer`.", (line, text)
    text = refused(await slash(fake, "undo", {}, author=fake.bob))
    assert text == "Извините, для `undo` нужна одна из ролей: `trainer`.", text
    text = refused(await typed(fake, '!обучить "скучно" negative', author=fake.bob))
    assert text == "Извините, для `train` нужна одна из ролей: `trainer`.", text


async def test_a_direct_message_says_roles_are_not_seen_there(fake: FakeDiscord, bot: Any) -> None:
    """Alice has the `trainer` role, yet `!обучить` in a DM told her she needed `trainer`:
    Discord sends no roles with a direct message. The refusal says why and where to go."""
    store = bot.assistant.store
    own = f"dm-{fake.alice.id}"  # a DM is a workspace of its own
    for line, name in (
        ('!обучить "скучно" negative', "train"),
        ("!выбрать reviews", "select_dataset"),
    ):
        sent = await fake.send_direct_message(line, author=fake.alice)
        reply = await fake.wait_for_reply(after=sent["id"], channel_id=fake.dm_channel(fake.alice))
        assert refused(reply) == (
            f"В личных сообщениях я не вижу ваших ролей на сервере, а для `{name}` нужна одна "
            "из ролей: `trainer`. Напишите эту команду на сервере."
        ), reply
    assert store.active_dataset(own) is None


@pytest.mark.parametrize(
    ("commands", "said"),
    [
        # export sends every example: an admin who listed it believed it restricted
        ({"export": ["trainer"]}, "`export` is open to everyone and cannot be restricted"),
        ({"remove": ["moderator"]}, "`remove` is guarded by `train`: list its roles there"),
        ({"trian": ["trainer"]}, "`trian` names no command"),
    ],
)
def test_a_permission_key_that_guards_nothing_stops_start_up(
    tmp_path: Path, commands: dict[str, list[str]], said: str
) -> None:
    """config.yaml's `permissions.commands` took any key and used only six: `export: [trainer]`
    left export open to every member, and `trian` (a typo) left train open, without a word."""
    config = {"data_root": "data", "state_dir": "state", "permissions": {"commands": commands}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run(tmp_path, "export\n", "console")
    refused_start(
        result,
        "permissions.commands in the config file:",
        said,
        "archive, cancel, getfile, language, select_dataset, train",
    )
    assert result.stdout == ""  # no command was answered


def test_russian_replies_call_accuracy_what_the_guide_calls_it(tmp_path: Path) -> None:
    """The Russian guide and help name accuracy «доля верных ответов» and precision «точность»,
    yet every training result, `status`, `models` and `test` called accuracy «точность»: a
    reader took the model's accuracy for the precision of the table under it."""
    workdir = make_workdir(tmp_path)
    (workdir / "config.yaml").write_text("data_root: data\nstate_dir: state\nlanguage: ru\n")
    out = run_console(workdir, "выбрать reviews\nобучить\nwait\nсостояние\nмодели\nпроверить\n")
    assert re.findall(r"[Тт]очность \d", out) == [], out
    finished = next(line for line in out.splitlines() if "завершена" in line)
    assert re.search(r"доля верных ответов \d+,\d\u00a0%, macro F1", finished), finished
    assert re.search(r"Модель: модель .*: доля верных ответов \d", out), out  # status
    assert re.search(r"примеров \d+, доля верных ответов \d", out), out  # models
    assert re.search(r"Текущая модель .*: доля верных ответов \d", out), out  # test


async def test_a_role_written_with_capitals_on_the_server_is_the_role(
    fake: FakeDiscord, bot: Any
) -> None:
    """Servers name roles as titles ("Trainer", "Admin"); alice, with the role "Trainer", read
    that `train` needed the role `trainer`, which to her eyes she had."""
    await fake.rename_role(fake.role_trainer, "Trainer")
    await fake.wait_for(
        lambda: bot.bot.get_guild(fake.guild_id).get_role(fake.role_trainer).name == "Trainer",
        10,
        "the role renamed",
    )
    started = await typed(fake, '!обучить "скучно и долго" negative')
    assert "Добавлен 1 пример" in started["content"], started
    text = refused(await typed(fake, '!обучить "скучно" negative', author=fake.bob))
    assert text == "Извините, для `train` нужна одна из ролей: `trainer`.", text
