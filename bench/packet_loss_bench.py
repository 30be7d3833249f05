"""Packet loss on the Discord receive path: how much of a lost packet's speech the bot gets
back, and how often spoken commands are still heard right, at 5, 10 and 20% random loss.

    .venv/bin/python -m bench packet_loss_bench [--voices en-us,en-gb-scotland] [--losses 5,10,20]

Every command sentence of the voice corpus (bench/voice_corpus.py; clean, noise and reverb in
turn) is encoded as Discord's clients send it: 48 kHz stereo Opus in 20 ms packets with
in-band FEC on (discord.py's `Encoder` defaults, as the fake Discord's members:
`expected_packet_loss` 15%). Each loss rate drops packets at random (seeded per sentence), and
what arrives is decoded two ways:

- concealment only, as the receiver did before: each lost packet concealed as 20 ms (PLC);
- the receiver (`VoiceReceiver`, fed the transport-encrypted RTP packets): the last packet of
  each gap rebuilt from the in-band FEC of the packet after it, the rest concealed, for the
  length the RTP clock gives.

Measured on each: the log-spectral distance of the lost packets' 20 ms to the same packets
decoded with nothing lost (lower is closer), and the hearing path's verdict (`audio.hearing.
Hearer`, as bench/voice_bench.py: intent and slots exactly right, wake phrase heard) on the
utterance the VAD cuts. About 12 minutes on 2 busy cores. Writes bench/results/packet_loss.json
and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from audio.decode import SpeechOpusDecoder  # noqa: E402
from bench.voice_bench import outcome, vad_utterance  # noqa: E402
from bench.voice_corpus import DATASETS, Utterance, render, sentences  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FRAME = SpeechOpusDecoder.FRAME_SAMPLES
CONDITIONS = ["clean", "noise", "reverb"]
SSRC, USER, BOT = 4242, 1001, 9
KEY = bytes(range(32))
WAYS = ("concealment only (before)", "the receiver")


def commands(voices: list[str]) -> list[Utterance]:
    """The corpus's command sentences in each voice, conditions in turn."""
    from bench.voice_corpus import CALIBRATION_VOICES, HELD_OUT_VOICES, TUNING_VOICES

    known = {v: (s, p) for v, s, p in [*TUNING_VOICES, *HELD_OUT_VOICES, *CALIBRATION_VOICES]}
    items = []
    for v, voice in enumerate(voices):
        speed, pitch = known.get(voice, (160, 50))
        for i, (text, kind, expected) in enumerate(sentences()):
            if kind != "command":
                continue
            condition = CONDITIONS[(i + v) % len(CONDITIONS)]
            pcm = render(text, voice, speed, pitch, condition, seed=i)
            items.append(Utterance(text, kind, expected, voice, condition, pcm))
    return items


def encode(pcm16: bytes) -> list[bytes]:
    """16 kHz mono -> Discord's 48 kHz stereo Opus packets of 20 ms, FEC on."""
    from discord import opus

    from audio.convert import to_discord

    pcm48 = to_discord(pcm16, 16_000)
    encoder = opus.Encoder()  # fec=True, expected_packet_loss=0.15
    size = 3840
    return [
        encoder.encode(pcm48[i : i + size].ljust(size, b"\0"), 960)
        for i in range(0, len(pcm48), size)
    ]


def conceal_only(payloads: list[bytes], lost: set[int]) -> bytes:
    """What the receiver did before: every lost packet (up to 5 in a row) concealed as 20 ms."""
    decoder, out = SpeechOpusDecoder(), []
    run = 0
    for i, payload in enumerate(payloads):
        if i in lost:
            run += 1
            continue
        if 0 < run <= 5:
            out += [decoder.decode_gap(FRAME) for _ in range(run)]
        run = 0
        out.append(decoder.decode(payload))
    return b"".join(out)


def receiver(payloads: list[bytes], lost: set[int]) -> bytes:
    """The production receiver fed the packets that arrived, as RTP from the voice socket."""
    from tests.fakediscord.voice_rtp import MODE, OPUS_PT, encrypt_rtp
    from transports.discord.voice.receiver import VoiceReceiver

    connection = SimpleNamespace(
        secret_key=KEY, mode=MODE, dave_session=None, dave_protocol_version=0
    )
    vc = SimpleNamespace(
        _ssrc_to_id={SSRC: USER}, user=SimpleNamespace(id=BOT), _connection=connection
    )
    out: list[bytes] = []
    rx = VoiceReceiver(vc, lambda user_id, pcm: out.append(pcm))
    for i, payload in enumerate(payloads):
        if i not in lost:
            rx.on_packet(encrypt_rtp(KEY, OPUS_PT, i, 1000 + 960 * i, SSRC, payload, nonce=i))
    return b"".join(out)


def log_spectra(pcm: bytes, frames: list[int]) -> np.ndarray:
    x = np.frombuffer(pcm, "<i2").astype(np.float64)
    rows = np.stack([x[i * FRAME : (i + 1) * FRAME] for i in frames]) * np.hanning(FRAME)
    return np.log10(np.abs(np.fft.rfft(rows, axis=1)) ** 2 + 1e3)


