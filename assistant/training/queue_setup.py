"""The procrastinate queue as the bot and the worker both see it: its names and timings, its
app, and its tables (created once, whichever process starts first)."""

from __future__ import annotations

from typing import Any

from ..storage.database import Database
from ..storage.postgres import PostgresDatabase

TASK = "trainer.train"
"""Name of the queued task (the payload: our job id and the examples)."""
QUEUE = "training"
"""procrastinate queue the workers listen on."""
HEARTBEAT_S = 1.0
"""How often a worker tells the database it is alive."""
STALLED_S = 6.0
"""A worker silent this long is dead: its job is marked interrupted."""

ORPHANED_S = 30.0
"""A job row this old that is still active with nothing on the queue behind it was lost (the
database went away between writing the job and queuing it, or while a worker ended it)."""

SCHEMA_LOCK = 0x7072_6F63
"""Advisory lock under which processes starting together create the queue's tables."""


def queue_app(url: str) -> Any:
    import procrastinate

    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))


def job_lock(job_id: int) -> str:
    """The procrastinate lock naming our job, so any process can find the queued job."""
    return f"trainer-job-{job_id}"


def orphaned_jobs(database: Database, older_than: float) -> list[int]:
    """Active jobs of the store last changed before `older_than` (a time) with no job on the
    queue: no worker will ever run nor end them."""
    rows = database.execute(
        "SELECT id FROM jobs WHERE status IN ('queued', 'running') AND updated_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS queued"
        " WHERE queued.lock = 'trainer-job-' || CAST(jobs.id AS TEXT))",
        (older_than,),
    )
    return [int(row[0]) for row in rows]


def ensure_queue_schema(database: Database) -> None:
    """Install procrastinate's tables once (processes starting together take turns)."""
    from procrastinate.schema import SchemaManager

    assert isinstance(database, PostgresDatabase), "the job queue lives in PostgreSQL"
    with database.transaction():
        database.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
        if database.execute("SELECT to_regclass('procrastinate_jobs')")[0][0] is None:
            database.run_script(SchemaManager.get_schema())
