"""Voice messages and audio attachments sent to the bot: the same recognition and intents as
speech in a voice channel. Handled when the message is a Discord voice message, mentions the
bot, or is a direct message; the answer is a reply that also says what was heard."""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from assistant import i18n
from assistant.errors import UserError
from assistant.messages import Reply
from audio.decode import AUDIO_SUFFIXES
from audio.message_speech import HEARD_S, message_speech

from .cog_commands import guild_key, to_user
from .voice_replies import answer_aloud

if TYPE_CHECKING:
    from .client import TrainerBot

log = logging.getLogger(__name__)


def is_audio(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";")[0]
    return content_type.startswith("audio/") or (
        PurePosixPath(attachment.filename.lower()).suffix in AUDIO_SUFFIXES
    )


class AudioMessagesCog(commands.Cog, name="AudioMessages"):
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot

    def _addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        return (
            message.flags.voice
            or message.guild is None
            or (me is not None and me in message.mentions)
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.attachments:
            return
        if message.content.startswith(self.bot.config.prefix) or not self._addressed(message):
            return  # typed commands (e.g. `!train` + a file) are the commands cog's
        audio = next((a for a in message.attachments if is_audio(a)), None)
        if audio is None:
            return
        cog = self.bot.commands_cog
        ctx = await self.bot.get_context(message)
        if cog.limiter.hit(str(message.author.id)):
            return
        try:
            reply = await self.understand(message, audio)
        except UserError as exc:
            reply = Reply(text=str(exc), ok=False, kind="error")
        except Exception:
            log.exception("audio message %s could not be handled", message.id)
            text = cog.assistant.text(
                guild_key(message.guild, message.author), "discord.audio_failed"
            )
            reply = Reply(text=text, ok=False, kind="error")
        await cog.deliver(ctx, reply)
        await answer_aloud(self.bot, message, reply)

    async def understand(self, message: discord.Message, audio: discord.Attachment) -> Reply:
        from audio.decode import decode_bytes

        guild_id = guild_key(message.guild, message.author)
        data = (await self.bot.commands_cog.read_attachments([audio], guild_id))[0].data
        max_seconds = self.bot.config.voice.max_file_seconds
        language = self.bot.assistant.language(guild_id)
        with i18n.speaking(language):  # why a file cannot be heard, or only its beginning
            decoded = await asyncio.to_thread(decode_bytes, data, audio.filename, max_seconds)
            cut = decoded.note(audio.filename, max_seconds)
        parts = (await self.bot.voice_cog.sessions()).parts
        # its speech, as the voice channel's VAD finds it, not the silence around it
        speech = await asyncio.to_thread(message_speech, decoded.pcm, parts.make_vad())
        if speech.cut:
            said = i18n.message(language, "audio.cut_speech", seconds=f"{HEARD_S:g}")
            cut = f"{cut}; {said}" if cut else f"{audio.filename}: {said}"
        # A voice message is addressed to the bot: no wake phrase needed, as in a follow-up
        # window (and verified the same way).
        hearing = await parts.hear(speech.pcm, True, guild_id, str(message.author.id))
        intent = hearing.intent if hearing.accepted(in_window=True) else None
        heard = hearing.text if intent is not None else hearing.heard  # never internal tokens
        if intent is None:
            key = "discord.voice_unknown" if heard else "discord.voice_nothing"
            return Reply(
                text=_with_cut(i18n.message(language, key, heard=heard), cut),
                ok=False,
                kind="transcript",
                data={"transcript": heard},
            )
        request = parts.make_request(
            intent,
            to_user(message.author),
            guild_id,
            str(message.channel.id),
        )
        request.message_id = str(message.id)
        reply = await self.bot.assistant.handle(request)
        said = _with_cut(i18n.message(language, "discord.voice_heard", heard=heard), cut)
        reply.text = f"{said}\n{reply.text}"
        return reply


def _with_cut(text: str, cut: str | None) -> str:
    """What was heard, and that only the beginning of a long voice message was (`cut`)."""
    return text if cut is None else f"{text}\n({cut})"
