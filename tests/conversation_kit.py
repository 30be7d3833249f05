"""Helpers for the conversation tests: real parts, a room that streams speech, trace queries.

Everything is real: espeak-ng speech with a noise floor (tests/speech.py) streamed in 20 ms
frames, webrtcvad per speaker, the pocketsphinx grammar recognizer, the intent matcher, the
core `Assistant`, espeak-ng speech output, and an output that plays in real time so that
barge-in has something to cut. Failures are induced with small failing subclasses of the
stage base classes, never by mocking the machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.config.conversation import ConversationSettings
from assistant.intents.matcher import IntentMatcher
from assistant.messages import User
from audio import RECOGNITION_FRAME_BYTES
from audio.asr.base import Recognizer, Transcript
from audio.tts.base import Synthesizer
from states.output import MemoryOutput
from states.parts import RecognizerPool, VoiceParts
from states.session import GuildVoiceSession
from states.trace import TraceEntry
from tests.speech import RATE, noise, speak

FRAME_BYTES = RECOGNITION_FRAME_BYTES

ALICE = User(id="101", name="alice", roles=frozenset({"trainer"}))
BOB = User(id="102", name="bob", roles=frozenset({"trainer"}))


class FailingRecognizer(Recognizer):
    """A recognizer whose engine is broken (e.g. its model folder vanished)."""

    name = "broken"

    def transcribe(self, pcm: bytes) -> Transcript:
        raise RuntimeError("acoustic model not found")


def broken_espeak() -> Synthesizer:
    """The real espeak-ng engine, pointed at a binary that is not there."""
    from audio.tts.espeak import EspeakSynthesizer

    engine = EspeakSynthesizer()
    engine.exe = "/nonexistent/espeak-ng"
    return engine


def make_recognizer(
    config: Config, matcher: IntentMatcher, lists: dict[str, list[str]]
) -> Recognizer:
    factory = pytest.importorskip("audio.asr.factory").build_recognizer
    recognizer = factory(config.voice, matcher)
    recognizer.update_lists(lists)
    return recognizer


async def build_parts(
    config: Config,
    app: Assistant,
    *,
    recognizer: Recognizer | None = None,
    synthesizer: Synthesizer | None = None,
    guild_id: str = "g1",
    processes: bool = False,
) -> VoiceParts:
    """The production parts (`states.parts.build_parts`), with one stage swapped if asked.

    Recognition runs in threads unless `processes` (production: worker processes, about 1 s
    to start, so only the tests whose timing depends on a free event loop pay for it)."""
    pytest.importorskip("audio.asr.factory")
    pytest.importorskip("audio.tts.factory")
    from states.parts import build_parts as production

    parts = await production(config, app, [guild_id], processes=processes)
    if recognizer is not None:
        parts.recognizers = RecognizerPool([recognizer])
    if synthesizer is not None:
        parts.synthesizer = synthesizer
    return parts


def new_session(
    parts: VoiceParts,
    app: Assistant,
    settings: ConversationSettings,
    *,
    realtime_playback: bool = False,
    guild_id: str = "g1",
) -> tuple[GuildVoiceSession, MemoryOutput]:
    out = MemoryOutput(realtime=realtime_playback)
    session = GuildVoiceSession(
        guild_id,
        parts,
        app.handle,
        voice=out,
        text=out,
        text_channel_id="text-1",
        settings=settings,
    )
    return session, out


@dataclass
class Track:
    """One person's speech in the room, starting `at_s` seconds into the scene."""

    user: User
    pcm: bytes
    at_s: float = 0.0


def say(text: str, voice: str = "en-us", **kw: object) -> bytes:
    """Synthesized speech with a noise floor, 16 kHz mono s16le."""
    return speak(text, voice=voice, **kw)  # type: ignore[arg-type]


def _floor(seconds: float, seed: int) -> bytes:
    import numpy as np

    return np.clip(np.rint(noise(seconds, seed=seed)), -32768, 32767).astype("<i2").tobytes()


