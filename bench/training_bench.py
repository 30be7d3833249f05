"""Training as a user runs it: `bot.py console --json`, `train big.csv`, until "model ready".

For each size, one console process (a fresh state folder) is driven over its pipes:
- start-up: from launching the console to its first reply;
- train: from sending `train bench.csv` to the job's announcement (the model is registered
  and loaded, so the next `test` can use it); meanwhile `hi` is sent every 100 ms and the
  reply time is recorded: a reply much slower than the idle one means the bot stalled;
- the first `test` of 100 sentences after training, and the median of the next five;
The texts are `size` distinct short texts (3-10 words) of two labels that share words, with 10%
label noise (bench/text_corpus.py), so held-out accuracy is about 0.93, not 100%.
- `train bench.csv` again: every row is a repeat, so nothing should be refitted;
- `train "the staff were wonderful"`: one new example, a full refit in the warm process.

The floor, in the same run and on the same machine: the bare library (scikit-learn) doing the
training process's work in this process, imports already done (vectorize every text, fit on
the training split, predict the held-out split, refit on all, pickle). The
ratio console/floor is the product's overhead. A second table chooses the pipeline by
measurement: word n-grams alone against words plus character n-grams on a corpus whose labels
overlap (bench/text_corpus.py), held-out accuracy and fit time.

The machine's load is recorded next to the figures (load average and the share of both cores
busy during each measurement), since other work on the machine slows every figure.
Writes bench/results/training.json and .md. `python -m bench.training_bench [sizes...]`.
"""

from __future__ import annotations

import csv
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.text_corpus import noisy_examples
from tests.corpus import sentiment_examples

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
SIZES = [10_000, 100_000]
GOAL_SECONDS = 10.0
"""100,000 short texts from `train` to a usable model."""
PING_SECONDS = 0.1


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Load:
    """The machine's load over one measurement: load average and share of CPU time busy."""

    def __enter__(self) -> Load:
        self.start = cpu_times()
        return self

    def __exit__(self, *_: object) -> None:
        busy, total = cpu_times()
        self.busy_share = round((busy - self.start[0]) / max(total - self.start[1], 1), 2)
        self.loadavg = round(os.getloadavg()[0], 2)

    def record(self) -> dict[str, float]:
        return {"cpu_busy_share": self.busy_share, "loadavg_1min": self.loadavg}


class Console:
    """`bot.py console --json` in a real process; every output line is timestamped."""

    def __init__(self, workdir: Path) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"],
            cwd=workdir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), json.loads(line)))

    def write(self, line: str) -> float:
        assert self.process.stdin
        sent = time.perf_counter()
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return sent

    def send(self, line: str, timeout: float = 600) -> tuple[float, dict[str, Any]]:
        """Send a line; (seconds until its reply, the reply)."""
        sent = self.write(line)
        at, record = self.lines.get(timeout=timeout)
        return at - sent, record

    def close(self) -> None:
        self.write("quit")
        self.process.wait(timeout=120)


def train_with_pings(console: Console, line: str) -> tuple[float, dict[str, Any], list[float]]:
    """Send `line` (a train command) and ping until the job's announcement arrives."""
    sent = console.write(line)
    pings: list[float] = []
    ping_sent: float | None = None
    next_ping = sent + PING_SECONDS
    while True:
        try:
            at, record = console.lines.get(timeout=0.01)
        except queue.Empty:
            now = time.perf_counter()
            if ping_sent is None and now >= next_ping:
                ping_sent = console.write("hi")
            continue
        if record.get("kind") == "job":
            return at - sent, record, pings
        if str(record.get("text", "")).startswith("HI!") and ping_sent is not None:
            pings.append((at - ping_sent) * 1000)
            ping_sent = None
            next_ping = at + PING_SECONDS
        elif record.get("ok") is False:
            raise RuntimeError(f"`{line}` failed: {record.get('text')}")


