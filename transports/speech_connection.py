"""One client of the speech server: any number of transcriptions and syntheses, with bounds.

A client may be anything that reaches the port, so nothing it does costs the server without
limit: an utterance holds at most `Limits.utterance_bytes` of audio (more is refused with a
Wyoming `error` event and dropped; the connection goes on), a connection that sends nothing
(or stops mid-event), or does not read its answers, for `Limits.idle_timeout_s` is closed, and
bytes that are no Wyoming event close that connection with one warning naming the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from wyoming.asr import Transcribe
from wyoming.asr import Transcript as WyomingTranscript
from wyoming.audio import AudioChunk, AudioChunkConverter, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, Eventable, async_write_event
from wyoming.info import Describe
from wyoming.tts import Synthesize

from audio import RECOGNITION_RATE
from audio.asr.wyoming_engine import CONTEXT_KEY
from states.name_grammars import Names, NamesRefused
from states.recognition_processes import RecognizersClosed

from .wyoming_reading import MalformedEvent, read_event

if TYPE_CHECKING:
    from .speech_server import SpeechService

log = logging.getLogger(__name__)

_CHUNK_SAMPLES = 1024
NAME_CHARS = 80
"""Longest name a client may send: a dataset's name is at most 40 characters, the archive of
one, "archives/NAME-20261203-154400.zip", 69."""
_LISTS = 8
"""Lists of names a request may bring (a bot sends three: datasets, folders and files)."""
_RATES = range(8000, 192001)
"""Sample rates a client's audio may have (a lower one would be stretched many times over)."""
_Kind = TypeVar("_Kind", bound=Eventable)


@dataclass(frozen=True)
class Limits:
    """What one connection may cost the server."""

    utterance_bytes: int
    """Most audio one utterance may hold, as recognized (16 kHz, 16-bit mono)."""
    idle_timeout_s: float
    """A connection that sends nothing, or reads nothing, for this long is closed."""
    text_chars: int = 600
    """Longest text one `synthesize` may ask to have spoken."""
    names: int = 200
    """Most names one `transcribe` may bring for the grammar, over all its lists."""

    @property
    def utterance_s(self) -> float:
        return self.utterance_bytes / (2 * RECOGNITION_RATE)


class _Stalled(ConnectionError):
    """The client stopped reading what it asked for."""


