"""The command tests again, with the assistant's store on a real PostgreSQL server and its
training jobs run by a separate `bot.py worker` process through the queue.

The test functions are imported, so pytest runs them here with this module's fixtures.
"""

from __future__ import annotations

import io
import json
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
        if paused:
            worker.pause()
        else:
            worker.release()

    await run_guide(app, tmp_path, SCRIPT, hold_jobs=hold)


async def test_wait_returns_after_the_announcement_of_a_job_a_worker_just_ended(
    app: Any, reviews: Path
) -> None:
    """With the queue, the database calls a job finished before this process has read its row
    and announced it. `wait` looked only at the jobs the database called active, returned at
    once, and the announcement came after the replies typed next."""
    import time

    from transports.console import ConsoleTransport

    out = io.StringIO()
    console = ConsoleTransport(app, json_mode=True, out=out)
    started = await app.handle(console.request_for("train folder:reviews"))
    assert started.ok and started.job_id is not None, started.text
    deadline = time.monotonic() + 120
    # Blocking on purpose: the event loop, and so the job follower, does not run meanwhile.
    while app.store.job(started.job_id).active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not app.store.job(started.job_id).active
    await console.wait_for_jobs()
    shown = [json.loads(line) for line in out.getvalue().splitlines()]
    assert any((r["data"] or {}).get("event") == "job_finished" for r in shown), shown