def write_csv(path: Path, rows: list[Any]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        for example in rows:
            writer.writerow([example.text, example.label])


def floor_fit(
    texts: list[str],
    labels: list[str],
    *,
    held_out: Sequence[int] = (),
    chars: bool = False,
) -> tuple[float, Any]:
    """The bare library doing the product's fit: (seconds, fitted pipeline).

    Vectorize every text once; fit the logistic regression (tolerance 1e-3, balanced classes,
    one BLAS thread) on the rows not held out; with a held-out split, predict it and refit on
    every row, as `trainer.sklearn.refit_on_all` (the default) does; pickle the model."""
    import pickle

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from threadpoolctl import threadpool_limits

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=100_000)
    features: Any = words
    if chars:
        extra = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, max_features=100_000
        )
        features = FeatureUnion([("words", words), ("chars", extra)])

    def fit(rows: Any, y: list[str]) -> Any:
        return LogisticRegression(C=4.0, max_iter=2000, tol=1e-3, class_weight="balanced").fit(
            rows, y
        )

    started = time.perf_counter()
    with threadpool_limits(1):
        matrix = features.fit_transform(texts)
        held = set(held_out)
        train = [i for i in range(len(texts)) if i not in held]
        model = fit(matrix[train], [labels[i] for i in train])
        if held_out:
            model.predict(matrix[list(held_out)])
            model = fit(matrix, labels)
        pipeline = Pipeline([("features", features), ("classifier", model)])
        pickle.dumps(pipeline, protocol=5)
    return time.perf_counter() - started, pipeline


def corpus(size: int) -> list[Any]:
    """`size` distinct short texts, two overlapping labels, 10% label noise.

    Distinct matters: the bot stores and trains on unique examples, and the tests' template
    corpus repeats itself (100,000 of its sentences hold only a few thousand different ones).
    """
    examples = noisy_examples(size, labels=2, vocabulary=5_000, seed=size, words=(3, 10))
    assert len({e.text for e in examples}) > size * 0.99
    return examples


