"""The local console: a guild of its own where the machine's owner types commands.

Interactive on a terminal (a prompt, a live progress bar); on a pipe it reads one command per
line and, at the end of input, waits for running jobs so scripts see their results. `--json`
prints one JSON object per reply on standard output.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from assistant.app import Assistant
from assistant.commands.arguments import tokenize
from assistant.errors import UserError
from assistant.messages import Attachment, Reply, Request, User
from assistant.reports import job_finished_reply, progress_text
from assistant.training.jobs import JobEvent
from states.registry import SessionRegistry
from states.trace import TraceEntry
from transports.console_terminal import Terminal, plain, render_markdown
from transports.console_voice import SHOWN, ConsoleVoice, format_trace

log = logging.getLogger(__name__)

GUILD = CHANNEL = "console"
ATTACH = "+attach"
QUIT_WORDS = {"quit", "exit", "q"}
PROMPT = "trainer> "
CTRL_C_CONFIRM_S = 10.0
"""A second Ctrl-C within this many seconds of the question quits."""


@dataclass
class ConsoleTransport:
    app: Assistant
    json_mode: bool = False
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    err: IO[str] = field(default_factory=lambda: sys.stderr)
    user: User = field(default_factory=lambda: User(id="console", name="console"))
    console_commands: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    """Extra commands that only make sense here (voice mode adds `say`)."""
    voice: ConsoleVoice | None = None
    """The console's voice channel, opened by `join` (speech engines load on first use)."""
    prompt: str = ""
    """Shown when waiting for input on a terminal; redrawn after announcements."""
    terminal: Terminal | None = None
    """Line editing, history and the progress line, when a person types at a real terminal."""
    _next_id: int = 0
    _bar_open: bool = False
    _ctrl_c_at: float = -1e9

    def __post_init__(self) -> None:
        if self.app.config.permissions.console_user_is_admin:
            # the owner at the keyboard; with it off, the console user has no roles at all
            self.user = User(
                id=self.user.id,
                name=self.user.name,
                roles=self.user.roles | {"admin"},
                is_admin=True,
            )
        self.app.jobs.subscribe(self._on_job_event)
        self.console_commands.setdefault("wait", self._wait_command)
        self.console_commands.setdefault("say", self._say_command)

    # -- output --------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A message id unique across sessions and restarts, so `correct 87` can never reach a
        reply of an earlier session that happened to get the same number."""
        if self._next_id == 0:
            numbers = [int(i) for i in self.app.store.reply_ids(GUILD) if i.isdigit()]
            self._next_id = max(numbers, default=0)
        self._next_id = self.app.store.next_number("console message", at_least=self._next_id)
        return str(self._next_id)

    def show(self, reply: Reply, command: str | None = None) -> str:
        """Print a reply, remember it under a message id, and return that id."""
        self._close_bar()
        message_id = self.new_id()
        saved = self._save_files(message_id, reply)
        if self.json_mode:
            record = {
                "id": message_id,
                "command": command,
                "ok": reply.ok,
                "kind": reply.kind,
                "text": reply.text,
                "speech": reply.spoken,
                "data": reply.data,
                "files": [str(p) for p in saved],
                "job_id": reply.job_id,
            }
            print(json.dumps(record, ensure_ascii=False, default=str), file=self.out, flush=True)
        else:
            mark = "" if reply.ok else "⚠ "
            text = self._render(reply.text)
            joiner = "\n" if "\n" in text and self.out.isatty() else ""
            print(f"[#{message_id}] {mark}{joiner}{text}", file=self.out)
            for path in saved:
                print(f"   📎 {path}", file=self.out)
            self.out.flush()
        self.app.record_reply(reply, message_id=message_id, guild_id=GUILD, channel_id=CHANNEL)
        return message_id

    def _render(self, text: str) -> str:
        """Discord Markdown rendered for a terminal, or plain text on a pipe."""
        return render_markdown(text) if self.out.isatty() else plain(text)

    def _save_files(self, message_id: str, reply: Reply) -> list[Path]:
        """Files a Discord user would download are written where the console user can open them."""
        if not reply.files:
            return []
        folder = self.app.config.state_dir / "console-files"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for item in reply.files:
            path = folder / f"{message_id}-{Path(item.filename).name}"
            path.write_bytes(item.read())
            saved.append(path)
        return saved

    def _on_job_event(self, event: JobEvent) -> None:
        job = event.job
        if job.guild_id != GUILD:
            return
        if event.kind == "finished":
            if self.terminal is not None:
                self.terminal.show_progress(None)
            reply = job_finished_reply(self.app.store, job, self.app.language(job.guild_id))
            self.show(reply, command=None)
            if self.prompt:
                print(self.prompt, end="", file=self.out, flush=True)  # the user's turn again
            return
        line = f"job #{job.id} {progress_text(job)} {job.message}"
        if self.terminal is not None and not self.terminal.dumb:
            self.terminal.show_progress(line)
        elif self.terminal is not None:
            print(line, file=self.out, flush=True)  # a dumb terminal: one line per update
        elif self.err.isatty():
            print(f"\r\x1b[2K{line}", end="", file=self.err, flush=True)
            self._bar_open = True
        elif not self.json_mode:
            print(line, file=self.err, flush=True)

    def _close_bar(self) -> None:
        if self._bar_open:
            print(file=self.err, flush=True)
            self._bar_open = False

    # -- input ---------------------------------------------------------------------------------

    def request_for(self, line: str) -> Request:
        """Build a request from a typed command line."""
        text = line.strip()
        prefix = self.app.config.prefix
        if text.startswith(prefix):
            text = text[len(prefix) :]
        elif text.startswith("/"):
            text = text[1:]
        name, _, rest = text.partition(" ")
        attachments, rest = self._attachments(rest)
        return Request(
            command=name,
            text=rest.strip(),
            user=self.user,
            guild_id=GUILD,
            channel_id=CHANNEL,
            message_id=self.new_id(),
            attachments=attachments,
            source="console",
        )

    def _attachments(self, rest: str) -> tuple[list[Attachment], str]:
        """`+attach PATH` reads a file from the owner's own disk, like a Discord upload. The rest
        of the line is kept exactly as typed (quotes included: they mean "this is text")."""
        if ATTACH not in rest:
            return [], rest
        tokens = tokenize(rest)
        found, kept = [], []
        limit = self.app.config.limits.attachment_bytes
        iterator = iter(tokens)
        for token in iterator:
            if token.quoted or token.value != ATTACH:
                kept.append(rest[token.start : token.end])
                continue
            following = next(iterator, None)
            path = Path(following.value if following else "").expanduser()
            if not path.is_file():
                raise UserError(self.app.text(GUILD, "console.no_attach", path=path))
            if path.stat().st_size > limit:
                raise UserError(
                    self.app.text(
                        GUILD, "console.attach_too_big", name=path.name, limit=f"{limit:,}"
                    )
                )
            found.append(Attachment(filename=path.name, data=path.read_bytes()))
        return found, " ".join(kept)

    async def handle_line(self, line: str) -> None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        word = stripped.lstrip(self.app.config.prefix).lstrip("/").split(" ", 1)[0].lower()
        if word in self.console_commands:
            rest = stripped.split(" ", 1)[1] if " " in stripped else ""
            result = self.console_commands[word](rest)
            if asyncio.iscoroutine(result):
                await result
            return
        try:
            request = self.request_for(stripped)
        except UserError as exc:
            self.show(Reply(text=str(exc), ok=False, kind="error"))
            return
        typed_command = stripped.startswith((self.app.config.prefix, "/"))
        if not typed_command and self.app.find_command(request.command) is None:
            # not a command name: maybe a sentence ("please train the model on reviews")
            understood = self.app.understand(
                stripped, user=self.user, guild_id=GUILD, channel_id=CHANNEL, source="console"
            )
            if understood is None:
                self.show(self._not_understood(request.command))
                return
            request = understood
        reply = await self.app.handle(request)
        self.show(reply, command=request.command)
        if reply.ok and reply.voice_action is not None:
            await self._voice_action(GUILD, reply.voice_action)

    def _not_understood(self, first_word: str) -> Reply:
        """A sentence with no command in it; a first word close to a command name is a typo."""
        if self.app.did_you_mean(first_word) is None:
            return Reply(text=self.app.text(GUILD, "error.not_understood"), ok=False)
        return self.app.unknown_command(first_word, GUILD)

    # -- voice channel -------------------------------------------------------------------------

    async def _open_voice(self) -> ConsoleVoice:
        if self.voice is None:
            from states.parts import build_parts

            parts = await build_parts(self.app.config, self.app, [GUILD])
            self.app.subscribe_names(parts.update_lists)
            registry = SessionRegistry(
                parts,
                self.app.handle,
                self.app.config.conversation,
                jobs=self.app.jobs,
                on_voice_action=self._voice_action,
            )
            folder = self.app.config.state_dir / "console-voice"
            self.voice = ConsoleVoice(registry, folder, print_text=False)
        return self.voice

    async def _voice_action(self, guild_id: str, action: str) -> None:
        """`join` opens the console's voice channel, `leave` closes it (typed or spoken)."""
        if action == "join":
            voice = await self._open_voice()
            if voice.session is None:
                await voice.join()
                self._note(
                    f"🔊 In the voice channel. `say FILE.wav` speaks; answers go to {voice.out_dir}"
                )
        elif self.voice is not None and self.voice.session is not None:
            await self.voice.leave()
            self._note("🔇 Left the voice channel.")

    def _note(self, text: str) -> None:
        if not self.json_mode:
            print(text, file=self.out, flush=True)

    async def _say_command(self, rest: str) -> None:
        """`say A.wav [B.wav ...]`: each file is one person speaking, all at once."""
        paths = [Path(p).expanduser() for p in shlex.split(rest)]
        missing = [str(p) for p in paths if not p.is_file()]
        if not paths or missing:
            text = (
                self.app.text(GUILD, "console.no_files", files=", ".join(missing))
                if missing
                else self.app.text(GUILD, "console.say_usage")
            )
            self.show(Reply(text=text, ok=False, kind="error"))
            return
        voice = await self._open_voice()
        if voice.session is None:
            await self._voice_action(GUILD, "join")
        try:
            trace = await voice.say(paths)
        except UserError as exc:  # unreadable audio
            self.show(Reply(text=str(exc), ok=False, kind="error"))
            return
        self.show_trace(trace)

    def show_trace(self, trace: list[TraceEntry]) -> None:
        if self.json_mode:
            for entry in trace:
                if entry.kind in SHOWN:
                    record = {"event": entry.kind, "speaker": entry.speaker, "text": entry.text}
                    print(json.dumps(record, ensure_ascii=False), file=self.out, flush=True)
        else:
            print(format_trace(trace), file=self.out, flush=True)

    async def close(self) -> None:
        if self.voice is not None:
            await self.voice.registry.close()
            self.voice.registry.parts.close()

    def running_jobs(self) -> list[int]:
        return [job.id for job in self.app.store.jobs(GUILD, active_only=True)]

    def _job_names(self) -> str:
        return ", ".join(f"#{job_id}" for job_id in self.running_jobs())

    def _ask_before_quit(self, again: str) -> str:
        """“A training job is running (#3); quitting now interrupts it...”; `again`: the key of
        how to quit anyway."""
        how = self.app.text(GUILD, again)
        return self.app.text(GUILD, "console.ask_before_quit", jobs=self._job_names(), again=how)

    def interrupt(self, main: asyncio.Task[Any]) -> None:
        """Ctrl-C: quit at once, unless a job runs; then ask, and a second Ctrl-C quits."""
        now = time.monotonic()
        if self.running_jobs() and now - self._ctrl_c_at > CTRL_C_CONFIRM_S:
            self._ctrl_c_at = now
            self._close_bar()
            print(file=self.out)
            self._note(self._ask_before_quit("console.again.ctrl_c"))
            if self.prompt:
                print(self.prompt, end="", file=self.out, flush=True)
            return
        print(file=self.out, flush=True)
        main.cancel()

    async def _wait_command(self, rest: str) -> None:
        await self.wait_for_jobs()

    async def wait_for_jobs(self) -> None:
        for job in self.app.store.jobs(GUILD, active_only=True):
            await self.app.jobs.wait(job.id)
        await asyncio.sleep(0)  # let the finished announcement print first

    async def run(self, stream: IO[str]) -> None:
        interactive = stream.isatty()
        if interactive and self.out.isatty() and not self.json_mode:
            await self.run_terminal()
            return
        self.prompt = PROMPT if interactive else ""
        if interactive and not self.json_mode:
            print(self.app.text(GUILD, "console.welcome"), file=self.out)
        quit_asked = False
        while True:
            line = await _next_line(stream, self.prompt)
            if line is None:
                break
            if line.strip().lower() in QUIT_WORDS:
                if not interactive or quit_asked or not self.running_jobs():
                    break
                quit_asked = True
                self._note(self._ask_before_quit("console.again.quit"))
                continue
            quit_asked = False
            await self.handle_safely(line)
        if not interactive:
            await self.wait_for_jobs()

    async def run_terminal(self) -> None:
        """A person at a terminal: edited input with history, output above the prompt."""
        self.terminal = Terminal(self.app.config.state_dir / "console-history")
        with self.terminal.printing():
            self.out = sys.stdout  # now the stream that prints above the prompt line
            print(self.app.text(GUILD, "console.welcome"), file=self.out)
            asked_at = -1e9
            while True:
                try:
                    line = await self.terminal.read(PROMPT)
                except KeyboardInterrupt:
                    line = "\x03"  # Ctrl-C at the prompt (the terminal is in raw mode)
                if line is None:
                    break
                ctrl_c = line == "\x03"
                if ctrl_c or line.strip().lower() in QUIT_WORDS:
                    now = time.monotonic()
                    if not self.running_jobs() or now - asked_at < CTRL_C_CONFIRM_S:
                        break
                    asked_at = now
                    again = "console.again.ctrl_c" if ctrl_c else "console.again.quit"
                    self._note(self._ask_before_quit(again))
                    continue
                asked_at = -1e9
                await self.handle_safely(line)

    async def handle_safely(self, line: str) -> None:
        try:
            await self.handle_line(line)
        except Exception:
            # the console itself must survive anything; the log has the details
            log.exception("console could not handle %r", line)
            self.show(Reply(text=self.app.text(GUILD, "console.failed"), ok=False))


