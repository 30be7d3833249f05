"""Pieces of one request said with pauses, heard as one.

People pause inside a request ("hey trainer, ... um, could you ... train on movie reviews"). A
pause longer than the VAD's end wait (270 ms of unvoiced audio) ends an utterance, and each
piece heard alone says no command: the wake phrase alone, then words that are half a request.
A piece said to the bot that is no command (`goes_on`) is therefore heard again together with
the same speaker's next piece when that begins within `voice.vad.join_pieces_ms` of its end
(`joinable`, `joined`); when the pieces together are no command either, the new piece is
heard alone too, as it was before (`hear_joined`). A piece that is a command is never held
back, so a whole request is answered as soon as before.

The live session joins by these rules as the pieces arrive (states/piece_joining.py); the
benches, which have the whole recording, with `hear_pieces`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from . import RECOGNITION_BYTES_PER_S, RECOGNITION_RATE
from .decision import Hearing
from .vad.base import UtteranceEnded

Hear = Callable[[bytes, bool], Awaitable[Hearing]]
"""(pcm, in_window) -> the one hearing path's decision about that audio."""

_GAP_KEPT_S = 0.2
"""Silence put between two pieces: the recognizers hear a pause, not the whole wait."""


@dataclass(frozen=True)
class Heard:
    """A piece (or pieces joined) and what was heard in it."""

    utterance: UtteranceEnded
    """The audio heard: one piece, or several joined (`joined`)."""
    hearing: Hearing
    in_window: bool
    """Heard as said inside the speaker's follow-up window (no wake phrase needed)."""
    pieces: int = 1
    """How many of the VAD's pieces it holds."""

    @property
    def acted(self) -> bool:
        """A command is run (or, the wake phrase alone, a window opened) for it."""
        return self.hearing.accepted(self.in_window) or self.hearing.wake_only


def goes_on(hearing: Hearing, in_window: bool) -> bool:
    """Whether a piece may be the start of a request its speaker goes on with: it is said to
    the bot (the wake phrase, or inside the follow-up window), or may be (`maybe_wake`), and is
    no command."""
    return (hearing.wake or hearing.maybe_wake or in_window) and not hearing.accepted(in_window)


def joinable(first: UtteranceEnded, second: UtteranceEnded, join_s: float, max_s: float) -> bool:
    """`second` was found to begin (`began_s`, when the VAD decided it) within `join_s` of
    the end of `first`'s speech, and the two together are no longer than `max_s` (the VAD's
    own limit for one utterance)."""
    began = second.began_s if second.began_s is not None else second.end_s
    return began - first.end_s <= join_s and second.end_s - first.start_s <= max_s


def joined(first: UtteranceEnded, second: UtteranceEnded) -> UtteranceEnded:
    """The two pieces as one utterance: `first`'s audio, a short silence where the pause was
    (what the VAD dropped of it, at most `_GAP_KEPT_S`), then `second`'s."""
    kept_end = first.start_s + len(first.pcm) / RECOGNITION_BYTES_PER_S  # its hangover included
    silence = min(_GAP_KEPT_S, max(0.0, second.start_s - kept_end))
    gap = bytes(int(silence * RECOGNITION_RATE) * 2)
    return UtteranceEnded(
        pcm=first.pcm + gap + second.pcm,
        start_s=first.start_s,
        end_s=second.end_s,
        truncated=second.truncated,
        detected_s=second.detected_s,
    )


async def hear_joined(held: Heard, piece: UtteranceEnded, hear: Hear, in_window: bool) -> Heard:
    """`held` (which `goes_on`) with the speaker's next `piece`: the two heard together, or,
    when together they are no command, `piece` heard alone if that is one."""
    both = joined(held.utterance, piece)
    together = Heard(both, await hear(both.pcm, held.in_window), held.in_window, held.pieces + 1)
    if together.hearing.accepted(together.in_window):
        return together
    alone = Heard(piece, await hear(piece.pcm, in_window), in_window)
    return alone if alone.hearing.accepted(in_window) else together


async def hear_pieces(
    pieces: list[UtteranceEnded], hear: Hear, in_window: bool, join_s: float, max_s: float
) -> list[Heard]:
    """What a speaker's pieces of one recording (in order) are heard as, joined as the live
    session joins them. A piece after one acted on is in the follow-up window that opened."""
    decided: list[Heard] = []
    held: Heard | None = None
    for piece in pieces:
        window = in_window or any(h.acted for h in decided)
        if held is not None and joinable(held.utterance, piece, join_s, max_s):
            held = await hear_joined(held, piece, hear, window)
        else:
            if held is not None:
                decided.append(held)
                window = in_window or any(h.acted for h in decided)
            held = Heard(piece, await hear(piece.pcm, window), window)
        if not goes_on(held.hearing, held.in_window):
            decided.append(held)
            held = None
    return [*decided, held] if held is not None else decided
