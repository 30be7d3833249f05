"""How many guilds can talk to the bot at once? End-of-speech-to-reply latency under load.

Streams N guilds at once (default 1, 10, 25, 50), each with one person whose microphone is
open the whole time (noise floor) and who says a few commands, all in real-time 20 ms frames
through the real pipeline: per-speaker webrtcvad, the shared recogniser pool, the intent
matcher, the core `Assistant`, espeak-ng speech output and a real-time (simulated) player.

Reports per N: end-of-speech -> reply (core answered, text posted) and -> first audio p50/p95,
against the single-guild figure of the same run; CPU per active speaker (process CPU time over
wall time, divided by the number of open streams); memory per guild (RSS growth / N); and the
largest N whose p50 stays under twice the single-guild p50.

    python bench/conversation_bench.py [--guilds 1 10 25 50] [--commands 3]
Results: bench/results/conversation.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.app import Assistant  # noqa: E402
from assistant.config import load_config  # noqa: E402
from assistant.config.conversation import ConversationSettings  # noqa: E402
from assistant.messages import User  # noqa: E402
from audio import RECOGNITION_FRAME_BYTES  # noqa: E402
from states.output import MemoryOutput  # noqa: E402
from states.parts import build_parts  # noqa: E402
from states.registry import SessionRegistry  # noqa: E402
from tests.speech import RATE, noise, speak  # noqa: E402

FRAME_BYTES = RECOGNITION_FRAME_BYTES
COMMANDS = [
    "hey trainer, what is the status",
    "hey trainer, say hello",
    "hey trainer, give me a status report",
]
VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3"]
GAP_S = 5.0
"""Time from one command's start to the next one's, per guild (the answers take 1-2 s, so
nobody talks over the bot: that would be a barge-in, not a new command)."""


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s() -> float:
    """CPU seconds of this process, its finished children (espeak-ng runs) and its live ones
    (the recogniser worker processes)."""
    import multiprocessing

    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    tick = os.sysconf("SC_CLK_TCK")
    for child in multiprocessing.active_children():
        with open(f"/proc/{child.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def floor_pcm(seconds: float, seed: int) -> bytes:
    import numpy as np

    return np.clip(np.rint(noise(seconds, seed=seed)), -32768, 32767).astype("<i2").tobytes()


def script(guild: int, commands: int, rng: random.Random) -> tuple[bytes, float]:
    """One guild's microphone: noise floor with `commands` utterances; returns (pcm, seconds)."""
    offset = rng.uniform(0, 2.0)
    voice = VOICES[guild % len(VOICES)]
    clips = [
        (offset + i * GAP_S, speak(COMMANDS[i % len(COMMANDS)], voice=voice))
        for i in range(commands)
    ]
    total = offset + commands * GAP_S + 1.0
    pcm = bytearray(floor_pcm(total, seed=guild))
    for at, clip in clips:
        start = int(at * RATE) * 2
        pcm[start : start + len(clip)] = clip
    return bytes(pcm), total


async def run_level(registry: SessionRegistry, n: int, commands: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    mem_before = rss_mb()
    sessions = []
    users = []
    for g in range(n):
        out = MemoryOutput(realtime=True, keep_audio=False)
        session = await registry.join(f"bench-{g}", voice=out, text=out, text_channel_id="t")
        sessions.append(session)
        users.append(User(id=f"u{g}", name=f"user {g}"))
    mics = [script(g, commands, rng) for g in range(n)]
    frames = int(max(total for _, total in mics) * 50)
    cpu0, wall0 = cpu_s(), time.monotonic()
    lag_max = 0.0
    for k in range(frames):
        for session, user, (pcm, _) in zip(sessions, users, mics, strict=True):
            chunk = pcm[k * FRAME_BYTES : (k + 1) * FRAME_BYTES]
            if chunk:
                session.feed(user, chunk)
        due = wall0 + (k + 1) / 50
        lag_max = max(lag_max, time.monotonic() - due)
        await asyncio.sleep(max(0.0, due - time.monotonic()))
    feed_wall = time.monotonic() - wall0
    feed_cpu = cpu_s() - cpu0
    await asyncio.gather(*(s.settle(60) for s in sessions))
    mem_after = rss_mb()

    reply, audio, vad, answered = [], [], [], 0
    unanswered: dict[str, int] = {}
    cut = 0
    for g, s in enumerate(sessions):
        replies = sum(1 for e in s.trace if e.kind == "reply")
        cut += sum(1 for e in s.trace if e.kind == "interrupted")
        if replies < commands:
            voice = VOICES[g % len(VOICES)]
            unanswered[voice] = unanswered.get(voice, 0) + commands - replies
        reply += [e.data["latency_s"] for e in s.trace if e.kind == "reply"]
        vad += [e.data["vad_s"] for e in s.trace if e.kind == "reply"]
        audio += [e.data["since_speech_end_s"] for e in s.trace if "since_speech_end_s" in e.data]
        answered += sum(1 for e in s.trace if e.kind == "reply")
    for g in range(n):
        await registry.leave(f"bench-{g}")
    return {
        "guilds": n,
        "commands_said": n * commands,
        "answered": answered,
        "reply_p50_ms": round(pct(reply, 0.5) * 1000, 1),
        "reply_p95_ms": round(pct(reply, 0.95) * 1000, 1),
        "audio_p50_ms": round(pct(audio, 0.5) * 1000, 1),
        "audio_p95_ms": round(pct(audio, 0.95) * 1000, 1),
        "vad_end_delay_p50_ms": round(pct(vad, 0.5) * 1000, 1),
        "cpu_per_speaker_pct": round(100 * feed_cpu / feed_wall / n, 2),
        "cpu_total_pct": round(100 * feed_cpu / feed_wall, 1),
        "memory_per_guild_kb": round((mem_after - mem_before) * 1024 / n, 1),
        "feeder_max_lag_ms": round(lag_max * 1000, 1),
        "unanswered_by_voice": unanswered,
        "answers_cut_by_next_command": cut,
    }


async def main(levels: list[int], commands: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="conv-bench-"))
    (tmp / "config.yaml").write_text(yaml.safe_dump({"data_root": "data", "state_dir": "state"}))
    (tmp / "data").mkdir()
    config = load_config(tmp / "config.yaml")
    app = Assistant(config)
    await app.start()
    workers = os.cpu_count() or 1
    t0 = time.monotonic()
    parts = await build_parts(config, app, recognizers=workers)
    build_s = time.monotonic() - t0
    import multiprocessing

    workers_mb = sum(rss_mb(p.pid) for p in multiprocessing.active_children() if p.pid)
    settings = ConversationSettings(follow_up_seconds=1.0)
    registry = SessionRegistry(parts, app.handle, settings)
    for text in COMMANDS:  # synthesise test speech up front (cached), outside the timing
        for voice in VOICES:
            speak(text, voice=voice)
    # Warm-up (not reported): first-use imports, caches and allocations are not per guild.
    await run_level(registry, 1, 1, seed=99)
    results = []
    for i, n in enumerate(levels):
        row = await run_level(registry, n, commands, seed=i)
        print(json.dumps(row), flush=True)
        results.append(row)
    await registry.close()
    parts.close()
    await app.close()

    base = results[0]["reply_p50_ms"]
    fits = [r["guilds"] for r in results if r["reply_p50_ms"] < 2 * base]
    doubled = [r["guilds"] for r in results if r["reply_p50_ms"] >= 2 * base]
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "setup": {
            "recognizers": workers,
            "recognizer_processes_rss_mb": round(workers_mb, 1),
            "parts_build_s": round(build_s, 2),
            "commands_per_guild": commands,
            "gap_s": GAP_S,
            "start_offsets": "uniform 0-2 s per guild",
            "commands": COMMANDS,
        },
        "single_guild_reply_p50_ms": base,
        "max_guilds_under_2x_latency": max(fits) if fits else None,
        "first_guilds_at_2x_latency": min(doubled) if doubled else None,
        "levels": results,
    }


