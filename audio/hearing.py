"""The one hearing path: an utterance's audio in, a decision out.

Stage 1 is the grammar recognizer (pocketsphinx over the intent templates, ~100 ms). When it
rejects the speech, or accepts something that has nothing to lean on (a command inside a
follow-up window, said without the wake phrase), or hears the wake phrase where another name
could have been said, the neural second opinion (Whisper, audio/asr/neural.py) transcribes
the same audio, its text is snapped to the nearest sentence of the same grammar
(assistant/intents/snap.py), and a score gate decides. Whatever then acts on the wake phrase,
or opens a window on it, has the wake word itself checked (audio/wake_verifier.py). Every
stage's words, score, verdict and time are kept in the `Hearing`, for the console,
`simulate --json`, the log and the benches. When the second opinion runs is
audio/second_reason.py.

Open-vocabulary engines (openai, vosk, faster_whisper, a Wyoming server) are the first stage
instead of the grammar recognizer: their text, wake phrase inside, is split at the wake phrase
(or at a call to another name), snapped to the grammar of the guild's language and gated the
same way; they are neural themselves, so no second opinion runs after them.

Two deciding parts live beside this module, which calls them: the gate on candidates the
model scores itself (audio/scored_gate.py) and the open-vocabulary path (audio/free_text.py).
What the neural stage does in the model's thread before the grammar answers is in
audio/ahead.py.

The live session, voice messages, `bot.py simulate` and the voice bench all call `Hearer.hear`;
what it returns is a `Hearing` (audio/decision.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from assistant import i18n
from assistant.config.voice import (
    DereverbSettings,
    SecondOpinionSettings,
    SpeakerFitSettings,
    VoiceSettings,
)
from assistant.intents.matcher import Intent, IntentMatcher
from assistant.intents.plainest import spoken_example
from assistant.intents.snap import CallHead, GrammarSnapper

from .ahead import transcribe_ahead
from .asr.base import Transcript
from .asr.neural import NeuralResult, WhisperModel
from .called import addressed_refusal
from .decision import Hearing, StageReport
from .dereverb import dereverb
from .free_text import Grammar, interpret_free
from .grammar_search import TrieCache
from .grammar_text import interpret_grammar
from .model_queue import ModelQueue
from .rescore import unrepeated
from .scored_gate import ScoredGate
from .second_reason import second_opinion_reason
from .snap_gate import judge_snapped
from .speaker_fit import SpeakerFit, WarpedStage
from .speculation import Speculation
from .wake_verifier import check_wake_word
from .words_vote import WordsVote

log = logging.getLogger(__name__)

FirstStage = WarpedStage
"""The grammar recognizer, off the event loop (a worker process or thread); `warp` stretches
the frequency axis for a speaker's fitted voice (audio/speaker_fit.py)."""
ReadWords = Callable[[str, str | None], Intent | None]
"""How a typed line's words are read: (words, the guild) -> the command they say, or None. The
bot reads the model's words after the wake phrase as it reads typed lines (assistant/reading.py
`Reader.heard`); without one, the templates alone read them."""


