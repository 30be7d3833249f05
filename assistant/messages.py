"""What a transport hands to a command, and what it gets back.

Plain dataclasses, so the console, Discord and the voice pipeline only translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Source = Literal["text", "slash", "voice", "console"]


@dataclass(frozen=True)
class User:
    """The person who asked."""

    id: str
    """Stable id (Discord snowflake, or "console")."""
    name: str
    """Display name, used in greetings and records."""
    roles: frozenset[str] = frozenset()
    """Role names, matched against `permissions` in config.yaml."""
    is_admin: bool = False
    """Guild administrators and the console user pass every permission check."""
    roles_seen: bool = True
    """False in a direct message: Discord sends no roles there, so a refusal says so."""
    server_roles: frozenset[str] | None = None
    """The names of every role of the server asked on, where the transport knows them
    (Discord): a refusal then says when config.yaml names a role the server does not have."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a command. Content is already in memory, bounded by the transport."""

    filename: str
    """Name as the user sent it; never used as a path."""
    data: bytes
    """The file's bytes."""
    content_type: str | None = None
    """MIME type the transport reported, if any."""


@dataclass
class Request:
    """One command invocation, from any transport."""

    command: str
    """Command name without prefix, e.g. "train"."""
    text: str = ""
    """Everything after the command name, unparsed."""
    user: User = field(default_factory=lambda: User(id="console", name="console", is_admin=True))
    guild_id: str = "console"
    """The guild (server) the request belongs to; the console is a guild of its own."""
    channel_id: str = "console"
    message_id: str | None = None
    """Id of the user's message, when the transport has one."""
    reply_to: str | None = None
    """Id of the bot message the user replied to (used by `correct`)."""
    attachments: list[Attachment] = field(default_factory=list)
    unread_files: tuple[str, ...] = ()
    """Names of files sent with a command that takes none, which the transport did not
    download (Discord): the reply says they were not used, as it does of `attachments`."""
    options: dict[str, Any] | None = None
    """Already-parsed options (slash commands, voice slots); when set, `text` is ignored."""
    source: Source = "console"

    @property
    def typed(self) -> bool:
        """Written as a line (in Discord or the console), where quotes group words; a slash
        command's options and a spoken request arrive already split, with nothing to quote."""
        return self.source in ("text", "console")


@dataclass
class ReplyFile:
    """A file to send back: either a path inside the data or state folders, or bytes."""

    filename: str
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass
class Reply:
    """The answer to a request."""

    text: str
    """Markdown-ish text for the eye."""
    ok: bool = True
    """False for errors; transports render those as error embeds / red text."""
    speech: str | None = None
    """Short form for text-to-speech; falls back to `text` when None."""
    files: list[ReplyFile] = field(default_factory=list)
    data: dict[str, Any] | None = None
    """Machine-readable payload (for `--json` and tests)."""
    job_id: int | None = None
    """A started background job whose progress the transport may show."""
    kind: str = "info"
    """What the reply is, e.g. "prediction", "transcript", "file" (the file is the answer);
    `correct` uses it."""
    voice_action: Literal["join", "leave"] | None = None
    """Set by join/leave so that the transport connects or disconnects voice."""

    @property
    def spoken(self) -> str:
        return self.speech if self.speech is not None else self.text
