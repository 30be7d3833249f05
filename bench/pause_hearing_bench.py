"""End of speech -> first reply audio, with and without hearing at the pause, in the same run.

One guild, one person with an open microphone (noise floor) saying commands after the wake
phrase in four espeak voices, streamed in real-time 20 ms frames through the live session
(`GuildVoiceSession`: webrtcvad, the one hearing path with the grammar recognizer in worker
processes and the neural second opinion, the core, espeak-ng output, a real-time player),
exactly as `bench/conversation_bench.py` does. Passes alternate between arms (ARMS below) so
all see the same machine load: hearing at the VAD's end (`voice.vad.hear_at_pause_ms: 0`, the
floor) against at the speaker's pause (the configured value; states/pause_hearing.py); the
neural stage as configured (beside the grammar recognizer while most recent utterances needed
it, audio/speculation.py) against always beside it (the default before) and only after it
(`second_opinion.speculative: false`), which shows what the two cores shared with it cost the
grammar.

The latency goal (issue 15 and 10: p50 < 400 ms) is for utterances the grammar recognizer
decides alone. With `verify_wake` on (the default) the neural stage checks every wake phrase,
so most arms turn it off: a command after the wake phrase is then decided by the grammar.
Utterances the neural stage decided are reported apart, and the `verify_` arms keep
`verify_wake` on, so every command waits for the neural stage: what starting it beside the
grammar buys there.

    python -m bench.pause_hearing_bench [--rounds 2] [--commands 12]
Results: bench/results/pause_hearing.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from assistant.app import Assistant
from assistant.config import load_config
from assistant.config.conversation import ConversationSettings
from assistant.config.voice import VadSettings
from assistant.messages import User
from audio.speculation import Speculation
from audio.vad.webrtc import WebRtcVad
from bench.conversation_bench import (
    COMMANDS,
    FRAME_BYTES,
    GAP_S,
    VOICES,
    floor_pcm,
    pct,
    save,
)
from states.output import MemoryOutput
from states.parts import VoiceParts, build_parts
from states.registry import SessionRegistry
from tests.speech import RATE, speak

GUILD = "pause-bench"
USER = User(id="u1", name="speaker")


def microphone(commands: int, first: int) -> bytes:
    """Noise floor with `commands` commands GAP_S apart, cycling over sentences and voices
    (starting at combination `first`, so short passes still meet every voice)."""
    combos = [(text, voice) for voice in VOICES for text in COMMANDS]
    total = 0.5 + commands * GAP_S
    pcm = bytearray(floor_pcm(total, seed=first))
    for i in range(commands):
        text, voice = combos[(first + i) % len(combos)]
        clip = speak(text, voice=voice)
        start = int((0.5 + i * GAP_S) * RATE) * 2
        pcm[start : start + len(clip)] = clip
    return bytes(pcm)


async def one_pass(
    registry: SessionRegistry,
    parts: VoiceParts,
    vad: VadSettings,
    commands: int,
    first: int,
    switch: Callable[[int], str],
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Stream one microphone through a fresh session; one row per spoken answer. Before each
    command `switch(i)` sets up the hearing for it and names its arm (between commands nothing
    is being heard: the answers end well within GAP_S)."""
    parts.make_vad = lambda: WebRtcVad(vad)
    out = MemoryOutput(realtime=True, keep_audio=False)
    session = await registry.join(GUILD, voice=out, text=out, text_channel_id="t")
    pcm = microphone(commands, first)
    switches: list[tuple[float, str]] = []
    wall0 = time.monotonic()
    for k in range(len(pcm) // FRAME_BYTES):
        i, into = divmod(k / 50 - 0.25, GAP_S)  # a quarter second before each command starts
        if 0 <= i < commands and into < 0.02:
            switches.append((time.monotonic(), switch(int(i))))
        session.feed(USER, pcm[k * FRAME_BYTES : (k + 1) * FRAME_BYTES])
        await asyncio.sleep(max(0.0, wall0 + (k + 1) / 50 - time.monotonic()))
    await session.settle(60)
    rows: list[dict[str, Any]] = []
    heard: dict[str, Any] = {}
    arm = ""
    for e in session.trace:
        if e.kind == "heard":
            heard = e.data
            arm = next((name for at, name in reversed(switches) if at <= e.at), "")
        elif e.kind == "speaking" and "since_speech_end_s" in e.data and heard:
            hearing = heard["hearing"]
            rows.append(
                {
                    "arm": arm,
                    "audio_ms": round(e.data["since_speech_end_s"] * 1000, 1),
                    "grammar_alone": len(hearing.stages) == 1,
                    "at_pause": heard["at_pause"],
                    "grammar_ms": round(hearing.timings_ms.get("grammar", 0.0), 1),
                    "intent": heard["intent"].name if heard["intent"] else None,
                }
            )
            heard = {}
    counts = vars(session.pause_hearing.counts).copy()
    await registry.leave(GUILD)
    return rows, counts


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def stats(subset: list[dict[str, Any]]) -> dict[str, Any]:
        ms = [r["audio_ms"] for r in subset]
        grammar = [r["grammar_ms"] for r in subset]
        return {
            "n": len(ms),
            "audio_p50_ms": round(pct(ms, 0.5), 1),
            "audio_p95_ms": round(pct(ms, 0.95), 1),
            "grammar_p50_ms": round(pct(grammar, 0.5), 1),
        }

    return {
        "grammar_alone": stats([r for r in rows if r["grammar_alone"]]),
        "second_opinion_decided": stats([r for r in rows if not r["grammar_alone"]]),
        "heard_at_pause": sum(r["at_pause"] for r in rows),
        "answers": len(rows),
    }


ARMS: dict[str, tuple[str, bool, str, bool]] = {
    "at_end": ("at the VAD's end (floor)", False, "default", False),
    "at_pause": ("at the pause", True, "default", False),
    "at_pause_always_beside": ("at the pause, neural always beside", True, "always_beside", False),
    "at_pause_neural_after": ("at the pause, neural only after", True, "after", False),
    "verify_at_pause": ("wake phrase checked, at the pause", True, "default", True),
    "verify_at_pause_neural_after": ("wake phrase checked, neural only after", True, "after", True),
    "verify_at_pause_unverified": (
        "wake phrase checked, at the pause, without the learned wake-word check",
        True,
        "default",
        True,
    ),
}
"""name -> (label, hear at the pause, neural stage, `verify_wake`). The neural stage:
"default" as configured (beside the grammar while most recent utterances needed it:
audio/speculation.py); "always_beside" beside the grammar on every utterance (the default
until 2 December 2026); "after" only after the grammar, where needed
(`speculative: false`). The `verify_wake` arms send every command through the neural stage:
they measure what starting it beside the grammar buys the second opinion. UNVERIFIED arms act
without the learned check of the wake word (`second_opinion.wake_verifier: false`,
audio/wake_verifier.py): what it costs. (Until 3 December 2026 that arm measured the
dereverberation filter instead: 0.93x its cost, below the host's noise.)"""

UNVERIFIED = {"verify_at_pause_unverified"}

PASSES: dict[str, list[str]] = {
    "at_end": ["at_end"],
    "at_pause": ["at_pause", "at_pause_always_beside", "at_pause_neural_after"],
    "verify": ["verify_at_pause", "verify_at_pause_neural_after", "verify_at_pause_unverified"],
}
"""The arms one pass (one session, one microphone) interleaves, command by command, so that
they see the same moments of the machine's load; each gets `--commands` commands a pass."""


async def main(rounds: int, commands: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="pause-bench-"))
    raw = {"data_root": "data", "state_dir": "state"}
    (tmp / "config.yaml").write_text(yaml.safe_dump(raw))
    (tmp / "data").mkdir()
    config = load_config(tmp / "config.yaml")
    vad = config.voice.vad
    neural = config.voice.asr.second_opinion
    app = Assistant(config)
    await app.start()
    parts = await build_parts(config, app, recognizers=os.cpu_count() or 1)
    registry = SessionRegistry(parts, app.handle, ConversationSettings(follow_up_seconds=1.0))
    for text in COMMANDS:  # synthesize the speech up front (cached), outside the timing
        for voice in VOICES:
            speak(text, voice=voice)

    async def run(group: str, n: int, first: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
        arms = PASSES[group]
        hearer = parts.hearer
        # Each pass starts with no history, as a freshly started bot; each arm keeps its own.
        policies = {
            name: Speculation(share=0.0 if ARMS[name][2] == "always_beside" else 0.5)
            for name in arms
        }

        def switch(i: int) -> str:
            # Rotated per block, so that every arm meets every sentence and voice.
            name = arms[(i + i // len(arms)) % len(arms)]
            _label, _at_pause, stage, verify = ARMS[name]
            hearer.settings = neural.model_copy(
                update={
                    "speculative": stage != "after",
                    "verify_wake": verify,
                    "wake_verifier": name not in UNVERIFIED,
                }
            )
            hearer.speculation = policies[name]
            return name

        pause_ms = vad.hear_at_pause_ms if ARMS[arms[0]][1] else 0
        return await one_pass(
            registry,
            parts,
            vad.model_copy(update={"hear_at_pause_ms": pause_ms}),
            n * len(arms),
            first,
            switch,
        )

    load_before = os.getloadavg()
    for group in PASSES:  # warm-up, not reported
        await run(group, 1, 0)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ARMS}
    counts: dict[str, dict[str, int]] = {group: {} for group in PASSES}
    loads: list[float] = []
    for r in range(rounds):
        order = list(PASSES) if r % 2 == 0 else list(reversed(PASSES))
        for group in order:
            got, c = await run(group, commands, r * commands)
            for row in got:
                rows[row["arm"]].append(row)
            for key, value in c.items():
                counts[group][key] = counts[group].get(key, 0) + value
            loads.append(os.getloadavg()[0])
            for name in PASSES[group]:
                mine = [row for row in got if row["arm"] == name]
                print(name, json.dumps(summary(mine)), f"load {loads[-1]:.2f}", flush=True)
    load_after = os.getloadavg()
    await registry.close()
    parts.close()
    await app.close()
    result = {name: summary(rows[name]) for name in ARMS}

    def ratio(after: str, before: str, rows: str = "grammar_alone") -> float | None:
        a = result[after][rows]["audio_p50_ms"]
        b = result[before][rows]["audio_p50_ms"]
        return round(a / b, 3) if b else None

    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "load_average_1min_per_pass": [round(x, 2) for x in loads],
        },
        "setup": {
            "rounds": rounds,
            "commands_per_pass": commands,
            "hear_at_pause_ms": vad.hear_at_pause_ms,
            "vad_end_wait_ms": round(vad.ring_ms * vad.end_ratio),
            "verify_wake": "off except in the verify_ arms",
        },
        "arms": result,
        "pause_hearing_per_pass": counts,
        "grammar_alone_p50_ratio": ratio("at_pause", "at_end"),
        "grammar_alone_p50_ratio_always_beside": ratio("at_pause_always_beside", "at_pause"),
        "grammar_alone_p50_ratio_neural_after": ratio("at_pause_neural_after", "at_pause"),
        "verify_p50_ratio_neural_after": ratio(
            "verify_at_pause_neural_after", "verify_at_pause", "second_opinion_decided"
        ),
        "verify_p50_ratio_wake_verifier": ratio(
            "verify_at_pause", "verify_at_pause_unverified", "second_opinion_decided"
        ),
        "rows": rows,
    }


