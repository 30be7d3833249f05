"""Shared fixtures: a config in a temporary folder, a started assistant, generated datasets,
and the hearing path on real parts for the voice tests."""

from __future__ import annotations

import gc
import json
import re
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


DURATIONS = Path(__file__).with_name("durations.json")
"""Each test's seconds (setup, call, teardown) in a run of `make pytest ARGS=--record-durations`."""

UNTIMED_S = 2.0
"""A test not in DURATIONS yet (a new one) counts as this long: early rather than last."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"write each test's time to {DURATIONS.name} (the order the tests start in)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work first. pytest-xdist hands tests out in collection order (with
    `--no-loadscope-reorder`), a few at a time as workers free up: a long test collected late
    started near the end and held one worker alone while the others had finished (the 110 s
    kept-cache test started last made a run 110 s longer). A module that shares a console
    (`xdist_group`) runs on one worker: it counts as one piece of work, its tests' sum."""
    known = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.is_file() else {}
    totals: dict[str, float] = {}
    for item in items:
        unit = _work_unit(item)
        totals[unit] = totals.get(unit, 0.0) + known.get(_test_id(item.nodeid), UNTIMED_S)
    items.sort(key=lambda item: -totals[_work_unit(item)])


def _work_unit(item: pytest.Item) -> str:
    """What one xdist worker takes at once: a group's name, or the test itself."""
    group = item.get_closest_marker("xdist_group")
    return f"group:{group.args[0]}" if group is not None else _test_id(item.nodeid)


def _test_id(nodeid: str) -> str:
    """The test's id without the `@group` that pytest-xdist appends under `loadgroup`."""
    return re.sub(r"@\w+$", "", nodeid)


_timed: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    test = _test_id(report.nodeid)
    _timed[test] = _timed.get(test, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.getoption("record_durations") and not hasattr(session.config, "workerinput"):
        timed = {test: round(seconds, 1) for test, seconds in sorted(_timed.items())}
        DURATIONS.write_text(json.dumps(timed, indent=0) + "\n", encoding="utf-8")


FROZEN_LEFTOVERS = 30_000
"""Objects frozen since the last clean-up that make the next one worth its full pass (a voice
test's bot freezes about 5,500; with a pass after every test that froze, one whole run took
24.8 min of CPU against 17.0 without, on a machine not quite quiet)."""
_frozen_at_cleanup = 0


@pytest.fixture(autouse=True)
def _no_frozen_leftovers() -> Iterator[None]:
    """A bot frees its voice parts when it closes, but the next bot in the same worker froze
    them first (assistant/heap.py freezes what exists when a lasting build ends: once a process
    in a bot, once a test here), and frozen objects are never collected: a worker grew by
    150-180 MB a voice test, to 4.3 GB, and six workers ran out of memory. Every few voice
    tests, what is garbage goes and the rest is frozen again, as a fresh start-up leaves it."""
    global _frozen_at_cleanup
    yield
    if gc.get_freeze_count() - _frozen_at_cleanup > FROZEN_LEFTOVERS:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _frozen_at_cleanup = gc.get_freeze_count()


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