def distances(decoded: bytes, reference: bytes, lost: set[int]) -> list[float]:
    """Log-spectral distance of each lost packet's 20 ms to the loss-free decoding."""
    frames = sorted(i for i in lost if (i + 1) * FRAME * 2 <= min(len(decoded), len(reference)))
    if not frames:
        return []
    a, b = log_spectra(decoded, frames), log_spectra(reference, frames)
    return [float(d) for d in np.sqrt(((a - b) ** 2).mean(axis=1))]


async def run(items: list[Utterance], losses: list[int], hearer: Any) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for n, u in enumerate(items):
        payloads = encode(u.pcm)
        reference = receiver(payloads, set())
        found = vad_utterance(reference)
        hearing = await hearer.hear(found[0].pcm) if found else None
        row: dict[str, Any] = {
            "text": u.text,
            "voice": u.voice,
            "condition": u.condition,
            "packets": len(payloads),
            "none": outcome(u, hearing)["ok"],
        }
        for loss in losses:
            rng = random.Random(f"{loss}/{u.voice}/{u.text}/{u.condition}")
            lost = {i for i in range(len(payloads)) if rng.random() < loss / 100}
            singles = sum(1 for i in lost if i - 1 not in lost and i + 1 not in lost)
            cell: dict[str, Any] = {"lost": len(lost), "single": singles}
            for way, decode in zip(WAYS, (conceal_only, receiver), strict=True):
                decoded = decode(payloads, lost)
                found = vad_utterance(decoded)
                hearing = await hearer.hear(found[0].pcm) if found else None
                cell[way] = {
                    "ok": outcome(u, hearing)["ok"],
                    "seconds": len(decoded) / 32_000,
                    "distances": distances(decoded, reference, lost),
                }
            row[str(loss)] = cell
        rows.append(row)
        print(f"  {n + 1}/{len(items)}", flush=True)
    return {"rows": rows}


def report(rows: list[dict[str, Any]], losses: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"none": [sum(r["none"] for r in rows), len(rows)]}
    for loss in losses:
        cells = [r[str(loss)] for r in rows]
        lost, single = sum(c["lost"] for c in cells), sum(c["single"] for c in cells)
        entry: dict[str, Any] = {"lost": lost, "single": single}
        for way in WAYS:
            d = [x for c in cells for x in c[way]["distances"]]
            entry[way] = {
                "ok": [sum(c[way]["ok"] for c in cells), len(cells)],
                "distance_mean": round(float(np.mean(d)), 3) if d else None,
                "distance_p90": round(float(np.percentile(d, 90)), 3) if d else None,
            }
        out[str(loss)] = entry
    return out


def markdown(result: dict[str, Any]) -> str:
    rep, losses = result["report"], result["losses"]
    ok, total = rep["none"]
    lines = [
        "# Packet loss on the Discord receive path",
        "",
        f"Run {result['when']}, {result['seconds']:.0f} s: {total} spoken commands "
        f"({', '.join(result['voices'])}; clean, noise and reverb in turn), Opus 20 ms with "
        f"in-band FEC. Heard right with nothing lost: {ok}/{total}. Load average at the end: "
        f"{result['load_average_at_end']}.",
        "",
        "| random loss | packets lost (alone in their gap) | way | commands heard right "
        "| lost 20 ms vs loss-free: mean / p90 distance |",
        "|---|---|---|---|---|",
    ]
    for loss in losses:
        e = rep[str(loss)]
        for way in WAYS:
            w = e[way]
            k, n = w["ok"]
            lines.append(
                f"| {loss}% | {e['lost']} ({e['single']}) | {way} | {k}/{n} "
                f"| {w['distance_mean']} / {w['distance_p90']} |"
            )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench packet_loss_bench")
    parser.add_argument("--voices", default="en-us,en-gb-scotland", help="espeak voices")
    parser.add_argument("--losses", default="5,10,20", help="loss rates in percent")
    parser.add_argument("--limit", type=int, default=0, help="the first N sentences only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    from assistant.config.voice import VoiceSettings
    from audio.hearing import Hearer

    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    voices = args.voices.split(",")
    losses = [int(x) for x in args.losses.split(",")]
    items = await asyncio.to_thread(commands, voices)
    if args.limit:
        items = items[: args.limit]
    hearer = await asyncio.to_thread(Hearer.local, VoiceSettings())
    await asyncio.to_thread(hearer.update_lists, {"dataset": DATASETS, "folder": DATASETS})
    rows = (await run(items, losses, hearer))["rows"]
    hearer.close()
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seconds": time.perf_counter() - started,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "voices": voices,
        "losses": losses,
        "report": report(rows, losses),
        "rows": rows,
    }
    text = markdown(result)
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "packet_loss.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        (RESULTS / "packet_loss.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
