"""Try engines in order, each under a timeout; the first that speaks wins, failures are logged."""

from __future__ import annotations

import asyncio
import logging

from .base import Speech, Synthesizer, TtsError

log = logging.getLogger(__name__)


class FallbackSynthesizer(Synthesizer):
    """E.g. `FallbackSynthesizer([OpenAISynthesizer(...), EspeakSynthesizer()])`."""

    name = "fallback"

    def __init__(self, engines: list[Synthesizer], timeout_s: float = 8.0) -> None:
        if not engines:
            raise ValueError("FallbackSynthesizer needs at least one engine")
        self.engines = engines
        self.timeout_s = timeout_s
        self.last_failure: str | None = None
        """Why the last fallback happened (for status and tests)."""

    async def synthesize(self, text: str) -> Speech:
        errors: list[str] = []
        for engine in self.engines:
            try:
                speech = await asyncio.wait_for(engine.synthesize(text), self.timeout_s)
            except TimeoutError:
                errors.append(f"{engine.name}: no audio after {self.timeout_s:.1f} s")
            except Exception as exc:  # any engine failure means: try the next one
                errors.append(f"{engine.name}: {exc}")
            else:
                if errors:
                    self.last_failure = "; ".join(errors)
                    log.warning("speech fell back to %s (%s)", engine.name, self.last_failure)
                return speech
            log.info("speech engine failed: %s", errors[-1])
        self.last_failure = "; ".join(errors)
        raise TtsError(f"no speech engine worked: {self.last_failure}")
