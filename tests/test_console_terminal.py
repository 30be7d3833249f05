"""The console as a person meets it: help, typos, polite words, a real terminal (pexpect)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from assistant import i18n
from assistant.app import Assistant
from assistant.config import load_config
from assistant.messages import Request, User
from audio.decision import Hearing, StageReport
from states.trace import TraceEntry
from tests.consoles import ROOT, make_workdir, run_console
from transports.console_voice import format_trace

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
UP, LEFT, BACKSPACE = "\x1b[A", "\x1b[D", "\x7f"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)


def test_help_lists_the_console_commands(workdir: Path) -> None:
    out = run_console(workdir, "help\n")
    for line in ("`+attach PATH`", "`say FILE.wav ...`", "`wait`", "`quit`", "`!train"):
        assert line in out
    assert "**" not in out and "\x1b[" not in out  # a pipe gets plain text


async def test_discord_help_lists_optout_and_optin(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"data_root: {tmp_path}/data\nstate_dir: {tmp_path}/s\n")
    (tmp_path / "data").mkdir()
    app = Assistant(load_config(tmp_path / "config.yaml"))
    user = User(id="1", name="alice")
    request = Request(command="help", text="", user=user, guild_id="g", channel_id="c")
    try:
        text = (await app.handle(Request(**{**request.__dict__, "source": "text"}))).text
        console = (await app.handle(request)).text
        # each line it lists is explained by `help <name>` too, as a command is
        asked = Request(**{**request.__dict__, "source": "text", "text": "optout"})
        optout = (await app.handle(asked)).text
    finally:
        await app.close()
    assert "`!optout`" in text and "`!optin`" in text and "+attach" not in text
    assert "+attach" in console and "optout" not in console
    assert optout.startswith("`!optout`: stop the bot") and optout in text, optout


def test_typos_polite_words_and_json_stay_machine_readable(workdir: Path) -> None:
    out = run_console(
        workdir, "trian\nstatus please\nselect_dataset reviews please\nhelp please\n", "--json"
    )
    replies = [json.loads(line) for line in out.splitlines()]
    typo, status, selected, helped = replies
    assert not typo["ok"] and "Did you mean `train`?" in typo["text"]
    assert status["ok"] and status["text"].startswith("**Status**")
    assert selected["ok"] and selected["data"]["dataset"] == "reviews"
    assert helped["ok"] and "`quit`" in helped["text"]
    far = run_console(workdir, "what a lovely day outside\n")
    assert "didn't find a command" in far and "Did you mean" not in far


def test_voice_trace_speaks_plainly() -> None:
    grammar = StageReport("grammar", "hi", None, "accepted", "a command", 95.0)
    neural = StageReport("neural", "Hey trainer.", 0.0, "wake only", "the wake phrase alone", 812)
    wake = Hearing("", True, None, False, 1.0, "neural", [grammar, neural])
    trace = [
        TraceEntry(10.0, "transition", "speech_started", "console", {}),
        TraceEntry(10.5, "ignored", "speech_started", "console-2", {}),
        TraceEntry(11.0, "heard", "", "console", {"hearing": wake}),
        TraceEntry(12.0, "heard", "status", "console-2", {}),
        TraceEntry(12.5, "said", "Nothing is running.", None, {}),
    ]
    text = format_trace(trace)
    # "Hey trainer" alone was shown as "heard you: (no words I could make out)", and then
    # answered "Yes? I'm listening.": the console said it heard nothing it then answered.
    assert text.splitlines() == [
        "  1.00s heard you: (the wake phrase alone)",
        "        grammar 'hi' accepted (a command) 95 ms | neural 'Hey trainer.' 0.00 wake only"
        " (the wake phrase alone) 812 ms | -> wake phrase",
        "  2.00s heard speaker 2: status",
        "  2.50s said: Nothing is running.",
    ]


def test_voice_trace_speaks_the_servers_language() -> None:
    """A Russian server's console showed its voice trace in English ("heard you", "(nothing
    happened)"); the debug view under a hearing stays as the log has it."""
    trace = [
        TraceEntry(10.0, "heard", "статус", "console", {}),
        TraceEntry(10.5, "barge_in", "", "console-2", {}),
        TraceEntry(11.0, "said", "Ничего не запущено.", None, {}),
    ]
    with i18n.speaking("ru"):
        text = format_trace(trace)
        nothing = format_trace([])
    assert text.splitlines() == [
        "  0.00s услышано (вы): статус",
        "  0.50s перебили (говорящий 2): ",
        "  1.00s сказано: Ничего не запущено.",
    ]
    assert nothing == "(ничего не произошло)"
    assert format_trace([]) == "(nothing happened)"


