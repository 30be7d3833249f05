"""A job's progress reads in the language of its guild: `status` while it runs, the console's
progress lines, and the announcement; switching the language mid-job switches them too.

The console is driven as on a pipe (`bot.py console < script > out`): replies and progress
lines on standard output, in order. The fit is held at its first stage so that `status` sees the
job running whatever the machine's speed."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.training.sklearn_backend import SklearnBackend
from tests.test_russian_replies import english_in
from transports.console import ConsoleTransport

TRAINING_ON = re.compile(r"training on \d+ examples")
PROGRESS_LINE = re.compile(r"(job|задача) #\d+ ")
ENGLISH_STAGES = ("training on", "vectorizing", "fitting", "evaluating", "saving", "starting")


class HeldFit:
    """Holds each sklearn fit before it starts, until released."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.release = asyncio.Event()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldFit]:
    gate = HeldFit()
    fit = SklearnBackend._train

    async def held_train(self: SklearnBackend, *args: Any) -> Any:
        gate.reached.set()
        await gate.release.wait()
        return await fit(self, *args)

    monkeypatch.setattr(SklearnBackend, "_train", held_train)
    yield gate
    gate.release.set()


class PipedConsole:
    """`bot.py console` on a pipe, in this process: what it prints to stdout and stderr."""

    def __init__(self, app: Assistant) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.console = ConsoleTransport(app, out=self.out, err=self.err)

    async def type(self, line: str) -> str:
        """Type one line; what it printed on standard output."""
        start = len(self.out.getvalue())
        await self.console.handle_safely(line)
        return self.out.getvalue()[start:]

    def progress_lines(self) -> list[str]:
        """The progress lines among the replies (`job #1 …`, `задача #1 …`)."""
        lines = self.out.getvalue().splitlines()
        return [line for line in lines if PROGRESS_LINE.match(line)]


async def train_held(console: PipedConsole, held: HeldFit, language: str) -> str:
    """Set the language, start training and wait until the fit is held; `status` then."""
    assert "[#" in await console.type(f"language {language}")
    assert "reviews" in await console.type("select_dataset reviews")
    await console.type("train")
    await asyncio.wait_for(held.reached.wait(), 60)
    return await console.type("status")


async def test_a_russian_server_sees_its_job_progress_in_russian(
    app: Assistant, reviews: Path, held: HeldFit
) -> None:
    console = PipedConsole(app)
    status = await train_held(console, held, "ru")
    assert "выполняется" in status and "обучение" in status, status
    assert not english_in(status), status
    assert not any(stage in status for stage in ENGLISH_STAGES), status

    # the language changed mid-job: the same row now reads in English, then Russian again
    await console.type("language en")
    assert TRAINING_ON.search(await console.type("status"))
    await console.type("language ru")

    held.release.set()
    announced = await console.type("wait")
    assert "✅ Задача обучения #1 завершена" in announced and not english_in(announced), announced
    lines = console.progress_lines()
    assert len(lines) >= 3, lines  # starting, training on N, and at least one stage of the fit
    for line in lines:
        assert line.startswith("задача #1 "), line
        assert not english_in(line) and not any(s in line for s in ENGLISH_STAGES), line
    assert any(re.search(r"обучение.*\d", line) for line in lines), lines
    after = await console.type("status")
    assert "выполнена" in after and not english_in(after), after


async def test_an_english_server_still_reads_its_progress_in_english(
    app: Assistant, reviews: Path, held: HeldFit
) -> None:
    console = PipedConsole(app)
    status = await train_held(console, held, "en")
    assert "running" in status and TRAINING_ON.search(status), status
    held.release.set()
    await console.type("wait")
    lines = console.progress_lines()
    assert lines[0].startswith("job #1 ") and lines[0].endswith("starting"), lines
    assert any(TRAINING_ON.search(line) for line in lines), lines
    assert any(s in line for line in lines[2:] for s in ENGLISH_STAGES[1:]), lines


async def test_a_message_stored_as_plain_text_is_shown_as_it_is(
    app: Assistant, reviews: Path
) -> None:
    """Rows written before messages were stored as keys (or by an older worker)."""
    job = app.store.create_job(
        guild_id="console",
        channel_id="console",
        dataset="reviews",
        backend="sklearn",
        requested_by=None,
        n_examples=300,
    )
    app.store.update_job(job.id, status="interrupted", message="interrupted by a restart")
    console = PipedConsole(app)
    assert "interrupted by a restart" in await console.type("status")
