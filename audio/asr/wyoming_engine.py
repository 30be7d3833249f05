"""Recognition on a Wyoming speech server (`bot.py speech-server`, or any Wyoming ASR service).

One connection per utterance: transcribe, audio start, chunks, audio stop; the server answers with
one transcript. This project's own server adds what its grammar recognizer knows (wake phrase
heard, rejected as out of grammar, the full hypothesis) in the transcript's `context`; any other
server's text is treated like an open-vocabulary engine's (the intent matcher decides).
The speakable names (datasets, folders) travel with each request, so the server's grammar
follows them without a restart of either side.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from assistant.config.voice import AsrSettings

from .. import RECOGNITION_RATE
from .base import Recognizer, Transcript

CONTEXT_KEY = "trainer"
"""Key of this project's fields in a Wyoming transcript's context (and of the names it sends)."""
_CHUNK_BYTES = 2 * RECOGNITION_RATE // 10  # 100 ms per audio chunk


class SpeechServerError(RuntimeError):
    """The speech server could not be reached or broke off; the user hears the apology."""


def tcp_address(uri: str) -> tuple[str, int]:
    """`tcp://HOST:PORT` as (host, port); other schemes get a clear error."""
    parts = urlsplit(uri)
    if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
        raise ValueError(f"Wyoming address {uri!r}: use tcp://HOST:PORT")
    return parts.hostname, parts.port


class WyomingRecognizer(Recognizer):
    name = "wyoming"

    def __init__(self, settings: AsrSettings | None = None) -> None:
        self.settings = settings or AsrSettings()
        self._address = tcp_address(self.settings.wyoming_uri)
        self._lists: dict[str, list[str]] = {}

    def update_lists(self, lists: dict[str, list[str]]) -> None:
        self._lists = {name: sorted(values) for name, values in lists.items()}

    def transcribe(self, pcm: bytes) -> Transcript:
        from wyoming.asr import Transcribe
        from wyoming.audio import AudioChunk, AudioStart, AudioStop

        audio = {"rate": RECOGNITION_RATE, "width": 2, "channels": 1}
        events = [
            Transcribe(
                language=self.settings.language, context={CONTEXT_KEY: {"lists": self._lists}}
            ).event(),
            AudioStart(**audio).event(),
            *(
                AudioChunk(audio=pcm[at : at + _CHUNK_BYTES], **audio).event()
                for at in range(0, len(pcm), _CHUNK_BYTES)
            ),
            AudioStop().event(),
        ]
        return _transcript(self._exchange(events))

    def _exchange(self, events: list[Any]) -> dict[str, Any]:
        """Send the request; the transcript event's data."""
        from wyoming.asr import Transcript as WyomingTranscript
        from wyoming.error import Error
        from wyoming.event import read_event, write_event

        uri = self.settings.wyoming_uri
        try:
            with socket.create_connection(
                self._address, timeout=self.settings.wyoming_timeout_s
            ) as conn:
                stream: Any = conn.makefile("rwb")  # wyoming's typing wants a BinaryIO
                for event in events:
                    write_event(event, stream)
                stream.flush()
                while (event := read_event(stream)) is not None:
                    if WyomingTranscript.is_type(event.type):
                        return dict(event.data)
                    if Error.is_type(event.type):
                        raise SpeechServerError(f"speech server {uri}: {event.data.get('text')}")
        except OSError as exc:
            raise SpeechServerError(f"speech server {uri} failed: {exc}") from None
        raise SpeechServerError(f"speech server {uri} sent no transcript")


def _transcript(data: dict[str, Any]) -> Transcript:
    text = str(data.get("text") or "").strip()
    ours = (data.get("context") or {}).get(CONTEXT_KEY)
    if not isinstance(ours, dict):
        return Transcript(text.lower(), raw=text)
    return Transcript(
        text=text,
        wake=bool(ours.get("wake")),
        confidence=ours.get("confidence"),
        rejected=bool(ours.get("rejected")),
        raw=str(ours.get("raw", text)),
    )
