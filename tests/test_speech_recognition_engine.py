"""The SpeechRecognition package's recognizers as an engine (`voice.asr.engine:
speech_recognition`): offline `sphinx` on real espeak-ng speech, `whisper_api` against the loopback
fake OpenAI server, `google` against a loopback stand-in for its endpoint, and a spoken command
through the console's voice channel."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.config.voice import VoiceSettings
from audio.asr.factory import build_recognizer
from audio.asr.speech_recognition_engine import SpeechRecognitionError
from tests.fakes.openai_audio import AudioServer
from tests.speech import speak, write_wav
from tests.test_russian_voice import console

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is needed")


def engine(**asr: object) -> object:
    return build_recognizer(VoiceSettings(asr={"engine": "speech_recognition", **asr}))


def test_sphinx_transcribes_real_speech_offline() -> None:
    recognizer = engine()  # the default recognizer: sphinx, no network
    heard = recognizer.transcribe(speak("hey trainer, what's the status"))  # type: ignore[attr-defined]
    assert "the status" in heard.text, heard  # open vocabulary: the wake phrase may be misheard
    # Open vocabulary: sphinx turns even a second of silence into a word ("dog"); the intent
    # matcher then finds no command in it. A click too short to be speech is not sent at all.
    assert recognizer.transcribe(b"\0" * 3_200).text == ""  # type: ignore[attr-defined]


def test_whisper_api_sends_the_speech_and_returns_the_transcript() -> None:
    pcm = speak("Какой статус?", voice="ru")  # espeak-ng's Russian voice, 16 kHz mono
    with AudioServer(transcript="Какой статус?") as server:
        recognizer = engine(
            speech_recognition_recognizer="whisper_api",
            openai_base_url=server.base_url,
            languages=["ru"],
        )
        heard = recognizer.transcribe(pcm)  # type: ignore[attr-defined]
        sent = [fields for endpoint, fields in server.requests if endpoint == "transcriptions"]
    assert heard.text == "какой статус?" and heard.raw == "Какой статус?"
    assert sent[0]["language"] == "ru" and sent[0]["seconds"] == len(pcm) / 32_000


def test_a_failing_service_is_an_error_the_session_logs_not_a_hang() -> None:
    with AudioServer(delay_s=3) as server:
        recognizer = engine(
            speech_recognition_recognizer="whisper_api",
            openai_base_url=server.base_url,
            speech_recognition_timeout_s=0.5,
        )
        with pytest.raises(SpeechRecognitionError, match="APITimeoutError"):
            recognizer.transcribe(speak("what's the status"))  # type: ignore[attr-defined]


def test_a_spoken_command_through_speech_recognition_is_answered(tmp_path: Path) -> None:
    from tests.consoles import make_workdir

    workdir = make_workdir(tmp_path)
    wav = write_wav(workdir / "status.wav", speak("hey trainer, what's the status"))
    with AudioServer(transcript="Hey trainer, what's the status?") as server:
        import yaml

        asr = {
            "engine": "speech_recognition",
            "speech_recognition_recognizer": "whisper_api",
            "openai_base_url": server.base_url,
        }
        config = {"data_root": "data", "state_dir": "state", "voice": {"asr": asr}}
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
        events = console(workdir, "", "--speak", str(wav))
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert heard == ["what's the status"], events  # the wake phrase was taken off
    assert said == ["There is no model yet."], events


class FakeGoogle(http.server.BaseHTTPRequestHandler):
    """Google's Web Speech v2 endpoint on loopback: takes FLAC, answers in its two-line format."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeGoogle.received.append((self.path, body))
        if not body.startswith(b"fLaC"):
            self.send_error(400)
            return
        hypothesis = {"transcript": "какой статус", "confidence": 0.9}
        answer = {"result": [{"alternative": [hypothesis], "final": True}], "result_index": 0}
        text = '{"result":[]}\n' + json.dumps(answer, ensure_ascii=False) + "\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_google_sends_flac_of_the_speech_in_the_language_asked() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        recognizer = engine(
            speech_recognition_recognizer="google",
            speech_recognition_endpoint=f"http://127.0.0.1:{server.server_port}/recognize",
            languages=["ru"],
        )
        heard = recognizer.transcribe(speak("Какой статус?", voice="ru"))  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        thread.join(5)
    assert heard.text == "какой статус"
    (path, flac), *_ = FakeGoogle.received
    assert "lang=ru-RU" in path and len(flac) > 5_000  # compressed real speech, not a stub
