"""`bot.py speech-server` as a real process on loopback, used through the Wyoming engines."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import Config
from assistant.config.voice import AsrSettings, TtsSettings, VoiceSettings
from audio.asr.wyoming_engine import SpeechServerError, WyomingRecognizer
from audio.hearing import Hearer
from audio.tts.factory import build_synthesizer
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from tests.speech import speak
from tests.voice_corpus import DATASETS

ROOT = Path(__file__).resolve().parents[1]
SERVE = ("--uri", "tcp://127.0.0.1:0", "--recognizers", "1")
"""Any free loopback port (the server prints the one it got), one recognizer process."""


def start_speech_server(
    config_path: Path, stderr: Any = None
) -> tuple[subprocess.Popen[str], str]:
    """Start `bot.py speech-server` on a free loopback port; (process, its tcp:// address)."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bot.py"),
            "--config",
            str(config_path),
            "speech-server",
            *SERVE,
        ],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # printed once the recognizers are warm
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"speech server did not start: {line!r}")
    return process, line.rsplit(" ", 1)[1].strip()


def stopped(process: subprocess.Popen[str], seconds: float = 30) -> None:
    """Wait for a terminated speech server to exit; if it hangs, its stacks (SIGUSR1, see
    bot.py) go to the captured stderr before it is killed and the test fails."""
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)
        time.sleep(2)
        process.kill()
        process.wait()
        raise AssertionError(
            f"the speech server did not exit within {seconds} s of SIGTERM"
        ) from None


@pytest.fixture(scope="module")
def speech_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("speech-server")
    (folder / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    process, uri = start_speech_server(folder / "config.yaml")
    yield uri
    process.terminate()
    stopped(process)


def utterance(text: str) -> bytes:
    """Espeak speech of `text` as the VAD hands it to a recognizer."""
    vad = WebRtcVad()
    pcm = speak(text)
    ended = [e for e in vad.process(pcm) + vad.flush() if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    return ended[0].pcm


def remote(uri: str) -> VoiceSettings:
    return VoiceSettings(
        asr=AsrSettings(engine="wyoming", wyoming_uri=uri),
        tts=TtsSettings(engine="wyoming", wyoming_uri=uri),
    )


@pytest.mark.parametrize(
    ("sentence", "intent", "slots"),
    [
        ("hey trainer train the model", "train", {}),
        ("hey trainer select dataset movie reviews", "select_dataset", {"dir": "movie_reviews"}),
        ("hey trainer test the model", "test", {}),
    ],
)
def test_spoken_commands_are_recognized_by_the_speech_server(
    speech_server: str, sentence: str, intent: str, slots: dict[str, str]
) -> None:
    hearer = Hearer.local(remote(speech_server))
    hearer.update_lists({"dataset": DATASETS, "folder": DATASETS})
    recognition = asyncio.run(hearer.hear(utterance(sentence)))
    assert recognition.wake, recognition.debug()
    assert recognition.intent is not None, recognition.debug()
    assert (recognition.intent.name, recognition.intent.slots) == (intent, slots)


def test_speech_that_is_no_command_is_rejected_by_the_server(speech_server: str) -> None:
    recognizer = WyomingRecognizer(AsrSettings(engine="wyoming", wyoming_uri=speech_server))
    heard = recognizer.transcribe(utterance("the weather is lovely in the mountains today"))
    assert heard.rejected or (not heard.wake and heard.text == ""), heard


async def test_the_server_speaks_and_describes_itself(speech_server: str) -> None:
    from wyoming.client import AsyncTcpClient
    from wyoming.info import Describe, Info

    speech = await build_synthesizer(remote(speech_server).tts).synthesize("Training started.")
    assert speech.engine == "wyoming"
    samples = np.frombuffer(speech.pcm, "<i2")
    assert 0.4 < speech.seconds < 4 and np.abs(samples).max() > 1000

    host, port = speech_server.removeprefix("tcp://").rsplit(":", 1)
    async with AsyncTcpClient(host, int(port)) as client:  # what Home Assistant asks first
        await client.write_event(Describe().event())
        event = await asyncio.wait_for(client.read_event(), 10)
    assert event is not None and Info.is_type(event.type)
    info = Info.from_event(event)
    assert info.asr[0].models[0].languages == ["en"] and info.tts[0].voices


async def test_a_dead_server_fails_one_utterance_and_speech_falls_back(
    make_config: Callable[..., Config],
) -> None:
    dead = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    recognizer = WyomingRecognizer(
        AsrSettings(engine="wyoming", wyoming_uri=dead, wyoming_timeout_s=2)
    )
    with pytest.raises(SpeechServerError, match=r"speech server tcp://127\.0\.0\.1:9"):
        recognizer.transcribe(utterance("hey trainer train the model"))
    speech = await build_synthesizer(TtsSettings(engine="wyoming", wyoming_uri=dead)).synthesize(
        "hello"
    )
    assert speech.engine == "espeak" and speech.seconds > 0.2


def test_a_bad_server_address_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="use tcp://HOST:PORT"):
        WyomingRecognizer(AsrSettings(engine="wyoming", wyoming_uri="unix:///tmp/speech"))


async def test_the_server_stops_at_once_while_clients_are_mid_request(tmp_path: Path) -> None:
    """SIGTERM while connections are open, a grammar with new names is warming, utterances are
    in flight and speech is being synthesized (a deployment stopping everything at once): it
    exits promptly and says nothing alarming. Speech started with asyncio's subprocesses once
    hung the exit when cancelled as the synthesizer was starting (audio/piped.py)."""
    from wyoming.asr import Transcribe
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncTcpClient
    from wyoming.tts import Synthesize

    (tmp_path / "config.yaml").write_text("state_dir: state\ndata_root: data\n")
    with (tmp_path / "err.log").open("w") as err:
        process, uri = start_speech_server(tmp_path / "config.yaml", stderr=err)
    host, port = uri.removeprefix("tcp://").rsplit(":", 1)
    audio = {"rate": 16000, "width": 2, "channels": 1}
    clients = []
    for n in range(2):
        client = AsyncTcpClient(host, int(port))
        await client.connect()
        clients.append(client)
        names = {"dataset": [f"new names {n}"]}
        await client.write_event(Transcribe(context={"trainer": {"lists": names}}).event())
        await client.write_event(AudioStart(**audio).event())
        await client.write_event(AudioChunk(audio=utterance("train the model"), **audio).event())
        await client.write_event(AudioStop().event())
        for _ in range(20):
            await client.write_event(Synthesize(text="Goodbye, everyone.").event())
    await asyncio.sleep(0.3)
    process.terminate()
    await asyncio.to_thread(stopped, process)
    for client in clients:
        await client.disconnect()
    log = (tmp_path / "err.log").read_text()
    assert "Traceback" not in log and "ERROR" not in log, log