def write_markdown(report: dict[str, Any], path: Path) -> None:
    rows = [
        "| guilds | answered (core replied) | reply p50 / p95 ms | first audio p50 / p95 ms | "
        "of which VAD end delay | CPU per speaker | CPU total | memory per guild | "
        "feeder max lag | "
        "answers cut by the next command |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["levels"]:
        rows.append(
            f"| {r['guilds']} | {r['answered']}/{r['commands_said']} | "
            f"{r['reply_p50_ms']} / {r['reply_p95_ms']} | "
            f"{r['audio_p50_ms']} / {r['audio_p95_ms']} | "
            f"{r['vad_end_delay_p50_ms']} ms | "
            f"{r['cpu_per_speaker_pct']}% | {r['cpu_total_pct']}% | "
            f"{r['memory_per_guild_kb']} KB | {r['feeder_max_lag_ms']} ms | "
            f"{r['answers_cut_by_next_command']} |"
        )
    m, s = report["machine"], report["setup"]
    misses = "; ".join(
        f"{r['guilds']} guilds: {r['unanswered_by_voice'] or 'none'}" for r in report["levels"]
    )
    doubled = report["first_guilds_at_2x_latency"]
    text = f"""# Conversation benchmark

Every guild has one person with an open microphone saying {s["commands_per_guild"]} commands,
{s["gap_s"]} s apart ({s["start_offsets"]}), streamed in real-time 20 ms frames through
per-speaker webrtcvad, {s["recognizers"]} pocketsphinx recognisers in worker processes
({s["recognizer_processes_rss_mb"]} MB RSS together, shared by all guilds), the intent matcher,
the core and espeak-ng. Latency runs from the end of speech (last voiced frame) to the core's
reply (text posted) and to the first audio of the spoken answer; the VAD's own end-of-speech
delay (the silence it waits for before closing an utterance) is part of both and shown apart.
CPU is process plus child (espeak-ng) CPU time over the streaming period, per open stream
(recogniser worker processes included). Memory per guild is the growth of the
bot process's RSS over the level divided by its guilds (sessions, VAD state, traces).

Machine: {m["cpus"]} CPUs, Python {m["python"]}, {m["platform"]}.

{chr(10).join(rows)}

Commands with no reply, by espeak voice (the recogniser rejected or misheard them; the
en-gb-x-rp+m3 voice misses most at every level): {misses}.

Single-guild reply p50: {report["single_guild_reply_p50_ms"]} ms. Largest tested number of guilds
whose p50 stays under twice that: **{report["max_guilds_under_2x_latency"]}**; first tested
number at which it doubled: **{doubled or "none tested"}**.

Reproduce: `python bench/conversation_bench.py`.
"""
    path.write_text(text, encoding="utf-8")


def save(
    report: dict[str, Any], name: str, markdown: Callable[[dict[str, Any], Path], None]
) -> None:
    """bench/results/<name>.json and .md; the summary is printed too."""
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown(report, out / f"{name}.md")
    print((out / f"{name}.md").read_text())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, nargs="+", default=[1, 10, 25, 35, 50, 75])
    parser.add_argument("--commands", type=int, default=3)
    args = parser.parse_args()
    save(asyncio.run(main(args.guilds, args.commands)), "conversation", write_markdown)
