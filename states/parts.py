"""The speech engines every guild shares: built once, kept warm.

Recognition runs either in worker processes (`ProcessRecognizerPool`, what `build_parts`
builds: a decode, a grammar rebuild or a crash stays out of the bot's process; pocketsphinx's
binding holds the GIL while decoding, audio/asr/pocketsphinx_native.py calls it without) or,
for recognizers built in this process (tests, simulate), in a thread pool
through a `RecognizerPool`: as many warm recognizers as worker threads, each used by one
thread at a time. The recognizers are the first stage of the one hearing path
(`audio.hearing.Hearer`: grammar, neural second opinion, gate), which every guild shares too.
The VAD is the one per-speaker part; `make_vad` builds one.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from assistant import i18n
from assistant.child_process import Stopped, stop_if_closing
from assistant.heap import lasting_build
from assistant.intents.guess import learn_in_background
from assistant.intents.matcher import IntentMatcher, to_request
from assistant.messages import Request, User
from audio.asr.base import Recognizer, Transcript
from audio.asr.factory import build_recognizer, load_second_opinion
from audio.decision import Hearing
from audio.hearing import Hearer
from audio.tts.base import Speech, Synthesizer
from audio.tts.factory import build_synthesizer
from audio.vad.base import VoiceActivityDetector
from audio.vad.webrtc import WebRtcVad

from .recognition_processes import ProcessRecognizerPool
from .sayings import APOLOGY

MakeRequest = Callable[[Any, User, str, str], Request]
"""(intent, user, guild_id, channel_id) -> Request; `assistant.intents.matcher.to_request`."""

log = logging.getLogger(__name__)


class RecognizerPool:
    """Recognizers built in this process, in a thread pool: each worker thread gets a warm
    recognizer of its own for the length of one call. Same interface as
    `ProcessRecognizerPool`, so `VoiceParts` never asks which one it holds."""

    def __init__(self, recognizers: list[Recognizer]) -> None:
        if not recognizers:
            raise ValueError("a recognizer pool needs at least one recognizer")
        self.size = len(recognizers)
        self.name = recognizers[0].name
        self._all = list(recognizers)
        self._free: queue.SimpleQueue[Recognizer] = queue.SimpleQueue()
        for recognizer in recognizers:
            self._free.put(recognizer)
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="asr")
        self._closed = False

    async def transcribe(self, pcm: bytes, warp: float = 1.0) -> Transcript:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._transcribe, pcm, warp)

    def _transcribe(self, pcm: bytes, warp: float = 1.0) -> Transcript:
        recognizer = self._free.get()
        try:
            return recognizer.transcribe_warped(pcm, warp)  # 1.0: as it came, any engine
        finally:
            self._free.put(recognizer)

    async def update_lists(self, lists: dict[str, list[str]]) -> None:
        """New slot values (e.g. a new dataset) for every recognizer's grammar."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._update_lists, lists)

    def _update_lists(self, lists: dict[str, list[str]]) -> None:
        for _ in range(self.size):
            recognizer = self._free.get()
            try:
                recognizer.update_lists(lists)
            finally:
                self._free.put(recognizer)

    def close(self, wait: bool = False) -> None:
        """Stop the threads and let each recognizer remove what it made; safe to repeat."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)
        for recognizer in self._all:
            close = getattr(recognizer, "close", None)
            if close is not None:
                close()


ONLINE_ENGINES = frozenset({"openai", "speech_recognition"})
"""Recognizers that send each utterance to a paid or rate-limited service (SpeechRecognition's
offline `sphinx` is counted too: one rule, and it is not the default engine)."""


@dataclass
class VoiceParts:
    """Everything a `GuildVoiceSession` needs besides its outputs and the core."""

    recognizers: RecognizerPool | ProcessRecognizerPool
    """Warm recognizers, in threads or worker processes (the same interface): the first
    stage of `hearer`."""
    synthesizer: Synthesizer
    """Speech output (with its fallback engines)."""
    hearer: Hearer
    """The one hearing path: audio -> decision (audio/hearing.py)."""
    make_request: MakeRequest
    make_vad: Callable[[], VoiceActivityDetector]
    """Builds one speaker's VAD (the one per-speaker part)."""
    apology: Speech | None = None
    """The apology, synthesized at start-up, so it can be said even when speech output fails."""
    max_spoken_chars: int = 300
    """Replies longer than this are cut at a sentence end before speaking (the text has it all)."""
    language: Callable[[str], str] = lambda _guild_id: "en"
    """A guild's language (`Assistant.language`): free text snaps to its templates."""
    guess: Callable[[str, str], str | None] = lambda _words, _guild_id: None
    """The command words most likely meant, as the guild calls it (`Reader.guess_command`;
    blocking): the hint after "Sorry, I didn't catch that"."""
    example: Callable[[str, str], str | None] = lambda _command, _guild_id: None
    """A sentence of the voice grammar that says the command named as the guild calls it
    (`Hearer.spoken_example`; blocking): what the hint tells to say in the window it opens."""
    heard_in: Callable[[str], str] = lambda _guild_id: i18n.ENGLISH
    """The language a guild's speech is heard in (its own where the recognizer hears it):
    the words that answer a hint with yes are that language's."""
    join_pieces_s: float = 1.2
    """A piece said to the bot that is no command waits this long for its speaker to go on
    (`voice.vad.join_pieces_ms`; states/piece_joining.py); 0 hears every piece alone."""
    max_joined_s: float = 12.0
    """Pieces joined are at most this long together (`voice.vad.max_utterance_s`)."""
    hear_at_pause: bool = True
    """Start hearing at a speaker's pause (states/pause_hearing.py). Off for online engines:
    each mid-sentence pause would cost one more paid request."""

    async def transcribe(self, pcm: bytes, warp: float = 1.0, /) -> Transcript:
        """The first stage alone, off the event loop (wake spotting during a barge-in); `warp`
        a speaker's fitted voice (audio/speaker_fit.py)."""
        return await self.recognizers.transcribe(pcm, warp)

    async def hear(
        self, pcm: bytes, in_window: bool, guild_id: str, speaker: str | None = None
    ) -> Hearing:
        """What one utterance was: every stage, the gate's decision, the timings; `speaker`
        (a member's id) has the grammar recognizer fitted to their voice."""
        return await self.hearer.hear(pcm, in_window, self.language(guild_id), speaker, guild_id)

    async def update_lists(self, lists: dict[str, list[str]]) -> None:
        """New speakable names (a dataset was added): matcher, the sentences free text snaps
        to, and every recognizer's grammar."""
        await asyncio.to_thread(self.hearer.update_lists, lists)
        await self.recognizers.update_lists(lists)

    def close(self, wait: bool = False) -> None:
        """End the recognizers (threads or worker processes); safe to call more than once.
        With `wait`, return only once every worker has ended (shutdown)."""
        self.recognizers.close(wait=wait)
        self.hearer.close()


