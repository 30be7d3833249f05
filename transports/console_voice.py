"""Console voice mode: audio files stand in for people speaking in a voice channel.

`!join` in the console opens the console guild's voice session; `!say A.wav [B.wav ...]` feeds
each file as a separate person's live stream (20 ms frames, all at once, so several files are
several people talking over each other), at `conversation.realtime_factor` times real time.
Spoken answers are written as numbered WAV files in a folder; written answers are printed.
`VoiceCommands` is the console's side (`transports/console.py`): `say` as typed, `join` and
`leave` as typed or spoken (a reply's voice action), and what a `say` prints.

    voice = ConsoleVoice(registry, out_dir=Path("state/console-voice"))
    session = await voice.join()
    trace = await voice.say([Path("hey.wav")])        # what was heard, said and posted
    print(format_trace(trace))
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import i18n
from assistant.commands.quoted_text import tokenize
from assistant.errors import UserError
from assistant.messages import Reply, User
from audio import RECOGNITION_FRAME_BYTES, RECOGNITION_RATE
from audio.decode import DecodedAudio, decode_file
from states.output import WavFolderOutput
from states.registry import SessionRegistry
from states.session import GuildVoiceSession
from states.trace import TraceEntry
from transports.console_paths import typed_paths

if TYPE_CHECKING:
    from transports.console import ConsoleTransport

FRAME_BYTES = RECOGNITION_FRAME_BYTES
TAIL_S = 1.0
LONG_SAY_S = 30.0
"""Files heard for longer than this are announced first, with how long: the console shows
nothing until they have been heard (an hour of audio was ten silent minutes)."""
"""Silence fed after the files, so the last utterance ends the way it would in a room."""
SHOWN = ("heard", "speaking", "said", "interrupted", "posted", "barge_in", "ignored", "cut")


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
    max_seconds: float = 600.0,
    decoded: list[DecodedAudio] | None = None,
) -> list[TraceEntry]:
    """Feed each file as one speaker's live stream (all at once) and wait for the answers.

    `realtime` is the speed: 1 is real time, 4 four times faster, 0 as fast as possible.
    Each file is cut at `max_seconds` (`voice.max_file_seconds`), as voice messages are;
    `decoded`: the files already decoded (`decode_each`).
    Returns the trace entries (transitions, heard, said, posted...) of this call.
    """
    if decoded is None:
        decoded = [decode_file(path, max_seconds) for path in files]
    users = speakers or [console_speaker(i) for i in range(len(files))]
    started = time.monotonic()
    for path, audio in zip(files, decoded, strict=True):
        if (cut := audio.note(path.name, max_seconds)) is not None:
            session.note("cut", cut)
    silence = b"\0" * int(TAIL_S * RECOGNITION_RATE * 2)
    # Padded once: joining per frame copied the whole file 50 times a second of it.
    streams = [audio.pcm + silence for audio in decoded]
    longest = max((len(pcm) for pcm in streams), default=0)
    start = started
    for offset in range(0, longest, FRAME_BYTES):
        for user, pcm in zip(users, streams, strict=True):
            if offset < len(pcm):
                session.feed(user, pcm[offset : offset + FRAME_BYTES])
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


def decode_each(
    paths: list[Path], max_seconds: float
) -> tuple[list[tuple[int, Path, DecodedAudio]], list[str], list[str]]:
    """Each file decoded apart: the ones that can be heard (with their place among `paths`,
    which says who speaks them), the names that are not there, and why each of the others
    cannot be heard, in order. A folder or a device is there: decoding says what it is."""
    heard: list[tuple[int, Path, DecodedAudio]] = []
    missing: list[str] = []
    problems: list[str] = []
    for index, path in enumerate(paths):
        if not path.exists():
            missing.append(str(path))
            continue
        try:
            heard.append((index, path, decode_file(path, max_seconds)))
        except UserError as exc:
            problems.append(str(exc))
    return heard, missing, problems


EVENT_WORDS = ("heard", "speaking", "said", "interrupted", "posted", "barge_in", "cut")
"""The trace events the console shows (`console.event.<kind>` in the locale files words each);
the rest (state changes, events a state did not take) is bookkeeping for the log and `--json`,
not for the person listening."""


def speaker_name(speaker_id: str) -> str:
    """`console` is the owner typing here ("you"); `console-2` is the second file ("speaker 2")."""
    if speaker_id == "console":
        return i18n.tr("console.you")
    number = speaker_id.removeprefix("console-")
    return i18n.tr("console.speaker", number=number) if number.isdigit() else speaker_id


def format_trace(entries: list[TraceEntry]) -> str:
    """Human-readable lines for the console: who said what, what the bot heard and said (in
    the language `i18n.speaking` sets; the debug view under a hearing stays as the log has it)."""
    shown = [e for e in entries if e.kind in EVENT_WORDS]
    if not shown:
        return i18n.tr("console.nothing_happened")
    t0 = entries[0].at
    lines = []
    for e in shown:
        who = i18n.tr("console.who", name=speaker_name(e.speaker)) if e.speaker else ""
        text = e.text.strip()
        hearing = e.data.get("hearing") if e.kind == "heard" else None
        if e.kind == "heard" and not text:
            # "Hey trainer" alone is heard, and answered "Yes? I'm listening."
            wake = hearing is not None and hearing.wake and not hearing.rejected
            text = i18n.tr("console.wake_alone") if wake else i18n.tr("console.no_words")
        lines.append(f"{e.at - t0:6.2f}s {i18n.tr(f'console.event.{e.kind}')}{who}: {text}")
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
    unclear = debug["wake"] and debug.get("rejected")  # said to me; no command followed
    intent = debug["intent"] or ("not understood" if unclear else None)
    intent = intent or ("wake phrase" if debug["wake"] else "nothing")
    slots = f" {debug['slots']}" if debug["slots"] else ""
    return " | ".join([*parts, f"-> {intent}{slots}"])


class ConsoleVoiceOutput(WavFolderOutput):
    """Spoken answers as WAV files; a whole reply's files (a spoken `getfile`) are saved where
    the console user can open them, as a typed reply's are (`keep_files`)."""

    def __init__(
        self, folder: Path, keep_files: Callable[[Reply], list[Path]], **options: Any
    ) -> None:
        super().__init__(folder, **options)
        self.keep_files = keep_files
        self.saved: list[Path] = []
        """Files saved since the console last showed them."""

    async def send_reply(self, channel_id: str, reply: Reply) -> None:
        await self.send_text(channel_id, reply.text)
        if reply.files:
            self.saved += self.keep_files(reply)


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
        max_seconds: float = 600.0,
        keep_files: Callable[[Reply], list[Path]] = lambda _reply: [],
    ) -> None:
        self.registry = registry
        self.max_seconds = max_seconds
        """Longest audio taken from one file (`voice.max_file_seconds`)."""
        self.out_dir = Path(out_dir)
        self.guild_id = guild_id
        self.channel_id = channel_id
        factor = registry.settings.realtime_factor if realtime is None else realtime
        self.realtime = factor
        self.output = ConsoleVoiceOutput(
            self.out_dir, keep_files, realtime=factor > 0, print_text=print_text
        )

    @property
    def session(self) -> GuildVoiceSession | None:
        return self.registry.get(self.guild_id)

    async def join(self) -> GuildVoiceSession:
        return await self.registry.join(
            self.guild_id, voice=self.output, text=self.output, text_channel_id=self.channel_id
        )

    async def leave(self) -> None:
        await self.registry.leave(self.guild_id)

    async def say(
        self,
        files: list[Path],
        speakers: list[User] | None = None,
        decoded: list[DecodedAudio] | None = None,
    ) -> list[TraceEntry]:
        """`!say A.wav B.wav`: joins first if needed."""
        session = self.session or await self.join()
        return await say(
            files,
            session,
            realtime=self.realtime,
            max_seconds=self.max_seconds,
            speakers=speakers,
            decoded=decoded,
        )


