"""Turn a `Reply` into what discord.py sends: content, an error embed, files."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import discord

from assistant.messages import Reply

log = logging.getLogger(__name__)

MESSAGE_CHARS = 2000
EMBED_CHARS = 4000
MAX_FILES = 10
ERROR_COLOUR = discord.Colour.from_rgb(0xD9, 0x3F, 0x3F)
ERROR_TITLE = "Couldn't do that"


@dataclass
class Rendered:
    content: str | None = None
    embed: discord.Embed | None = None
    files: list[discord.File] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content": self.content}
        if self.embed is not None:
            out["embed"] = self.embed
        if self.files:
            out["files"] = self.files
        return out


def error_embed(text: str) -> discord.Embed:
    return discord.Embed(title=ERROR_TITLE, description=text[:EMBED_CHARS], colour=ERROR_COLOUR)


def render(reply: Reply, send_limit: int) -> Rendered:
    """Errors become a red embed; long text is cut and attached in full; files over the
    send limit (or unreadable) are replaced by a note instead of failing the whole reply."""
    out = Rendered()
    notes: list[str] = []
    for reply_file in reply.files[:MAX_FILES]:
        try:
            data = reply_file.read()
        except OSError as exc:
            log.warning("reply file %s unreadable: %s", reply_file.filename, exc)
            notes.append(f"({reply_file.filename} could not be read.)")
            continue
        if len(data) > send_limit:
            notes.append(
                f"({reply_file.filename} is larger than the {send_limit:,} bytes I may send.)"
            )
            continue
        out.files.append(discord.File(io.BytesIO(data), filename=reply_file.filename))
    text = "\n".join([reply.text, *notes]).strip() or "Done."
    if not reply.ok:
        out.embed = error_embed(text)
        return out
    if len(text) > MESSAGE_CHARS:
        out.files.append(discord.File(io.BytesIO(text.encode()), filename="reply.txt"))
        text = text[: MESSAGE_CHARS - 40].rstrip() + "\n… (full text in reply.txt)"
    out.content = text
    return out
