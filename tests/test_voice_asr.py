"""Recognition with real parts: espeak-ng speech -> webrtcvad -> pocketsphinx grammar -> intent,
through the one hearing path with the grammar recognizer deciding alone (the neural second
opinion is tested in tests/test_voice_hearing.py, test_voice_scoring.py and
test_voice_names.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.config.voice import AsrSettings, SecondOpinionSettings, VoiceSettings
from audio.decision import Hearing
from audio.hearing import Hearer
from tests.loop_ticks import waited_beside
from tests.speech import speak, utterance
from tests.voice_corpus import COMMANDS, DATASETS, NON_COMMANDS

GRAMMAR_ALONE = VoiceSettings(asr=AsrSettings(second_opinion=SecondOpinionSettings(enabled=False)))


@pytest.fixture(scope="module")
def pipeline() -> Hearer:
    p = Hearer.local(GRAMMAR_ALONE)
    p.update_lists({"dataset": DATASETS, "folder": DATASETS})
    return p


def hear(hearer: Hearer, pcm: bytes) -> Hearing:
    return asyncio.run(hearer.hear(pcm))


def _check(pipeline: Hearer, sentence: str, voice: str, speed: int) -> str | None:
    """None when the user gets the command they said, else what went wrong."""
    expected = next(c for c in COMMANDS if c[0] == sentence)
    r = hear(pipeline, utterance(speak(sentence, voice=voice, speed=speed)))
    if not r.wake:
        return f"{sentence!r} ({voice}): wake phrase missed, heard {r.heard!r}"
    if expected[1] is None:
        return None if r.wake_only else f"{sentence!r}: expected wake only, got {r.text!r}"
    got = (r.intent.name, r.intent.slots) if r.intent else None
    if got != (expected[1], expected[2]):
        return f"{sentence!r} ({voice} {speed}): got {got}, heard {r.heard!r}"
    return None


def test_every_default_command_is_understood_from_speech(pipeline: Hearer) -> None:
    problems = [_check(pipeline, s, "en-us", 160) for s, _, _ in COMMANDS]
    failures = [p for p in problems if p]
    assert not failures, failures


@pytest.mark.parametrize(("voice", "speed"), [("en-gb", 175), ("en-us+f3", 150)])
def test_other_voices_and_speeds_mostly_understood(
    pipeline: Hearer, voice: str, speed: int
) -> None:
    failures = [p for p in (_check(pipeline, s, voice, speed) for s, _, _ in COMMANDS) if p]
    # The grammar recogniser is tuned on one espeak voice; others must still get >= 85%.
    assert len(failures) <= 0.15 * len(COMMANDS), failures


def test_non_command_speech_triggers_nothing(pipeline: Hearer) -> None:
    # Sentences starting like a wake phrase ("okay ...", "hey train her") are near-homophones:
    # their false-accept rate is measured by bench/voice_bench.py, not asserted here.
    ordinary = [s for s in NON_COMMANDS if not s.startswith(("okay", "hey"))]
    accepted = []
    for sentence in ordinary:
        r = hear(pipeline, utterance(speak(sentence)))
        if r.accepted(in_window=False) or r.wake_only:
            accepted.append((sentence, r.heard))
    assert not accepted


def test_a_new_dataset_is_speakable_without_restart(pipeline: Hearer) -> None:
    pcm = utterance(speak("hey trainer select dataset yelp twenty fifteen"))
    before = hear(pipeline, pcm)
    assert before.intent is None or before.intent.slots.get("dir") != "yelp2015"
    started = time.perf_counter()
    pipeline.update_lists({"dataset": [*DATASETS, "yelp2015"], "folder": DATASETS})
    rebuild_s = time.perf_counter() - started
    after = hear(pipeline, pcm)
    assert after.intent is not None
    assert (after.intent.name, after.intent.slots) == ("select_dataset", {"dir": "yelp2015"})
    assert rebuild_s < 1.0
    # typed text reaches it too
    typed = pipeline.matcher.match("use the yelp2015 dataset")
    assert typed is not None and typed.slots == {"dir": "yelp2015"}
    pipeline.update_lists({"dataset": DATASETS, "folder": DATASETS})


@pytest.mark.parametrize("seconds", [0.0, 0.05, 1.0])
def test_silence_and_tiny_input_give_an_empty_result(pipeline: Hearer, seconds: float) -> None:
    r = hear(pipeline, b"\0\0" * int(16_000 * seconds))
    assert r.intent is None and not r.wake and not r.wake_only


async def test_new_names_reach_the_process_pool_without_holding_the_reply() -> None:
    """The command that adds a dataset replies at once; speech naming it still gets it right."""
    import asyncio

    from states.recognition_processes import ProcessRecognizerPool

    settings = VoiceSettings()
    lists = {"dataset": DATASETS, "folder": DATASETS}
    pool = ProcessRecognizerPool(settings, lists)
    try:
        await pool.warm_up()
        pcm = utterance(speak("hey trainer select dataset yelp twenty fifteen"))
        await pool.update_lists(dict(lists))  # the same names: nothing to rebuild
        assert not pool.rebuilding
        await pool.update_lists({"dataset": [*DATASETS, "yelp2015"], "folder": DATASETS})
        # update_lists returned while the new workers still start: the reply is not held
        assert pool.rebuilding
        heard = await asyncio.wait_for(pool.transcribe(pcm), 60)
        assert "yelp twenty fifteen" in heard.text
        assert not pool.rebuilding
    finally:
        pool.close()


def test_the_same_audio_is_heard_the_same_whatever_came_before(pipeline: Hearer) -> None:
    """The recognizers are shared by every guild: what one speaker said must not change how
    the next one is heard (pocketsphinx carried its cepstral mean over, and "hey train her"
    was rejected after one sentence and heard as "hey trainer goodbye" after another)."""
    probe = utterance(speak("hey train her", voice="en-gb"))
    others = [
        utterance(speak("what's the status of the pizza order", voice="en-us")),
        utterance(speak("thank you so much for dinner", voice="en-us")),
    ]
    first = hear(pipeline, probe).stages[0].heard
    for other in others:
        hear(pipeline, other)
        assert hear(pipeline, probe).stages[0].heard == first


async def test_the_grammars_own_fit_reaches_the_debug_view_from_a_worker_process() -> None:
    """pocketsphinx's score for its path, per frame, travels from the worker process that
    decodes into the hearing's debug view (`simulate --json`, the console, the bench rows),
    for a command and for speech it rejected; an utterance too short to decode has none."""
    from assistant.intents.matcher import IntentMatcher
    from states.recognition_processes import ProcessRecognizerPool

    lists = {"dataset": DATASETS, "folder": DATASETS}
    pool = ProcessRecognizerPool(GRAMMAR_ALONE, lists)
    matcher = IntentMatcher.from_settings(GRAMMAR_ALONE)
    matcher.update_lists(lists)
    hearer = Hearer(pool.transcribe, matcher, GRAMMAR_ALONE.asr.second_opinion)
    try:
        await pool.warm_up()
        command = await hearer.hear(utterance(speak("hey trainer what's the status")))
        other = await hearer.hear(utterance(speak("the weather is nice today")))
        tiny = await hearer.hear(b"\x00\x00" * 800)
    finally:
        hearer.close()
        pool.close(wait=True)
    assert command.intent is not None and command.intent.name == "status", command.debug()
    grammar = command.debug()["stages"][0]
    assert grammar["stage"] == "grammar" and -100 < grammar["score"] < 0, grammar
    assert f"score {grammar['score']:.2f} (how well its path fits" in command.debug_lines()[0]
    assert other.rejected and -100 < other.debug()["stages"][0]["score"] < 0, other.debug()
    assert tiny.debug()["stages"][0]["score"] is None


async def test_a_waiting_close_ends_every_pool_thread_before_it_returns() -> None:
    """`close(wait=True)` read the pool's manager thread after `shutdown()` had forgotten it, so
    it joined nothing: the thread went on closing its wake-up pipe while the interpreter's exit
    hook wrote to it, and a console that had joined a voice channel ended with "OSError: Bad
    file descriptor" on stderr (seen with both cores busy). The same after a rebuild: the
    old pool was dropped from the list as soon as it was shut down."""
    from concurrent.futures import process

    from states.recognition_processes import ProcessRecognizerPool

    lists = {"dataset": DATASETS, "folder": DATASETS}
    pool = ProcessRecognizerPool(VoiceSettings(), lists)
    await pool.warm_up()
    await pool.update_lists({"dataset": [*DATASETS, "yelp2015"], "folder": DATASETS})
    await pool.settled()  # the old pool retired, its manager thread still ending
    managers = [t for t in process._threads_wakeups if t.is_alive()]
    assert managers, "the pools' manager threads run"
    await asyncio.to_thread(pool.close, True)
    assert [t for t in managers if t.is_alive()] == []


async def test_hearing_in_a_thread_leaves_the_event_loop_free(pipeline: Hearer) -> None:
    """The grammar recognizer decodes in a worker thread (the console, speech servers, tests)
    without holding the GIL: the event loop keeps running while it searches (the binding held
    the GIL for the whole search: one long utterance stopped the loop for 0.7 s idle, over a
    second on a loaded machine). A loaded machine stretches both the decode and the loop's
    waits, so the longest wait is compared with the decode itself."""
    pcm = utterance(speak("hey trainer train the model on reviews please and then test it")) * 4
    _, waited = await waited_beside(pipeline.first_stage(pcm))
    assert waited.took > 0.3, waited  # long enough for the comparison to mean something
    assert waited.longest < waited.took / 4, waited
    assert waited.ticks_during >= 10, waited
