"""The receive loop's voice socket reader against discord.py's connection states, on a real
UDP socket: what it must leave in the socket for discord.py's own reader thread."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from transports.discord.voice.socket_reader import SocketReader


class _Connection:
    """The part of discord.py's VoiceConnectionState the reader looks at: its socket, whether
    the handshake is done, and the socket listeners of discord.py's reader thread."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock
        self.connected = True
        self.listeners: list[Callable[[bytes], None]] = []

    def is_connected(self) -> bool:
        return self.connected

    def add_socket_listener(self, callback: Callable[[bytes], None]) -> None:
        self.listeners.append(callback)

    def remove_socket_listener(self, callback: Callable[[bytes], None]) -> None:
        self.listeners.remove(callback)


class _VoiceClient:
    def __init__(self, sock: socket.socket) -> None:
        self._connection = _Connection(sock)


async def test_a_reconnect_on_the_same_socket_leaves_the_ip_discovery_answer_alone() -> None:
    """A move or a new voice server re-makes the connection on the same socket, and discord.py
    sends its IP discovery at once. The reader went on reading until its next look at the
    connection (every 0.1 s), so it could take the 74-byte answer meant for discord.py's
    reader thread: the handshake then waited for ever, and nobody was heard again (1 run in
    20 of a moved-bot test with both cores busy)."""
    bot_side = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bot_side.bind(("127.0.0.1", 0))
    bot_side.setblocking(False)
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    vc = _VoiceClient(bot_side)
    packets: list[bytes] = []
    reader = SocketReader(vc, packets.append, slack=lambda: 0.0, on_wakeup=lambda: None)
    reader.start()
    try:
        rtp = bytes([0x80, 0x78]) + bytes(30)
        server.sendto(rtp, bot_side.getsockname())
        await _until(lambda: packets == [rtp])  # connected: the loop reads RTP
        vc._connection.connected = False  # discord.py starts the new handshake
        answer = b"\x00\x02\x00\x46" + bytes(70)
        server.sendto(answer, bot_side.getsockname())
        await asyncio.sleep(0.05)  # within the reader's 0.1 s between looks
        assert packets == [rtp]
        assert bot_side.recv(2048) == answer  # still there for discord.py's reader thread
    finally:
        reader.stop()
        bot_side.close()
        server.close()


async def _until(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)
