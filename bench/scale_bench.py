"""Scaling out, measured in one run (ratios against the one-process baseline of the same run):

1. speech: the bot machine's CPU per spoken command with recognition in-process (worker processes
   of the bot) vs on a speech server (`bot.py speech-server`), and the guilds one core of the bot
   machine holds for each (a talking guild: one command every TALK_INTERVAL_S seconds);
2. bot processes: typed commands per second through `bot.py console --json`, one process vs two
   processes on the same PostgreSQL database;
3. shards: typed commands per second through the fake Discord (two guilds on two shards), one
   `bot.py --shards 0,1 --shard-count 2` process vs two processes (`--shards 0`, `--shards 1`) on
   the same PostgreSQL database;
4. training: jobs per minute with one `bot.py worker` vs two, on the same queue.

`--quick` runs every part on a fraction of the work (to check the benchmark itself).

Everything runs on loopback against a throw-away PostgreSQL cluster (as the tests do).
Writes bench/results/scale.json and .md.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
TALK_INTERVAL_S = 10.0
"""Assumed pace of a talking guild: one spoken command every this many seconds."""
UTTERANCES = 40
COMMANDS_PER_PROCESS = 2000
JOBS = 6
EXAMPLES_PER_JOB = 3000
COMMANDS_PER_GUILD = 400
"""Typed commands sent into each guild of the sharded fake Discord."""
SENTENCES = [
    "hey trainer train the model",
    "hey trainer test the model",
    "hey trainer what's the status",
    "hey trainer select dataset movie reviews",
]


# -- 1. speech ---------------------------------------------------------------------------------


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by process `root` and every process below it (from /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, cpu in times.items():
        walk = pid
        while walk not in (0, 1) and walk != root:
            walk = parents.get(walk, 0)
        if walk == root:
            total += cpu
    return total


def speech_client(mode: str, uri: str) -> None:
    """Child process: recognize UTTERANCES spoken commands, two at a time, as a bot would; the
    CPU of this process and its recognizer processes is the bot machine's share."""
    from assistant.config.voice import AsrSettings, VoiceSettings
    from states.recognition_processes import ProcessRecognizerPool
    from tests.speech import speak
    from tests.voice_corpus import DATASETS

    voice = VoiceSettings()
    if mode == "server":
        voice = VoiceSettings(asr=AsrSettings(engine="wyoming", wyoming_uri=uri))
    lists = {"dataset": DATASETS, "folder": DATASETS}
    clips = [speak(s) for s in SENTENCES]

    async def run() -> dict[str, Any]:
        pool = ProcessRecognizerPool(voice, lists, workers=2)
        await pool.warm_up()
        await asyncio.gather(pool.transcribe(clips[0]), pool.transcribe(clips[1]))  # warm
        before = tree_cpu_s(os.getpid())
        latencies: list[float] = []
        heard = 0

        async def one(index: int) -> None:
            nonlocal heard
            started = time.perf_counter()
            transcript = await pool.transcribe(clips[index % len(clips)])
            latencies.append((time.perf_counter() - started) * 1000)
            heard += bool(transcript.wake)

        for start in range(0, UTTERANCES, 2):
            await asyncio.gather(one(start), one(start + 1))
        cpu = tree_cpu_s(os.getpid()) - before
        pool.close()
        latencies.sort()
        return {
            "bot_cpu_ms_per_command": round(cpu / UTTERANCES * 1000, 2),
            "talking_guilds_per_core": int(1 / max(cpu / UTTERANCES / TALK_INTERVAL_S, 1e-9)),
            "latency_p50_ms": round(statistics.median(latencies), 1),
            "latency_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
            "commands_heard": f"{heard}/{UTTERANCES}",
        }

    print(json.dumps(asyncio.run(run())), flush=True)