class VoiceCommands:
    """`join` and `leave` (typed, or spoken in the channel) and `say FILE.wav ...` for the
    console: its voice channel is opened on first use, when the speech engines load."""

    def __init__(self, console: ConsoleTransport, guild_id: str) -> None:
        self.console = console
        self.guild_id = guild_id
        self.voice: ConsoleVoice | None = None
        """The console's voice channel, opened by `join` (speech engines load on first use)."""
        self._apart: set[asyncio.Task[None]] = set()
        """Spoken `leave`s, run apart from the session they close (`close` waits for them)."""

    async def open(self) -> ConsoleVoice:
        if self.voice is None:
            from states.parts import build_parts

            app = self.console.app
            parts = await build_parts(app.config, app, [self.guild_id])
            app.subscribe_names(parts.update_lists)
            registry = SessionRegistry(
                parts,
                app.handle,
                app.config.conversation,
                jobs=app.jobs,
                on_voice_action=self.spoken_action,
            )
            folder = app.config.state_dir / "console-voice"
            max_seconds = app.config.voice.max_file_seconds
            self.voice = ConsoleVoice(
                registry,
                folder,
                print_text=False,
                max_seconds=max_seconds,
                keep_files=self.console.keep_files,
            )
        return self.voice

    @property
    def in_voice(self) -> bool:
        """Whether the console's voice channel is open (`join`, or a `say`, opened it)."""
        return self.voice is not None and self.voice.session is not None

    async def action(self, guild_id: str, action: str) -> None:
        """`join` opens the console's voice channel, `leave` closes it (typed or spoken)."""
        if action == "join":
            voice = await self.open()
            if voice.session is None:
                await voice.join()
                self.console.note(
                    self.console.app.text(guild_id, "console.joined", folder=str(voice.out_dir))
                )
        elif self.voice is not None and self.in_voice:
            await self.voice.leave()
            self.console.note(self.console.app.text(guild_id, "console.left"))

    async def spoken_action(self, guild_id: str, action: str) -> None:
        """`join` or `leave` said in the channel, once its answer has been said. It runs as a
        task of the voice session, and leaving closes that session, cancelling its tasks and
        waiting for them: run there, the leave waited for itself (and cancelling that wait
        recursed until Python stopped the console). So it runs apart, as Discord's does."""
        task = asyncio.create_task(self.action(guild_id, action))
        self._apart.add(task)
        task.add_done_callback(self._apart.discard)

    async def say(self, rest: str) -> None:
        """`say A.wav [B.wav ...]`: each file is one person speaking, all at once. The names
        are split as every typed argument is: quotes group words, and an apostrophe inside a
        name is a letter (`say it's.wav`)."""
        try:
            tokens = tokenize(rest)
        except UserError as exc:  # a quote never closed
            self.console.show(Reply(text=str(exc), ok=False, kind="error"))
            return
        await self.say_files(typed_paths(tokens))

    async def say_files(self, paths: list[Path]) -> None:
        """Speak these files (`say`, and `console --speak` with the shell's names)."""
        console, guild = self.console, self.guild_id
        if not paths:
            text = console.app.text(guild, "console.say_usage")
            console.show(Reply(text=text, ok=False, kind="error"))
            return
        # Every file that cannot be heard is named, each with why; the others are heard.
        max_seconds = console.app.config.voice.max_file_seconds
        with i18n.speaking(console.app.language(guild)):  # why a file cannot be heard
            decoded, missing, problems = decode_each(paths, max_seconds)
        if missing:
            problems.insert(
                0, console.app.text(guild, "console.no_files", files=", ".join(missing))
            )
        if problems:
            console.show(Reply(text="\n".join(problems), ok=False, kind="error"))
        if not decoded:
            return
        voice = await self.open()
        if voice.session is None:
            await self.action(guild, "join")
        if (wait := _long_wait([(p, a) for _, p, a in decoded], voice.realtime)) is not None:
            console.note(console.app.text(guild, wait[0], **wait[1]))
        # each file is spoken by the speaker of its place in the line (file 1: the owner)
        speakers = [console_speaker(index) for index, _, _ in decoded]
        with i18n.speaking(console.app.language(guild)):  # notes on the files
            trace = await voice.say([p for _, p, _ in decoded], speakers, [a for *_, a in decoded])
        self.show_trace(trace)

    def show_trace(self, trace: list[TraceEntry]) -> None:
        out = self.console.out
        saved = self.voice.output.saved if self.voice else []
        if self.voice:
            self.voice.output.saved = []
        if self.console.json_mode:
            records = [
                {"event": e.kind, "speaker": e.speaker, "text": e.text}
                for e in trace
                if e.kind in SHOWN
            ]
            # where a spoken getfile's file was saved
            records += [{"event": "file", "speaker": None, "text": str(p)} for p in saved]
            # A script reads a line per `say`: silence must not leave it waiting for one.
            with i18n.speaking(self.console.app.language(self.guild_id)):
                nothing = format_trace([])
            records = records or [{"event": "nothing", "speaker": None, "text": nothing}]
            for record in records:
                print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
        else:
            with i18n.speaking(self.console.app.language(self.guild_id)):
                shown = format_trace(trace)
            print(shown, file=out, flush=True)
            for path in saved:
                print(f"   📎 {path}", file=out, flush=True)

    async def close(self) -> None:
        if self._apart:
            await asyncio.gather(*self._apart, return_exceptions=True)
        if self.voice is not None:
            await self.voice.registry.close()
            await asyncio.to_thread(self.voice.registry.parts.close, True)


def _long_wait(
    decoded: list[tuple[Path, DecodedAudio]], realtime: float
) -> tuple[str, dict[str, str]] | None:
    """The note that the files take a while to hear (message key and its fields), or None."""
    longest = max(decoded, key=lambda item: item[1].seconds)
    seconds = longest[1].seconds / realtime if realtime > 0 else 0.0
    if seconds < LONG_SAY_S:
        return None
    if seconds < 120:
        return "console.say_long.seconds", {"name": longest[0].name, "seconds": f"{seconds:.0f}"}
    return "console.say_long.minutes", {"name": longest[0].name, "minutes": f"{seconds / 60:.0f}"}
