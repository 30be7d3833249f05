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


async def test_a_new_socket_is_followed_when_the_old_ones_number_went_to_a_transport() -> None:
    """A reconnect closes the voice socket while the reader waits out DEFER_S with the socket
    unwatched; the number is soon given to a new connection of the loop's own (the voice
    websocket). The deferred resume then failed on it, and every later look tried to forget
    that number, which asyncio refuses for a transport's ("File descriptor 36 is used by
    transport"): the new socket was never read and nobody was heard again (a reconnect test,
    3 runs in 8 with both cores busy)."""
    loop = asyncio.get_running_loop()
    old = _udp()
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    vc = _VoiceClient(old)
    packets: list[bytes] = []
    # all the slack in the world: every empty read defers the next one
    reader = SocketReader(vc, packets.append, slack=lambda: 1.0, on_wakeup=lambda: None)
    reader.start()
    new = _udp()
    websocket: asyncio.Transport | None = None
    try:
        rtp = bytes([0x80, 0x78]) + bytes(30)
        server.sendto(rtp, old.getsockname())
        await _until(lambda: packets == [rtp])
        assert reader._deferred is not None  # the read after it was empty: deferred
        number = old.fileno()
        old.close()
        a, b = socket.socketpair()
        for end in (a, b):  # the lowest free number: the old socket's, as the kernel does it
            if end.fileno() == number:
                websocket, _ = await loop.connect_accepted_socket(asyncio.Protocol, end)
        assert websocket is not None, "the old number was not reused"
        vc._connection.socket = new  # discord.py's reconnect made its new socket
        await asyncio.sleep(0.2)  # the deferred resume and a look for the new socket
        server.sendto(rtp, new.getsockname())
        await _until(lambda: packets == [rtp, rtp])
    finally:
        reader.stop()
        if websocket is not None:
            websocket.close()
        for sock in (a, b, new, server):
            sock.close()


def _udp() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    return sock


async def _until(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)