def write_markdown(report: dict[str, Any], path: Path) -> None:
    m, s, arms = report["machine"], report["setup"], report["arms"]
    lines = [
        "| hearing starts | grammar alone: n, first audio p50 / p95 ms, grammar p50 ms | "
        "second opinion decided: n, p50 / p95 ms | heard at the pause |",
        "|---|---|---|---|",
    ]
    for name, (label, _pause, _stage, _verify) in ARMS.items():
        a = arms[name]
        g, n = a["grammar_alone"], a["second_opinion_decided"]
        lines.append(
            f"| {label} | {g['n']}, {g['audio_p50_ms']} / {g['audio_p95_ms']}, "
            f"{g['grammar_p50_ms']} | {n['n']}, {n['audio_p50_ms']} / {n['audio_p95_ms']} | "
            f"{a['heard_at_pause']}/{a['answers']} |"
        )
    passes = "; ".join(
        f"{group}: {c.get('started', 0)} / {c.get('used', 0)} / {c.get('dropped', 0)}"
        for group, c in report["pause_hearing_per_pass"].items()
    )
    loads = m["load_average_1min_per_pass"]
    text = f"""# Hearing at the pause

End of speech (last voiced frame) -> first audio of the spoken answer, one guild, live session,
{s["rounds"]} rounds of {s["commands_per_pass"]} commands per arm; arms hearing at the pause
take turns command by command within one session, so they see the same moments of the
machine's load; `hear_at_pause_ms` {s["hear_at_pause_ms"]} against 0 (VAD end wait
{s["vad_end_wait_ms"]} ms either way). `verify_wake` is off except in the "every wake phrase
checked" arms, so the grammar decides commands after the wake phrase alone (the neural stage
still runs beside it unless it starts only after the grammar); in those arms every command
waits for the neural stage. Machine: {m["cpus"]} CPUs, Python {m["python"]}, load average
(1/5/15 min) {m["load_average_before"]} before and {m["load_average_after"]} after, 1-minute
load {min(loads):.2f}-{max(loads):.2f} over the passes (other programs share the machine).

{chr(10).join(lines)}

Pause hearings started / used / dropped, per pass: {passes}.

"neural always beside": the neural stage started beside the grammar on every utterance (the
default before 2 December 2026); "neural only after": `speculative: false`; otherwise it
starts beside the grammar while most recent utterances needed it (audio/speculation.py).
"wake phrase checked": `verify_wake` on, so every command waits for the neural stage.

Grammar-alone first-audio p50: at the pause / at the end **{report["grammar_alone_p50_ratio"]}**
(the default); neural stage always beside the grammar / the default
**{report["grammar_alone_p50_ratio_always_beside"]}**; neural stage only after the grammar
(`speculative: false`) / the default **{report["grammar_alone_p50_ratio_neural_after"]}**.
Every command through the neural stage, p50 with it only after the grammar / the default:
**{report["verify_p50_ratio_neural_after"]}**; the default (the wake word checked by the learned
verifier) / without it: **{report["verify_p50_ratio_wake_verifier"]}** (these commands are real:
the check runs and lets them act, its cost alone).

Reproduce: `python -m bench.pause_hearing_bench`.
"""
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--commands", type=int, default=12)
    args = parser.parse_args()
    save(asyncio.run(main(args.rounds, args.commands)), "pause_hearing", write_markdown)
