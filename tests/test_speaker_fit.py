"""Each speaker's voice fitted: the grammar recognizer hears a member with the stretch of the
frequency axis their own utterances fit best (audio/speaker_fit.py), and nobody else so."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from assistant.config.voice import (
    AsrSettings,
    SecondOpinionSettings,
    SpeakerFitSettings,
    VoiceSettings,
)
from audio.asr.base import Transcript
from audio.asr.pocketsphinx_engine import PocketsphinxRecognizer
from audio.hearing import Hearer
from tests.speech import speak, utterance
from tests.voice_corpus import DATASETS

LISTS = {"dataset": DATASETS, "folder": DATASETS}
ASR = AsrSettings(
    second_opinion=SecondOpinionSettings(enabled=False),
    speaker_fit=SpeakerFitSettings(utterances=3),
)
SAID = [
    "hey trainer train the model",
    "hey trainer what's the status",
    "hey trainer test the model on movie reviews",
]
NEXT = "hey trainer archive the kaggle tweets folder"
VOICE = "en-gb-x-rp+m3"


@pytest.fixture(scope="module")
def recognizer() -> PocketsphinxRecognizer:
    found = PocketsphinxRecognizer(ASR)
    found.update_lists(LISTS)
    return found


@pytest.fixture
def hearer() -> Iterator[Hearer]:
    found = Hearer.local(VoiceSettings(asr=ASR))
    found.update_lists(LISTS)
    yield found
    found.close()


def test_a_stretch_is_heard_the_same_whatever_was_heard_before(
    recognizer: PocketsphinxRecognizer,
) -> None:
    # pocketsphinx keeps the stretch in process-wide state: another recognizer, or another
    # stretch heard in between, must not change what this one hears.
    pcm = utterance(speak(SAID[0], voice=VOICE))
    stretched = recognizer.transcribe_warped(pcm, 0.85)
    plain = recognizer.transcribe(pcm)
    assert stretched.score != plain.score  # the stretch is heard at all
    other = PocketsphinxRecognizer(ASR)
    other.update_lists(LISTS)
    assert other.transcribe_warped(pcm, 1.1).score not in (stretched.score, plain.score)
    assert recognizer.transcribe_warped(pcm, 0.85) == stretched
    assert recognizer.transcribe(pcm) == plain
    assert other.transcribe_warped(pcm, 0.85) == stretched


def test_a_stretch_holds_while_another_thread_makes_a_recognizer(
    recognizer: PocketsphinxRecognizer,
) -> None:
    """A decode runs without the GIL (audio/asr/pocketsphinx_native.py), and making a decoder
    resets the front end's process-wide stretch: made in another thread during a decode, it
    changed what 13 of 15 decodes at 0.85 heard. Made under the same lock, none."""
    import threading

    pcm = utterance(speak(SAID[0], voice=VOICE))
    stretched = recognizer.transcribe_warped(pcm, 0.85)
    other = PocketsphinxRecognizer(ASR)
    stop = threading.Event()

    def make_again() -> None:
        while not stop.is_set():
            other.rebuild()

    maker = threading.Thread(target=make_again)
    maker.start()
    try:
        heard = [recognizer.transcribe_warped(pcm, 0.85) for _ in range(8)]
    finally:
        stop.set()
        maker.join()
    assert all(h == stretched for h in heard), [h.score for h in heard]


def test_a_speaker_is_heard_with_the_stretch_their_voice_fits_and_others_as_it_came(
    hearer: Hearer, recognizer: PocketsphinxRecognizer
) -> None:
    clips = [utterance(speak(text, voice=VOICE)) for text in SAID]
    warps = ASR.speaker_fit.warps
    fits = {w: 0.0 for w in warps}
    for pcm in clips:
        for w in warps:
            score = recognizer.transcribe_warped(pcm, w).score
            assert score is not None
            fits[w] += score
    likeliest = max(warps, key=lambda w: fits[w])
    later = utterance(speak(NEXT, voice=VOICE))
    expected = recognizer.transcribe_warped(later, likeliest)

    async def scene() -> None:
        assert hearer.fit is not None
        for pcm in clips:
            heard = await hearer.hear(pcm, speaker="ann")
            assert "fitted" not in heard.audio  # not until all three were heard
            await hearer.fit.settled()
        assert hearer.fit.warp("ann") == likeliest
        fitted = await hearer.hear(later, speaker="ann")
        assert f"stretched by {likeliest:g}" in fitted.audio
        assert fitted.stages[0].score == pytest.approx(expected.score, abs=1e-3)
        assert fitted.text == expected.text
        someone_else = await hearer.hear(later, speaker="bob")
        assert "fitted" not in someone_else.audio
        assert someone_else.stages[0].score == pytest.approx(
            recognizer.transcribe(later).score, abs=1e-3
        )

    asyncio.run(scene())


def test_the_other_stretches_wait_while_an_utterance_is_heard(hearer: Hearer) -> None:
    # One recognizer worker hears one utterance at a time: a stretch heard for the fit must
    # never stand between a speaker and the reply to what they say next.
    order: list[tuple[str, float]] = []
    heard_by = hearer.first_stage

    async def recorded(pcm: bytes, warp: float = 1.0, /) -> Transcript:
        order.append(("said" if pcm == later else "first", warp))
        return await heard_by(pcm, warp)

    hearer.first_stage = recorded
    first = utterance(speak(SAID[0], voice=VOICE))
    later = utterance(speak(SAID[1], voice=VOICE))

    async def scene() -> None:
        assert hearer.fit is not None
        await hearer.hear(first, speaker="ann")
        await hearer.hear(later, speaker="cy")  # someone answers at once
        await hearer.fit.settled()

    asyncio.run(scene())
    stretches = [w for w in ASR.speaker_fit.warps if w != 1.0]
    assert order[:2] == [("first", 1.0), ("said", 1.0)]  # both heard before any stretch
    assert sorted(order[2:]) == sorted((who, w) for who in ("first", "said") for w in stretches)
