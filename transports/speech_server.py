"""`bot.py speech-server`: this project's grammar recognizer and speech output over Wyoming.

One speech box serves many bot processes (asr/tts engine `wyoming` in their config.yaml), and
Home Assistant can use it too. Recognition runs in worker processes like in the bot itself.
Wyoming has no authentication, so the server binds to loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Config
from assistant.config.voice import VoiceSettings
from audio import RECOGNITION_RATE
from audio.asr.base import Transcript
from audio.asr.wyoming_engine import tcp_address
from audio.tts.base import Synthesizer
from states.name_grammars import Names, names_key
from states.recognition_processes import ProcessRecognizerPool

from .speech_connection import Connection, Limits
from .speech_door import Door
from .wyoming_reading import MAX_HEADER_BYTES

log = logging.getLogger(__name__)

_HEARD_KEPT = 256
"""Sets of names `SpeechService` remembers having heard with."""


def served_settings(voice: VoiceSettings) -> VoiceSettings:
    """The engines this server runs: the configured ones, except that a server does not forward
    to another Wyoming server (engine `wyoming` becomes the built-in grammar recognizer/espeak)."""
    asr, tts = voice.asr, voice.tts
    if asr.engine == "wyoming":
        asr = asr.model_copy(update={"engine": "pocketsphinx"})
    if tts.engine == "wyoming":
        tts = tts.model_copy(update={"engine": "espeak", "voice": None})
    return voice.model_copy(update={"asr": asr, "tts": tts})


def connection_limits(voice: VoiceSettings) -> Limits:
    """An utterance as long as the VAD lets one be (plus the margin), the idle timeout, text
    to speak twice as long as a bot of this config ever says (`spoken_text` cuts replies to
    `tts.max_spoken_chars`; saying numbers in words may lengthen them a little), and the
    names of a request."""
    server = voice.speech_server
    seconds = voice.vad.max_utterance_s + server.utterance_margin_s
    return Limits(
        round(seconds * RECOGNITION_RATE) * 2,
        server.idle_timeout_s,
        2 * voice.tts.max_spoken_chars,
        server.max_names,
    )


@dataclass
class SpeechService:
    """The engines behind every connection."""

    recognizers: ProcessRecognizerPool
    """Warm recognizers in worker processes."""
    synthesizer: Synthesizer
    """Speech output (with its fallback)."""
    hears_names: bool = True
    """The recognizer's grammar holds names (pocketsphinx); an open vocabulary needs none."""
    _heard: OrderedDict[int, None] = field(default_factory=OrderedDict)
    """Sets of names heard with lately (hashes)."""
    _new_names: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while names not heard with lately are: their grammar is likely built then."""

    async def transcribe(self, pcm: bytes, names: Names) -> Transcript:
        """`pcm` heard with a grammar of a client's `names` (states/name_grammars.py).

        One request with names not heard lately at a time: a client that sends new names
        every time keeps one recognizer building grammars, and the others serve on."""
        if not names or not self.hears_names:
            return await self.recognizers.transcribe(pcm)
        key = hash(names_key(names))
        if key in self._heard:
            self._heard.move_to_end(key)
            return await self.recognizers.transcribe_named(pcm, names)
        async with self._new_names:
            heard = await self.recognizers.transcribe_named(pcm, names)
        self._heard[key] = None
        while len(self._heard) > _HEARD_KEPT:
            self._heard.popitem(last=False)
        return heard

    def info(self) -> Any:
        from wyoming.info import AsrModel, AsrProgram, Attribution, Info, TtsProgram, TtsVoice

        ours = Attribution(name="Trainer", url="")

        def described(kind: Any, name: str, description: str, **more: Any) -> Any:
            """A Wyoming program, model or voice of ours (they share these fields)."""
            return kind(
                name=name,
                description=description,
                attribution=ours,
                installed=True,
                version="1",
                **more,
            )

        model = described(
            AsrModel,
            self.recognizers.name,
            "Command grammar from the intent templates",
            languages=["en"],
        )
        voice = described(TtsVoice, self.synthesizer.name, "The configured voice", languages=["en"])
        return Info(
            asr=[
                described(
                    AsrProgram,
                    "trainer-grammar",
                    "Trainer's command grammar recognizer",
                    models=[model],
                )
            ],
            tts=[described(TtsProgram, "trainer-tts", "Trainer's speech output", voices=[voice])],
        )


async def serve(config: Config, uri: str, recognizers: int) -> None:
    """Serve until SIGINT/SIGTERM (or cancelled); prints the address it listens on once the
    engines are warm. A signal stops it through the `finally` below, so the recognizer
    processes end with it instead of outliving it."""
    from audio.tts.factory import build_synthesizer

    host, port = tcp_address(uri)
    if not _is_loopback(host):
        log.warning(
            "speech server on %s: Wyoming has no authentication; anyone who reaches this port "
            "can use it (keep it on a private network)",
            host,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    voice = served_settings(config.voice)
    pool = ProcessRecognizerPool(voice, {}, recognizers)
    try:
        await pool.warm_up()
        service = SpeechService(
            pool, build_synthesizer(voice.tts), voice.asr.engine == "pocketsphinx"
        )
        limits = connection_limits(voice)
        door = Door(voice.speech_server.max_connections)

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # Stopping cancels every open connection; that is the end of it, not an error
            # (asyncio would log the cancelled task as an exception in its callback).
            with contextlib.suppress(asyncio.CancelledError):
                async with door.admitted(reader, writer) as admitted:
                    if admitted:
                        await Connection(service, limits, reader, writer).run()

        server = await asyncio.start_server(connection, host, port, limit=MAX_HEADER_BYTES)
        bound = server.sockets[0].getsockname()
        print(f"speech server listening on tcp://{bound[0]}:{bound[1]}", flush=True)
        async with server:
            await stop.wait()
    finally:
        # Waiting: the pool's threads end before the interpreter's exit hooks run.
        await asyncio.to_thread(pool.close, True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