async def stream(
    session: GuildVoiceSession,
    tracks: Iterable[Track],
    *,
    speed: float = 1.0,
    tail_s: float = 0.6,
) -> None:
    """Stream every track as its speaker's live audio, in 20 ms frames, at `speed`x real time.

    Speakers who are silent at a moment still send their noise floor, like open microphones.
    """
    tracks = list(tracks)
    users = {t.user.id: t.user for t in tracks}
    end_s = max(t.at_s + len(t.pcm) / (2 * RATE) for t in tracks) + tail_s
    frames = int(end_s * 50)
    floors = {uid: _floor(end_s + 1, seed=i + 3) for i, uid in enumerate(users)}
    start = time.monotonic()
    for n in range(frames):
        t_s = n / 50
        for uid, user in users.items():
            frame = None
            for track in tracks:
                if track.user.id != uid:
                    continue
                offset = round((t_s - track.at_s) * 50) * FRAME_BYTES
                if 0 <= offset < len(track.pcm):
                    frame = track.pcm[offset : offset + FRAME_BYTES]
                    frame += b"\0" * (FRAME_BYTES - len(frame))
            if frame is None:
                frame = floors[uid][n * FRAME_BYTES : (n + 1) * FRAME_BYTES]
            session.feed(user, frame)
        due = start + (n + 1) / 50 / speed
        await asyncio.sleep(max(0.0, due - time.monotonic()))


async def wait_for_state(session: GuildVoiceSession, state: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while session.machine.state != state:
        if time.monotonic() > deadline:
            raise AssertionError(f"machine never reached {state}; it is {session.machine.state}")
        await asyncio.sleep(0.005)


def transitions(trace: list[TraceEntry]) -> list[tuple[str, str]]:
    """(event, "source -> target") of every transition taken."""
    return [(e.data.get("event", ""), e.text) for e in trace if e.kind == "transition"]


def heard(trace: list[TraceEntry]) -> list[tuple[str | None, str, bool]]:
    """(speaker, text, wake) of every transcript."""
    return [(e.speaker, e.text, bool(e.data.get("wake"))) for e in trace if e.kind == "heard"]


def first(trace: list[TraceEntry], kind: str, contains: str = "") -> TraceEntry:
    for e in trace:
        if e.kind == kind and contains in e.text:
            return e
    raise AssertionError(f"no {kind} entry containing {contains!r}")


def describe(trace: list[TraceEntry]) -> str:
    """The trace as readable lines, for assertion messages."""
    t0 = trace[0].at if trace else 0.0
    lines = []
    for e in trace:
        lines.append(
            f"{e.at - t0:7.3f} {e.kind:<11} {e.speaker or '':<5} {e.text[:60]!r} "
            f"{e.data.get('event', '')}"
        )
        hearing = e.data.get("hearing")
        if hearing is not None:  # what each stage heard and why the gate decided
            lines += hearing.debug_lines()
    return "\n" + "\n".join(lines)


class SessionMaker:
    """The conversation tests' one set-up (the `voice_session` fixture): the production parts,
    with one stage swapped if asked, and a guild session whose output records what a user would
    see and hear. Everything it made is closed after the test."""

    def __init__(self, config: Config, app: Assistant) -> None:
        self.config = config
        self.app = app
        self._made: list[tuple[GuildVoiceSession, VoiceParts]] = []

    async def __call__(
        self,
        settings: ConversationSettings,
        *,
        recognizer: Recognizer | None = None,
        synthesizer: Synthesizer | None = None,
        realtime_playback: bool = False,
        processes: bool = False,
        guild_id: str = "g1",
    ) -> tuple[GuildVoiceSession, MemoryOutput]:
        parts = await build_parts(
            self.config,
            self.app,
            recognizer=recognizer,
            synthesizer=synthesizer,
            guild_id=guild_id,
            processes=processes,
        )
        session, out = new_session(
            parts, self.app, settings, realtime_playback=realtime_playback, guild_id=guild_id
        )
        self._made.append((session, parts))
        return session, out

    async def close(self) -> None:
        for session, parts in self._made:
            await session.close()
            parts.close()