def measure_speech(uri: str, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale_bench", "--speech-client", mode, uri, str(UTTERANCES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def speech_part(folder: Path) -> dict[str, Any]:
    from tests.test_speech_server import start_speech_server

    config = folder / "speech-config.yaml"
    config.write_text("state_dir: state\ndata_root: data\n")
    server, uri = start_speech_server(config)
    try:
        local = measure_speech(uri, "local")
        before = tree_cpu_s(server.pid)
        remote = measure_speech(uri, "server")
        # The speech machine's share (with the client's warm-up utterances, so a little high).
        server_cpu = tree_cpu_s(server.pid) - before
        remote["speech_server_cpu_ms_per_command"] = round(server_cpu / UTTERANCES * 1000, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "in_process": local,
        "speech_server": remote,
        "guilds_per_core_ratio": round(
            remote["talking_guilds_per_core"] / max(local["talking_guilds_per_core"], 1), 1
        ),
    }


# -- 2. bot processes on one database ----------------------------------------------------------


def console_config(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump({"state_dir": "state", "data_root": "data", "storage_url": url}))
    return path


def commands_script() -> str:
    lines = []
    for i in range(COMMANDS_PER_PROCESS):
        lines.append(f"feedback note number {i}" if i % 2 else "status")
    return "\n".join(lines) + "\n"


def run_consoles(folders: list[Path], url: str) -> dict[str, Any]:
    """Start the consoles, feed each the same script; throughput between the first reply and the
    last (so start-up, which differs from process to process, is not counted)."""
    script = commands_script()
    configs = [console_config(folder, url) for folder in folders]
    processes = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "--config", str(config), "console", "--json"],
            cwd=config.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for config in configs
    ]
    stamps: list[list[float]] = [[] for _ in processes]

    def read(index: int) -> None:
        stdout = processes[index].stdout
        assert stdout is not None
        for line in stdout:
            if line.strip():
                stamps[index].append(time.perf_counter())

    readers = [threading.Thread(target=read, args=(i,)) for i in range(len(processes))]
    for reader in readers:
        reader.start()
    # Every process is started and warm before any command is sent.
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("status\n")
        process.stdin.flush()
    while any(not s for s in stamps):
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a console stopped before answering; see {folders}/state")
        time.sleep(0.05)
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(script)
        process.stdin.close()
    for process in processes:
        process.wait(timeout=900)
    for reader in readers:
        reader.join()
    first = max(s[0] for s in stamps)  # the warm-up reply of the slowest to start
    last = max(s[-1] for s in stamps)
    replies = sum(len(s) - 1 for s in stamps)
    return {
        "processes": len(folders),
        "replies": replies,
        "steady_s": round(last - first, 2),
        "commands_per_s": round(replies / (last - first), 1),
    }


def processes_part(server: Any, folder: Path) -> dict[str, Any]:
    one = run_consoles([folder / "one"], server.new_database())
    two = run_consoles([folder / "two-a", folder / "two-b"], server.new_database())
    return compared(one, two, "process", "commands_per_s")


# -- 3. shards: bot processes behind the fake Discord -----------------------------------------


async def shards_run(server: Any, folder: Path, processes: int) -> dict[str, Any]:
    """Two guilds on two shards, served by one process (both shards) or two (one each); every
    guild is sent its commands at once and the replies are counted as they arrive."""
    from tests.fakediscord.shards import FakeDiscordShards, bot_process

    url = server.new_database()
    discord = FakeDiscordShards(folder / f"fakediscord-{processes}", shard_count=2, guilds=2)
    await discord.start()
    slices = [[0, 1]] if processes == 1 else [[0], [1]]
    config = {
        "state_dir": "state",
        "data_root": "data",
        "storage_url": url,
        "discord": discord.discord_settings(rate_limit_count=1_000_000, sync_commands=False),
    }
    bots = [
        bot_process(folder / f"shard-bot-{processes}-{i}", config, shards, 2, discord.token)
        for i, shards in enumerate(slices)
    ]
    try:
        await asyncio.wait_for(discord.gateway.identified.wait(), 180)
        for guild in discord.guilds:  # every process is warm before the clock starts
            sent = await guild.send_message("!status")
            await guild.wait_for_reply(after=sent["id"], timeout=180)
        before = [len(g.sent_messages(g.text_channel_id)) for g in discord.guilds]
        bots_cpu = [tree_cpu_s(bot.pid) for bot in bots]
        fake_cpu = time.process_time()
        started = time.perf_counter()

        async def flood(index: int) -> None:
            guild = discord.guilds[index]
            for i in range(COMMANDS_PER_GUILD):
                await guild.send_message(f"!feedback note number {i}" if i % 2 else "!status")
            await guild.wait_for(
                lambda: (
                    len(guild.sent_messages(guild.text_channel_id)) - before[index]
                    >= COMMANDS_PER_GUILD
                ),
                900,
                "every reply",
            )

        await asyncio.gather(*(flood(i) for i in range(len(discord.guilds))))
        wall = time.perf_counter() - started
        fake_cpu = time.process_time() - fake_cpu
        bots_cpu = [tree_cpu_s(bot.pid) - cpu for bot, cpu in zip(bots, bots_cpu, strict=True)]
    finally:
        for bot in bots:
            bot.terminate()
        for bot in bots:
            bot.wait(timeout=60)
        await discord.close()
    replies = COMMANDS_PER_GUILD * len(discord.guilds)
    return {
        "processes": processes,
        "shards_per_process": [len(s) for s in slices],
        "replies": replies,
        "wall_s": round(wall, 2),
        "commands_per_s": round(replies / wall, 1),
        "bot_cpu_ms_per_command": round(sum(bots_cpu) / replies * 1000, 2),
        "busiest_bot_cpu_share": round(max(bots_cpu) / wall, 2),
        "fake_discord_cpu_share": round(fake_cpu / wall, 2),
    }


