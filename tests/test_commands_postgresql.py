"""The command tests again, with the assistant's store on a real PostgreSQL server and its
training jobs run by a separate `bot.py worker` process through the queue.

The test functions are imported, so pytest runs them here with this module's fixtures.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config
from assistant.storage import open_store
from tests.postgres import PostgresServer
from tests.queue_worker import TrainingWorker
from tests.test_commands import (  # noqa: F401 (collected by pytest)
    test_status_and_cancel,
    test_train_test_correct_cycle,
)
from tests.test_guide import run_guide


@pytest.fixture
def config(make_config: Callable[..., Config], postgres: PostgresServer) -> Config:
    return make_config(storage_url=postgres.new_database())


@pytest.fixture(autouse=True)
def worker(config: Config, tmp_path: Path) -> Iterator[TrainingWorker]:
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    yield worker
    worker.stop()


async def test_the_assistant_keeps_its_records_in_postgresql(
    ask: Any, config: Config, reviews: Path
) -> None:
    assert config.database_url.startswith("postgresql://")
    assert (await ask("select_dataset", "reviews")).ok
    elsewhere = open_store(config.database_url)  # as another bot process would
    try:
        active = elsewhere.active_dataset("g1")
        assert active is not None and active.name == "reviews"
    finally:
        elsewhere.close()


async def test_every_form_in_the_guide_works(
    app: Any, tmp_path: Path, worker: TrainingWorker
) -> None:
    """The guide, with jobs on the queue's worker: `cancel` meets the retrain still queued (the
    worker is paused meanwhile, as a busy worker would be)."""
    from tests.test_guide import SCRIPT

    def hold(paused: bool) -> None:
        assert worker.process is not None
        os.killpg(worker.process.pid, signal.SIGSTOP if paused else signal.SIGCONT)

    await run_guide(app, tmp_path, SCRIPT, hold_jobs=hold)
