"""Voice benchmark: `python -m bench voice_bench` (or `make bench`); about 10 minutes on 2 cores.

Generates the corpus of bench/voice_corpus.py (espeak-ng voices, variants, speeds and pitches;
clean, noise, reverb, 48 kHz stereo through Opus), runs every utterance through the VAD and the
one hearing path (`audio.hearing.Hearer`: grammar recognizer, neural second opinion snapped to
the grammar, gate) and reports, per voice and per condition, held-out voices apart from tuning
voices, against the grammar recognizer alone in the same run:

- intent + slots exactly right (commands said with the wake phrase; the wake phrase alone must
  open a follow-up window);
- commands said inside a follow-up window without the wake phrase, right;
- false accepts: non-command speech with the wake phrase required; chatter inside a follow-up
  window; "hey <another name>, <command>" (the target is 0);
- end of speech -> first reply audio as the live session gets it: hearing from the speaker's
  pause, acting once the VAD's end confirms the audio, then the reply synthesized with espeak
  (`reply_ms`; the core's own time is the conversation bench's), p50 when the grammar decided
  alone, p95 when the second opinion ran, and how often it ran;
- the longest event-loop stall while hearing (a 10 ms ticker runs beside it). The grammar
  recognizer runs in a worker process, as in the live bot (states/parts.py): pocketsphinx
  holds the GIL while it decodes, so in a thread it would stall the loop for its whole run
  (0.3-0.5 s an utterance, seconds on a busy machine).

`--quick` runs one tuning and two held-out voices (for a check, about 3 minutes). Writes
bench/results/voice.json, voice.md and voice_held_out_failures.md (apart, not to be read while
tuning); `--rows` every decision (bench/voice_misses.py sorts the misses of non-held-out voices;
`--extra` adds calibration voices, never a held-out one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.config.voice import VoiceSettings  # noqa: E402
from audio import RECOGNITION_FRAME_BYTES as FRAME  # noqa: E402
from audio.decision import Hearing  # noqa: E402
from audio.hearing import Hearer  # noqa: E402
from audio.tts.espeak import EspeakSynthesizer  # noqa: E402
from audio.vad.base import UtteranceEnded  # noqa: E402
from audio.vad.webrtc import WebRtcVad  # noqa: E402
from bench.typed_reader import typed_reader  # noqa: E402
from bench.voice_corpus import (  # noqa: E402
    CALIBRATION_VOICES,
    CONDITIONS,
    DATASETS,
    HELD_OUT_VOICES,
    TUNING_VOICES,
    Utterance,
    build,
    extra_voices,
)
from states.recognition_processes import ProcessRecognizerPool  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def vad_utterance(pcm: bytes) -> tuple[UtteranceEnded, float | None] | None:
    """The longest VAD segment of a clip, fed in 20 ms frames (None: VAD heard nothing), with
    the stream time at which its speaker's last pause was seen (`hear_at_pause_ms` after its
    last voiced frame; None when the end came first or that setting is 0): where the live
    session starts hearing it (states/pause_hearing.py)."""
    vad = WebRtcVad()
    ended: list[tuple[UtteranceEnded, float | None]] = []
    paused_at: float | None = None
    for i in range(0, len(pcm), FRAME):
        for e in vad.process(pcm[i : i + FRAME]):
            if isinstance(e, UtteranceEnded):
                ended.append((e, paused_at))
        # The session checks for a pause after every 20 ms chunk, as here.
        if not vad.paused:
            paused_at = None
        elif paused_at is None:
            paused_at = vad.stream_s
    ended += [(e, paused_at) for e in vad.flush() if isinstance(e, UtteranceEnded)]
    return max(ended, key=lambda e: len(e[0].pcm)) if ended else None


def vad_pieces(pcm: bytes) -> list[UtteranceEnded]:
    """Every VAD segment of a clip, in order, fed in 20 ms frames as the session feeds it."""
    vad = WebRtcVad()
    events = [e for i in range(0, len(pcm), FRAME) for e in vad.process(pcm[i : i + FRAME])]
    return [e for e in events + vad.flush() if isinstance(e, UtteranceEnded)]


IN_WINDOW = ("chatter", "follow_up")
"""Kinds heard inside a follow-up window (no wake phrase needed)."""


def reply_ms(
    event: UtteranceEnded, paused_s: float | None, hearing_ms: float, tts_ms: float
) -> float:
    """End of speech -> first reply audio as the live session has it: hearing starts at the
    speaker's pause (or at the VAD's end when there was none), and its decision acts once both
    it and the VAD's end are in (a hearing at the pause is only used for audio the end then
    confirms); then the reply is synthesized."""
    end_wait_ms = ((event.detected_s or event.end_s) - event.end_s) * 1000
    start_ms = (paused_s - event.end_s) * 1000 if paused_s is not None else end_wait_ms
    return max(start_ms + hearing_ms, end_wait_ms) + tts_ms


def outcome(u: Utterance, h: Hearing | None) -> dict[str, Any]:
    """Right / false accept for one utterance under one decision."""
    in_window = u.kind in IN_WINDOW
    if u.kind in ("command", "follow_up"):
        assert u.expected is not None
        ok = (
            h is not None
            and (h.wake or u.kind == "follow_up")
            and h.accepted(in_window)
            and h.intent is not None
            and (h.intent.name, dict(h.intent.slots)) == u.expected
        )
        return {"ok": ok}
    if u.kind == "wake_only":
        return {"ok": h is not None and h.wake_only}
    accepted = h is not None and (h.accepted(in_window) or (u.kind != "chatter" and h.wake_only))
    return {"fa": accepted}


class LoopWatch:
    """The longest gap between 10 ms ticks of the event loop."""

    def __init__(self) -> None:
        self.max_stall_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.max_stall_ms = max(self.max_stall_ms, (now - last - 0.01) * 1000)
            last = now

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._tick())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def run(items: list[Utterance], hearer: Hearer, held_out: set[str]) -> dict[str, Any]:
    tts = EspeakSynthesizer()
    rows: list[dict[str, Any]] = []
    watch = LoopWatch()
    watch.start()
    for n, u in enumerate(items):
        found = vad_utterance(u.pcm)
        row: dict[str, Any] = {
            "text": u.text,
            "kind": u.kind,
            "voice": u.voice,
            "condition": u.condition,
            "held_out": u.voice in held_out,
        }
        if found is None:
            row.update(grammar={"ok": False, "fa": False}, hearing={"ok": False, "fa": False})
            rows.append(row)
            continue
        event, paused_s = found
        in_window = u.kind in IN_WINDOW
        # Each voice is one speaker, fitted as the live bot fits a member (audio/speaker_fit.py).
        hearing = await hearer.hear(event.pcm, in_window, speaker=u.voice)
        if hearer.fit is not None:
            await hearer.fit.settled()  # the live bot hears the stretches beside its reply
        row["grammar"] = outcome(u, hearing.grammar_alone)
        row["hearing"] = outcome(u, hearing)
        row["debug"] = hearing.debug()
        row["second_opinion"] = len(hearing.stages) > 1
        if hearing.accepted(in_window) or hearing.wake_only:
            t1 = time.perf_counter()
            await tts.synthesize("Okay." if hearing.wake_only else f"Doing {hearing.intent.name}.")  # type: ignore[union-attr]
            tts_ms = (time.perf_counter() - t1) * 1000
            hearing_ms = hearing.timings_ms.get("total", 0.0)
            row["reply_ms"] = reply_ms(event, paused_s, hearing_ms, tts_ms)
        rows.append(row)
        if n % 50 == 0:
            print(f"  {n}/{len(items)}", flush=True)
    watch.stop()
    return {"rows": rows, "max_loop_stall_ms": round(watch.max_stall_ms, 1)}


def _rate(rows: list[dict[str, Any]], who: str, key: str) -> tuple[int, int]:
    relevant = [r for r in rows if key in r[who]]
    return sum(bool(r[who][key]) for r in relevant), len(relevant)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy and false-accept rates for grammar alone and the hearing path."""
    out: dict[str, Any] = {}
    for who in ("grammar", "hearing"):
        cmd = [r for r in rows if r["kind"] in ("command", "wake_only")]
        ok, n = _rate(cmd, who, "ok")
        res = {"intent_accuracy": [ok, n]}
        res["follow_up_accuracy"] = list(
            _rate([r for r in rows if r["kind"] == "follow_up"], who, "ok")
        )
        for kind in ("non_command", "chatter", "other_name", "name_alone"):
            fa, m = _rate([r for r in rows if r["kind"] == kind], who, "fa")
            res[f"false_accepts_{kind}"] = [fa, m]
        out[who] = res
    return out


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    held = [r for r in rows if r["held_out"]]
    tuning = [r for r in rows if not r["held_out"]]
    by_voice = {
        v: summarize([r for r in held if r["voice"] == v])
        for v in dict.fromkeys(r["voice"] for r in held)
    }
    conditions = dict.fromkeys([*CONDITIONS, *(r["condition"] for r in held)])
    by_condition = {c: summarize([r for r in held if r["condition"] == c]) for c in conditions}
    first_only = [r["reply_ms"] for r in rows if "reply_ms" in r and not r["second_opinion"]]
    second = [r["reply_ms"] for r in rows if "reply_ms" in r and r["second_opinion"]]
    ran = sum(r.get("second_opinion", False) for r in rows)
    return {
        "held_out": summarize(held),
        "tuning": summarize(tuning),
        "held_out_by_voice": by_voice,
        "held_out_by_condition": by_condition,
        "reply_ms_first_stage_p50": pct(first_only, 50),
        "reply_ms_first_stage_p95": pct(first_only, 95),
        "reply_ms_second_opinion_p50": pct(second, 50),
        "reply_ms_second_opinion_p95": pct(second, 95),
        "second_opinion_runs": [ran, len(rows)],
    }


