"""Recognition in worker processes, so decoding never stalls the event loop.

Measured: pocketsphinx holds the GIL while it decodes, so a recognizer in a worker *thread*
stopped the event loop for as long as each utterance took (115 ms max lag for 110 ms
utterances): audio of every guild queued up and barge-in waited. In worker processes the
loop only waits for a pickle of the transcript.

Each worker builds its own recognizer from the voice settings and the speakable names at
start-up; new names (`update_lists`) start a fresh pool in the background and swap it in once
its workers are warm (about a second), retiring the old one after the utterances it holds. The
command that changed the names replies at once; only an utterance that arrives while the new
pool is still warming waits for it, because the old grammar cannot recognize the new names.
Names equal to the current ones (the first command after `join`) restart nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import process as futures_process
from typing import Any

from assistant.child_process import forkserver
from assistant.training.orphan import ctrl_c_blocked, stop_when_orphaned
from audio.asr.base import Recognizer, Transcript

from .name_grammars import GrammarCache, Names, names_key, recognizer_for

log = logging.getLogger(__name__)

_worker: Recognizer | None = None
"""The recognizer of this worker process."""
_voice: Any = None
"""The voice settings this worker's recognizers are built from."""
_named: GrammarCache[Recognizer] | None = None
"""Grammars of names a request brings along (a speech server's clients: `transcribe_named`)."""


def _init_worker(settings_json: str, lists: dict[str, list[str]], bot: int) -> None:
    global _worker, _voice, _named
    stop_when_orphaned(bot)
    from assistant.config.voice import VoiceSettings
    from audio.asr.factory import build_recognizer

    _voice = VoiceSettings.model_validate_json(settings_json)
    _named = GrammarCache(_voice.speech_server.grammars)
    _worker = build_recognizer(_voice, lists=lists)


def _transcribe(pcm: bytes, warp: float = 1.0) -> Transcript:
    assert _worker is not None, "worker not initialised"
    return _worker.transcribe_warped(pcm, warp)


def _transcribe_named(pcm: bytes, names: Names) -> Transcript:
    assert _named is not None, "worker not initialised"
    key = names_key(names)
    return _named.get(key, lambda: recognizer_for(_voice, names)).transcribe(pcm)


def _ready() -> bool:
    return _worker is not None


class RecognizersClosed(RuntimeError):
    """Speech that came after the recognizers were told to stop (a server shutting down)."""


