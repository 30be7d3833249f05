"""Shared fixtures: a config in a temporary folder, a started assistant, generated datasets,
and the hearing path on real parts for the voice tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from assistant.app import Assistant
from assistant.config import Config, load_config
from assistant.messages import Reply, Request, User
from tests.corpus import write_folder_dataset
from tests.postgres import PostgresServer, start_server

if TYPE_CHECKING:
    from assistant.intents.snap import GrammarSnapper
    from audio.hearing import Hearer
    from audio.scored_gate import ScoredGate

ADMIN = User(id="1", name="ada", is_admin=True)
TRAINER = User(id="2", name="tom", roles=frozenset({"trainer"}))
GUEST = User(id="3", name="gus")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` first, the rest in their order. pytest-xdist hands tests out in
    collection order (after the `xdist_group`s), a few at a time as workers free up: a long
    test collected late started near the end of the run and held one worker alone for its
    minute or two while the others had finished (`make pytest`: the 110 s kept-cache test
    started last made the whole run 110 s longer). Started first, the short ones fill in
    around it."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """Write a config.yaml into tmp_path (merging overrides) and load it like start-up does."""

    def make(**overrides: Any) -> Config:
        raw: dict[str, Any] = {"data_root": "data", "state_dir": "state"}
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(raw.get(key), dict):
                raw[key].update(value)
            else:
                raw[key] = value
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(raw), encoding="utf-8")
        return load_config(path)

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
async def app(config: Config) -> AsyncIterator[Assistant]:
    assistant = Assistant(config)
    await assistant.start()
    yield assistant
    await assistant.close()


@pytest.fixture
async def voice_session(config: Config, app: Assistant) -> AsyncIterator[Any]:
    """`await voice_session(settings, recognizer=..., realtime_playback=...)` -> (session, out):
    a guild's conversation on the production speech parts (tests/conversation_kit.py)."""
    from tests.conversation_kit import SessionMaker

    maker = SessionMaker(config, app)
    yield maker
    await maker.close()


@pytest.fixture
def reviews(config: Config) -> Path:
    return write_folder_dataset(config.data_root)


@pytest.fixture
def ask(app: Assistant) -> Callable[..., Any]:
    """`await ask("train", "text", user=...)` -> Reply, recorded as if sent (id: ask.last_id)."""
    counter = iter(range(1000, 10**6))

    async def run(command: str, text: str = "", *, user: User = ADMIN, **fields: Any) -> Reply:
        request = Request(
            command=command, text=text, user=user, guild_id="g1", channel_id="c1", **fields
        )
        reply = await app.handle(request)
        run.last_id = str(next(counter))  # type: ignore[attr-defined]
        app.record_reply(reply, message_id=run.last_id, guild_id="g1", channel_id="c1")  # type: ignore[attr-defined]
        return reply

    return run


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session (tests take a database each)."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hearer() -> Hearer:
    """The one hearing path on real parts, one per test module: the pocketsphinx grammar
    recognizer and the bundled neural model, with the voice corpus's dataset names."""
    from assistant.config.voice import VoiceSettings
    from audio.hearing import Hearer
    from tests.voice_corpus import DATASETS

    h = Hearer.local(VoiceSettings())
    h.update_lists({"dataset": DATASETS, "folder": DATASETS})
    assert h.neural is not None, "the bundled neural model must load"
    return h


@pytest.fixture
def gate(hearer: Hearer) -> ScoredGate:
    """The hearer's gate on scored candidates, over its current settings."""
    made = hearer.scored_gate()
    assert made is not None
    return made


@pytest.fixture(scope="module")
def snapper() -> GrammarSnapper:
    """The default sentences with the voice corpus's dataset names, which free text snaps to."""
    from assistant.intents.matcher import IntentMatcher
    from assistant.intents.snap import GrammarSnapper
    from tests.voice_corpus import DATASETS

    m = IntentMatcher()
    m.update_lists({"dataset": DATASETS, "folder": DATASETS})
    return GrammarSnapper(m)
