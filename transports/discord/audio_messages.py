"""Voice messages and audio attachments sent to the bot: the same recognition and intents as
speech in a voice channel. Handled when the message is a Discord voice message, mentions the
bot, or is a direct message; each request said in it (audio/message_speech.py) is answered in
order, by a reply that also says what was heard."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from assistant import i18n
from assistant.errors import UserError
from assistant.messages import Reply
from audio.decision import Hearing
from audio.decode import AUDIO_SUFFIXES
from audio.message_speech import HEARD_S, MOST_PIECES, MessageSpeech, message_speech
from audio.pieces import hear_pieces

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
            async for reply in self.answers(message, audio):  # one a request, in order
                await cog.deliver(ctx, reply)
                await answer_aloud(self.bot, message, reply)
            return
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

    async def answers(
        self, message: discord.Message, audio: discord.Attachment
    ) -> AsyncIterator[Reply]:
        """The answer to each request said in `audio`, in order, each run once the one before
        it has been answered; what was not heard of it (`_notes`) goes with the last."""
        from audio.decode import decode_bytes

        guild_id = guild_key(message.guild, message.author)
        data = (await self.bot.commands_cog.read_attachments([audio], guild_id))[0].data
        max_seconds = self.bot.config.voice.max_file_seconds
        language = self.bot.assistant.language(guild_id)
        with i18n.speaking(language):  # why a file cannot be heard, or only its beginning
            decoded = await asyncio.to_thread(decode_bytes, data, audio.filename, max_seconds)
            cut = decoded.note(audio.filename, max_seconds)
        parts = (await self.bot.voice_cog.sessions()).parts
        # its speech, as the voice channel's VAD cuts it, not the silence around it
        speech = await asyncio.to_thread(message_speech, decoded.pcm, parts.make_vad())
        cut = _notes(cut, speech, audio.filename, language)

        # A voice message is addressed to the bot: no wake phrase needed, as in a follow-up
        # window (and verified the same way); half a request is heard with the rest of it.
        async def hear(pcm: bytes, in_window: bool) -> Hearing:
            return await parts.hear(pcm, in_window, guild_id, str(message.author.id))

        heard = await hear_pieces(
            speech.pieces, hear, True, parts.join_pieces_s, parts.max_joined_s
        )
        # pieces of no words (a cough between two requests) are no request of their own
        hearings = [h.hearing for h in heard if h.acted or h.hearing.heard] or [heard[0].hearing]
        for n, hearing in enumerate(hearings, 1):
            yield await self._answer(message, hearing, cut if n == len(hearings) else None)

    async def _answer(self, message: discord.Message, hearing: Hearing, cut: str | None) -> Reply:
        """The answer to one request heard in a voice message: the command's reply after what
        was heard, or why it is no command."""
        guild_id = guild_key(message.guild, message.author)
        language = self.bot.assistant.language(guild_id)
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
        parts = (await self.bot.voice_cog.sessions()).parts
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


def _notes(cut: str | None, speech: MessageSpeech, filename: str, language: str) -> str | None:
    """What was not heard of a voice message: past the longest file (`cut`, the decoder's
    note), past `HEARD_S` of speech, past `MOST_PIECES` phrases; None where it was all heard."""
    said = []
    if speech.cut:
        said.append(i18n.message(language, "audio.cut_speech", seconds=f"{HEARD_S:g}"))
    if speech.left:
        said.append(i18n.tr_count("audio.more_pieces", MOST_PIECES, language=language))
    if not said:
        return cut
    return "; ".join([cut, *said] if cut else [f"{filename}: {said[0]}", *said[1:]])


def _with_cut(text: str, cut: str | None) -> str:
    """What was heard, and that only the beginning of a long voice message was (`cut`)."""
    return text if cut is None else f"{text}\n({cut})"
