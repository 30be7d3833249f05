"""OpenAI (or compatible) speech endpoint through the official client, with a hard timeout."""

from __future__ import annotations

import os
from typing import Any

from .base import Speech, Synthesizer, TtsError
from .espeak import parse_wav


class OpenAISynthesizer(Synthesizer):
    """`audio.speech.create` -> WAV -> PCM. No retries: the fallback speaks instead."""

    name = "openai"

    def __init__(
        self,
        model: str = "gpt-4o-mini-tts",
        voice: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 8.0,
        api_key: str | None = None,
    ) -> None:
        self.model = model
        self.voice = voice or "alloy"
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.api_key = api_key
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(
                api_key=self.api_key or os.environ.get("OPENAI_API_KEY") or "not-set",
                base_url=self.base_url,
                timeout=self.timeout_s,
                max_retries=0,
            )
        return self._client

    async def synthesize(self, text: str) -> Speech:
        import openai

        try:
            response = await self._get_client().audio.speech.create(
                model=self.model, voice=self.voice, input=text, response_format="wav"
            )
        except openai.APIError as exc:
            raise TtsError(f"OpenAI speech failed: {exc.__class__.__name__}: {exc}") from None
        return parse_wav(response.content, self.name)