def one_size(size: int) -> dict[str, Any]:
    from assistant.training.base import split_examples

    examples = corpus(size)
    row: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        (workdir / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
        (workdir / "data").mkdir()
        write_csv(workdir / "data" / "bench.csv", examples)
        with Load() as load:
            console = Console(workdir)
            idle_pings = []
            _, reply = console.send("hi")
            assert str(reply.get("text", "")).startswith("HI!"), reply
            row["startup_s"] = round(time.perf_counter() - console.started, 2)
            for _ in range(5):
                took, _ = console.send("hi")
                idle_pings.append(took * 1000)
            wall, finished, pings = train_with_pings(console, "train bench.csv")
            assert finished["data"]["status"] == "succeeded", finished
            sentences = json.dumps([e.text for e in sentiment_examples(100, seed=1)])
            first_test, tested = console.send(f"test {sentences}")
            assert tested["ok"], tested
            later = [console.send(f"test {sentences}")[0] for _ in range(5)]
            again, repeat, _ = train_with_pings(console, "train bench.csv")
            # One new example: a full refit, now in the warm training process.
            one_more, refit, _ = train_with_pings(console, 'train "the staff were wonderful"')
            assert refit["data"]["status"] == "succeeded", refit
            console.close()
        row["load"] = load.record()
        row["train_to_model_s"] = round(wall, 2)
        row["accuracy"] = finished["data"].get("accuracy")
        row["ping_idle_ms_p50"] = round(statistics.median(idle_pings), 1)
        row["ping_during_train_ms"] = {
            "n": len(pings),
            "p50": round(statistics.median(pings), 1) if pings else None,
            "max": round(max(pings), 1) if pings else None,
        }
        row["first_test_100_ms"] = round(first_test * 1000, 1)
        row["test_100_ms_p50"] = round(statistics.median(later) * 1000, 1)
        row["same_data_again_s"] = round(again, 2)
        row["same_data_again_status"] = repeat["data"].get("status")
        row["one_more_example_s"] = round(one_more, 2)
    # The floor: the same work on the same split, the bare library, warm imports.
    _, held_out = split_examples(examples, 0.2, 13)
    floor_fit(["warm up"] * 4 + ["imports"] * 4, ["a", "b"] * 4)
    with Load() as load:
        seconds, _ = floor_fit(
            [e.text for e in examples], [e.label for e in examples], held_out=held_out
        )
    row["floor_fit_s"] = round(seconds, 2)
    row["floor_load"] = load.record()
    row["ratio_console_vs_floor"] = round(wall / max(seconds, 1e-3), 2)
    return row


def pipeline_choice(size: int = 20_000) -> dict[str, Any]:
    """Word n-grams alone against words + characters, on a corpus whose labels overlap."""
    from sklearn.model_selection import train_test_split

    examples = noisy_examples(size)
    x_train, x_test, y_train, y_test = train_test_split(
        [e.text for e in examples], [e.label for e in examples], test_size=0.2, random_state=13
    )
    result: dict[str, Any] = {"examples": size}
    for name, chars in (("words", False), ("words+chars", True)):
        with Load() as load:
            seconds, pipeline = floor_fit(x_train, y_train, chars=chars)
        predicted = pipeline.predict(x_test)
        accuracy = sum(a == b for a, b in zip(predicted, y_test, strict=True)) / len(y_test)
        result[name] = {
            "fit_s": round(seconds, 2),
            "held_out_accuracy": round(accuracy, 4),
            "load": load.record(),
        }
    return result


def run(sizes: list[int]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "goal": f"{GOAL_SECONDS:.0f} s for 100,000 examples",
        "sizes": {},
    }
    for size in sizes:
        row = one_size(size)
        results["sizes"][str(size)] = row
        print(size, json.dumps(row), flush=True)
    results["pipeline_choice"] = pipeline_choice()
    print(json.dumps(results["pipeline_choice"]), flush=True)
    return results


def summary(results: dict[str, Any]) -> str:
    lines = [
        "# Training benchmark",
        "",
        f"`bot.py console --json` on a {results['cpus']}-core machine; goal: "
        f"{results['goal']} (from `train` to the announcement).",
        "Floor: the bare library doing the training process's work in this process "
        "(vectorize, fit, predict held-out, refit on all, pickle).",
        "",
        "| examples | train → model s | floor fit s | ratio | same data again s | one more s | "
        "first test ms | test ms p50 | ping idle ms | ping in training p50/max ms | "
        "start-up s | CPU busy | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in results["sizes"].items():
        ping = r["ping_during_train_ms"]
        lines.append(
            f"| {int(size):,} | {r['train_to_model_s']} | {r['floor_fit_s']} | "
            f"{r['ratio_console_vs_floor']} | {r['same_data_again_s']} | "
            f"{r['one_more_example_s']} | "
            f"{r['first_test_100_ms']} | {r['test_100_ms_p50']} | {r['ping_idle_ms_p50']} | "
            f"{ping['p50']}/{ping['max']} | {r['startup_s']} | {r['load']['cpu_busy_share']:.0%} | "
            f"{r['load']['loadavg_1min']} |"
        )
    choice = results["pipeline_choice"]
    lines += [
        "",
        f"Pipeline choice ({choice['examples']:,} overlapping examples, 4 labels, 10% label "
        "noise; bench/text_corpus.py):",
        "",
        "| features | fit s | held-out accuracy | CPU busy |",
        "|---|---|---|---|",
    ]
    for name in ("words", "words+chars"):
        c = choice[name]
        lines.append(
            f"| {name} | {c['fit_s']} | {c['held_out_accuracy']:.4f} | "
            f"{c['load']['cpu_busy_share']:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    sizes = [int(arg.replace("_", "")) for arg in argv] or SIZES
    results = run(sizes)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "training.md").write_text(summary(results))
    print(summary(results))


if __name__ == "__main__":
    main(sys.argv[1:])
