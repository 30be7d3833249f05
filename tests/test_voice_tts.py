"""Speech output and the online engines, with the network absent or faked on loopback."""

from __future__ import annotations

import socket
import time

import pytest

from assistant.config.voice import AsrSettings, TtsSettings
from audio.asr.openai_engine import OpenAIRecognizer, TranscriptionError
from audio.speech_text import SEE_CHAT, spoken_text
from audio.tts.espeak import EspeakSynthesizer
from audio.tts.factory import build_synthesizer
from audio.tts.fallback import FallbackSynthesizer
from audio.tts.openai_tts import OpenAISynthesizer
from tests.fakes.openai_audio import AudioServer
from tests.speech import speak


def _dead_port() -> int:
    """A loopback port nobody listens on: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_espeak_speaks_quickly() -> None:
    started = time.perf_counter()
    speech = await EspeakSynthesizer().synthesize("Training started on movie reviews.")
    assert speech.engine == "espeak" and speech.sample_rate == 22_050
    assert 1.0 < speech.seconds < 4.0
    assert time.perf_counter() - started < 1.0


async def test_espeak_reads_text_starting_with_a_dash() -> None:
    speech = await EspeakSynthesizer().synthesize("--help is not an option here")
    assert speech.seconds > 0.5


async def test_openai_speech_unreachable_falls_back_to_espeak() -> None:
    settings = TtsSettings(
        engine="openai", openai_base_url=f"http://127.0.0.1:{_dead_port()}/v1", timeout_s=30
    )
    synth = build_synthesizer(settings)
    started = time.perf_counter()
    speech = await synth.synthesize("The model is ready.")
    assert speech.engine == "espeak" and speech.seconds > 0.5
    # a refused connection falls back at once, not after the timeout (first use imports the
    # client: over 3 s on a busy machine, so the margin is the timeout's half)
    assert time.perf_counter() - started < 15
    assert isinstance(synth, FallbackSynthesizer) and "openai" in (synth.last_failure or "")


async def test_slow_engine_is_cut_by_the_timeout() -> None:
    with AudioServer(delay_s=5) as server:
        slow = OpenAISynthesizer(base_url=server.base_url, timeout_s=30, api_key="k")
        synth = FallbackSynthesizer([slow, EspeakSynthesizer()], timeout_s=0.5)
        started = time.perf_counter()
        speech = await synth.synthesize("hello")
        elapsed = time.perf_counter() - started
    assert speech.engine == "espeak" and elapsed < 2


async def test_openai_speech_against_fake_server() -> None:
    with AudioServer() as server:
        synth = OpenAISynthesizer(base_url=server.base_url, voice="alloy", api_key="k")
        speech = await synth.synthesize("Status: idle.")
        assert speech.engine == "openai" and speech.seconds > 0.3
        assert server.requests[0][1]["input"] == "Status: idle."


async def test_missing_optional_engine_falls_back_with_a_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    synth = build_synthesizer(TtsSettings(engine="gtts"))
    speech = await synth.synthesize("hello")
    assert speech.engine in ("espeak", "gtts")


def test_openai_transcription_against_fake_server() -> None:
    with AudioServer(transcript="Hey trainer, what's the status?") as server:
        asr = OpenAIRecognizer(AsrSettings(engine="openai", openai_base_url=server.base_url), "k")
        transcript = asr.transcribe(speak("hey trainer what is the status"))
        assert transcript.text == "hey trainer, what's the status?"
        assert server.requests[0][1]["seconds"] > 1.0


def test_openai_transcription_unreachable_is_a_clear_error() -> None:
    settings = AsrSettings(
        engine="openai", openai_base_url=f"http://127.0.0.1:{_dead_port()}/v1", openai_timeout_s=2
    )
    with pytest.raises(TranscriptionError, match="transcription failed"):
        OpenAIRecognizer(settings, "k").transcribe(speak("hello"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"accuracy": 0.91, "labels": ["pos", "neg"]}', SEE_CHAT),
        ("Training **started** on `movie_reviews`.", "Training started on movie reviews."),
        ("Datasets:\n- a\n- b\n- c\n- d\n- e", "Datasets: 5 items, starting with a."),
        (
            "Results:\n| label | n |\n|---|---|\n| pos | 3 |",
            "Results: A table with 1 rows is in the chat.",
        ),
        ("Here it is:\n```python\nprint(1)\n```", f"Here it is: {SEE_CHAT}"),
    ],
)  # fmt: skip
def test_spoken_form_of_replies(text: str, expected: str) -> None:
    assert spoken_text(text) == expected


def test_long_reply_is_shortened() -> None:
    out = spoken_text("This is a sentence. " * 50, max_chars=100)
    assert len(out) <= 100 and out.endswith(".")
