"""The console on a real terminal: line editing, history, a progress line, Markdown.

Replies are written for Discord (Markdown where a newline is a line break); on a terminal they are
rendered with `rich`, which drops colour by itself on `TERM=dumb` or with `NO_COLOR` set. Input goes
through prompt_toolkit: arrow keys edit, Up recalls earlier commands (kept in a history file), and
anything printed while the user types appears above the prompt instead of inside their line.
A running job's progress bar is the prompt's bottom line, so it never mixes with typing either.

    terminal = Terminal(history=Path("state/console-history"))
    with terminal.printing():              # sys.stdout now prints above the prompt
        line = await terminal.read("trainer> ")
        terminal.show_progress("job #1 [#####-----] 50% training")
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.markdown import Markdown

FENCE = "```"
DUMB_TERMS = ("dumb", "unknown", "")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(text: str) -> str:
    """Reply text for a pipe: as written, only Discord's **bold** markers dropped."""
    return BOLD.sub(r"\1", text)


def _hard_breaks(text: str) -> str:
    """Discord shows every newline as a line break; Markdown joins lines of a paragraph. Mark the
    breaks so the terminal looks like Discord (code blocks and table rows keep their lines)."""
    lines = text.split("\n")
    out: list[str] = []
    in_code = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(FENCE):
            in_code = not in_code
        following = lines[i + 1] if i + 1 < len(lines) else ""
        breaks = (
            not in_code
            and line.strip()
            and following.strip()
            and not line.lstrip().startswith(("|", FENCE))
        )
        out.append(line + "  " if breaks else line)
    return "\n".join(out)


def render_markdown(text: str, *, width: int | None = None) -> str:
    """Reply text as terminal output: styles where the terminal has colour, layout always."""
    columns = width or shutil.get_terminal_size((100, 24)).columns
    dumb = os.environ.get("TERM", "") in DUMB_TERMS
    console = Console(
        file=io.StringIO(),
        force_terminal=not dumb,
        no_color="NO_COLOR" in os.environ,
        width=columns,
        highlight=False,
        emoji=False,
    )
    console.print(Markdown(_hard_breaks(text)))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.strip("\n").split("\n"))


@dataclass
class Terminal:
    """Line input with editing and history, output above the prompt, a progress line."""

    history: Path
    """File that keeps typed commands between runs (Up recalls them)."""
    _session: PromptSession[str] | None = field(default=None, init=False)

    @property
    def session(self) -> PromptSession[str]:
        if self._session is None:
            self.history.parent.mkdir(parents=True, exist_ok=True)
            self._session = PromptSession(history=FileHistory(str(self.history)))
        return self._session

    @property
    def dumb(self) -> bool:
        """A terminal without cursor movement (`TERM=dumb`): no toolbar, lines are printed."""
        return os.environ.get("TERM", "") in DUMB_TERMS

    @contextmanager
    def printing(self) -> Iterator[None]:
        """While inside, `sys.stdout` writes above the prompt line (read `sys.stdout` again).

        Not on a dumb terminal: there is no prompt line to redraw, and prompt_toolkit's writer
        thread (it pauses after each line printed while a prompt waits) let the next prompt
        come before a reply, which the user then waited under with no prompt shown."""
        if self.dumb:
            yield
            return
        with patch_stdout(raw=True):
            yield

    async def read(self, prompt: str) -> str | None:
        """One edited line; None at end of input (Ctrl-D). Ctrl-C raises KeyboardInterrupt."""
        try:
            return await self.session.prompt_async(prompt)
        except EOFError:
            return None

    def show_progress(self, line: str | None) -> None:
        """Show `line` under the prompt (None removes it) and redraw."""
        session = self.session
        session.bottom_toolbar = line
        if session.app.is_running:
            session.app.invalidate()
