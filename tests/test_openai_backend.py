"""The OpenAI backend end to end: the real `openai` client against a loopback fake server."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.errors import UserError
from assistant.i18n import render
from assistant.storage import Store
from assistant.training.jobs import JobEvent, JobManager
from tests.consoles import TypedConsole
from tests.corpus import sentiment_examples, write_folder_dataset
from tests.fakes.openai_server import FakeOpenAI

GUILD = "42"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(polls_to_finish=4) as fake:
        yield fake


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch, server: FakeOpenAI) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
    return server.api_key


def make_manager(tmp_path: Path, base_url: str, poll_seconds: float = 0.02) -> JobManager:
    config = Config.model_validate(
        {
            "state_dir": tmp_path / "state",
            "data_root": tmp_path / "data",
            "trainer": {
                "backend": "openai",
                "openai": {
                    "base_url": base_url,
                    "poll_seconds": poll_seconds,
                    "timeout_seconds": 5,
                    "max_retries": 0,
                },
            },
        }
    )
    return JobManager(Store(tmp_path / "state" / "trainer.db"), config)


@pytest.fixture
async def manager(tmp_path: Path, server: FakeOpenAI):
    manager = make_manager(tmp_path, server.base_url)
    yield manager
    await manager.close()
    manager.store.close()


async def start(manager: JobManager, n: int = 200):
    return await manager.start(
        guild_id=GUILD,
        channel_id="c",
        dataset="reviews",
        examples=sentiment_examples(n),
        requested_by="ann",
    )


async def test_fine_tune_end_to_end(tmp_path: Path, server: FakeOpenAI, key: str) -> None:
    # Polls slower than the progress throttle, so that every remote status is shown.
    manager = make_manager(tmp_path, server.base_url, poll_seconds=0.3)
    try:
        await check_fine_tune_end_to_end(manager, server)
    finally:
        await manager.close()
        manager.store.close()


async def check_fine_tune_end_to_end(manager: JobManager, server: FakeOpenAI) -> None:
    events: list[JobEvent] = []
    manager.subscribe(events.append)

    job = await start(manager)
    done = await manager.wait(job.id)

    assert done.status == "succeeded", done.error
    assert done.external_id in server.jobs
    remote = server.jobs[done.external_id or ""]
    assert remote.status == "succeeded"
    assert len(remote.examples) == 160  # the held-out fifth was not uploaded
    record = manager.store.latest_model(GUILD)
    assert record is not None and record.backend == "openai"
    assert record.external_model == remote.fine_tuned_model
    assert record.metrics["evaluated_on"] == "held_out" and record.metrics["n"] == 40
    assert record.metrics["accuracy"] > 0.85  # the fake's word-vote rule, measured for real
    print(f"openai (fake) accuracy {record.metrics['accuracy']:.3f}")

    paths = [path for _, path in server.requests]
    assert paths[:2] == ["/v1/files", "/v1/fine_tuning/jobs"]
    assert paths.count(f"/v1/fine_tuning/jobs/{remote.id}") == 4
    assert paths.count("/v1/chat/completions") == 40
    shown = [render(e.job.message) for e in events if e.kind == "progress"]
    assert any(m.startswith("fine-tuning queued") for m in shown), shown
    assert "fine-tuning running: step 2 of 3, training loss 0.700" in shown, shown
    assert any(m.startswith("measuring ft:") for m in shown), shown

    loaded = manager.classifier(GUILD)
    assert loaded is not None
    # The OpenAI classifier blocks (sync client): call it the way a command would.
    good, bad = await asyncio.to_thread(
        loaded[1].predict, ["the film was superb", "the film was dreadful"]
    )
    assert (good.label, bad.label) == ("positive", "negative")
    assert 0.5 <= good.score <= 1.0

    server.api_key = "sk-rotated"  # the bot's key is revoked: a clear message, not a traceback
    with pytest.raises(UserError, match=r"refused the API key \(401\)"):
        await asyncio.to_thread(loaded[1].predict, ["the film was superb"])


async def test_a_russian_server_reads_the_fine_tunes_progress_in_russian(
    tmp_path: Path, server: FakeOpenAI, key: str
) -> None:
    """The progress quoted OpenAI's own English notes ("идёт дообучение: Step 2/3: training
    loss=0.8"): every word of it is Russian now, but for the remote job's and model's names."""
    # Polls slower than the progress throttle, so that every remote status is shown.
    manager = make_manager(tmp_path, server.base_url, poll_seconds=0.3)
    events: list[JobEvent] = []
    manager.subscribe(events.append)
    try:
        done = await manager.wait((await start(manager)).id)
    finally:
        await manager.close()
        manager.store.close()
    assert done.status == "succeeded", done.error
    names = [done.external_id or "", server.jobs[done.external_id or ""].fine_tuned_model or ""]
    shown = [render(e.job.message, "ru") for e in events]
    assert "идёт дообучение: шаг 2 из 3, потери на обучении 0,700" in shown, shown
    for message in shown:
        for name in names:
            message = message.replace(name, "")
        assert not re.search("[A-Za-z]{2,}", message), message