async def build_parts(
    config: Any,
    assistant: Any,
    guild_ids: list[str] | None = None,
    *,
    recognizers: int = 1,
    processes: bool = True,
) -> VoiceParts:
    """Build the shared engines from config: `recognizers` warm recognizers (worker processes,
    or threads with `processes=False`), the speech engine, the matcher with every guild's
    speakable names, and the apology clip. Loading runs off the event loop. They live as
    long as the process: built as such (`heap.lasting_build`)."""
    with lasting_build():
        return await _build_parts(config, assistant, guild_ids, recognizers, processes)


async def _build_parts(
    config: Any,
    assistant: Any,
    guild_ids: list[str] | None,
    recognizers: int,
    processes: bool,
) -> VoiceParts:
    voice = config.voice
    lists: dict[str, set[str]] = {}
    for guild_id in guild_ids or ["console"]:
        for name, values in assistant.speakable_lists(guild_id).items():
            lists.setdefault(name, set()).update(values)
    merged = {name: sorted(values) for name, values in lists.items()}

    def load() -> tuple[list[Recognizer], IntentMatcher]:
        # The first engine builds the matcher (with its dictionary, so names are spelled the
        # way it can recognize them); the others and the pipeline share it.
        first = build_recognizer(voice, lists=merged)
        matcher = getattr(first, "matcher", None) or IntentMatcher.from_settings(voice)
        others = [build_recognizer(voice, matcher, merged) for _ in range(recognizers - 1)]
        engines = [first, *others]
        matcher.update_lists(merged)
        return engines, matcher

    open_vocabulary = voice.asr.engine != "pocketsphinx"

    def load_neural() -> Any:
        return None if open_vocabulary else load_second_opinion(voice.asr.second_opinion)

    # Loaded side by side: the workers in processes of their own, the matcher and the neural
    # model here (the neural load is C++ that lets go of the GIL). In a row, `join` waited for
    # their sum: 1.94 s against 1.64 s side by side (idle 2-core machine, 3 runs each).
    pool: RecognizerPool | ProcessRecognizerPool
    if processes:
        pool = ProcessRecognizerPool(voice, merged, recognizers)
        # The matcher here must spell names like the workers' recognizers: same dictionary.
        _, matcher, neural = await asyncio.gather(
            pool.warm_up(),
            asyncio.to_thread(_matcher, voice, merged),
            asyncio.to_thread(load_neural),
        )
    else:
        (engines, matcher), neural = await asyncio.gather(
            asyncio.to_thread(load), asyncio.to_thread(load_neural)
        )
        pool = RecognizerPool(engines)
    hearer = await asyncio.to_thread(
        Hearer,
        pool.transcribe,
        matcher,
        voice.asr.second_opinion,
        neural,
        open_vocabulary=open_vocabulary,
        first_stage_name="grammar" if not open_vocabulary else voice.asr.engine,
        room=voice.asr.dereverb,
        fit=voice.asr.speaker_fit,
        read_words=assistant.reading.heard,
    )
    await asyncio.to_thread(hearer.update_lists, merged)
    synthesizer = build_synthesizer(voice.tts)
    try:
        apology: Speech | None = await synthesizer.synthesize(APOLOGY)
    except Exception:  # speech output broken from the start: apologies are written only
        apology = None
    language_of = getattr(assistant, "language", lambda _guild_id: "en")
    parts = VoiceParts(
        recognizers=pool,
        synthesizer=synthesizer,
        hearer=hearer,
        make_request=to_request,
        make_vad=lambda: WebRtcVad(voice.vad),
        apology=apology,
        max_spoken_chars=voice.tts.max_spoken_chars,
        language=language_of,
        guess=lambda words, guild_id: assistant.reading.guess_command(
            words, guild_id, _heard_in(language_of(guild_id), voice.asr.languages)
        ),
        heard_in=lambda guild_id: _heard_in(language_of(guild_id), voice.asr.languages),
        hear_at_pause=voice.asr.engine not in ONLINE_ENGINES,
        join_pieces_s=voice.vad.join_pieces_ms / 1000,
        max_joined_s=voice.vad.max_utterance_s,
    )

    def example(command: str, guild_id: str) -> str | None:
        language = parts.language(guild_id)
        return hearer.spoken_example(command, language, _heard_in(language, voice.asr.languages))

    parts.example = example
    hearer.first_stage = parts.transcribe  # whichever recognizers the parts hold
    _learn_guesses(parts, guild_ids or ["console"])
    return parts


