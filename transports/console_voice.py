"""Console voice mode: audio files stand in for people speaking in a voice channel.

`!join` in the console opens the console guild's voice session; `!say A.wav [B.wav ...]` feeds
each file as a separate person's live stream (20 ms frames, all at once, so several files are
several people talking over each other), at `conversation.realtime_factor` times real time.
Spoken answers are written as numbered WAV files in a folder; written answers are printed.

    voice = ConsoleVoice(registry, out_dir=Path("state/console-voice"))
    session = await voice.join()
    trace = await voice.say([Path("hey.wav")])        # what was heard, said and posted
    print(format_trace(trace))
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from assistant.messages import User
from audio import RECOGNITION_FRAME_BYTES, RECOGNITION_RATE
from audio.decode import decode_file
from states.output import WavFolderOutput
from states.registry import SessionRegistry
from states.session import GuildVoiceSession
from states.trace import TraceEntry

FRAME_BYTES = RECOGNITION_FRAME_BYTES
TAIL_S = 1.0
"""Silence fed after the files, so the last utterance ends the way it would in a room."""
SHOWN = ("heard", "speaking", "said", "interrupted", "posted", "barge_in", "ignored")


def console_speaker(index: int) -> User:
    """The n-th console speaker (file 1 is the console user, who owns the machine)."""
    if index == 0:
        return User(id="console", name="console", is_admin=True)
    return User(id=f"console-{index + 1}", name=f"speaker {index + 1}")


async def say(
    files: list[Path],
    session: GuildVoiceSession,
    *,
    realtime: float = 1.0,
    settle_s: float = 60.0,
    speakers: list[User] | None = None,
) -> list[TraceEntry]:
    """Feed each file as one speaker's live stream (all at once) and wait for the answers.

    `realtime` is the speed: 1 is real time, 4 four times faster, 0 as fast as possible.
    Returns the trace entries (transitions, heard, said, posted...) of this call.
    """
    streams = [decode_file(path).pcm for path in files]
    users = speakers or [console_speaker(i) for i in range(len(files))]
    silence = b"\0" * int(TAIL_S * RECOGNITION_RATE * 2)
    started = time.monotonic()
    longest = max((len(pcm) for pcm in streams), default=0) + len(silence)
    start = started
    for offset in range(0, longest, FRAME_BYTES):
        for user, pcm in zip(users, streams, strict=True):
            padded = pcm + silence
            if offset < len(padded):
                session.feed(user, padded[offset : offset + FRAME_BYTES])
        if realtime > 0:
            # Pace against the clock, not per frame, so scheduling jitter does not add up.
            due = start + (offset + FRAME_BYTES) / (2 * RECOGNITION_RATE) / realtime
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        elif offset % (FRAME_BYTES * 50) == 0:
            await asyncio.sleep(0)  # let recognition and playback tasks run
    for user in users:
        session.end_stream(user.id)
    await session.settle(settle_s)
    return [e for e in session.trace if e.at >= started]


EVENT_WORDS = {
    "heard": "heard",
    "speaking": "saying",
    "said": "said",
    "interrupted": "cut off",
    "posted": "wrote",
    "barge_in": "interrupted by",
}
"""What the console shows for each trace event; the rest (state changes, events a state did not
take) is bookkeeping for the log and `--json`, not for the person listening."""


def speaker_name(speaker_id: str) -> str:
    """`console` is the owner typing here ("you"); `console-2` is the second file ("speaker 2")."""
    if speaker_id == "console":
        return "you"
    number = speaker_id.removeprefix("console-")
    return f"speaker {number}" if number.isdigit() else speaker_id


def format_trace(entries: list[TraceEntry]) -> str:
    """Human-readable lines for the console: who said what, what the bot heard and said."""
    shown = [e for e in entries if e.kind in EVENT_WORDS]
    if not shown:
        return "(nothing happened)"
    t0 = entries[0].at
    lines = []
    for e in shown:
        who = f" {speaker_name(e.speaker)}" if e.speaker else ""
        text = e.text.strip()
        if e.kind == "heard" and not text:
            text = "(no words I could make out)"
        lines.append(f"{e.at - t0:6.2f}s {EVENT_WORDS[e.kind]}{who}: {text}")
        hearing = e.data.get("hearing") if e.kind == "heard" else None
        if hearing is not None:
            lines.append(" " * 8 + compact_debug(hearing.debug()))
    return "\n".join(lines)


def compact_debug(debug: dict[str, Any]) -> str:
    """The hearing debug view on one line: each stage's words, score, verdict and time, then
    the decision ("grammar 'hey trainer what is the status' accepted 180 ms | neural ... |
    -> status")."""
    parts = []
    for stage in debug["stages"]:
        score = "" if stage["score"] is None else f" {stage['score']:.2f}"
        parts.append(
            f"{stage['stage']} {stage['heard']!r}{score} {stage['verdict']}"
            f" ({stage['why']}) {stage['ms']:.0f} ms"
        )
    intent = debug["intent"] or ("wake phrase" if debug["wake"] else "nothing")
    slots = f" {debug['slots']}" if debug["slots"] else ""
    return " | ".join([*parts, f"-> {intent}{slots}"])


class ConsoleVoice:
    """The console's voice channel: one session of the console guild, answers to WAV files."""

    def __init__(
        self,
        registry: SessionRegistry,
        out_dir: Path,
        *,
        guild_id: str = "console",
        channel_id: str = "console",
        realtime: float | None = None,
        print_text: bool = True,
    ) -> None:
        self.registry = registry
        self.out_dir = Path(out_dir)
        self.guild_id = guild_id
        self.channel_id = channel_id
        factor = registry.settings.realtime_factor if realtime is None else realtime
        self.realtime = factor
        self.output = WavFolderOutput(self.out_dir, realtime=factor > 0, print_text=print_text)

    @property
    def session(self) -> GuildVoiceSession | None:
        return self.registry.get(self.guild_id)

    async def join(self) -> GuildVoiceSession:
        return await self.registry.join(
            self.guild_id, voice=self.output, text=self.output, text_channel_id=self.channel_id
        )

    async def leave(self) -> None:
        await self.registry.leave(self.guild_id)

    async def say(self, files: list[Path]) -> list[TraceEntry]:
        """`!say A.wav B.wav`: joins first if needed."""
        session = self.session or await self.join()
        return await say(files, session, realtime=self.realtime)
