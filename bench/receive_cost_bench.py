"""What one speaker costs on the receive path, stage by stage, in CPU ms per speaker-second.

Real speech (espeak-ng, with a faint noise floor) is encoded the way a Discord client sends it
(48 kHz stereo Opus, 20 ms packets), then each stage the bot runs per packet is timed on its
own with the process CPU clock (so other work on the machine inflates the figures less than
wall time would):

- `discord.opus.Decoder` (48 kHz stereo, what the receive extension hands out);
- `audio.convert.StreamDownsampler` (48 kHz stereo -> 16 kHz mono, per 20 ms frame);
- webrtcvad on the 16 kHz frames;
- `audio.decode.SpeechOpusDecoder`: libopus decoding straight to 16 kHz mono.

Floor, in the same run: libopus itself decoding the same packets at 48 kHz stereo, called
through ctypes into one reused buffer with no conversion (the least a 48 kHz decode can cost
from Python). The figures for the whole receive path, with transport and DAVE decryption, are
in bench/discord_receive_bench.py. Writes bench/results/receive_cost.json and .md.
"""

from __future__ import annotations

import ctypes
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audio.convert import StreamDownsampler, to_discord
from audio.decode import SpeechOpusDecoder
from audio.vad.webrtc import WebRtcVad
from bench.training_bench import Load
from tests.speech import join, speak

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MS = 10.0
"""CPU per speaker-second for the whole receive path."""
REPEATS = 5


def packets() -> list[bytes]:
    from discord import opus

    opus._load_default()
    # speak() adds a faint noise floor, as every real microphone has
    pcm16 = join(
        speak("hey trainer, train the model on the reviews dataset please"),
        speak("hey trainer, what is the status of the training job"),
        speak("hey trainer, test the model on the sentence great film"),
    )
    pcm48 = to_discord(pcm16, 16_000)
    encoder = opus.Encoder()
    size = 3840
    return [encoder.encode(pcm48[i : i + size], 960) for i in range(0, len(pcm48) - size + 1, size)]


def cpu_ms_per_second(work: Callable[[], object], seconds: float) -> float:
    """Least CPU time of `REPEATS` runs, per second of audio."""
    best = float("inf")
    for _ in range(REPEATS):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return round(best / seconds * 1000, 3)


def run() -> dict[str, Any]:
    from discord import opus

    stream = packets()
    seconds = len(stream) * 0.02
    decoded48 = [opus.Decoder().decode(p, fec=False) for p in stream]
    speech16 = SpeechOpusDecoder()
    decoded16 = [speech16.decode(p) for p in stream]

    def floor() -> None:
        lib = opus._lib
        state = lib.opus_decoder_create(48_000, 2, ctypes.byref(ctypes.c_int()))
        buffer = (ctypes.c_int16 * (960 * 2))()
        for packet in stream:
            lib.opus_decode(state, packet, len(packet), buffer, 960, 0)
        lib.opus_decoder_destroy(state)

    def discord_decode() -> None:
        decoder = opus.Decoder()
        for packet in stream:
            decoder.decode(packet, fec=False)

    def downsample() -> None:
        converter = StreamDownsampler()
        for frame in decoded48:
            converter.process(frame)

    def vad() -> None:
        detector = WebRtcVad()
        for frame in decoded16:
            detector.process(frame)

    def speech_decode() -> None:
        decoder = SpeechOpusDecoder()
        for packet in stream:
            decoder.decode(packet)
        decoder.close()

    with Load() as load:
        stages = {
            "floor: libopus 48 kHz stereo, bare": cpu_ms_per_second(floor, seconds),
            "discord.opus.Decoder 48 kHz stereo": cpu_ms_per_second(discord_decode, seconds),
            "StreamDownsampler 48k stereo -> 16k mono": cpu_ms_per_second(downsample, seconds),
            "webrtcvad (16 kHz)": cpu_ms_per_second(vad, seconds),
            "SpeechOpusDecoder 16 kHz mono": cpu_ms_per_second(speech_decode, seconds),
        }
    old = (
        stages["discord.opus.Decoder 48 kHz stereo"]
        + stages["StreamDownsampler 48k stereo -> 16k mono"]
        + stages["webrtcvad (16 kHz)"]
    )
    new = stages["SpeechOpusDecoder 16 kHz mono"] + stages["webrtcvad (16 kHz)"]
    floor_ms = stages["floor: libopus 48 kHz stereo, bare"]
    return {
        "python": sys.version.split()[0],
        "speech_seconds": round(seconds, 2),
        "packets": len(stream),
        "stages_cpu_ms_per_speaker_second": stages,
        "decode_downsample_vad_ms": round(old, 3),
        "speech_decoder_vad_ms": round(new, 3),
        "ratio_old_vs_new": round(old / new, 2),
        "ratio_new_vs_floor": round(new / floor_ms, 2),
        "load": load.record(),
    }


def summary(results: dict[str, Any]) -> str:
    lines = [
        "# Receive path cost per stage",
        "",
        f"{results['packets']} Opus packets ({results['speech_seconds']} s of speech); CPU ms per "
        f"speaker-second, least of {REPEATS} runs; CPU busy "
        f"{results['load']['cpu_busy_share']:.0%}, load average {results['load']['loadavg_1min']}.",
        "",
        "| stage | CPU ms per speaker-second |",
        "|---|---|",
    ]
    for name, value in results["stages_cpu_ms_per_speaker_second"].items():
        lines.append(f"| {name} | {value} |")
    lines += [
        "",
        f"48 kHz decode + downsampling + VAD: {results['decode_downsample_vad_ms']} ms; "
        f"16 kHz decode + VAD: {results['speech_decoder_vad_ms']} ms "
        f"({results['ratio_old_vs_new']}x less; {results['ratio_new_vs_floor']}x the bare "
        "48 kHz decode).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    results = run()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "receive_cost.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "receive_cost.md").write_text(summary(results))
    print(summary(results))


if __name__ == "__main__":
    main()
