"""The step-by-step numpy decoder (audio/asr/whisper_decoder.py) against CTranslate2's own, on
real espeak-ng speech and the bundled Whisper tiny.en: the same log probabilities within what
int8 against float32 arithmetic explains, the same answer from the grammar search, and a
step that costs a fraction of a CTranslate2 call."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from audio.asr.neural import WhisperModel
from audio.asr.whisper_decoder import DecoderWalk, WhisperDecoder, read_decoder
from audio.grammar_search import search
from audio.hearing import Hearer
from audio.scored_gate import ScoredGate
from tests.speech import speak


@pytest.fixture(scope="module")
def heard(hearer: Hearer) -> tuple[WhisperModel, object]:
    assert hearer.neural is not None
    pcm = speak("hey trainer, select kaggle tweets as negative", voice="en-gb-scotland")
    return hearer.neural, hearer.neural.transcribe(pcm)


def test_the_decoder_weights_are_read_from_the_checksummed_model_file(hearer: Hearer) -> None:
    assert hearer.neural is not None
    weights = read_decoder(hearer.neural.folder / "model.bin")
    assert weights["decoder/embeddings/weight"].shape == (51864, 384)
    assert weights["decoder/projection/weight"] is weights["decoder/embeddings/weight"]
    assert not any(name.startswith("encoder/") for name in weights)


@pytest.mark.parametrize(
    "text", ["Hey trainer select kaggle tweets as negative", "Hey Tina, what's the status"]
)
def test_steps_give_the_log_probabilities_ctranslate2_gives(heard: tuple, text: str) -> None:
    model, result = heard
    walk = model.walk(result)
    assert isinstance(walk, DecoderWalk)
    tokens = model.tokens(text)
    # Token by token, as the search asks, against one forced decoding by CTranslate2.
    steps = [walk.continuations([tokens[: i + 1]], [i])[0] for i in range(len(tokens))]
    ((expected, following),) = model.continuations(result, [tokens], [0])
    mine = sum(cost for cost, _ in steps)
    # CTranslate2 computes in int8: on 12 texts and 4 voices the two differed by 0.006-0.11
    # a token, 2% of the score at most.
    assert abs(mine - expected) < 0.15 * len(tokens), (mine, expected)
    likely = following > -2.5  # where the search decides; unlikely tokens differ up to 0.7
    assert np.abs(steps[-1][1][likely] - following[likely]).max() < 0.3
    assert int(np.argmax(steps[-1][1])) == int(np.argmax(following))


def test_the_search_finds_the_same_sentence_stepping(
    hearer: Hearer, gate: ScoredGate, heard: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, result = heard
    trie = gate.tries.get(model, hearer.matcher.wake_phrases, gate.snapper.sentences)
    stepping = search(model, result, trie, 3)
    monkeypatch.setattr(model, "walk", lambda _heard: None)
    whole = search(model, result, trie, 3)
    best = [max(found, key=lambda f: f.ranked(3.0)) for found in (stepping, whole)]
    assert best[0].text == best[1].text == "Hey trainer select kaggle tweets as negative"
    assert abs(best[0].log_probability - best[1].log_probability) < 0.15 * best[0].tokens


def test_attention_for_a_few_queries_equals_attention_over_the_audio_keys(heard: tuple) -> None:
    """`light_cross` (the queries taken into the audio's space) gives the states `cross`
    (every frame made a key and a value) gives, to float32 rounding."""
    model, result = heard
    decoder = model.decoder()
    assert isinstance(decoder, WhisperDecoder)
    encoded = np.array(result.encoded)[0]
    prompt = model._prompt_ids()
    tokens = prompt + model.tokens("Hey, trainer select")
    full = decoder.extend(decoder.cross(encoded), None, tokens).hidden
    light = decoder.extend(decoder.light_cross(encoded), None, tokens).hidden
    assert np.abs(full - light).max() < 1e-3 * np.abs(full).max()
    states = model.states(result, "Hey, trainer select")
    assert states is not None and np.allclose(
        states, full[len(prompt) :], atol=1e-3 * np.abs(full).max()
    )


ROUNDS = 7
"""Timings of each kind compared, interleaved."""


def test_a_step_costs_a_fraction_of_a_forced_decoding(heard: tuple) -> None:
    """The reason it exists: a long prefix plus one token, against CTranslate2 decoding the
    prefix again. Each timed seven times, the two interleaved so that they meet the same
    moments of a busy machine, and the quickest of each compared (best of three, one after
    the other, lost to a load spike under the suite)."""
    model, result = heard
    tokens = model.tokens("Hey trainer select kaggle tweets as negative please")
    walk = model.walk(result)
    assert walk is not None
    walk.continuations([tokens[:-1]], [0])
    ends = [model.end_of_text, tokens[-1]]
    for word in ("now", "the", "it", "to", "a", "and", "for"):
        ends += [t for t in model.tokens(word)[:1] if t not in ends]
    fresh = [[*tokens[:-1], t] for t in ends[:ROUNDS]]  # a new token each time: no cache
    stepped, forced = [], []
    for prefix in fresh:
        started = time.perf_counter()
        walk.continuations([prefix], [len(tokens) - 1])
        stepped.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.continuations(result, [tokens], [0])
        forced.append(time.perf_counter() - started)
    assert len(fresh) == ROUNDS
    # about 0.37 of it on an idle machine, 0.53 with three busy processes on two cores;
    # decoding the prefix again would be about 1
    assert min(stepped) < min(forced) * 0.75, (stepped, forced)


def test_a_model_file_without_a_float_decoder_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "model.bin"
    broken.write_bytes(b"\x06\x00\x00\x00")
    with pytest.raises(ValueError, match=r"model\.bin"):
        WhisperDecoder(broken)


def test_a_model_quantized_at_conversion_is_left_to_ctranslate2(
    hearer: Hearer, tmp_path: Path
) -> None:
    """int8 weights are not read: the decoder refuses the file and the search falls back to
    CTranslate2 (`WhisperModel.walk` gives None)."""
    assert hearer.neural is not None
    source = (hearer.neural.folder / "model.bin").read_bytes()
    name = b"decoder/layer_1/ffn/linear_0/weight"
    at = source.index(name) + len(name) + 1  # past the name and its NUL
    rank = source[at]
    dtype_at = at + 1 + 4 * rank
    assert source[dtype_at] == 4  # float16
    quantized = tmp_path / "model.bin"
    quantized.write_bytes(source[:dtype_at] + bytes([1]) + source[dtype_at + 1 :])
    with pytest.raises(ValueError, match="ffn/linear_0/weight"):
        WhisperDecoder(quantized)
