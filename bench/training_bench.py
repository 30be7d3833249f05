"""Training must not stall the bot: event-loop lag while a model trains, three ways, one run.

- trainer: the product's JobManager (scikit-learn in a worker process);
- thread baseline: the same pipeline fitted with `asyncio.to_thread` (the GIL still bites);
- inline baseline: fitted on the event loop, as a typical bot's command handler would.

A ticker wakes every 5 ms and records how late it woke; at 50 audio frames a second per speaker,
lag over 20 ms means dropped or late voice. Also reports wall time per training and the latency
of `test` on 100 sentences. Writes bench/results/training.json and .md.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import Request, User
from assistant.training.base import Example
from tests.corpus import sentiment_examples

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = [2_000, 20_000]
TICK = 0.005


async def measure_lag(work: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - before - TICK) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)  # the ticker is waiting before the work starts
    started = time.perf_counter()
    await work()
    wall = time.perf_counter() - started
    await asyncio.sleep(TICK * 4)  # the tick the work blocked completes and is counted
    done.set()
    await task
    lags.sort()
    return {
        "wall_s": round(wall, 2),
        "lag_p50_ms": round(statistics.median(lags), 2),
        "lag_p99_ms": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 2),
        "lag_max_ms": round(lags[-1], 2),
    }


def fit_inline(examples: list[Example]) -> None:
    """The baseline pipeline: the same features and model as the product's backend."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    pipeline = Pipeline([("f", features), ("m", LogisticRegression(C=4.0, max_iter=2000))])
    pipeline.fit([e.text for e in examples], [e.label for e in examples])


async def run() -> dict[str, Any]:
    results: dict[str, Any] = {"sizes": {}, "python": sys.version.split()[0]}
    with tempfile.TemporaryDirectory() as folder:
        config = Config(data_root=Path(folder) / "data", state_dir=Path(folder) / "state")
        app = Assistant(config)
        await app.start()
        user = User(id="b", name="bench", is_admin=True)
        for size in SIZES:
            examples = sentiment_examples(size, seed=size)

            async def trainer(examples: list[Example] = examples) -> None:
                job = await app.jobs.start(
                    guild_id="bench",
                    channel_id="c",
                    dataset="d",
                    examples=examples,
                    requested_by="b",
                )
                final = await app.jobs.wait(job.id)
                assert final.status == "succeeded", final

            async def threaded(examples: list[Example] = examples) -> None:
                await asyncio.to_thread(fit_inline, examples)

            async def inline(examples: list[Example] = examples) -> None:
                fit_inline(examples)

            row = {
                "trainer": await measure_lag(trainer),
                "thread_baseline": await measure_lag(threaded),
                "inline_baseline": await measure_lag(inline),
            }
            row["lag_max_ratio_inline_vs_trainer"] = round(
                row["inline_baseline"]["lag_max_ms"] / max(row["trainer"]["lag_max_ms"], 0.01), 1
            )
            results["sizes"][str(size)] = row
            print(size, json.dumps(row), flush=True)
        sentences = json.dumps([e.text for e in sentiment_examples(100, seed=1)])
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            reply = await app.handle(Request("test", sentences, user=user, guild_id="bench"))
            timings.append((time.perf_counter() - started) * 1000)
            assert reply.ok, reply.text
        results["test_100_sentences_ms"] = {
            "p50": round(statistics.median(timings), 1),
            "max": round(max(timings), 1),
        }
        await app.close()
    return results


def summary(results: dict[str, Any]) -> str:
    lines = [
        "# Training benchmark",
        "",
        "Event-loop lag while a model trains (a 5 ms ticker; lag over 20 ms delays voice).",
        "",
        "| examples | way | wall s | lag p50 ms | lag p99 ms | lag max ms |",
        "|---|---|---|---|---|---|",
    ]
    for size, row in results["sizes"].items():
        for way in ("trainer", "thread_baseline", "inline_baseline"):
            r = row[way]
            lines.append(
                f"| {int(size):,} | {way} | {r['wall_s']} | {r['lag_p50_ms']} | "
                f"{r['lag_p99_ms']} | {r['lag_max_ms']} |"
            )
    t = results["test_100_sentences_ms"]
    lines += ["", f"`test` on 100 sentences: p50 {t['p50']} ms, max {t['max']} ms."]
    return "\n".join(lines) + "\n"


def main() -> None:
    results = asyncio.run(run())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "training.md").write_text(summary(results))
    print(summary(results))


if __name__ == "__main__":
    main()