def _heard_in(language: str, heard: list[str]) -> str:
    """The language a guild's speech is heard in: its own where the recognizer hears it, else
    English (the bundled recognizer hears English only: a Russian server speaks English)."""
    return language if language in heard else i18n.ENGLISH


WARM_UP_WORDS = ("what's the status", "show me the commands", "some words that are no command")
"""Lines read once beside start-up: a command, a typed-only phrasing, and no command (each
reading builds parts of its own on first use)."""


def _learn_guesses(parts: VoiceParts, guild_ids: list[str]) -> None:
    """The first "Did you mean" of a language learns from its templates (about a second): in
    a thread now, beside start-up, rather than before the first "Sorry, I didn't catch that"."""

    def learn() -> None:
        for guild_id in guild_ids:
            try:
                stop_if_closing()  # what follows reads the store, which closing closes
                parts.guess("hello", guild_id)
                # What reads the model's words as a typed line (its templates, the typed
                # index) is built here too, not in the first utterance that needs it: built
                # beside start-up, it is frozen out of the collector's view with the rest.
                for words in WARM_UP_WORDS:
                    parts.hearer.read_words(words, guild_id)
            except Stopped:
                log.info("learning the commands' words stopped: closing")
                return
            except Exception:  # the hint is a nicety; it learns again when first asked
                log.exception("learning the commands' words for guild %s failed", guild_id)

    learn_in_background(learn, "learn-guesses")


def _matcher(voice: Any, lists: dict[str, list[str]]) -> Any:
    """The intent matcher the pocketsphinx engine would build (same word list for names)."""
    from audio.asr.pronounce import Lexicon

    is_word = (
        Lexicon(voice.asr.pocketsphinx_dict).is_word
        if voice.asr.engine in ("pocketsphinx", "wyoming")  # a speech server spells like ours
        else None
    )
    matcher = IntentMatcher.from_settings(voice, is_word=is_word)
    matcher.update_lists(lists)
    return matcher