class Connection:
    def __init__(
        self,
        service: SpeechService,
        limits: Limits,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.service, self.limits = service, limits
        self.reader, self.writer = reader, writer
        self.peer = peer_name(writer)
        self.converter = _converter()
        self.pcm = bytearray()
        self.refused = False
        """The utterance outgrew its limit: its audio is dropped until the next audio-start."""
        self.names: Names = {}
        """The names the request's grammar holds (its `transcribe` event's)."""
        self.unheard = False
        """The request's names were refused: its utterance is dropped at its audio-stop."""

    async def run(self) -> None:
        idle = self.limits.idle_timeout_s
        try:
            while True:
                try:
                    async with asyncio.timeout(idle):
                        event = await read_event(self.reader)
                except TimeoutError:
                    log.info(
                        "speech client %s sent no whole event for %g s: closed", self.peer, idle
                    )
                    return
                if event is None:
                    return
                await self.handle(event)
        except MalformedEvent as exc:
            log.warning("speech client %s sent a malformed event, closed: %s", self.peer, exc)
            with contextlib.suppress(ConnectionError):  # it may not be listening
                await self.write(
                    Error(text=f"malformed event: {exc}", code="malformed-event").event()
                )
        except _Stalled:
            log.info("speech client %s read nothing for %g s: closed", self.peer, idle)
        except ConnectionError as exc:
            log.info("speech client %s went away: %s", self.peer, exc)
        finally:
            self.writer.close()

    async def handle(self, event: Event) -> None:
        try:
            await self._handle(event)
        except (MalformedEvent, ConnectionError):
            raise
        except RecognizersClosed as exc:  # the server is stopping: expected, no traceback
            log.info("speech request %s not served: %s", event.type, exc)
            await self.write(Error(text=str(exc)).event())
        except NamesRefused as exc:  # the client is told; its next request may do better
            log.warning("speech client %s: %s", self.peer, exc)
            await self.write(Error(text=str(exc), code="too-many-names").event())
        except Exception as exc:  # a client gets an error event; the server keeps serving
            log.exception("speech request %s failed", event.type)
            await self.write(Error(text=f"{type(exc).__name__}: {exc}").event())

    async def write(self, event: Event) -> None:
        try:
            async with asyncio.timeout(self.limits.idle_timeout_s):
                await async_write_event(event, self.writer)
        except TimeoutError:
            raise _Stalled from None

    async def _handle(self, event: Event) -> None:
        service = self.service
        if Describe.is_type(event.type):
            await self.write(service.info().event())
        elif Transcribe.is_type(event.type):
            context = event.data.get("context")
            ours = context.get(CONTEXT_KEY) if isinstance(context, dict) else None
            lists = ours.get("lists") if isinstance(ours, dict) else None
            self.names, self.unheard = {}, False
            if isinstance(lists, dict):
                self.unheard = True  # until its names are taken
                self.names = _names(lists, self.limits.names)
                self.unheard = False
        elif AudioStart.is_type(event.type):
            _audio_format(_parsed(AudioStart, event))
            self.converter, self.pcm, self.refused = _converter(), bytearray(), False
        elif AudioChunk.is_type(event.type):
            await self._hold(_parsed(AudioChunk, event))
        elif AudioStop.is_type(event.type):
            pcm, self.pcm = bytes(self.pcm), bytearray()
            if self.refused or self.unheard:  # the client was told with the error event
                self.refused = self.unheard = False
                return
            heard = await service.transcribe(pcm, self.names)
            context = {
                CONTEXT_KEY: {
                    "wake": heard.wake,
                    "rejected": heard.rejected,
                    "confidence": heard.confidence,
                    "raw": heard.raw,
                }
            }
            await self.write(WyomingTranscript(heard.text, context=context).event())
        elif Synthesize.is_type(event.type):
            await self._speak(_parsed(Synthesize, event))

    async def _hold(self, chunk: AudioChunk) -> None:
        """Keep a chunk of the utterance, or refuse the utterance once it is too long."""
        _audio_format(chunk)
        if chunk.audio and len(chunk.audio) % (chunk.width * chunk.channels):
            raise MalformedEvent(f"audio-chunk: {len(chunk.audio)} bytes is no whole frame")
        if self.refused:
            return
        audio = self.converter.convert(chunk).audio
        if len(self.pcm) + len(audio) <= self.limits.utterance_bytes:
            self.pcm += audio
            return
        most = self.limits.utterance_s
        log.warning("speech client %s sent an utterance over %g s: refused", self.peer, most)
        self.pcm, self.refused = bytearray(), True
        text = (
            f"utterance too long: more than {most:g} seconds of audio without audio-stop; "
            "its audio was dropped (send audio-stop sooner, or start a new utterance)"
        )
        await self.write(Error(text=text, code="utterance-too-long").event())

    async def _speak(self, request: Synthesize) -> None:
        if not isinstance(request.text, str):
            raise MalformedEvent("synthesize: its text is not a string")
        most = self.limits.text_chars
        if len(request.text) > most:
            log.warning(
                "speech client %s asked to speak over %d characters: refused", self.peer, most
            )
            text = f"text too long: {len(request.text)} characters; at most {most} are spoken"
            await self.write(Error(text=text, code="text-too-long").event())
            return
        speech = await self.service.synthesizer.synthesize(request.text)
        audio = {"rate": speech.sample_rate, "width": 2, "channels": speech.channels}
        await self.write(AudioStart(**audio).event())
        step = _CHUNK_SAMPLES * 2 * speech.channels
        for at in range(0, len(speech.pcm), step):
            await self.write(AudioChunk(audio=speech.pcm[at : at + step], **audio).event())
        await self.write(AudioStop().event())


def _converter() -> AudioChunkConverter:
    return AudioChunkConverter(rate=RECOGNITION_RATE, width=2, channels=1)


def _parsed(kind: type[_Kind], event: Event) -> _Kind:
    try:
        return kind.from_event(event)  # type: ignore[return-value]
    except KeyError as exc:
        raise MalformedEvent(f"{event.type}: no {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise MalformedEvent(f"{event.type}: {exc}") from None


def _audio_format(audio: AudioStart | AudioChunk) -> None:
    """Audio the converter can take: a known width, mono or stereo, a sensible rate."""
    rate, width, channels = audio.rate, audio.width, audio.channels
    whole = all(type(value) is int for value in (rate, width, channels))
    if not (whole and rate in _RATES and width in (1, 2, 3, 4) and channels in (1, 2)):
        raise MalformedEvent(f"audio of rate {rate!r}, width {width!r}, channels {channels!r}")


def _names(lists: dict[Any, Any], most: int) -> Names:
    """A client's names as the grammar takes them: lists of strings (anything else is no
    Wyoming request of ours), at most `most` of them together in at most `_LISTS` lists, each
    at most `NAME_CHARS` long (more is `NamesRefused`)."""
    if len(lists) > _LISTS:
        raise NamesRefused(f"too many lists of names: {len(lists)}, more than {_LISTS}")
    names: Names = {}
    for name, values in lists.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise MalformedEvent(f"transcribe: its names {name!r} are not a list of strings")
        names[name] = sorted(set(values))
    count = sum(len(values) for values in names.values())
    if count > most:
        raise NamesRefused(f"too many names: {count}, more than {most}")
    longest = max((v for values in names.values() for v in values), key=len, default="")
    if len(longest) > NAME_CHARS:
        raise NamesRefused(f"a name longer than {NAME_CHARS} characters: {longest[:40]!r}...")
    return names


def peer_name(writer: asyncio.StreamWriter) -> str:
    address = writer.get_extra_info("peername")
    if isinstance(address, tuple) and len(address) >= 2:
        host = f"[{address[0]}]" if ":" in str(address[0]) else address[0]
        return f"{host}:{address[1]}"
    return str(address or "unknown")