class Terminal(pexpect.spawn):
    """A terminal emulator's side of the pty: it answers the cursor-position requests that
    prompt_toolkit sends to learn how much room is below the prompt (for the progress line)."""

    CPR = "\x1b\\[6n"

    def expect(self, pattern: Any, *args: Any, **kwargs: Any) -> int:
        patterns = pattern if isinstance(pattern, list) else [pattern]
        while True:
            index = super().expect([*patterns, self.CPR], *args, **kwargs)
            if index < len(patterns):
                return index
            self.send("\x1b[20;1R")  # row 20 of 40: twenty rows below the cursor

    def type(self, keys: str, until: str) -> str:
        """At the prompt, type `keys` and Enter; return what was shown up to `until`."""
        self.expect("trainer>")
        self.send(keys + "\r")
        self.expect(until)
        return str(self.before)

    def quit(self) -> None:
        self.expect("trainer>")
        self.send("quit\r")  # typed keys wait in the pty until the prompt reads them
        self.expect(pexpect.EOF)


def spawn(workdir: Path, term: str) -> Terminal:
    env = {**os.environ, "TERM": term}
    child = Terminal(
        sys.executable,
        [str(ROOT / "bot.py"), "--config", "config.yaml", "console"],
        cwd=str(workdir),
        env=env,
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 120),
    )
    child.logfile_read = (workdir / "terminal.log").open("w")  # shown when a test fails
    return child


def test_terminal_edits_lines_recalls_history_and_renders_markdown(workdir: Path) -> None:
    console = spawn(workdir, "xterm-256color")
    console.type("statxus" + LEFT + LEFT + BACKSPACE, "Active dataset:")  # fixed typo
    console.type(UP, "Active dataset:")  # the previous command again
    shown = console.type("help", "shows a guide")
    assert "\x1b[1m" in shown  # **Commands** is bold, not asterisks
    assert "**" not in ANSI.sub("", shown)
    console.quit()
    history = (workdir / "state" / "console-history").read_text()
    assert "+status\n" in history and "+help\n" in history


def test_progress_line_never_swallows_typing(workdir: Path) -> None:
    console = spawn(workdir, "xterm-256color")
    console.type("select_dataset reviews", "Active dataset")
    console.send("train\r")
    console.send("sta")  # typed while the job reports progress
    console.expect("job #1 [░█]+ ")  # the bar, drawn on its own line under the prompt
    console.expect("Training job #1 finished")
    console.type("tus", "Model: .*v0001")
    console.quit()


def test_dumb_terminal_gets_no_colours(workdir: Path) -> None:
    console = spawn(workdir, "dumb")
    text = console.type("instruction", "Paths are always")
    assert not re.search(r"\x1b\[[0-9;]*m", text)  # no colour or bold codes
    assert "How to use Trainer" in text and "`select_dataset`" not in text
    assert "|---|" not in text and "{{commands}}" not in text  # the table was laid out
    console.quit()


def test_dumb_terminal_shows_each_reply_before_the_next_prompt(workdir: Path) -> None:
    """A dumb terminal has no prompt to redraw: a reply printed after the prompt stays after it,
    and the user waits at a line without one. Replies went through prompt_toolkit's writer
    thread, which pauses after each line printed while a prompt waits (here a running job's
    progress), and the next prompt came first."""
    console = spawn(workdir, "dumb")
    console.type("select_dataset reviews", "Active dataset")
    console.expect("trainer>")
    console.send("train\r")
    console.expect("trainer>")
    for _ in range(6):
        console.send("status\r")
        console.expect("trainer>")
        assert "Active dataset:" in str(console.before), console.before
    console.expect("Training job #1 finished")
    console.send("quit\r")
    console.expect(pexpect.EOF)
