"""Answer a voice message with a voice message (config `discord.voice_message_replies`).

A Discord voice message is a message with flag 8192 (IS_VOICE_MESSAGE) whose only content is one
OGG/Opus attachment carrying `duration_secs` and `waveform` (base64 amplitudes, one byte each).
discord.py sends no such message, so it is posted through discord.py's HTTP client as Discord's
own clients post it. The text reply is sent first, as always; the spoken one follows it.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
import numpy as np

from audio.piped import run_piped
from audio.speech_text import spoken_text
from audio.tts.base import Speech

from .members import guild_key

if TYPE_CHECKING:
    from assistant.messages import Reply

    from .client import TrainerBot

log = logging.getLogger(__name__)

VOICE_MESSAGE_FLAG = 1 << 13
FILENAME = "voice-message.ogg"
WAVEFORM_POINTS = 64
"""Amplitude bytes shown as the message's waveform (Discord's clients send up to 256)."""
ENCODE_TIMEOUT_S = 30.0
OPUS_BITRATE = "32k"


async def ogg_opus(speech: Speech) -> bytes:
    """Speech as an OGG/Opus file (ffmpeg, already needed to decode audio messages)."""
    done = await run_piped(
        [
            *("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "s16le"),
            *("-ar", str(speech.sample_rate), "-ac", str(speech.channels), "-i", "pipe:0"),
            *("-c:a", "libopus", "-b:a", OPUS_BITRATE, "-f", "ogg", "pipe:1"),
        ],
        speech.pcm,
        ENCODE_TIMEOUT_S,
    )
    if done.returncode != 0 or not done.out:
        err = done.err.decode(errors="replace")[:200]
        raise RuntimeError(f"ffmpeg could not encode speech: {err}")
    out = done.out
    return out


def waveform(speech: Speech, points: int = WAVEFORM_POINTS) -> bytes:
    """Peak amplitude of each of `points` equal slices, 0..255."""
    samples = np.abs(np.frombuffer(speech.pcm, dtype="<i2").astype(np.int32))
    if samples.size == 0:
        return bytes(points)
    slices = np.array_split(samples, points)
    return bytes(min(255, int(s.max(initial=0) * 255 // 32767)) for s in slices)


async def send_voice_message(
    bot: TrainerBot, channel_id: int, speech: Speech, reference: discord.Message | None
) -> dict[str, Any]:
    """Post `speech` as a voice message (a reply to `reference` when given)."""
    data = await ogg_opus(speech)
    payload: dict[str, Any] = {
        "flags": VOICE_MESSAGE_FLAG,
        "attachments": [
            {
                "id": 0,
                "filename": FILENAME,
                "duration_secs": round(speech.seconds, 2),
                "waveform": base64.b64encode(waveform(speech)).decode(),
            }
        ],
    }
    if reference is not None:
        payload["message_reference"] = {
            "message_id": reference.id,
            "channel_id": reference.channel.id,
            "fail_if_not_exists": False,
        }
    form: list[dict[str, Any]] = [
        {"name": "payload_json", "value": json.dumps(payload)},
        {"name": "files[0]", "value": data, "filename": FILENAME, "content_type": "audio/ogg"},
    ]
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    result: dict[str, Any] = await bot.http.request(route, form=form)
    return result


async def answer_aloud(bot: TrainerBot, message: discord.Message, reply: Reply) -> None:
    """After the text reply to a voice message: the spoken reply as a voice message, when
    config.yaml asks for it. Failing to speak is logged; the text reply is already there."""
    if not (bot.config.discord.voice_message_replies and message.flags.voice):
        return
    try:
        parts = (await bot.voice_cog.sessions()).parts
        language = parts.language(guild_key(message.guild, message.author))
        # said as the voice channel says it: numbers in words, no markup, links and tables
        # left to the chat, and no longer than a spoken answer may be
        words = spoken_text(reply.spoken, parts.max_spoken_chars, language)
        if not words:
            return
        speech = await parts.synthesizer.synthesize(words)
        await send_voice_message(bot, message.channel.id, speech, message)
    except Exception:
        log.exception("could not answer voice message %s aloud", message.id)
