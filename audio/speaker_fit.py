"""The grammar recognizer fitted to each speaker's voice: vocal tract length normalisation.

The length of a speaker's vocal tract scales every formant of their voice; an acoustic model
trained on many voices hears one best with its frequency axis stretched by that voice's
factor. The factor is found the classic way (maximum likelihood, as VTLN does): each of a
speaker's first utterances is heard at every stretch of `warps` too, and the stretch whose
hypotheses fit the sound best on average (the grammar path's score per 10 ms frame) is kept
for that speaker. Until then, and for a speaker never heard before, the audio is heard as it
came. The other stretches are heard after the decision, beside the reply, never before it.

Measured on the voice bench's seven tuning and calibration voices (espeak-ng; bench/README.md):
the grammar recognizer alone, fitted after each voice's first eight utterances, 276 -> 290 of
399 commands right; the whole hearing path with each voice's likeliest stretch 328 -> 337 (two
voices gained 6 and 3, none lost), false accepts 13 of 434 both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.config.voice import SpeakerFitSettings

from .asr.base import Transcript

log = logging.getLogger(__name__)

_YIELD_S = 0.05
"""How often a stretch waiting for the recognizer looks again whether an utterance is being
heard."""


class WarpedStage(Protocol):
    """The grammar recognizer, off the event loop, hearing `pcm` stretched by `warp`."""

    def __call__(self, pcm: bytes, warp: float = 1.0, /) -> Awaitable[Transcript]: ...


@dataclass
class _Voice:
    """What one speaker's utterances told of their voice."""

    sums: dict[float, float] = field(default_factory=dict)
    """Per stretch, the sum of the utterances' path scores per frame."""
    heard: int = 0
    """Utterances heard at every stretch."""
    started: int = 0
    """Utterances being heard at every stretch, or heard so."""
    warp: float = 1.0
    """The stretch this speaker is heard with (1.0 until fitted)."""


class SpeakerFit:
    """Per speaker, the stretch of the frequency axis their voice is heard with."""

    def __init__(self, settings: SpeakerFitSettings) -> None:
        self.settings = settings
        self._voices: OrderedDict[str, _Voice] = OrderedDict()
        self._learning: set[asyncio.Task[None]] = set()
        self.hearing = 0
        """Utterances being heard now (`Hearer.hear`): the stretches wait for none to be, so
        that hearing one at another stretch never holds up a reply (one recognizer worker
        hears one utterance at a time)."""

    @contextlib.contextmanager
    def hearing_one(self) -> Iterator[None]:
        """While an utterance is heard: the stretches wait (`hearing`)."""
        self.hearing += 1
        try:
            yield
        finally:
            self.hearing -= 1

    def warp(self, speaker: str | None) -> float:
        """The stretch to hear `speaker` with (1.0: the audio as it came)."""
        voice = self._voices.get(speaker) if speaker is not None else None
        return voice.warp if voice is not None else 1.0

    def describe(self, speaker: str | None) -> str:
        """For the debug view: how this speaker's voice is heard, '' when as it came."""
        voice = self._voices.get(speaker) if speaker is not None else None
        if voice is None or voice.heard < self.settings.utterances:
            return ""
        return (
            f"fitted to the speaker's voice: frequencies stretched by {voice.warp:g} "
            f"(the likeliest of {', '.join(f'{w:g}' for w in self.settings.warps)} "
            f"over {voice.heard} utterances)"
        )

    def learn(
        self, speaker: str | None, pcm: bytes, heard: Transcript, warp: float, stage: WarpedStage
    ) -> None:
        """Hear `pcm` (which the recognizer heard at `warp` as `heard`) at the other stretches
        too, in the background, while the speaker is still being fitted."""
        if speaker is None or heard.score is None or warp != 1.0:
            return
        voice = self._voices.get(speaker)
        if voice is None:
            voice = self._voices[speaker] = _Voice()
            while len(self._voices) > self.settings.speakers:
                self._voices.popitem(last=False)
        self._voices.move_to_end(speaker)
        if voice.started >= self.settings.utterances:
            return
        voice.started += 1
        task = asyncio.create_task(self._hear_stretched(voice, pcm, heard.score, stage))
        self._learning.add(task)
        task.add_done_callback(self._learning.discard)

    async def _hear_stretched(
        self, voice: _Voice, pcm: bytes, score: float, stage: WarpedStage
    ) -> None:
        scores = {1.0: score}
        try:
            for warp in self.settings.warps:
                if warp not in scores:
                    while self.hearing:
                        await asyncio.sleep(_YIELD_S)
                    found = (await stage(pcm, warp)).score
                    if found is None:
                        voice.started -= 1  # nothing to compare: another utterance counts
                        return
                    scores[warp] = found
        except asyncio.CancelledError:
            raise
        except Exception:  # the recognizers stopping; the fit waits for the next utterance
            log.debug("hearing an utterance at other stretches failed", exc_info=True)
            voice.started -= 1
            return
        for warp, found in scores.items():
            voice.sums[warp] = voice.sums.get(warp, 0.0) + found
        voice.heard += 1
        if voice.heard >= self.settings.utterances:
            voice.warp = max(self.settings.warps, key=lambda w: voice.sums[w])
            log.debug("speaker fitted: stretch %g (%s)", voice.warp, voice.sums)

    async def settled(self) -> None:
        """Wait until every utterance being heard at other stretches has been (benches)."""
        while self._learning:
            await asyncio.gather(*self._learning, return_exceptions=True)

    def close(self) -> None:
        """Stop hearing at other stretches."""
        for task in list(self._learning):
            with contextlib.suppress(RuntimeError):  # its loop already closed
                task.cancel()