class ProcessRecognizerPool:
    """`workers` recognizers in their own processes; `await transcribe(pcm)` from the loop."""

    def __init__(self, voice_settings: Any, lists: dict[str, list[str]], workers: int = 1) -> None:
        self.workers = max(1, workers)
        self.name = f"{voice_settings.asr.engine} x{self.workers} (processes)"
        self._settings_json = voice_settings.model_dump_json()
        self._pool = self._start(lists)
        self._pools = [self._pool]
        self._lists = lists
        """The names the current pool's grammar knows."""
        self._wanted = lists
        """The newest names asked for; a rebuild runs until the pool knows them."""
        self._rebuild: asyncio.Task[None] | None = None
        self._closed = False
        """`close` was called: speech that comes while the workers end is refused plainly."""
        # Worker processes end with this object even when nobody calls close() (a test that
        # failed half-way, a registry dropped without closing).
        weakref.finalize(self, _shutdown, self._pools)

    def _start(self, lists: dict[str, list[str]]) -> ProcessPoolExecutor:
        # The forkserver reads once what every worker reads alike (child_process.PRELOAD);
        # spawn would re-run the whole start-up in every worker.
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=forkserver(),
            initializer=_init_worker,
            initargs=(self._settings_json, lists, os.getpid()),
        )
        _WAKEUPS[pool] = pool._executor_manager_thread_wakeup
        return pool

    async def warm_up(self) -> None:
        """Start every worker and build its recognizer now, not on the first utterance.

        From a thread: the executor starts a worker process inside `submit`, and asking the
        forkserver for one blocks for a few hundred milliseconds (seconds while the forkserver
        itself starts), which on the event loop would stall every guild's audio."""
        await self._warm(self._pool)

    async def _warm(self, pool: ProcessPoolExecutor) -> None:
        count = self.workers * 2

        def start() -> list[Future[bool]]:
            # The forkserver and every worker begin with Ctrl-C blocked (see orphan.py).
            with ctrl_c_blocked():
                return [pool.submit(_ready) for _ in range(count)]

        # Only the submits run in a thread; the waiting happens on the loop. A thread blocked
        # on a pool that shutdown() left behind would hold up asyncio.run's exit (it joins the
        # default executor), and a process asked to stop would not.
        futures = await asyncio.to_thread(start)
        await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))

    async def transcribe(self, pcm: bytes, warp: float = 1.0) -> Transcript:
        """`pcm` heard by a worker, its frequency axis stretched by `warp` (a speaker's fitted
        voice: audio/speaker_fit.py)."""
        # Speech that may name what just changed must meet the grammar that knows it.
        await self.settled()
        return await self._run(_transcribe, pcm, warp)

    async def transcribe_named(self, pcm: bytes, names: Names) -> Transcript:
        """`pcm` heard with a grammar of `names` instead of the pool's own, as a speech server
        hears each client (states/name_grammars.py); `NamesRefused` for names over its bounds."""
        return await self._run(_transcribe_named, pcm, names)

    async def _run(self, work: Any, *args: Any) -> Transcript:
        """`work(*args)` in a worker; `RecognizersClosed` once `close` was called, also for
        work that its workers' end broke off."""
        if self._closed:
            raise RecognizersClosed("the recognizers are stopping")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, work, *args)
        except futures_process.BrokenProcessPool:
            if self._closed:
                raise RecognizersClosed("the recognizers are stopping") from None
            raise

    async def update_lists(self, lists: dict[str, list[str]]) -> None:
        """Ask for a grammar with these names; returns at once (the rebuild runs behind)."""
        if lists == self._wanted:
            return
        self._wanted = lists
        if self._rebuild is None or self._rebuild.done():
            self._rebuild = asyncio.create_task(self._rebuild_until_current(), name="asr-rebuild")

    @property
    def rebuilding(self) -> bool:
        """True while a grammar with new names is being built."""
        return self._rebuild is not None and not self._rebuild.done()

    async def settled(self) -> None:
        """Wait until a pending grammar rebuild has been swapped in (or has failed)."""
        if self._rebuild is not None and not self._rebuild.done():
            await asyncio.gather(asyncio.shield(self._rebuild), return_exceptions=True)

    async def _rebuild_until_current(self) -> None:
        # Names may change again while a pool warms: build until the newest are in place.
        while self._lists != self._wanted:
            lists = self._wanted
            fresh = self._start(lists)
            self._pools.append(fresh)
            try:
                await self._warm(fresh)
            except Exception:
                # The old grammar keeps working; the next change of names tries again.
                log.exception("rebuilding the recognizer grammar failed")
                fresh.shutdown(wait=False, cancel_futures=True)
                self._forget_ended()
                self._wanted = self._lists
                return
            old, self._pool, self._lists = self._pool, fresh, lists
            old.shutdown(wait=False)
            self._forget_ended()

    def _forget_ended(self) -> None:
        """Drop the pools shut down whose manager thread has ended. One still running stays
        listed, so a waiting close joins it: left running at exit, it closed its wake-up pipe
        while the interpreter's exit hook wrote to it, and a traceback reached stderr as the
        console ended after a language or dataset change had rebuilt the grammar."""
        self._pools[:] = [p for p in self._pools if p is self._pool or _manager(p) is not None]

    def close(self, wait: bool = False) -> None:
        """End the workers; with `wait`, return once they have exited. Safe to repeat."""
        self._closed = True
        if self._rebuild is not None:
            self._rebuild.cancel()
        _shutdown(self._pools, wait)


_WAKEUPS: weakref.WeakKeyDictionary[ProcessPoolExecutor, Any] = weakref.WeakKeyDictionary()
"""Each pool's wake-up pipe, kept from its start: `shutdown()` forgets its manager thread and
its workers at once, even while they still run, and the pipe is how the thread is found then."""


def _manager(pool: ProcessPoolExecutor) -> threading.Thread | None:
    """The pool's manager thread while it runs, found by its wake-up pipe in the registry the
    interpreter's exit hook wakes (which `shutdown()` does not clear)."""
    wakeup = _WAKEUPS.get(pool)
    found = [t for t, w in list(futures_process._threads_wakeups.items()) if w is wakeup]
    return found[0] if found and found[0].is_alive() else None


def _shutdown(pools: list[ProcessPoolExecutor], wait: bool = False) -> None:
    for pool in pools:
        # A recognizer holds nothing worth finishing: stop the workers now. Left to finish
        # their utterance, a worker still building its grammar on a busy machine held up the
        # interpreter's exit (it joins every pool's workers) past the 30 s a supervisor waits.
        # The workers are read after shutdown() (which waits for a submit that is starting
        # one, holding the pool's lock) from the dict that shutdown() drops but does not empty.
        processes = getattr(pool, "_processes", None) or {}
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in list(processes.values()):
            with contextlib.suppress(OSError, ValueError):
                worker.terminate()
        if wait:
            # Join the pool's manager thread, bounded. Left running, it closes its wake-up pipe
            # while the interpreter's exit hook writes to it (Python 3.11 takes no lock there):
            # "OSError: Bad file descriptor" and a traceback on stderr as a stopped process ends.
            # (Read as `pool._executor_manager_thread`, it was never joined: shutdown() had
            # already set that to None.)
            manager = _manager(pool)
            if manager is not None:
                manager.join(_MANAGER_JOIN_S)
            if manager is not None and manager.is_alive():
                # Still ending after the bound: the exit hook must not write to the pipe it
                # closes; the interpreter still waits for the thread (it is not a daemon).
                futures_process._threads_wakeups.pop(manager, None)
    pools.clear()


_MANAGER_JOIN_S = 10.0
"""How long a waiting close gives a pool's manager thread to notice its terminated workers
(well under a second measured); a stop never hangs on it."""
