"""What `test` and training reports tell a practitioner, and reply ids that never repeat."""

from __future__ import annotations

import dataclasses
import io
import time
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.config import Config
from assistant.evaluation import evaluate, metrics_table
from assistant.reports import job_line, time_left
from assistant.storage.records import Job
from transports.console import ConsoleTransport

JOB = Job(
    id=1,
    guild_id="g",
    channel_id="c",
    dataset="reviews",
    backend="sklearn",
    status="running",
    progress=0.5,
    message="fitting",
    requested_by=None,
    n_examples=10,
    model_version=None,
    external_id=None,
    error=None,
    created_at=100.0,
    updated_at=110.0,
)


def test_progress_estimates_the_time_left() -> None:
    assert time_left(JOB, now=110.0) == "about 10 s left"
    assert time_left(dataclasses.replace(JOB, progress=0.25), now=400.0) == "about 15 min left"
    assert time_left(dataclasses.replace(JOB, progress=0.01), now=110.0) == ""
    assert time_left(dataclasses.replace(JOB, status="succeeded", progress=1.0)) == ""
    fresh = dataclasses.replace(JOB, created_at=time.time() - 10)
    assert "left" in job_line(fresh) and "50%" in job_line(fresh)


def test_the_table_names_its_averages_and_matches_scikit_learn() -> None:
    from sklearn.metrics import precision_recall_fscore_support

    truth = ["a", "a", "a", "a", "b", "c", "c"]
    guess = ["a", "a", "a", "b", "b", "c", "a"]
    metrics = evaluate(truth, guess, ["a", "b", "c"])
    for average in ("macro", "weighted"):
        expected = precision_recall_fscore_support(truth, guess, average=average)[:3]
        ours = [metrics[average][k] for k in ("precision", "recall", "f1")]
        assert [round(v, 6) for v in ours] == [round(float(v), 6) for v in expected]
    table = metrics_table(metrics)
    for word in ("precision", "recall", "F1", "support", "macro avg", "weighted avg", "accuracy"):
        assert word in table
    assert "71.4% (5 of 7)" in table


async def test_reply_ids_are_unique_across_restarts(config: Config, tmp_path: Path) -> None:
    seen: list[str] = []
    for _ in range(2):
        app = Assistant(config)
        await app.start()
        console = ConsoleTransport(app, json_mode=True, out=io.StringIO())
        for _ in range(3):
            request = console.request_for("hi")
            seen.append(console.show(await app.handle(request), command="hi"))
        await app.close()
    assert len(set(seen)) == 6 and [int(i) for i in seen] == sorted(int(i) for i in seen)


async def test_correct_by_the_shown_number_reaches_that_reply(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    from tests.test_commands import train_and_wait

    await ask("select_dataset", "reviews")
    await train_and_wait(app, ask)
    await ask("test", '["what a film"]')
    fixed = await ask("correct", f"#{ask.last_id} negative")
    assert fixed.ok and "“what a film” is **negative**" in fixed.text