class Hearer:
    """Grammar first, neural second opinion constrained to the same grammar, gate, decision."""

    def __init__(
        self,
        first_stage: FirstStage,
        matcher: IntentMatcher,
        settings: SecondOpinionSettings | None = None,
        neural: WhisperModel | None = None,
        first_stage_lists: Callable[[dict[str, list[str]]], None] | None = None,
        open_vocabulary: bool = False,
        first_stage_name: str = "grammar",
        room: DereverbSettings | None = None,
        fit: SpeakerFitSettings | None = None,
        read_words: ReadWords | None = None,
    ) -> None:
        self.first_stage = first_stage
        self._first_stage_lists = first_stage_lists
        self.matcher = matcher
        self.settings = settings or SecondOpinionSettings()
        self.open_vocabulary = open_vocabulary
        """The first stage writes free text (wake phrase inside): it is snapped and gated here,
        and it is neural itself, so the second opinion does not run after it."""
        self.first_name = first_stage_name
        self.room = None if open_vocabulary or room is None or not room.enabled else room
        """Late reverberation is removed before the local recognizers hear an utterance
        (audio/dereverb.py); an open-vocabulary engine hears the audio as it came."""
        grammar = not open_vocabulary and first_stage_name == "grammar"
        self.fit = SpeakerFit(fit) if grammar and fit is not None and fit.enabled else None
        """Each speaker's voice fitted (the grammar recognizer only; audio/speaker_fit.py)."""
        self.neural = None if open_vocabulary else neural
        self.snapper = GrammarSnapper(matcher) if (self.neural or open_vocabulary) else None
        self._languages: dict[str, tuple[IntentMatcher, GrammarSnapper]] = {}
        """Other languages' templates and sentences, built on first use (open vocabulary)."""
        self._lists: dict[str, list[str]] = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="neural-asr")
        """CTranslate2 releases the GIL: a thread keeps the event loop free (see the bench)."""
        self.runs = 0
        """How often the second opinion ran (for the benches)."""
        self._tries = TrieCache()
        """The grammar's sentences as a token trie, for the search (built on first use)."""
        self.words = WordsVote(matcher)
        """Whether the model's own words contradict a command (`settings.words_vote`)."""
        self.speculation = Speculation()
        """Whether the neural stage starts beside the grammar (`settings.speculative`)."""
        self.queue = ModelQueue(self._executor)
        """The neural model's queue (`settings.busy_backlog`)."""
        self.read_words: ReadWords = read_words or (lambda words, _guild: matcher.match(words))
        """Reads the model's words after the wake phrase as typed text: a command said as
        people write it, not as the voice grammar says it, is a candidate too."""

    def update_lists(self, lists: dict[str, list[str]] | None = None) -> None:
        """New speakable names: the first stage's grammar (when this hearer owns it), the
        matcher, and the sentences the neural text snaps to. Blocking (~0.1-0.2 s)."""
        if lists is not None:
            self._lists.update(lists)
            if self._first_stage_lists is not None:
                self._first_stage_lists(lists)
            self.matcher.update_lists(lists)
            for matcher, _snapper in self._languages.values():
                matcher.update_lists(lists)
        if self.snapper is not None:
            self.snapper.rebuild()
            if self.neural is not None and self.neural.can_score and self.settings.search:
                # Built in the neural thread, off the reply path (about 0.5 s for 70,000
                # sentences); a search that comes first waits for it there.
                with contextlib.suppress(RuntimeError):  # the hearer is closing
                    self._executor.submit(
                        self._tries.get,
                        self.neural,
                        self.matcher.wake_phrases,
                        self.snapper.sentences,
                    )
            if self.neural is not None and self.settings.words_vote:
                self.words.start()
        for _matcher, snapper in self._languages.values():
            snapper.rebuild()

    def grammar_of(self, language: str) -> tuple[IntentMatcher, GrammarSnapper | None]:
        """The templates (and their sentences) that free text in `language` snaps to; English
        is the recognizer's own grammar."""
        if language == i18n.ENGLISH or language not in i18n.languages():
            return self.matcher, self.snapper
        if language not in self._languages:
            matcher = IntentMatcher(
                self.matcher.wake_phrases, sentences=i18n.sentences_file(language)
            )
            matcher.update_lists(self._lists)
            self._languages[language] = (matcher, GrammarSnapper(matcher))
        return self._languages[language]

    def spoken_example(self, command: str, language: str, heard: str) -> str | None:
        """What a hint tells to say for `command`: the plainest sentence of the voice grammar
        of `heard` that says it (assistant/intents/plainest.py). Blocking (a few ms)."""
        matcher, _snapper = self.grammar_of(heard)
        return spoken_example(matcher, command, language, heard)

    @classmethod
    def local(cls, settings: VoiceSettings, read_words: ReadWords | None = None) -> Hearer:
        """A hearer with its own grammar recognizer in a worker thread (benches, tests; the
        bot runs the recognizer in worker processes, states/parts.py); `read_words`: the
        bot's reader of typed lines (else the templates alone read the model's words)."""
        from .asr.factory import build_recognizer, load_second_opinion

        recognizer = build_recognizer(settings)
        open_vocabulary = not hasattr(recognizer, "matcher")
        matcher = getattr(recognizer, "matcher", None)
        if not isinstance(matcher, IntentMatcher):
            matcher = IntentMatcher.from_settings(settings)
        executor = ThreadPoolExecutor(1, thread_name_prefix="grammar-asr")

        async def first_stage(pcm: bytes, warp: float = 1.0, /) -> Transcript:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, recognizer.transcribe_warped, pcm, warp)

        def lists(values: dict[str, list[str]]) -> None:
            recognizer.update_lists(values)  # updates the shared matcher too

        return cls(
            first_stage,
            matcher,
            settings.asr.second_opinion,
            None if open_vocabulary else load_second_opinion(settings.asr.second_opinion),
            first_stage_lists=lists,
            open_vocabulary=open_vocabulary,
            first_stage_name="grammar" if not open_vocabulary else settings.asr.engine,
            room=settings.asr.dereverb,
            fit=settings.asr.speaker_fit,
            read_words=read_words,
        )

    def close(self) -> None:
        if self.fit is not None:
            self.fit.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def hear(
        self,
        pcm: bytes,
        in_window: bool = False,
        language: str = "en",
        speaker: str | None = None,
        guild_id: str | None = None,
    ) -> Hearing:
        """Decide what one utterance (16 kHz mono s16le) was; `in_window`: a follow-up window
        is open for this speaker, so a command needs no wake phrase; `language`: the guild's
        (free text from an open-vocabulary engine snaps to its templates); `speaker`: who said
        it (a member, a console speaker), whose voice the grammar recognizer is fitted to;
        `guild_id`: where (its names, for reading the model's words as typed text)."""
        # While it is heard, the speakers' other stretches wait (audio/speaker_fit.py).
        with self.fit.hearing_one() if self.fit is not None else contextlib.nullcontext():
            return await self._hear(pcm, in_window, language, speaker, guild_id)

    async def _hear(
        self,
        pcm: bytes,
        in_window: bool,
        language: str,
        speaker: str | None,
        guild_id: str | None = None,
    ) -> Hearing:
        # Off the event loop: about 10-20 ms for a few seconds of speech (audio/dereverb.py).
        room = (
            await asyncio.to_thread(dereverb, pcm, self.room.min_removed_db) if self.room else None
        )
        if room is not None:
            pcm = room.pcm
        t0 = time.perf_counter()
        beside = self.settings.speculative and self.speculation.start_beside() and not self._busy()
        early = self._start_neural(pcm) if beside else None
        warp = self.fit.warp(speaker) if self.fit is not None else 1.0
        try:
            transcript = await (
                self.first_stage(pcm) if warp == 1.0 else self.first_stage(pcm, warp)
            )
        except BaseException:
            if early is not None:
                early.cancel()
            raise
        ms = (time.perf_counter() - t0) * 1000
        if self.open_vocabulary:
            first = self.interpret_free(transcript, ms, in_window, language)
        else:
            first = self.interpret(transcript, ms)
        hearing = await self.second(first, pcm, in_window, early, guild_id)
        if room is not None:
            hearing = hearing.after_filter(room.why, room.ms)
        if self.fit is not None:
            self.fit.learn(speaker, pcm, transcript, warp, self.first_stage)
            hearing = hearing.with_audio_note(self.fit.describe(speaker))
        log.debug("heard: %s", hearing.debug())
        return hearing

    def _start_neural(self, pcm: bytes, check: bool = True) -> asyncio.Future[NeuralResult] | None:
        """Start the neural stage beside the grammar (two cores: the second opinion, needed
        for most utterances, is then ready about when the grammar is), with the work it can do
        before the grammar's answer is in (`check`: the wake-word check; audio/ahead.py)."""
        gate = self.scored_gate()
        if gate is None or not self.settings.enabled:
            return None
        return self.queue.submit(transcribe_ahead, gate, pcm, check, self._busy, self.snapper_head)

    def snapper_head(self, result: NeuralResult) -> CallHead:
        """How the model's transcript begins (wake phrase, another name, or neither), and its
        words after that. A repetition loop counts once, as its score does (audio/rescore.py):
        the sentences nearest to the whole loop were long ones ("Run the training run on movie
        reviews" for "Run up here! Run up here!", said "run a test"), none of them what was
        said."""
        assert self.snapper is not None
        return self.snapper.head(unrepeated(result.text), self._aliases())

    def _busy(self, own: asyncio.Future[NeuralResult] | None = None) -> bool:
        return self.queue.busy(self.settings.busy_backlog, own)

    async def second(
        self,
        first: Hearing,
        pcm: bytes,
        in_window: bool,
        early: asyncio.Future[NeuralResult] | None = None,
        guild_id: str | None = None,
    ) -> Hearing:
        """The second opinion where `first` (the grammar's decision) needs one; `early` is the
        neural stage already started on the same audio; `guild_id`: where it was said."""
        grammar_ms = first.stages[0].ms if first.stages else 0.0
        available = self.neural is not None and self.settings.enabled
        reason = second_opinion_reason(first, in_window, self.settings) if available else None
        self.speculation.record(reason is not None)
        if reason in ("verify_wake", "verify_wake_only") and self._busy(early):
            # Too busy to check: what the grammar heard after the wake phrase acts (a command),
            # or opens a follow-up window (the wake phrase alone).
            if early is not None:
                early.cancel()
            why = f"busy ({self.queue.pending} utterances queued): the wake phrase is not checked"
            first = replace(
                first, stages=[*first.stages, StageReport("neural", "", None, "not run", why, 0.0)]
            )
            reason = None
        if reason is None:
            timings = {"grammar": grammar_ms, "total": grammar_ms}
            return replace(first, timings_ms=timings, grammar_alone=first)
        assert self.neural is not None
        self.runs += 1
        waited = time.perf_counter()
        check = reason == "verify_wake"
        result = await (early or self._start_neural(pcm, check) or _never())
        if result.avg_logprob >= -self.settings.words_vote_unsure:
            # Only words the model is sure of are read as a typed line would be: a garbled
            # transcript read so is a guess at a command ("immaillate the model ...").
            result = replace(result, read=lambda words: self.read_words(words, guild_id))
        neural_wait_ms = (time.perf_counter() - waited) * 1000
        t0 = time.perf_counter()
        # In the neural thread: scoring candidates runs the model again (tens of milliseconds).
        hearing = await self.queue.submit(self.decide, first, result, reason, in_window)
        snap_ms = (time.perf_counter() - t0) * 1000
        timings = {
            "grammar": grammar_ms,
            "neural": result.ms,
            "neural_wait": neural_wait_ms,
            "snap": snap_ms,
            "total": grammar_ms + neural_wait_ms + snap_ms,
        }
        return replace(hearing, timings_ms=timings, grammar_alone=first)

    def interpret(self, transcript: Transcript, ms: float = 0.0) -> Hearing:
        """Stage 1's transcript -> wake, text, intent (audio/grammar_text.py)."""
        return interpret_grammar(transcript, ms, self.matcher, self.first_name)

    def interpret_free(
        self, transcript: Transcript, ms: float, in_window: bool, language: str = "en"
    ) -> Hearing:
        """An open-vocabulary transcript -> decision (audio/free_text.py), snapped to the
        templates of `language`, English as a fallback."""

        def grammars() -> list[Grammar]:
            found = [self.grammar_of(language)]
            if language != i18n.ENGLISH:
                found.append(self.grammar_of(i18n.ENGLISH))
            return found

        return interpret_free(
            transcript, ms, in_window, grammars, self._aliases, self.settings, self.first_name
        )

    def _aliases(self) -> list[str]:
        """The configured other spellings of a wake word, only for wake words they resemble:
        "trainor" must not stand in for "computer" once the wake phrase is "hey computer"."""
        from rapidfuzz import fuzz

        words = self.matcher.wake_words
        return [a for a in self.settings.wake_aliases if any(fuzz.ratio(a, w) >= 65 for w in words)]

    def decide(self, first: Hearing, result: NeuralResult, reason: str, in_window: bool) -> Hearing:
        """`judge`, then the learned check of the wake word where it acts on the wake phrase."""
        assert self.neural is not None
        hearing = (
            first if reason == "verify_wake_only" else self.judge(first, result, reason, in_window)
        )
        phrases = self.matcher.wake_phrases
        if hearing.rejected:  # said to me, though no command followed? (audio/called.py)
            head = self.snapper_head(result)
            said = addressed_refusal(hearing, head, self.neural, result, self.settings, phrases)
            return said or hearing
        # The grammar heard the wake phrase and a command, and the model wrote the wake phrase.
        twice = first.wake and first.intent is not None and self.snapper_head(result).wake
        return check_wake_word(hearing, self.neural, result, self.settings, phrases, twice)

    def judge(self, first: Hearing, result: NeuralResult, reason: str, in_window: bool) -> Hearing:
        """The gate: what the neural transcript, snapped to the grammar, makes of `first`
        (scored by the model itself where it can: audio/scored_gate.py; else
        audio/snap_gate.py)."""
        assert self.snapper is not None and self.neural is not None
        head = self.snapper_head(result)
        scored = self.scored_gate() if self.neural.can_score and self.settings.scored else None
        return judge_snapped(
            first, result, reason, in_window, head, self.snapper, self.settings, scored
        )

    def scored_gate(self) -> ScoredGate | None:
        """The scored gate over this hearer's current parts (audio/scored_gate.py); made per
        use because `settings` may be swapped (benches, tests). None without the model."""
        if self.neural is None or self.snapper is None:
            return None
        return ScoredGate(
            self.neural, self.matcher, self.snapper, self.settings, self._tries, self.words
        )


async def _never() -> NeuralResult:
    raise RuntimeError("the neural stage is not available")