async def _next_line(stream: IO[str], prompt: str) -> str | None:
    """The next line, read in a daemon thread: a blocked `input()` must not keep the process
    alive after SIGTERM or Ctrl-C (asyncio's own executor would wait for Enter first)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line)

    def read() -> None:
        line, error = None, None
        try:
            line = _read_line(stream, prompt)
        except Exception as exc:  # a closed stream: passed on to the console loop
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits
            loop.call_soon_threadsafe(deliver, line, error)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return await future


def _read_line(stream: IO[str], prompt: str) -> str | None:
    if prompt:
        try:
            return input(prompt)
        except EOFError:
            return None
    line = stream.readline()
    return line if line else None


async def run_console(
    app: Assistant, *, json_mode: bool, speak: list[str] | None = None, stream: IO[str] = sys.stdin
) -> None:
    """The console; with `speak`, join the voice channel, say those files, print what happened."""
    console = ConsoleTransport(app, json_mode=json_mode)
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if main is not None and stream.isatty():
        loop.add_signal_handler(signal.SIGINT, console.interrupt, main)
    if isinstance(stream, io.TextIOWrapper):
        # bytes that are not UTF-8 become U+FFFD: one odd line, not the end of the console
        stream.reconfigure(errors="replace")
    try:
        if speak:
            await console.handle_line("say " + " ".join(shlex.quote(f) for f in speak))
            await console.wait_for_jobs()
        else:
            await console.run(stream)
    finally:
        await console.close()