def shards_part(server: Any, folder: Path) -> dict[str, Any]:
    one = asyncio.run(shards_run(server, folder, 1))
    two = asyncio.run(shards_run(server, folder, 2))
    return compared(one, two, "process", "commands_per_s")


# -- 4. training workers ----------------------------------------------------------------------


async def training_run(server: Any, folder: Path, workers: int) -> dict[str, Any]:
    from assistant.app import Assistant
    from assistant.config import load_config
    from tests.corpus import sentiment_examples
    from tests.queue_worker import TrainingWorker

    url = server.new_database()
    app = Assistant(load_config(console_config(folder / f"bot-{workers}", url)))
    await app.start()
    started_workers = [
        TrainingWorker(folder / f"worker-{workers}-{i}", url).start() for i in range(workers)
    ]
    try:
        started = time.perf_counter()
        jobs = [
            await app.jobs.start(
                guild_id=f"guild-{i}",
                channel_id="c",
                dataset="reviews",
                examples=sentiment_examples(EXAMPLES_PER_JOB, seed=i),
                requested_by="1",
            )
            for i in range(JOBS)
        ]
        finished = [await app.jobs.wait(job.id) for job in jobs]
        wall = time.perf_counter() - started
    finally:
        for worker in started_workers:
            worker.stop()
        await app.close()
    assert all(job.status == "succeeded" for job in finished), finished
    return {
        "workers": workers,
        "wall_s": round(wall, 2),
        "jobs_per_min": round(JOBS / wall * 60, 2),
    }


def training_part(server: Any, folder: Path) -> dict[str, Any]:
    one = asyncio.run(training_run(server, folder, 1))
    two = asyncio.run(training_run(server, folder, 2))
    return compared(one, two, "worker", "jobs_per_min")


def compared(one: dict[str, Any], two: dict[str, Any], unit: str, rate: str) -> dict[str, Any]:
    """One against two of `unit` (process, worker), and how much `rate` grew."""
    return {
        f"one_{unit}": one,
        f"two_{unit}{'es' if unit.endswith('s') else 's'}": two,
        "throughput_ratio": round(two[rate] / one[rate], 2),
    }