def _p(pair: list[int]) -> str:
    k, n = pair
    return f"{100 * k / n:.1f}% ({k}/{n})" if n else "-"


def markdown(result: dict[str, Any]) -> str:
    rep = result["report"]
    lines = [
        "# Voice benchmark",
        "",
        f"Run {result['when']} on {result['machine']}, {result['seconds']:.0f} s, "
        f"{result['utterances']} utterances. Tuning voices: {', '.join(result['tuning_voices'])}; "
        f"held out: {', '.join(result['held_out_voices'])}. Neural model: {result['neural']}. "
        f"Load average at the end (1/5/15 min): {result.get('load_average_at_end')}.",
        "",
        "Each voice's fitted stretch (one speaker each; audio/speaker_fit.py): "
        + ", ".join(f"{v} {w:g}" for v, w in result.get("speaker_fit", {}).items())
        + ".",
        "",
        "Held-out voices (never used to tune a gate):",
        "",
        "| metric | grammar alone | hearing path | target |",
        "|---|---|---|---|",
    ]
    g, h = rep["held_out"]["grammar"], rep["held_out"]["hearing"]
    for label, key, target in [
        ("intent + slots exactly right", "intent_accuracy", ">= 98%"),
        ("follow-ups right (no wake phrase, in a window)", "follow_up_accuracy", ""),
        ("false accepts, wake phrase required", "false_accepts_non_command", "< 1%"),
        ("false accepts inside a follow-up window", "false_accepts_chatter", "< 2%"),
        ('"hey <another name>, <command>" accepted', "false_accepts_other_name", "0"),
        ('"hey <another name>" alone opens a window', "false_accepts_name_alone", ""),
    ]:
        lines.append(f"| {label} | {_p(g[key])} | {_p(h[key])} | {target} |")
    ran, total = rep["second_opinion_runs"]
    alone = (
        f"p50 {rep['reply_ms_first_stage_p50']} ms / p95 {rep['reply_ms_first_stage_p95']} ms "
        "when the grammar decided alone"
        if rep["reply_ms_first_stage_p50"] is not None
        else "no utterance was decided by the grammar alone (every wake phrase is checked; "
        "the live session's replies with and without the check: bench/pause_hearing_bench.py)"
    )
    lines += [
        "",
        f"End of speech -> first reply audio: {alone}; p50 "
        f"{rep['reply_ms_second_opinion_p50']} ms / p95 {rep['reply_ms_second_opinion_p95']} ms "
        f"when the second opinion ran (it ran for {ran} of {total} utterances). Longest event-loop "
        f"stall while hearing: {result['max_loop_stall_ms']} ms.",
        "",
        "Tuning voices: "
        + ", ".join(
            f"{k} grammar {_p(rep['tuning']['grammar'][k])} / "
            f"hearing {_p(rep['tuning']['hearing'][k])}"
            for k in ("intent_accuracy", "follow_up_accuracy", "false_accepts_chatter")
        ),
        "",
        "| held-out voice / condition | accuracy (grammar -> hearing) | follow-ups | FA wake "
        "| FA window | FA other name | FA name alone |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in [*rep["held_out_by_voice"].items(), *rep["held_out_by_condition"].items()]:
        g, h = s["grammar"], s["hearing"]
        lines.append(
            f"| {name} | {_p(g['intent_accuracy'])} -> {_p(h['intent_accuracy'])} "
            f"| {_p(h['follow_up_accuracy'])} | {_p(h['false_accepts_non_command'])} "
            f"| {_p(h['false_accepts_chatter'])} "
            f"| {_p(h['false_accepts_other_name'])} "
            f"| {_p(h['false_accepts_name_alone'])} |"
        )
    return "\n".join(lines) + "\n"


def held_out_failures(result: dict[str, Any]) -> str:
    """The held-out voices' failures, in a file of their own (voice_held_out_failures.md): the
    summary can be read while tuning without seeing a held-out utterance."""
    misses = [
        r
        for r in result["rows"]
        if r["held_out"] and (r["hearing"].get("ok") is False or r["hearing"].get("fa"))
    ]
    lines = [f"# Held-out failures ({len(misses)}, first 30): not for tuning", ""]
    for r in misses[:30]:
        d = r.get("debug") or {}
        stages = "; ".join(
            f"{s['stage']} {s['heard']!r} {s['verdict']} ({s['why']})" for s in d.get("stages", [])
        )
        lines.append(f"- [{r['voice']} {r['condition']}] {r['kind']} {r['text']!r}: {stages}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> Any:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.voice_bench")
    parser.add_argument("--quick", action="store_true", help="fewer voices, for a check")
    parser.add_argument("--tuning-only", action="store_true", help="calibration run (no held-out)")
    parser.add_argument(
        "--calibration", action="store_true", help="the calibration voices only (no held-out)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--voices", default=None, help="comma-separated espeak voices to keep")
    parser.add_argument("--extra", default=None, help="more voices, voice:wpm:pitch,...")
    parser.add_argument("--conditions", default=None, help="comma-separated conditions to keep")
    parser.add_argument("--window", type=float, default=None, help="neural window_s override")
    parser.add_argument("--rows", type=Path, default=None, help="also write every row here")
    parser.add_argument(
        "--model", type=Path, default=None, help="another Whisper model folder (CTranslate2)"
    )
    parser.add_argument(
        "--no-speaker-fit", action="store_true", help="every voice heard as it came (a baseline)"
    )
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    tuning, held = TUNING_VOICES, HELD_OUT_VOICES
    if args.quick:
        tuning, held = tuning[:1], held[:2]
    if args.tuning_only:
        held = []
    if args.calibration:
        tuning, held = CALIBRATION_VOICES, []
    if args.voices:
        keep = set(args.voices.split(","))
        tuning = [v for v in tuning if v[0] in keep]
        held = [v for v in held if v[0] in keep]
    if args.extra:
        tuning = [*tuning, *extra_voices(args.extra)]
    conditions = args.conditions.split(",") if args.conditions else CONDITIONS
    items = await asyncio.to_thread(build, tuning + held, conditions)
    print(
        f"voice bench: {len(items)} utterances synthesized "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    settings = VoiceSettings()
    if args.window:
        settings.asr.second_opinion.window_s = args.window
    if args.model:
        settings.asr.second_opinion.model = args.model
    if args.no_speaker_fit:
        settings.asr.speaker_fit.enabled = False
    # The model's words read as the bot reads typed lines (bench/typed_reader.py).
    closing = contextlib.AsyncExitStack()
    read_words = await closing.enter_async_context(typed_reader(DATASETS, []))
    hearer = await asyncio.to_thread(Hearer.local, settings, read_words)
    lists = {"dataset": DATASETS, "folder": DATASETS}
    await asyncio.to_thread(hearer.update_lists, lists)
    # The grammar stage in a worker process, as the live bot hears (see the docstring).
    recognizers = ProcessRecognizerPool(settings, lists)
    await recognizers.warm_up()
    hearer.first_stage = recognizers.transcribe
    outcome_ = await run(items, hearer, {v for v, _, _ in held})
    rows = outcome_["rows"]
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "seconds": time.perf_counter() - started,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "utterances": len(items),
        "tuning_voices": [v for v, _, _ in tuning],
        "held_out_voices": [v for v, _, _ in held],
        "neural": str(hearer.neural.folder) if hearer.neural else "unavailable",
        "max_loop_stall_ms": outcome_["max_loop_stall_ms"],
        "speaker_fit": {
            v: hearer.fit.warp(v) if hearer.fit else 1.0 for v, _, _ in [*tuning, *held]
        },
        "report": report(rows),
        "rows": rows,
    }
    hearer.close()
    recognizers.close()
    await closing.aclose()
    text = markdown(result)
    print(text)
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "voice.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        (RESULTS / "voice.md").write_text(text, encoding="utf-8")
        failures = held_out_failures(result)
        (RESULTS / "voice_held_out_failures.md").write_text(failures, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
