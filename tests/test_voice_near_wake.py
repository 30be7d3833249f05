"""Near-homophones of the wake phrase: generated from the dictionary, rejected when heard."""

from __future__ import annotations

import pytest

from assistant.config.voice import AsrSettings
from audio.asr.grammar import NEAR_PREFIX
from audio.asr.pronounce import Lexicon, near_homophones


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon()


def test_near_homophones_of_trainer_are_real_word_splits(lexicon: Lexicon) -> None:
    prons = (*lexicon.pronunciations({"trainer"})["trainer"], "T R EY N AH")
    found = near_homophones(prons, lexicon.path, 400)
    phrases = {words for words, _ in found}
    assert ("train", "her") in phrases
    phones = {p for _, p in found}
    # never the word itself, never a doubled phone, never a vowel squeezed into a cluster
    assert not phones & set(prons)
    assert "T R EY N N ER" not in phones
    assert "T AH R EY N ER" not in phones
    assert found == near_homophones(prons, lexicon.path, 400)  # deterministic


def test_a_near_homophone_in_the_hypothesis_is_rejected() -> None:
    from audio.asr.pocketsphinx_engine import PocketsphinxRecognizer

    rec = PocketsphinxRecognizer(AsrSettings(near_wake=5))
    assert rec.grammar is not None
    assert "<near_wake>" in rec.grammar.jsgf
    near = [w for w in rec.grammar.words if w.startswith(NEAR_PREFIX)]
    assert near
    result = rec._result(f"okay {near[0]} good job")
    assert result.rejected and not result.wake and result.text == ""
    accepted = rec._result("okay trainer good job")
    assert accepted.wake and accepted.text == "good job"
    off = PocketsphinxRecognizer(AsrSettings(near_wake=0))
    assert off.grammar is not None and "<near_wake>" not in off.grammar.jsgf