# -- report ------------------------------------------------------------------------------------


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    s, p, t = results["speech"], results["bot_processes"], results["training"]
    d = results["shards"]
    load = results["load"]
    lines = [
        "# Scaling out",
        "",
        f"Machine: {results['machine']}. One run; ratios against the baseline of the same run.",
        f"Load average (1 min) before the run: {load['before']}, after: {load['after']}"
        + (
            " (above the core count: other work shared the machine during the run)."
            if load["before"] > (os.cpu_count() or 1)
            else " (the machine was otherwise quiet)."
        ),
        "",
        "| what | baseline | scaled out | ratio |",
        "|---|---|---|---|",
        f"| bot-machine CPU per spoken command | {s['in_process']['bot_cpu_ms_per_command']} ms"
        f" (recognition in the bot's processes) | {s['speech_server']['bot_cpu_ms_per_command']}"
        " ms (speech server) | |",
        "| speech-server CPU per spoken command | |"
        f" {s['speech_server']['speech_server_cpu_ms_per_command']} ms (on the speech machine) | |",
        f"| talking guilds per core of the bot machine (a command every {TALK_INTERVAL_S:.0f} s)"
        f" | {s['in_process']['talking_guilds_per_core']} |"
        f" {s['speech_server']['talking_guilds_per_core']} | {s['guilds_per_core_ratio']}x |",
        f"| recognition latency p50 / p95 | {s['in_process']['latency_p50_ms']} /"
        f" {s['in_process']['latency_p95_ms']} ms | {s['speech_server']['latency_p50_ms']} /"
        f" {s['speech_server']['latency_p95_ms']} ms | |",
        f"| typed commands per second (`bot.py console`, one PostgreSQL database) |"
        f" {p['one_process']['commands_per_s']} (1 process) |"
        f" {p['two_processes']['commands_per_s']} (2 processes) | {p['throughput_ratio']}x |",
        f"| typed commands per second (fake Discord, 2 guilds on 2 shards, one PostgreSQL"
        f" database) | {d['one_process']['commands_per_s']} (1 process, shards 0,1) |"
        f" {d['two_processes']['commands_per_s']} (2 processes, a shard each) |"
        f" {d['throughput_ratio']}x |",
        f"| bot CPU per typed command via Discord; busiest bot process's CPU share |"
        f" {d['one_process']['bot_cpu_ms_per_command']} ms;"
        f" {d['one_process']['busiest_bot_cpu_share']:.0%} |"
        f" {d['two_processes']['bot_cpu_ms_per_command']} ms;"
        f" {d['two_processes']['busiest_bot_cpu_share']:.0%} | |",
        f"| the fake Discord's CPU share (in the benchmark's process) |"
        f" {d['one_process']['fake_discord_cpu_share']:.0%} |"
        f" {d['two_processes']['fake_discord_cpu_share']:.0%} | |",
        f"| training jobs per minute ({JOBS} jobs of {EXAMPLES_PER_JOB:,} examples) |"
        f" {t['one_worker']['jobs_per_min']} (1 worker) | {t['two_workers']['jobs_per_min']}"
        f" (2 workers) | {t['throughput_ratio']}x |",
        "",
        "The speech server ran on the same machine here, so latencies include its share of the",
        "same two cores; on its own machine it takes the recognition load off the bot machine",
        "entirely. Two processes or workers on two cores cannot double throughput when the",
        "database, the consoles' start-up and other work share those cores. The fake Discord",
        "runs in the benchmark's own process on the same cores, in both shard runs alike.",
    ]
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def quick() -> None:
    """A fraction of the work, to check that the benchmark runs."""
    global UTTERANCES, COMMANDS_PER_PROCESS, JOBS, EXAMPLES_PER_JOB, COMMANDS_PER_GUILD
    UTTERANCES, COMMANDS_PER_PROCESS, JOBS, EXAMPLES_PER_JOB = 4, 50, 2, 300
    COMMANDS_PER_GUILD = 20


def main(argv: list[str]) -> int:
    if argv[:1] == ["--speech-client"]:
        global UTTERANCES
        UTTERANCES = int(argv[3])
        speech_client(argv[1], argv[2])
        return 0
    from tests.postgres import start_server

    if argv[:1] == ["--quick"]:
        quick()
    server = start_server()
    load_before = round(os.getloadavg()[0], 2)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            results = {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "speech": speech_part(folder),
                "bot_processes": processes_part(server, folder),
                "shards": shards_part(server, folder),
                "training": training_part(server, folder),
            }
    finally:
        server.stop()
    results["load"] = {"before": load_before, "after": round(os.getloadavg()[0], 2)}
    if argv[:1] == ["--quick"]:
        print(json.dumps(results, indent=2))  # a check of the benchmark: nothing written
        return 0
    write(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
