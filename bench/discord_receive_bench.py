"""CPU of the Discord receive path per active speaker, and how many speakers one core sustains,
without and with DAVE end-to-end encryption, in one run.

    .venv/bin/python bench/discord_receive_bench.py [--seconds 5] [--max-speakers 160]

One run against the loopback fake Discord. The fake runs in a child process on its own core
(its Opus encoding and encryption must not be counted); the bot process, pinned to one core,
is the real bot (discord.py + voice-recv) connected to the fake's voice channel with our
`VoiceReceiver`, which reads the voice socket on the event loop and, as in production, feeds
each speaker's frames (decoded straight to 16 kHz mono) to the VAD (`WebRtcVad`) at once.

Two passes: the plain path (transport encryption only), then DAVE: every simulated speaker is
in the call's MLS group with its own davey session and end-to-end encrypts its frames; the bot
joined the group by a welcome and DAVE-decrypts every frame (tests/fakediscord/dave.py).

Measured per step (N simultaneous speakers, all talking for the whole step):
- CPU of the bot process, of the event loop thread (UDP receive, transport decryption, Opus
  decode to 16 kHz mono, VAD) and of discord.py's socket-reader thread (idle: we read on the
  loop), and how many frames each loop wake-up for the socket brought;
- frames delivered vs. sent (a frame not delivered is a dropped frame);
- how far behind real time the event loop fell (lag of the last frame).
Recognition is not part of the receive path (it runs per utterance, in a worker thread).

Results: bench/results/discord_receive.json and .md (with --spread: discord_receive_spread.*).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
FRAME_S = 0.02


# -- the fake, in a child process ------------------------------------------------------------


def fake_main(conn: Any, members: int, core: int | None, spread: bool) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})
    asyncio.run(_fake_serve(conn, members, spread))


async def _fake_serve(conn: Any, members: int, spread: bool) -> None:
    from discord import opus

    from audio import DISCORD_FRAME_BYTES, RECOGNITION_RATE
    from audio.convert import to_discord
    from tests.fakediscord import FakeDiscord
    from tests.fakediscord.dave import DaveGroup
    from tests.speech import speak

    fake = FakeDiscord()
    speakers = [fake.add_member(f"speaker{i}", [], ssrc=10_000 + i) for i in range(members)]
    await fake.start()
    # One clip of speech, encoded once; every speaker sends it (own SSRC, sequence, nonce).
    pcm = to_discord(speak("hey trainer, test the model on the movies dataset"), RECOGNITION_RATE)
    encoder = opus.Encoder()
    size = DISCORD_FRAME_BYTES
    payloads = [
        encoder.encode(pcm[i : i + size].ljust(size, b"\0"), 960) for i in range(0, len(pcm), size)
    ]
    conn.send(
        {
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "ca_cert": str(fake.ca_cert),
            "token": fake.token,
            "guild_id": fake.guild_id,
            "voice_channel_id": fake.voice_channel_id,
            "payloads": payloads,
        }
    )
    loop = asyncio.get_running_loop()
    try:
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "dave":  # before the bot connects: the call's encryption
                fake.voice.dave = None
                if command[1]:
                    fake.voice.dave = DaveGroup(fake.voice_channel_id, fake.bot.id)
                    await fake.voice.dave.members_join([s.id for s in speakers])
                conn.send({"ok": True})
            elif command[0] == "stream":
                _, count, seconds = command
                chosen = [(s.id, s.ssrc) for s in speakers[:count]]
                started = time.monotonic()
                sent = await fake.voice.stream_many(
                    fake.guild_id, chosen, payloads, seconds, spread=spread
                )
                conn.send({"sent": sent, "elapsed": time.monotonic() - started})
            elif command[0] == "stop":
                break
    finally:
        await fake.close()


# -- the bot side ------------------------------------------------------------------------------


@dataclass
class Speaker:
    vad: Any
    frames: int = 0
    utterances: int = 0


@dataclass
class BenchSink:
    """What production does with each frame: into the loop, VAD."""

    speakers: dict[int, Speaker] = field(default_factory=dict)
    last_frame_at: float = 0.0

    def feed(self, user_id: int, pcm: bytes) -> None:
        from audio.vad.base import UtteranceEnded
        from audio.vad.webrtc import WebRtcVad

        speaker = self.speakers.get(user_id)
        if speaker is None:
            speaker = self.speakers[user_id] = Speaker(WebRtcVad())
        speaker.frames += 1
        # the receiver hands on 16 kHz mono already, as production's session takes it
        for event in speaker.vad.process(pcm):
            if isinstance(event, UtteranceEnded):
                speaker.utterances += 1
        self.last_frame_at = time.monotonic()

    def slack_s(self) -> float:
        """As the session reports it (states/streams.py): the least any VAD can take."""
        return min((s.vad.slack_s for s in self.speakers.values()), default=1.0)

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.speakers.values())


def thread_cpu(thread: threading.Thread | None) -> float:
    if thread is None or thread.ident is None:
        return 0.0
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (OSError, ProcessLookupError):
        return 0.0


async def bench(seconds: float, steps: list[int], conn: Any) -> dict[str, Any]:
    import discord

    from assistant.config import Config, DiscordSettings
    from transports.discord.run import DiscordApp
    from transports.discord.voice.connection import ReceivingVoiceClient

    info = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    state = Path(os.environ.get("TMPDIR", "/tmp")) / f"trainer-bench-{os.getpid()}"
    config = Config(
        data_root=state / "data",
        state_dir=state / "state",
        discord=DiscordSettings(
            api_base=info["api_base"],
            gateway_url=info["gateway_url"],
            ca_cert=info["ca_cert"],
            sync_commands=False,
        ),
    )
    app = DiscordApp(config, info["token"], guild_ready_timeout=0.1)
    await app.start()
    await app.wait_ready()
    assert app.bot is not None
    channel = app.bot.get_channel(info["voice_channel_id"])
    assert isinstance(channel, discord.VoiceChannel)
    loop = asyncio.get_running_loop()
    result: dict[str, Any] = {}
    try:
        for mode in ("plain", "dave"):
            conn.send(("dave", mode == "dave"))
            await loop.run_in_executor(None, conn.recv)
            vc = await channel.connect(cls=ReceivingVoiceClient, self_deaf=False)
            try:
                if mode == "dave":  # joined the members' group (welcome, transition)?
                    while not (vc._connection.dave_session and vc._connection.dave_session.ready):
                        await asyncio.sleep(0.05)
                result[mode] = await _steps(vc, seconds, steps, conn, mode)
            finally:
                await vc.disconnect(force=True)
        result["dave"]["bare_davey_us_per_frame"] = await bare_davey_us(info["payloads"])
    finally:
        await app.close()
    return result


async def bare_davey_us(payloads: list[bytes]) -> float:
    """The floor of DAVE's cost: CPU µs of davey's `decrypt` alone per frame of the same
    speech, in this process, between two members of a group of our own."""
    import davey

    from tests.fakediscord.dave import DaveGroup

    group = DaveGroup(channel_id=1, bot_id=2)
    await group.members_join([3, 4])
    sender, listener = group.members[3].encrypt, group.members[4].session
    frames = [sender(p) for _ in range(10) for p in payloads]
    audio = davey.MediaType.audio
    cpu0 = time.process_time()
    for frame in frames:
        listener.decrypt(3, audio, frame)
    return round(1e6 * (time.process_time() - cpu0) / len(frames), 2)


def davey_totals(vc: Any, users: Any) -> dict[int, tuple[int, int]]:
    """davey's own accounting per member: (µs spent decrypting, decrypt attempts) so far."""
    session = vc._connection.dave_session
    totals = {}
    for user_id in users:
        stats = session.get_decryption_stats(user_id) if session is not None else None
        if stats is not None:
            totals[user_id] = (stats.duration, stats.attempts)
    return totals


