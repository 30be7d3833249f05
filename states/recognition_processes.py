"""Recognition in worker processes, so decoding never stalls the event loop.

Measured: pocketsphinx holds the GIL while it decodes, so a recogniser in a worker *thread*
stopped the event loop for as long as each utterance took (115 ms max lag for 110 ms
utterances): audio of every guild queued up and barge-in waited. In worker processes the
loop only waits for a pickle of the transcript.

Each worker builds its own recogniser from the voice settings and the speakable names at
start-up; new names (`update_lists`) start a fresh pool and retire the old one once it has
finished the utterances it holds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import weakref
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from audio.asr.base import Recognizer, Transcript

log = logging.getLogger(__name__)

_worker: Recognizer | None = None
"""The recogniser of this worker process."""


def _init_worker(settings_json: str, lists: dict[str, list[str]]) -> None:
    global _worker
    from assistant.config.voice import VoiceSettings
    from audio.asr.factory import build_recognizer

    _worker = build_recognizer(VoiceSettings.model_validate_json(settings_json))
    _worker.update_lists(lists)


def _transcribe(pcm: bytes) -> Transcript:
    assert _worker is not None, "worker not initialised"
    return _worker.transcribe(pcm)


def _ready() -> bool:
    return _worker is not None


class ProcessRecognizerPool:
    """`workers` recognisers in their own processes; `await transcribe(pcm)` from the loop."""

    def __init__(self, voice_settings: Any, lists: dict[str, list[str]], workers: int = 1) -> None:
        self.workers = max(1, workers)
        self.name = f"{voice_settings.asr.engine} x{self.workers} (processes)"
        self._settings_json = voice_settings.model_dump_json()
        self._pool = self._start(lists)
        self._pools = [self._pool]
        # Worker processes end with this object even when nobody calls close() (a test that
        # failed half-way, a registry dropped without closing).
        weakref.finalize(self, _shutdown, self._pools)

    def _start(self, lists: dict[str, list[str]]) -> ProcessPoolExecutor:
        # forkserver: the bot has threads (discord.py, the asyncio executor); forking them is
        # unsafe, and spawn would re-run the whole start-up in every worker.
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker,
            initargs=(self._settings_json, lists),
        )

    async def warm_up(self) -> None:
        """Start every worker and build its recogniser now, not on the first utterance."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, _ready) for _ in range(self.workers * 2))
        )

    async def transcribe(self, pcm: bytes) -> Transcript:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _transcribe, pcm)

    async def update_lists(self, lists: dict[str, list[str]]) -> None:
        old, self._pool = self._pool, self._start(lists)
        self._pools.append(self._pool)
        await self.warm_up()
        old.shutdown(wait=False)
        self._pools.remove(old)

    def close(self) -> None:
        _shutdown(self._pools)


def _shutdown(pools: list[ProcessPoolExecutor]) -> None:
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)
    pools.clear()
