"""`python bot.py simulate FILE.wav [FILE ...] [--config PATH] [--speak-to DIR]`.

Plays audio files to the voice pipeline as one speaker (20 ms frames through the VAD, as from
Discord), answers with the real core, and prints one JSON line per utterance:

    {"file", "start_s", "end_s", "wake", "transcript", "intent", "slots", "reply",
     "timings_ms": {"asr", "intent", "tts_first_audio", "end_of_speech_to_reply"}}

Conversation rule (a simplification of the state machine in states/): a command needs the
wake phrase unless it comes within `conversation.follow_up_seconds` of the last wake phrase or
answer, in stream time. end_of_speech_to_reply counts from the last voiced frame: the VAD's
end-of-speech delay (stream time) plus recognition, matching, the core and speech synthesis
(wall time, measured here).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import RECOGNITION_RATE
from .decode import AudioError, decode_file
from .pipeline import VoicePipeline
from .speech_text import spoken_text
from .tts.base import Synthesizer
from .vad.base import UtteranceEnded
from .vad.webrtc import WebRtcVad

FRAME_BYTES = RECOGNITION_RATE * 2 * 20 // 1000
"""20 ms of 16 kHz mono s16le, the size Discord delivers (after resampling)."""


@dataclass
class Core:
    """The real assistant, or None-answers when it cannot start (then replies are null)."""

    assistant: Any = None
    error: str | None = None

    @classmethod
    async def start(cls, config: Any) -> Core:
        try:
            from assistant.app import Assistant

            assistant = Assistant(config)
            await assistant.start()
        except Exception as exc:  # the simulator still shows recognition without a core
            return cls(None, f"{exc.__class__.__name__}: {exc}")
        return cls(assistant)

    def lists(self) -> dict[str, list[str]]:
        return self.assistant.speakable_lists("console") if self.assistant else {}

    async def answer(self, request: Any) -> Any:
        return await self.assistant.handle(request) if self.assistant else None

    async def close(self) -> None:
        if self.assistant is not None:
            await self.assistant.close()


@dataclass
class Simulation:
    pipeline: VoicePipeline
    synthesizer: Synthesizer
    core: Core
    follow_up_s: float
    max_spoken_chars: int
    vad_settings: Any = None
    speak_to: Path | None = None
    window_until: float = -1.0
    counter: dict[str, int] = field(default_factory=dict)

    async def utterance(self, name: str, event: UtteranceEnded) -> dict[str, Any]:
        from assistant.messages import User

        recognition = await self.pipeline.arecognise(event.pcm)
        in_window = event.start_s <= self.window_until
        accepted = recognition.accepted(require_wake=not in_window)
        line: dict[str, Any] = {
            "file": name,
            "start_s": event.start_s,
            "end_s": event.end_s,
            "wake": recognition.wake,
            "transcript": recognition.transcript.raw or recognition.text,
            "intent": None,
            "slots": {},
            "reply": None,
        }
        timings = {"asr": round(recognition.asr_ms, 1), "intent": round(recognition.intent_ms, 2)}
        vad_delay_ms = ((event.detected_s or event.end_s) - event.end_s) * 1000
        if recognition.wake_only:
            self.window_until = event.end_s + self.follow_up_s
        if accepted and recognition.intent is not None:
            intent = recognition.intent
            line["intent"], line["slots"] = intent.name, intent.slots
            user = User(id="console", name="console", is_admin=True)
            request = self.pipeline.to_request(intent, user, "console", "console")
            t0 = time.perf_counter()
            reply = await self.core.answer(request)
            timings["core"] = round((time.perf_counter() - t0) * 1000, 1)
            text = reply.spoken if reply is not None else f"Heard {intent.name}."
            line["reply"] = reply.text if reply is not None else None
            t1 = time.perf_counter()
            speech = await self.synthesizer.synthesize(spoken_text(text, self.max_spoken_chars))
            timings["tts_first_audio"] = round((time.perf_counter() - t1) * 1000, 1)
            processing = recognition.asr_ms + recognition.intent_ms
            processing += timings["core"] + timings["tts_first_audio"]
            timings["end_of_speech_to_reply"] = round(vad_delay_ms + processing, 1)
            self.window_until = event.end_s + self.follow_up_s
            if self.speak_to is not None:
                self._save(name, speech)
        line["timings_ms"] = timings
        return line

    def _save(self, name: str, speech: Any) -> None:
        n = self.counter[name] = self.counter.get(name, 0) + 1
        assert self.speak_to is not None
        _write_wav(self.speak_to, name, n, speech)


def _write_wav(folder: Path, name: str, n: int, speech: Any) -> Path:
    import wave

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{Path(name).stem}-{n:02d}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(speech.channels)
        w.setsampwidth(2)
        w.setframerate(speech.sample_rate)
        w.writeframes(speech.pcm)
    return path


async def simulate_file(sim: Simulation, path: Path, max_seconds: float) -> list[dict[str, Any]]:
    """All utterances of one file, as JSON-ready dicts (an error line for unusable files)."""
    try:
        decoded = await asyncio.to_thread(decode_file, path, max_seconds)
    except AudioError as exc:
        return [{"file": str(path), "error": str(exc)}]
    vad = WebRtcVad(sim.vad_settings)
    lines = []
    pcm = decoded.pcm
    for i in range(0, len(pcm), FRAME_BYTES):
        for event in vad.process(pcm[i : i + FRAME_BYTES]):
            if isinstance(event, UtteranceEnded):
                lines.append(await sim.utterance(str(path), event))
    for event in vad.flush():
        if isinstance(event, UtteranceEnded):
            lines.append(await sim.utterance(str(path), event))
    if decoded.truncated:
        lines.append({"file": str(path), "note": f"only the first {max_seconds:.0f} s were used"})
    return lines


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py simulate", description=__doc__.split("\n")[0])
    parser.add_argument(
        "files", nargs="+", type=Path, help="audio files (wav, ogg, mp3, m4a, webm)"
    )
    parser.add_argument("--config", type=Path, default=None, help="config.yaml to use")
    parser.add_argument("--speak-to", type=Path, default=None, help="write spoken replies here")
    return parser.parse_args(argv)


async def run(files: list[Path], config: Any, speak_to: Path | None = None) -> int:
    from .tts.factory import build_synthesizer

    voice = config.voice
    pipeline = await asyncio.to_thread(VoicePipeline.from_settings, voice)
    core = await Core.start(config)
    if core.error:
        print(json.dumps({"note": f"core not available, replies are null ({core.error})"}))
    lists = core.lists()
    if lists:
        await asyncio.to_thread(pipeline.update_lists, lists)
    sim = Simulation(
        pipeline,
        build_synthesizer(voice.tts),
        core,
        follow_up_s=config.conversation.follow_up_seconds,
        max_spoken_chars=voice.tts.max_spoken_chars,
        vad_settings=voice.vad,
        speak_to=speak_to,
    )
    status = 0
    try:
        for path in files:
            for line in await simulate_file(sim, path, voice.max_file_seconds):
                status = 1 if "error" in line else status
                print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        await core.close()
    return status


def main(
    argv: list[str] | None = None,
    *,
    config: Any = None,
    speak_to: str | Path | None = None,
) -> int:
    """Entry point; `bot.py simulate` passes its parsed config and files."""
    args = parse_args([str(a) for a in (sys.argv[1:] if argv is None else argv)])
    if config is None:
        from assistant.config import ConfigError, load_config

        try:
            config = load_config(args.config)
        except ConfigError as exc:
            print(f"simulate: {exc}", file=sys.stderr)
            return 2
    out = Path(speak_to) if speak_to else args.speak_to
    return asyncio.run(run(args.files, config, out))


if __name__ == "__main__":
    sys.exit(main())