async def _steps(vc: Any, seconds: float, steps: list[int], conn: Any, mode: str) -> dict[str, Any]:
    from transports.discord.voice.receiver import VoiceReceiver

    loop = asyncio.get_running_loop()
    loop_thread = threading.current_thread()
    reader_thread = vc._connection._socket_reader
    rows: list[dict[str, Any]] = []
    # Idle baseline: heartbeats, keep-alives, the loop itself; subtracted per speaker.
    cpu0, start = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    idle_pct = 100 * (time.process_time() - cpu0) / (time.monotonic() - start)
    print(json.dumps({"mode": mode, "idle_process_cpu_pct": round(idle_pct, 2)}), flush=True)
    davey_before: dict[int, tuple[int, int]] = {}
    for count in steps:
        sink = BenchSink()
        receiver = VoiceReceiver(vc, sink.feed, slack=sink.slack_s)  # as production does
        receiver.start()
        await asyncio.sleep(0.3)
        cpu0, reader0, loop0 = (
            time.process_time(),
            thread_cpu(reader_thread),
            thread_cpu(loop_thread),
        )
        wall0 = time.monotonic()
        conn.send(("stream", count, seconds))
        done = await loop.run_in_executor(None, conn.recv)
        stream_end = time.monotonic()
        # Wait for the queue to drain: frames still in flight count, late ones are lag.
        while time.monotonic() - max(sink.last_frame_at, stream_end) < 0.3:
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu0
        reader_cpu = thread_cpu(reader_thread) - reader0
        loop_cpu = thread_cpu(loop_thread) - loop0
        wall = time.monotonic() - wall0
        receiver.stop()
        speech_s = count * seconds
        stats = receiver.stats
        davey_now = davey_totals(vc, sink.speakers)
        davey_us = sum(d - davey_before.get(u, (0, 0))[0] for u, (d, _) in davey_now.items())
        davey_before.update(davey_now)
        row = {
            "mode": mode,
            "speakers": count,
            "sent_frames": done["sent"],
            "delivered_frames": sink.frames,
            "dropped_frames": done["sent"] - sink.frames,
            "dropped_pct": round(100 * (done["sent"] - sink.frames) / max(1, done["sent"]), 3),
            "lag_s": round(max(0.0, sink.last_frame_at - stream_end), 3),
            "process_cpu_pct_of_core": round(100 * cpu / done["elapsed"], 1),
            "reader_thread_cpu_pct": round(100 * reader_cpu / done["elapsed"], 1),
            "loop_thread_cpu_pct": round(100 * loop_cpu / done["elapsed"], 1),
            "cpu_ms_per_speaker_second": round(1000 * cpu / speech_s, 3),
            "marginal_cpu_ms_per_speaker_second": round(
                max(0.0, 1000 * cpu - 10 * idle_pct * done["elapsed"]) / speech_s, 3
            ),
            "frames_per_wakeup": round(stats.frames / max(1, stats.wakeups), 2),
            "dave_decrypted": stats.decrypted,
            "davey_ms_per_speaker_second": round(davey_us / 1000 / speech_s, 3),
            "dave_no_key": stats.no_key,
            "dave_errors": stats.dave_errors,
            "unknown_ssrc": stats.unknown_ssrc,
            "late": stats.late,
            "concealed": stats.concealed,
            "utterances_detected": sum(s.utterances for s in sink.speakers.values()),
            "opus_errors": stats.opus_errors,
            "wall_s": round(wall, 2),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        if row["dropped_frames"] > 0 or row["process_cpu_pct_of_core"] > 95:
            break
    return {"rows": rows, "idle_process_cpu_pct": round(idle_pct, 2)}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    clean = [r for r in rows if r["dropped_frames"] == 0 and r["lag_s"] < 0.1]
    best = max(clean, key=lambda r: r["speakers"]) if clean else None
    # Marginal cost (idle baseline removed), from steps with enough speakers to dominate it.
    loaded = [r for r in rows if r["speakers"] >= 8] or rows
    per_speaker = sorted(r["marginal_cpu_ms_per_speaker_second"] for r in loaded)[len(loaded) // 2]
    return {
        "max_speakers_without_drops": best["speakers"] if best else 0,
        "cpu_ms_per_speaker_second_median": per_speaker,
        "cpu_pct_of_core_per_speaker": round(per_speaker / 10, 3),
        "estimated_speakers_per_core": int(1000 / per_speaker) if per_speaker else None,
        "davey_ms_median": sorted(r["davey_ms_per_speaker_second"] for r in loaded)[
            len(loaded) // 2
        ],
    }


def write_results(result: dict[str, Any], args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "discord_receive_spread" if args.spread else "discord_receive"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    plain, dave = result["plain"]["summary"], result["dave"]["summary"]
    ratio = result["dave_over_plain_cpu"]
    bare = result["dave"]["bare_davey_us_per_frame"]
    lines = [
        "# Discord receive path: CPU per speaker, without and with DAVE",
        "",
        f"Run {result['date']} on {result['machine']}; {args.seconds:.0f} s per step; bot process "
        "pinned to one core, fake Discord on another. Path: UDP -> transport decryption "
        "(aead_xchacha20_poly1305_rtpsize) -> [DAVE decryption] -> Opus decode straight to "
        "16k mono -> webrtcvad, with discord.py 2.7.1 + voice-recv 0.5.2a179 + davey 0.1.7 + "
        "our VoiceReceiver. DAVE: every speaker is in the call's MLS group with its own davey "
        "session and encrypts its frames; the bot joined by a welcome. "
        + (
            "Arrival: each speaker's packet of a 20 ms tick at its own moment, spaced evenly "
            "over the tick (--spread), as clients with clocks of their own send them."
            if args.spread
            else "Arrival: every speaker's packet of a 20 ms tick sent together."
        ),
        "",
        "| | plain | DAVE |",
        "|---|---|---|",
        f"| CPU ms per second of speech per speaker (marginal, median of 8+ speakers) | "
        f"{plain['cpu_ms_per_speaker_second_median']} | "
        f"{dave['cpu_ms_per_speaker_second_median']} |",
        f"| % of a core per speaker | {plain['cpu_pct_of_core_per_speaker']} | "
        f"{dave['cpu_pct_of_core_per_speaker']} |",
        f"| speakers per core (from CPU) | {plain['estimated_speakers_per_core']} | "
        f"{dave['estimated_speakers_per_core']} |",
        f"| most speakers measured without a dropped frame | "
        f"{plain['max_speakers_without_drops']} | {dave['max_speakers_without_drops']} |",
        "",
        f"DAVE costs **{ratio}x** the plain path's CPU per speaker (same run). Its floor, "
        f"davey's `decrypt` alone on the same speech frames in the bot process: "
        f"**{bare} µs per frame = {round(bare * 50 / 1000, 3)} ms per speaker-second**; davey's "
        f"own accounting of its decrypt time during the DAVE steps: {dave['davey_ms_median']} "
        "ms per speaker-second (median of 8+ speakers).",
        "",
        f"Load average (1, 5, 15 min) at the start {result['load_start']}, at the end "
        f"{result['load_end']}: other work shared the 2 cores, so absolute figures are noisy; "
        "plain and DAVE are compared in the same run.",
        "",
        "| mode | speakers | sent | dropped | lag s | process CPU % | reader thread % "
        "| loop thread % | CPU ms / speaker-s (marginal) | frames per loop wake-up "
        "| DAVE decrypted | davey ms / speaker-s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("plain", "dave"):
        for r in result[mode]["rows"]:
            lines.append(
                f"| {mode} | {r['speakers']} | {r['sent_frames']} | {r['dropped_frames']} | "
                f"{r['lag_s']} | {r['process_cpu_pct_of_core']} | {r['reader_thread_cpu_pct']} "
                f"| {r['loop_thread_cpu_pct']} | {r['marginal_cpu_ms_per_speaker_second']} | "
                f"{r['frames_per_wakeup']} | {r['dave_decrypted']} | "
                f"{r['davey_ms_per_speaker_second']} |"
            )
    lines += [
        "",
        "Loop thread = the asyncio loop: our per-packet path (receive, decrypt, Opus decode) "
        "reading the voice socket itself, the VAD, and the bot's own work. Reader thread = "
        "discord.py's socket reader, idle since we read on the loop. Recognition is per "
        "utterance and not included. Frames per loop wake-up: the loop reads every datagram "
        "queued when it wakes for the socket; with every speaker's frame of a 20 ms tick sent "
        "together that is many, with the packets spread over the tick (as clients with clocks "
        "of their own send them) about one.",
        "",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="streaming time per step")
    parser.add_argument("--max-speakers", type=int, default=160)
    parser.add_argument(
        "--spread",
        action="store_true",
        help="speakers' packets spaced over each 20 ms tick instead of sent together",
    )
    args = parser.parse_args()
    steps = [
        n for n in (1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 160, 192, 256) if n <= args.max_speakers
    ]
    cores = sorted(os.sched_getaffinity(0))
    bot_core, fake_core = (cores[0], cores[1]) if len(cores) > 1 else (cores[0], None)
    context = mp.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=fake_main, args=(child, steps[-1], fake_core, args.spread), daemon=True
    )
    process.start()
    os.sched_setaffinity(0, {bot_core})
    load_start = [round(x, 2) for x in os.getloadavg()]
    try:
        result = asyncio.run(bench(args.seconds, steps, parent))
    finally:
        parent.send(("stop",))
        process.join(10)
    result.update(
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        seconds_per_step=args.seconds,
        spread=args.spread,
        load_start=load_start,
        load_end=[round(x, 2) for x in os.getloadavg()],
    )
    for mode in ("plain", "dave"):
        result[mode]["summary"] = summarise(result[mode]["rows"])
    plain_cpu = result["plain"]["summary"]["cpu_ms_per_speaker_second_median"]
    dave_cpu = result["dave"]["summary"]["cpu_ms_per_speaker_second_median"]
    result["dave_over_plain_cpu"] = round(dave_cpu / plain_cpu, 2) if plain_cpu else None
    write_results(result, args)
    print(json.dumps({m: result[m]["summary"] for m in ("plain", "dave")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
