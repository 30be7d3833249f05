"""PostgreSQL restarted or stopped under a running console and a training worker (README,
"Scaling out"): they go on once the server is back, and meanwhile every reply says the database
cannot be reached, with nothing changed. The server here is a cluster of this module's own, as
it is stopped and started."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.i18n import message
from tests.consoles import Console, make_workdir
from tests.postgres import PostgresServer, start_server
from tests.queue_worker import TrainingWorker
from tests.test_training_queue import queue_training


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    server = start_server()
    yield server
    server.stop()


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_console_goes_on_through_a_restart_and_an_outage_of_postgresql(
    tmp_path: Path, own_server: PostgresServer
) -> None:
    workdir = make_workdir(tmp_path)
    url = own_server.new_database()
    (workdir / "config.yaml").write_text(f"data_root: data\nstate_dir: state\nstorage_url: {url}\n")
    console = Console(workdir)
    try:
        assert console.send("select_dataset reviews")["ok"]
        own_server.restart()
        # the console stopped here: "Trainer stopped because of an internal error"
        status = console.send("status")
        assert status["ok"] and "Active dataset: **reviews**" in status["text"], status
        data = listing(workdir / "data")
        own_server.halt()
        try:
            for line in ("status", "create_dataset tweets", "hello there"):
                reply = console.send(line)
                unreachable = message("en", "error.database_unreachable")
                assert not reply["ok"] and reply["text"] == unreachable, (line, reply)
        finally:
            own_server.resume()
        status = console.send("status")
        assert status["ok"] and "Active dataset: **reviews**" in status["text"], status
        assert "tweets" not in console.send("datasets")["text"]
        assert listing(workdir / "data") == data
    finally:
        _, err = console.close()
    assert "Traceback" not in err, err


async def test_training_goes_on_after_postgresql_restarts(
    make_config: Callable[..., Config], own_server: PostgresServer, tmp_path: Path
) -> None:
    """The worker's connection died with the restart: its next job failed at once in the
    queue, while the job's row stayed "queued" for ever, so the guild could never train again
    (`cancel` could not end it)."""
    config = make_config(storage_url=own_server.new_database())
    app = Assistant(config)
    await app.start()
    worker = TrainingWorker(tmp_path / "worker-machine", config.database_url).start()
    try:
        first = await queue_training(app, "g1", 100)
        assert (await asyncio.wait_for(app.jobs.wait(first.id), 120)).status == "succeeded"
        own_server.restart()
        job = await queue_training(app, "g1", 100)
        done = await asyncio.wait_for(app.jobs.wait(job.id), 120)
    finally:
        worker.stop()
        await app.close()
    assert done.status == "succeeded", done
