"""`bot.py speech-server` against clients that misbehave (anything that reaches its port may
connect): audio that never ends, bytes that are no Wyoming event, connections that go quiet.
Each costs the server a bounded amount, gets one line in its log, and the server serves on."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.info import Describe, Info

from tests.test_speech_server import start_speech_server, stopped, utterance

AUDIO = {"rate": 16000, "width": 2, "channels": 1}
WAIT_S = 60.0
"""Longest wait for anything the server should do (the machine may be busy)."""


@dataclass
class Served:
    """A running speech server and what it has written to its terminal so far."""

    uri: str
    pid: int
    stderr: Path

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.uri.removeprefix("tcp://").rsplit(":", 1)
        return host, int(port)

    def terminal(self) -> str:
        return self.stderr.read_text(encoding="utf-8")

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(status.split("VmRSS:", 1)[1].split()[0])


def serve(folder: Path, settings: str = "") -> Iterator[Served]:
    (folder / "config.yaml").write_text("state_dir: state\ndata_root: data\n" + settings)
    with (folder / "err.log").open("w") as err:
        process, uri = start_speech_server(folder / "config.yaml", stderr=err)
    yield Served(uri, process.pid, folder / "err.log")
    process.terminate()
    stopped(process)
    log = (folder / "state" / "trainer.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "ERROR" not in log, log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("speech-server"))


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server that closes connections idle for 2 s."""
    settings = "voice:\n  speech_server:\n    idle_timeout_s: 2\n"
    yield from serve(tmp_path_factory.mktemp("impatient-speech-server"), settings)


async def answers(served: Served) -> bool:
    """The server answers a Describe on a new connection."""
    async with AsyncTcpClient(*served.address) as client:
        await client.write_event(Describe().event())
        event = await asyncio.wait_for(client.read_event(), WAIT_S)
    return event is not None and Info.is_type(event.type)


async def test_audio_without_an_end_is_refused_and_the_connection_serves_on(
    server: Served,
) -> None:
    """100 MB of audio with no audio-stop: the client is told why in an `error` event, the
    audio is dropped (the server does not grow by it), and the same connection then has an
    utterance recognized."""
    before = server.rss_kb()
    chunk = AudioChunk(audio=bytes(64 * 1024), **AUDIO).event()  # 2 s of silence
    async with AsyncTcpClient(*server.address) as client:
        await client.write_event(Transcribe().event())
        await client.write_event(AudioStart(**AUDIO).event())
        for _ in range(1600):
            await client.write_event(chunk)
        event = await asyncio.wait_for(client.read_event(), WAIT_S)
        assert event is not None and Error.is_type(event.type), event
        error = Error.from_event(event)
        assert error.code == "utterance-too-long", error
        assert "seconds of audio without audio-stop" in error.text, error

        await client.write_event(AudioStop().event())  # the refused utterance ends: no answer
        await client.write_event(Transcribe().event())
        await client.write_event(AudioStart(**AUDIO).event())
        await client.write_event(AudioChunk(audio=utterance("hey trainer stop"), **AUDIO).event())
        await client.write_event(AudioStop().event())
        event = await asyncio.wait_for(client.read_event(), WAIT_S)
    assert event is not None and Transcript.is_type(event.type), event
    heard = Transcript.from_event(event)
    assert (heard.text, (heard.context or {})["trainer"]["wake"]) == ("stop", True), heard
    grown_mb = (server.rss_kb() - before) / 1024  # it has read all 100 MB by now
    assert grown_mb < 40, f"the server grew by {grown_mb:.0f} MB"
    assert "over 15 s: refused" in server.terminal()


GARBAGE = {
    "not json": (b"\x00\xffGET / HTTP/1.1\r\n\r\n", "is not JSON"),
    "not an object": (b"[1, 2, 3]\n", "is not a JSON object"),
    "no type": (b'{"data": {"text": "hi"}}\n', "without a type"),
    "length no number": (b'{"type": "audio-chunk", "payload_length": "lots"}\n', "byte count"),
    "length too large": (b'{"type": "audio-chunk", "payload_length": 99999999999}\n', "limit"),
    "chunk without format": (b'{"type": "audio-chunk", "data": {"width": 2}}\n', "no 'rate'"),
    "endless header": (b"x" * 100_000, "header longer than"),
}


@pytest.mark.parametrize("sent, why", GARBAGE.values(), ids=GARBAGE.keys())
def test_bytes_that_are_no_event_close_that_connection_with_one_warning(
    server: Served, sent: bytes, why: str
) -> None:
    with socket.create_connection(server.address, timeout=WAIT_S) as conn:
        peer = peer_of(conn)
        conn.sendall(sent)
        closed_by_server(conn)
    lines = [line for line in server.terminal().splitlines() if peer in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING "), lines
    assert "malformed event" in lines[0] and why in lines[0], lines
    assert "Traceback" not in server.terminal() and "ERROR" not in server.terminal()
    assert asyncio.run(answers(server))


def peer_of(conn: socket.socket) -> str:
    """How the server's log names this client."""
    host, port = conn.getsockname()
    return f"{host}:{port}"


def closed_by_server(conn: socket.socket) -> bytes:
    """Read until the server closes the connection (a reset counts: it may close with our bytes
    unread); what it sent. A server that keeps it open fails the test after WAIT_S."""
    received = b""
    try:
        while chunk := conn.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the connection is still open after {WAIT_S} s") from None
    return received


QUIET = {
    "says nothing": b"",
    "stops mid-event": b'{"type": "audio-chunk", "data_length": 50}\n{"rate": 16',
    "stops mid-payload": b'{"type": "audio-chunk", "payload_length": 3200}\n' + bytes(100),
}


@pytest.mark.parametrize("sent", QUIET.values(), ids=QUIET.keys())
def test_a_quiet_connection_is_closed(impatient: Served, sent: bytes) -> None:
    with socket.create_connection(impatient.address, timeout=WAIT_S) as conn:
        peer = peer_of(conn)
        conn.sendall(sent)
        assert closed_by_server(conn) == b""
    lines = [line for line in impatient.terminal().splitlines() if peer in line]
    assert lines == [
        f"INFO transports.speech_connection: speech client {peer} sent no whole "
        "event for 2 s: closed"
    ]
    assert asyncio.run(answers(impatient))


def test_a_client_that_reads_nothing_is_closed(impatient: Served) -> None:
    """Asking for speech and never reading it holds the server's answers in its buffers only
    until the idle timeout."""
    request = b'{"type": "synthesize", "data": {"text": "Training finished at last."}}\n'
    with socket.socket() as conn:
        # A small fixed receive buffer (no autotuning up to tens of MB): the server's answers
        # fill it and the server's own send buffer (4 MB at most) after about 60 of them.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        conn.settimeout(WAIT_S)
        conn.connect(impatient.address)
        peer = peer_of(conn)
        conn.sendall(request * 200)
        said = f"speech client {peer} read nothing for 2 s: closed"
        for _ in range(int(WAIT_S * 10)):
            if said in impatient.terminal():
                break
            time.sleep(0.1)
        assert said in impatient.terminal()
        closed_by_server(conn)
    assert asyncio.run(answers(impatient))
