"""`python -m bench NAME ARGS...` runs the benchmark with its arguments, as
`python -m bench.NAME ARGS...` does. Only `--help` is asked of the benchmarks: no heavy run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bench ARGS`; a run that outlives a `--help` is stopped, whole (it would be a
    benchmark run in earnest: `voice_bench` takes ten minutes)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise AssertionError(f"python -m bench {' '.join(args)} ran a benchmark: {out}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_the_words_after_a_benchmark_are_its_arguments() -> None:
    """`python -m bench voice_bench --tuning-only` dropped its flag (it said "--tuning-only is
    not present, skipped") and made the whole held-out run."""
    result = bench("voice_bench", "--help", "spoken_phrasing_bench", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: python -m bench.voice_bench" in result.stdout, result.stdout
    assert "--tuning-only" in result.stdout
    assert "usage: python -m bench.spoken_phrasing_bench" in result.stdout, result.stdout
    assert "not present" not in result.stdout


def test_a_word_that_names_no_benchmark_is_refused_in_a_line() -> None:
    result = bench("--tuning-only", "voice_bench")
    assert result.returncode == 2 and result.stdout == "", result
    (line,) = result.stderr.splitlines()
    assert line.startswith("bench: --tuning-only is not a benchmark; the benchmarks are "), line
    assert "voice_bench" in line


def test_make_bench_runs_every_benchmark() -> None:
    """The README says `make bench` runs them all; the packet-loss and hostile-input memory
    benches were left out of its list."""
    from bench.__main__ import BENCHES, HERE

    files = {path.stem for path in HERE.glob("*_bench.py")}
    assert files - set(BENCHES) == set(), "benchmarks `make bench` does not run"
