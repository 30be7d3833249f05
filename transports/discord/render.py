"""Turn a `Reply` into what discord.py sends: content, an error embed or embed pages, files."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import discord

from assistant import i18n
from assistant.messages import Reply

from .pages import EMBED_DESCRIPTION_CHARS, MESSAGE_CHARS, PAGE_CHARS, paginate, tables_as_code

log = logging.getLogger(__name__)

EMBED_CHARS = EMBED_DESCRIPTION_CHARS
MAX_FILES = 10
TITLE_CHARS = 256
"""Discord's limit on an embed title."""
PLAIN_PAGE_CHARS = MESSAGE_CHARS - TITLE_CHARS - 50
"""A page sent as content: its title and "Page 2 of 3" fit beside it in 2,000 characters."""
ERROR_COLOUR = discord.Colour.from_rgb(0xD9, 0x3F, 0x3F)
PAGE_COLOUR = discord.Colour.from_rgb(0x3F, 0x7F, 0xD9)


@dataclass
class Rendered:
    content: str | None = None
    embed: discord.Embed | None = None
    files: list[discord.File] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    """All pages of a long reply (the embed shows the first); empty for a short one."""
    title: str = ""
    """The pages' embed title (a leading `# heading` of the reply)."""
    language: str = i18n.ENGLISH

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content": self.content}
        if self.embed is not None:
            out["embed"] = self.embed
        if self.files:
            out["files"] = self.files
        return out


def shows_embeds(destination: Any) -> bool:
    """Whether what I send to `destination` may carry embeds: not in a server channel where
    I lack Embed Links. An interaction's answer (a context of one, or its follow-up webhook)
    says so itself (`app_permissions`); a DM, or a channel discord.py does not know, may."""
    interaction = getattr(destination, "interaction", None)
    if interaction is not None:
        return bool(interaction.app_permissions.embed_links)
    if isinstance(destination, discord.Webhook):
        return True
    channel = getattr(destination, "channel", destination)
    guild = getattr(channel, "guild", None)
    if guild is None or not hasattr(channel, "permissions_for"):
        return True
    return bool(channel.permissions_for(guild.me).embed_links)


def error_embed(text: str, language: str = i18n.ENGLISH) -> discord.Embed:
    title = i18n.message(language, "error.title")
    return discord.Embed(title=title, description=text[:EMBED_CHARS], colour=ERROR_COLOUR)


def page_embed(title: str, pages: list[str], number: int, language: str) -> discord.Embed:
    """Page `number` (0-based) of a paged reply, with "Page 2 of 3" in its footer."""
    embed = discord.Embed(
        title=title or None, description=pages[number][:EMBED_CHARS], colour=PAGE_COLOUR
    )
    if len(pages) > 1:
        footer = i18n.message(language, "pages.footer", page=number + 1, pages=len(pages))
        embed.set_footer(text=footer)
    return embed


def page_text(title: str, pages: list[str], number: int, language: str) -> str:
    """Page `number` of a paged reply as message content, for a channel where I may not
    embed: its title in bold, "Page 2 of 3" in small text under it."""
    head = f"**{title}**\n" if title else ""
    footer = i18n.message(language, "pages.footer", page=number + 1, pages=len(pages))
    foot = f"\n-# {footer}" if len(pages) > 1 else ""
    return f"{head}{pages[number]}{foot}"[:MESSAGE_CHARS]


def page_kwargs(
    title: str, pages: list[str], number: int, language: str, *, embeds: bool
) -> dict[str, Any]:
    """What shows page `number`: an embed (the content, a job's progress line, stays as it
    is), or (`embeds` False) content alone."""
    if embeds:
        return {"embed": page_embed(title, pages, number, language)}
    return {"content": page_text(title, pages, number, language), "embed": None}


def _title(text: str) -> tuple[str, str]:
    """A leading Markdown heading becomes the embed title (embeds render no `#` headings)."""
    first, _, rest = text.partition("\n")
    if first.startswith("#"):
        return first.lstrip("#").strip()[:TITLE_CHARS], rest.strip("\n")
    return "", text


def render(
    reply: Reply, send_limit: int, language: str = i18n.ENGLISH, *, embeds: bool = True
) -> Rendered:
    """Errors become a red embed; text that does not fit one message, or holds a Markdown
    table, becomes embed pages (tables as code blocks); files over the send limit (or
    unreadable) are replaced by a note instead of failing the whole reply. Where I may not
    embed (`embeds` False: Discord refuses a message of embeds alone there, and drops those
    of one with text), errors are text under their title and pages are messages' content."""
    out = Rendered(language=language)
    notes: list[str] = []
    for reply_file in reply.files[:MAX_FILES]:
        try:
            data = reply_file.read()
        except OSError as exc:
            log.warning("reply file %s unreadable: %s", reply_file.filename, exc)
            notes.append(
                i18n.message(language, "discord.file_unreadable", name=reply_file.filename)
            )
            continue
        if len(data) > send_limit:
            limit = i18n.tr_count("number.bytes", send_limit, language=language)
            notes.append(
                i18n.message(
                    language, "discord.file_too_big", name=reply_file.filename, limit=limit
                )
            )
            continue
        out.files.append(discord.File(io.BytesIO(data), filename=reply_file.filename))
    text = "\n".join([reply.text, *notes]).strip() or i18n.message(language, "discord.done")
    if not reply.ok and embeds:
        out.embed = error_embed(text, language)
        return out
    if not reply.ok:
        text = f"# {i18n.message(language, 'error.title')}\n{text}"
    shown = tables_as_code(text)
    if len(shown) <= MESSAGE_CHARS and reply.ok:
        out.content = shown
        return out
    out.title, body = _title(shown)
    out.pages = paginate(body, PAGE_CHARS if embeds else PLAIN_PAGE_CHARS)
    shows = page_kwargs(out.title, out.pages, 0, language, embeds=embeds)
    out.content, out.embed = shows.get("content"), shows["embed"]
    return out
