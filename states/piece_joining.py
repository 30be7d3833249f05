"""The rest of a request its speaker paused in (the rules are audio/pieces.py's).

The recognition stage hears an utterance as it ended. When what it heard `goes_on` (said to
the bot, and no command: the wake phrase alone, half a request), the stage waits, still in
transcribing, for the same speaker to go on: the next piece they begin within `join_s` of the
end of their speech is heard joined to what they said (`hear_joined`), and so on while the
whole still goes on. The machine queued that piece as it queues anyone's speech while it
transcribes (the overlap rule); it is taken from the queue here. Nobody goes on: the stage
goes on with what it heard, as it would have at once (the wake phrase alone opens a window),
`join_s` later. A command is never held back.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from audio.decision import Hearing
from audio.pieces import Heard, goes_on, hear_joined, joinable
from audio.vad.base import UtteranceEnded

if TYPE_CHECKING:
    from .session import GuildVoiceSession

_POLL_S = 0.02
"""How often the wait looks for the speaker's next piece (one audio frame)."""


async def rest_of_request(session: GuildVoiceSession, speaker: str, heard: Heard) -> Heard:
    """`heard` with the pieces `speaker` went on with joined to it, while it `goes_on`."""
    join_s = session.parts.join_pieces_s
    newest = heard.utterance
    while join_s > 0 and goes_on(heard.hearing, heard.in_window):
        piece = await _next_piece(session, speaker, newest, join_s)
        if piece is None:
            break
        if not joinable(heard.utterance, piece, join_s, session.parts.max_joined_s):
            _put_back(session, speaker, piece)
            break

        async def hear(pcm: bytes, in_window: bool) -> Hearing:
            return await session.hear(pcm, in_window, speaker)

        heard = await hear_joined(heard, piece, hear, heard.in_window)
        newest = piece
        session.note("joining", f"{heard.pieces} pieces", speaker)
    if heard.utterance is not newest:
        session.streams.ended_as(heard.utterance, newest)  # it ended when its last piece did
    return heard


async def _next_piece(
    session: GuildVoiceSession, speaker: str, last: UtteranceEnded, join_s: float
) -> UtteranceEnded | None:
    """The piece `speaker` begins within `join_s` of the end of `last`'s speech, once it
    ended (taken from the machine's queue); None when they did not go on in time."""
    ended = session.streams.ended_wall(last)
    deadline = (ended if ended is not None else time.monotonic()) + join_s
    while True:
        queued = session.machine.queued.take_from(speaker)
        if queued is not None:
            return queued.utterance
        stream = session.streams.streams.get(speaker)
        speaking = stream is not None and stream.in_speech
        if speaking and stream is not None and stream.began_s - last.end_s <= join_s:
            pass  # they went on in time: wait for the piece to end (the VAD cuts it at length)
        elif time.monotonic() >= deadline:
            return None
        await asyncio.sleep(_POLL_S)


def _put_back(session: GuildVoiceSession, speaker: str, piece: UtteranceEnded) -> None:
    """A piece taken from the queue that does not belong to the request is heard on its own,
    as the machine would have."""
    session.machine.queue_utterance(speaker, piece)
