"""The console's run: lines in until the user quits, and `run_console`, its entry point.

Interactive on a terminal (`console_terminal.Terminal`: a prompt with editing and history, a
live progress line); on a pipe it reads one command per line and, at the end of input, waits for
running jobs so scripts see their results. `quit` or Ctrl-C while a job runs asks first; saying
it again within CTRL_C_CONFIRM_S quits. Apart from the transport (`transports/console.py`), which
answers one line: this decides when lines are read and when the console ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from assistant.app import Assistant
from assistant.loop_threads import start_loop_threads
from transports.console import GUILD, ConsoleTransport
from transports.console_terminal import Terminal

QUIT_WORDS = {"quit", "exit", "q"}
PROMPT = "trainer> "
CTRL_C_CONFIRM_S = 10.0
"""A second Ctrl-C within this many seconds of the question quits."""


@dataclass
class ConsoleLoop:
    """Reads lines for `console` until the end of input or a quit."""

    console: ConsoleTransport
    _ctrl_c_at: float = -1e9

    def _ask_before_quit(self, again: str) -> str:
        """“A training job is running (#3); quitting now interrupts it...”; `again`: the key of
        how to quit anyway."""
        app = self.console.app
        jobs = ", ".join(f"#{job_id}" for job_id in self.console.running_jobs())
        how = app.text(GUILD, again)
        return app.text(GUILD, "console.ask_before_quit", jobs=jobs, again=how)

    def interrupt(self, main: asyncio.Task[Any]) -> None:
        """Ctrl-C: quit at once, unless a job runs; then ask, and a second Ctrl-C quits."""
        console = self.console
        now = time.monotonic()
        if console.running_jobs() and now - self._ctrl_c_at > CTRL_C_CONFIRM_S:
            self._ctrl_c_at = now
            console.close_bar()
            print(file=console.out)
            console.note(self._ask_before_quit("console.again.ctrl_c"))
            if console.prompt:
                print(console.prompt, end="", file=console.out, flush=True)
            return
        print(file=console.out, flush=True)
        main.cancel()

    async def run(self, stream: IO[str]) -> None:
        console = self.console
        interactive = stream.isatty()
        if interactive and console.out.isatty() and not console.json_mode:
            await self.run_terminal()
            return
        console.prompt = PROMPT if interactive else ""
        if interactive and not console.json_mode:
            print(console.app.text(GUILD, "console.welcome"), file=console.out)
        quit_asked = False
        while True:
            line = await _next_line(stream, console.prompt)
            if line is None:
                break
            if line.strip().lower() in QUIT_WORDS:
                if not interactive or quit_asked or not console.running_jobs():
                    break
                quit_asked = True
                console.note(self._ask_before_quit("console.again.quit"))
                continue
            quit_asked = False
            await console.handle_safely(line)
        if not interactive:
            await console.wait_for_jobs()

    async def run_terminal(self) -> None:
        """A person at a terminal: edited input with history, output above the prompt."""
        console = self.console
        terminal = console.terminal = Terminal(console.app.config.state_dir / "console-history")
        with terminal.printing():
            console.out = sys.stdout  # now the stream that prints above the prompt line
            print(console.app.text(GUILD, "console.welcome"), file=console.out)
            asked_at = -1e9
            while True:
                try:
                    line = await terminal.read(PROMPT)
                except KeyboardInterrupt:
                    line = "\x03"  # Ctrl-C at the prompt (the terminal is in raw mode)
                if line is None:
                    break
                ctrl_c = line == "\x03"
                if ctrl_c or line.strip().lower() in QUIT_WORDS:
                    now = time.monotonic()
                    if not console.running_jobs() or now - asked_at < CTRL_C_CONFIRM_S:
                        break
                    asked_at = now
                    again = "console.again.ctrl_c" if ctrl_c else "console.again.quit"
                    console.note(self._ask_before_quit(again))
                    continue
                asked_at = -1e9
                await console.handle_safely(line)


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
    await start_loop_threads()
    console = ConsoleTransport(app, json_mode=json_mode)
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    console_loop = ConsoleLoop(console)
    if main is not None and stream.isatty():
        loop.add_signal_handler(signal.SIGINT, console_loop.interrupt, main)
    if isinstance(stream, io.TextIOWrapper):
        # bytes that are not UTF-8 become U+FFFD: one odd line, not the end of the console
        stream.reconfigure(errors="replace")
    try:
        if speak:
            await console.voice.say_files([Path(name) for name in speak])
            await console.wait_for_jobs()
        else:
            await console_loop.run(stream)
    finally:
        await console.close()
