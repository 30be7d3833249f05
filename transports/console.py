"""The local console: a guild of its own where the machine's owner types commands.

The transport answers one line at a time: a console command (`wait`, `say`), a typed command, or
a sentence understood as one; it prints each reply (text on a terminal, or with `--json` one JSON
object per reply on standard output) and the progress of the console's jobs. When lines are read
and when the console ends is `transports/console_loop.py`; the voice channel (`join`, `say`) is
`transports/console_voice.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from assistant import i18n
from assistant.app import Assistant
from assistant.commands.basic import already_joined
from assistant.commands.polite import strip_polite
from assistant.commands.quoted_text import tokenize
from assistant.errors import DatabaseUnreachable, UserError
from assistant.messages import Attachment, Reply, Request, User
from assistant.reports import job_finished_reply, progress_text
from assistant.training.jobs import JobEvent
from transports.console_paths import first_path, names_audio
from transports.console_terminal import Terminal, plain, render_markdown
from transports.console_voice import VoiceCommands
from transports.typed_spaces import spaced

log = logging.getLogger(__name__)

GUILD = CHANNEL = "console"
ATTACH = "+attach"


@dataclass
class ConsoleTransport:
    app: Assistant
    json_mode: bool = False
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    err: IO[str] = field(default_factory=lambda: sys.stderr)
    user: User = field(default_factory=lambda: User(id="console", name="console"))
    console_commands: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    """Extra commands that only make sense here (voice mode adds `say`)."""
    prompt: str = ""
    """Shown when waiting for input on a terminal; redrawn after announcements."""
    terminal: Terminal | None = None
    """Line editing, history and the progress line, when a person types at a real terminal."""
    voice: VoiceCommands = field(init=False)
    """`join`, `leave` and `say`: the console's voice channel (console_voice.py)."""
    _next_id: int = 0
    _bar_open: bool = False
    _suggested: str | None = None
    """The command the last reply suggested ("Did you mean `test`?"): `yes` runs it."""

    def __post_init__(self) -> None:
        if self.app.config.permissions.console_user_is_admin:
            # the owner at the keyboard; with it off, the console user has no roles at all
            self.user = User(
                id=self.user.id,
                name=self.user.name,
                roles=self.user.roles | {"admin"},
                is_admin=True,
            )
        self.voice = VoiceCommands(self, GUILD)
        self.app.jobs.subscribe(self._on_job_event)
        self.console_commands.setdefault("wait", self._wait_command)
        self.console_commands.setdefault("say", self.voice.say)

    # -- output --------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A message id unique across sessions and restarts, so `correct 87` can never reach a
        reply of an earlier session that happened to get the same number."""
        try:
            if self._next_id == 0:
                numbers = [int(i) for i in self.app.store.reply_ids(GUILD) if i.isdigit()]
                self._next_id = max(numbers, default=0)
            self._next_id = self.app.store.next_number("console message", at_least=self._next_id)
        except DatabaseUnreachable:  # counted here until it is back (its replies say so)
            self._next_id += 1
        return str(self._next_id)

    def show(self, reply: Reply, command: str | None = None) -> str:
        """Print a reply, remember it under a message id, and return that id."""
        self.close_bar()
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

    def keep_files(self, reply: Reply) -> list[Path]:
        """A spoken reply's files, saved as a typed reply's are (under a number of their own)."""
        return self._save_files(self.new_id(), reply)

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
            if reply is None:
                return
            self.show(reply, command=None)
            if self.prompt:
                print(self.prompt, end="", file=self.out, flush=True)  # the user's turn again
            return
        with i18n.speaking(self.app.language(job.guild_id)):
            message = i18n.render(job.message)
            line = i18n.tr("job.progress_line", job=job.id, bar=progress_text(job), message=message)
        if self.terminal is not None and not self.terminal.dumb:
            self.terminal.show_progress(line)
        elif self.terminal is not None:
            print(line, file=self.out, flush=True)  # a dumb terminal: one line per update
        elif self.err.isatty():
            print(f"\r\x1b[2K{line}", end="", file=self.err, flush=True)
            self._bar_open = True
        elif not self.json_mode:
            # No terminal to draw a bar on: a line per update. With the replies going to a pipe
            # or a file, on their stream: a reader of two pipes sees them in no order between
            # the pipes, and a job's progress arrived after its result.
            print(line, file=self.err if self.out.isatty() else self.out, flush=True)

    def close_bar(self) -> None:
        if self._bar_open:
            print(file=self.err, flush=True)
            self._bar_open = False

    def note(self, text: str) -> None:
        """A line for the person at the console (not in `--json` mode)."""
        if not self.json_mode:
            print(text, file=self.out, flush=True)

    # -- input ---------------------------------------------------------------------------------

    def request_for(self, line: str) -> Request:
        """Build a request from a typed command line."""
        text = spaced(line).strip()
        prefix = self.app.config.prefix
        if text.startswith(prefix):
            text = text[len(prefix) :]
        elif text.startswith("/"):
            text = text[1:]
        name, _, rest = text.partition(" ")
        if name == ATTACH:  # a file with no command: say which commands take one
            shown = {"train": f"train {text}", "test": f"test {text}"}
            raise UserError(self.app.text(GUILD, "console.attach_alone", **shown))
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
        while tokens:
            token, tokens = tokens[0], tokens[1:]
            if token.quoted or token.value != ATTACH:
                kept.append(rest[token.start : token.end])
                continue
            if not tokens:
                raise UserError(self.app.text(GUILD, "console.attach_usage"))
            path, used = first_path(tokens)
            tokens = tokens[used:]
            if not path.is_file():
                problem = (
                    "console.attach_folder"
                    if path.is_dir()
                    else "console.attach_not_file"
                    if path.exists()
                    else "console.no_attach"
                )
                raise UserError(self.app.text(GUILD, problem, path=path))
            if path.stat().st_size > limit:
                raise UserError(
                    self.app.text(
                        GUILD,
                        "console.attach_too_big",
                        name=path.name,
                        limit=i18n.tr_count(
                            "number.bytes", limit, language=self.app.language(GUILD)
                        ),
                    )
                )
            found.append(Attachment(filename=path.name, data=path.read_bytes()))
        return found, " ".join(kept)

    async def handle_line(self, line: str) -> None:
        stripped = spaced(line).strip()
        if not stripped or stripped.startswith("#"):
            return
        suggested, self._suggested = self._suggested, None
        if suggested is not None and self._is_yes(stripped):
            stripped = suggested
        word = stripped.lstrip(self.app.config.prefix).lstrip("/").split(" ", 1)[0].lower()
        if word in self.console_commands and self._is_console_own(word, stripped):
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
        # So the reply names the command it ran; off the loop, as `handle` does it.
        request = await asyncio.to_thread(self.app.reading.as_sentence, request)
        typed_command = stripped.startswith((self.app.config.prefix, "/"))
        if not typed_command and self.app.find_command(request.command) is None:
            # not a command name: maybe a sentence ("please train the model on reviews")
            understood = self.app.reading.understand(
                stripped, user=self.user, guild_id=GUILD, channel_id=CHANNEL, source="console"
            )
            if understood is None:
                self._offer(await self._not_understood(request.command, stripped))
                return
            request = understood
        reply = await self.app.handle(request, read=True)
        if reply.ok and reply.voice_action == "leave" and not self.voice.in_voice:
            # as on Discord: no "Leaving the voice channel. Bye!" from one never joined
            reply = Reply(text=self.app.text(GUILD, "voice.not_in_voice"), ok=False, kind="error")
        elif reply.ok and reply.voice_action == "join" and self.voice.in_voice:
            # as on Discord: a `say` had joined
            reply = already_joined(self.app.language(GUILD), self.app.config.voice.wake_phrases)
        if not reply.ok and (reply.data or {}).get("suggested"):
            self._offer(reply)  # `!pleas`: an unknown command name
        else:
            self.show(reply, command=request.command)
        if reply.ok and reply.voice_action is not None:
            await self.voice.action(GUILD, reply.voice_action)

    def _offer(self, reply: Reply) -> None:
        """Show a reply to a line that was no command; a command it suggests (one that runs
        without arguments) is run by answering `yes`."""
        data = reply.data or {}
        self._suggested = None
        if data.get("suggested"):
            # the line as shown ("archive movie_reviews", the command as the guild calls it)
            shown = data.get("suggested_line") or i18n.command_name(
                self.app.language(GUILD), data["suggested"]
            )
            named = shown.partition(" ")[2] if data.get("suggested_options") else ""
            self._suggested = f"{data['suggested']} {named}".strip()
            hint = self.app.text(GUILD, "console.yes_runs", name=shown)
            reply = dataclasses.replace(reply, text=reply.text + hint)
        self.show(reply)

    def _is_yes(self, line: str) -> bool:
        words = i18n.word_list(self.app.language(GUILD), "console.yes_words")
        return line.strip(" .!").lower() in words

    async def _not_understood(self, first_word: str, line: str) -> Reply:
        """A sentence with no command in it; a first word close to a command name is a typo,
        unless it is a short word of the sentence ("i love this bot" is not a mistyped `hi`)."""
        word = len(first_word) >= 3 or first_word.strip() == line.strip()
        typo = word and self.app.reading.did_you_mean(first_word) is not None
        return await self.app.not_understood(
            line, GUILD, name=first_word if typo else None, user=self.user
        )

    async def handle_safely(self, line: str) -> None:
        try:
            await self.handle_line(line)
        except DatabaseUnreachable as exc:  # the reply of any command meanwhile
            log.error("console could not handle %r: %s", line, exc)
            text = self.app.text(GUILD, "error.database_unreachable")
            self.show(Reply(text=text, ok=False, kind="error"))
        except Exception:
            # the console itself must survive anything; the log has the details
            log.exception("console could not handle %r", line)
            self.show(Reply(text=self.app.text(GUILD, "console.failed"), ok=False))

    # -- jobs, closing -------------------------------------------------------------------------

    async def close(self) -> None:
        await self.voice.close()

    def running_jobs(self) -> list[int]:
        return [job.id for job in self.app.store.jobs(GUILD, active_only=True)]

    def _is_console_own(self, word: str, line: str) -> bool:
        """The line is the console's own command: `wait` alone and `say` with files are; "wait,
        cancel that" and "say hi" are lines for the bot (they had waited for jobs and looked
        for a file called `hi`)."""
        rest = line.split(" ", 1)[1] if " " in line else ""
        if word == "wait":
            return not strip_polite(rest).strip()
        if word == "say":
            return not rest.strip() or names_audio(rest)
        return True

    async def _wait_command(self, rest: str) -> None:
        await self.wait_for_jobs()

    async def wait_for_jobs(self) -> None:
        # The newest jobs too, not only those the database calls active: with the job queue a
        # job a worker has just ended is announced when this process next reads its row, and
        # `wait` returned before that announcement, which then came after later replies.
        newest = self.app.store.jobs(GUILD, limit=5)
        for job in {
            j.id: j for j in [*self.app.store.jobs(GUILD, active_only=True), *newest]
        }.values():
            await self.app.jobs.wait(job.id)
        await asyncio.sleep(0)  # let the finished announcement print first