async def test_small_dataset_is_fine_tuned_whole(
    manager: JobManager, server: FakeOpenAI, key: str
) -> None:
    # 10 examples: holding 2 out would leave 8, fewer than the API accepts.
    done = await manager.wait((await start(manager, 10)).id)
    assert done.status == "succeeded", done.error
    assert len(server.jobs[done.external_id or ""].examples) == 10
    record = manager.store.latest_model(GUILD)
    assert record is not None and record.metrics["evaluated_on"] == "training"


async def test_missing_key_is_refused_before_a_job_starts(
    manager: JobManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        await start(manager)
    assert manager.store.jobs(GUILD) == []


async def test_wrong_key_fails_the_job_with_a_friendly_error(
    manager: JobManager, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    done = await manager.wait((await start(manager)).id)
    assert done.status == "failed"
    error = render(done.error or "", "en")
    assert "refused the API key (401)" in error, error
    assert "sk-wrong" not in error and "Traceback" not in error
    assert manager.store.models(GUILD) == []


async def test_dead_endpoint_fails_the_job(tmp_path: Path, key: str) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manager = make_manager(tmp_path, f"http://127.0.0.1:{port}/v1")
    try:
        done = await manager.wait((await start(manager)).id)
    finally:
        await manager.close()
        manager.store.close()
    assert done.status == "failed"
    assert render(done.error or "", "en").startswith("Could not reach"), done.error


async def test_remote_failure_is_reported(
    manager: JobManager, server: FakeOpenAI, key: str
) -> None:
    server.fail_with = "The training file has too few distinct examples."
    done = await manager.wait((await start(manager)).id)
    assert done.status == "failed"
    assert render(done.error or "", "en") == (
        "OpenAI's fine-tuning failed: The training file has too few distinct examples."
    )


async def test_a_brief_server_outage_while_polling_is_ridden_out(
    manager: JobManager, server: FakeOpenAI, key: str
) -> None:
    server.broken_polls = 3
    done = await manager.wait((await start(manager)).id)
    assert done.status == "succeeded", done.error
    assert server.broken_polls == 0


async def test_cancel_cancels_the_remote_job(
    manager: JobManager, server: FakeOpenAI, key: str, tmp_path: Path
) -> None:
    server.polls_to_finish = 10_000
    running = asyncio.Event()
    manager.subscribe(lambda e: running.set() if "running" in render(e.job.message) else None)
    job = await start(manager)
    await asyncio.wait_for(running.wait(), 10)

    cancelled = await manager.cancel(job.id, guild_id=GUILD)

    assert cancelled.status == "cancelled"
    assert server.jobs[cancelled.external_id or ""].status == "cancelled"
    assert manager.store.models(GUILD) == []
    assert list((tmp_path / "state" / "models" / GUILD).iterdir()) == []


@asynccontextmanager
async def trained_in_console(
    make_config: Any, server: FakeOpenAI, *first: str
) -> AsyncIterator[TypedConsole]:
    """A console on an app that fine-tunes on `server`, after `first` lines, `select_dataset
    reviews` and `train` and the wait for that job."""
    openai_settings = {"base_url": server.base_url, "poll_seconds": 0.02, "max_retries": 0}
    config = make_config(trainer={"backend": "openai", "openai": openai_settings})
    write_folder_dataset(config.data_root, per_label=20)
    app = Assistant(config)
    await app.start()
    try:
        console = TypedConsole(app)
        for line in (*first, "select_dataset reviews", "train"):
            assert (await console.send(line))["ok"], line
        await console.wait()
        yield console
    finally:
        await app.close()


async def test_a_russian_server_reads_why_classifying_failed_in_russian(
    make_config: Any, server: FakeOpenAI, key: str
) -> None:
    """`test` of two sentences or more asks OpenAI from a pool of threads, which did not have
    the server's language: a revoked key was explained in English on a Russian server."""
    async with trained_in_console(make_config, server, "language ru") as console:
        server.api_key = "sk-rotated"
        refusal = f"OpenAI отклонил ключ API (401) в {server.base_url}; проверьте OPENAI_API_KEY."
        for line in ('test ["чудесный фильм"]', 'test ["чудесный фильм", "скучно"]'):
            reply = await console.send(line)
            assert not reply["ok"] and reply["text"] == refusal, (line, reply)


async def test_a_failed_jobs_error_is_shown_in_the_language_of_its_reader(
    make_config: Any, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that failed while the server spoke English was explained in English by a later
    `status` in Russian: its error was stored worded, not as a message to read later."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    async with trained_in_console(make_config, server) as console:
        english = (await console.send("status"))["text"]
        assert f"OpenAI refused the API key (401) at {server.base_url}" in english, english
        assert (await console.send("language ru"))["ok"]
        russian = (await console.send("status"))["text"]
        assert f"OpenAI отклонил ключ API (401) в {server.base_url}" in russian, russian
        assert "refused" not in russian, russian
