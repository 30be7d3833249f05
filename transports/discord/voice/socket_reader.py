"""The voice socket read by the event loop itself, followed across reconnects.

The voice socket is read by the event loop itself (`loop.add_reader`), every queued datagram
per wake-up, not by discord.py's socket-reader thread: with the reader thread, every packet
woke two threads (the reader from `select`, then the loop through its self-pipe) with a GIL
hand-over between them, and as independent clients' packets arrive spread over each 20 ms,
that cost twice the CPU of the work itself (bench/results/discord_receive_spread.md). Now a
packet costs at most one loop wake-up, and its frame reaches the VAD with no hand-off. Fewer
still: while no speaker's VAD can decide anything (start, end, pause, cut) within the next
DEFER_MIN_SLACK_S of audio, the socket is read DEFER_S later, all speakers' packets of that
time in one wake-up; a frame that could decide something is read as it arrives, so the end of
speech is never found later (tests/test_voice_utterance_ends.py checks the VAD's slack).
discord.py's reader thread stays idle: it runs only while a socket listener is registered, as
during IP discovery, and we read only while the connection is connected, so we never take its
discovery answer. After discovery, though, that thread still sits in `select` and would read
(and drop) the next datagram: a one-shot listener (`_catch`) hands that one packet to the loop.

Apart from the receive path (receiver.py) because it only moves datagrams: what a packet means
is decided there. This touches discord.py's private `_connection` (pinned in pyproject.toml).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
"""Asked for; Linux grants at most net.core.rmem_max (doubled)."""
MAX_BATCH = 32
"""Datagrams read per wake-up at most (about 2 ms of decoding), then other tasks get the loop;
the socket is still readable, so the loop comes straight back for the rest."""
MAX_DATAGRAM = 2048
DEFER_S = 0.02
"""When no VAD can decide anything soon, the socket is read this much later (one Discord
frame): packets spread over the 20 ms then cost one wake-up together instead of one each."""
DEFER_MIN_SLACK_S = 0.06
"""...but only if every VAD can take this much more audio first: a speaker's client sends
one frame per DEFER_S, and network jitter can bunch a few."""
SOCKET_CHECK_S = 0.1
"""How often the reader looks for a new voice socket (discord.py makes one on every
reconnect) or a connection that is not connected (then it stops reading)."""


class SocketReader:
    """Hands every datagram of one voice client's current socket to `on_packet`, on the event
    loop; `start()` / `stop()` on the event loop."""

    def __init__(
        self,
        voice_client: Any,
        on_packet: Callable[[bytes], None],
        *,
        slack: Callable[[], float],
        on_wakeup: Callable[[], None],
    ) -> None:
        self.vc = voice_client
        self.on_packet = on_packet
        self.slack = slack
        """Seconds of audio the sink can take before any decision (VAD start, end, pause)."""
        self.on_wakeup = on_wakeup
        """Called on every wake-up that reads the socket (counted in the receiver's stats)."""
        self._active = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._socket: Any = None
        """discord.py's voice socket being read, None when not reading."""
        self._own: socket.socket | None = None
        """Our duplicate of its descriptor, the one read and watched. discord.py closes its
        socket on a reconnect whenever it likes, and the kernel gives the number to the next
        socket at once (the new voice websocket's): a number we watched could then be
        another's, which asyncio refuses to forget ("File descriptor 36 is used by
        transport") or, worse, takes over without watching it. Ours stays ours until we close
        it, after the loop forgot it."""
        self._fd = -1
        """`_own`'s descriptor."""
        self._watching = False
        """The loop watches `_fd` for us (not while a read is deferred)."""
        self._check: asyncio.TimerHandle | None = None
        self._deferred: asyncio.TimerHandle | None = None
        """The deferred read, while the socket is not watched (see DEFER_S)."""
        self._catching = False
        """`_catch` is registered with discord.py's socket reader."""

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._active = True
        self._follow_socket()

    def stop(self) -> None:
        self._active = False
        if self._check is not None:
            self._check.cancel()
            self._check = None
        self._detach()
        if self._catching:
            self._catching = False
            self.vc._connection.remove_socket_listener(self._catch)

    def _follow_socket(self) -> None:
        """Read the connection's current socket while it is connected; look again soon."""
        assert self._loop is not None
        try:
            self._attach()
        except Exception:  # receiving must not stop for good: the next look tries again
            log.exception("could not follow the voice socket")
        if self._active:
            self._check = self._loop.call_later(SOCKET_CHECK_S, self._follow_socket)

    def _attach(self) -> None:
        """Register the current socket with the loop, or none while not connected."""
        assert self._loop is not None
        connection = self.vc._connection
        sock = getattr(connection, "socket", None)
        if sock is None or not connection.is_connected():
            self._detach()  # reconnecting: discord.py's IP discovery needs the socket's answers
            self._arm_catch()
        elif sock is not self._socket:
            self._detach()
            self._arm_catch()
            self._tune(sock)
            try:
                own = sock.dup()
            except OSError:  # closed meanwhile: try the next one
                return
            own.setblocking(False)  # as discord.py's (one open file: the same flag)
            self._loop.add_reader(own.fileno(), self._on_readable)
            self._socket, self._own, self._fd, self._watching = sock, own, own.fileno(), True

    def _detach(self) -> None:
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None
        own, watching = self._own, self._watching
        self._socket, self._own, self._fd, self._watching = None, None, -1, False
        if own is not None:
            if watching and self._loop is not None:
                self._loop.remove_reader(own.fileno())
            own.close()

    @staticmethod
    def _tune(sock: socket.socket) -> None:
        """Give the voice socket a larger receive buffer. Many speakers' packets arrive in
        bursts while the loop is busy; the default buffer (~200 KB on Linux) then overflows
        and frames are lost (bench/results/discord_receive.md)."""
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        except OSError as exc:
            log.info("could not enlarge the voice socket buffer: %s", exc)

    def _arm_catch(self) -> None:
        if not self._catching:
            self._catching = True
            self.vc._connection.add_socket_listener(self._catch)

    def _catch(self, data: bytes) -> None:  # discord.py's socket-reader thread
        """The first RTP packet discord.py's reader gets: handed to the loop in order (the
        loop reads the next ones, 20 ms later per speaker). Then the reader has no listener
        left and goes idle."""
        if len(data) < 12 or data[0] >> 6 != 2 or self._loop is None:
            return  # IP discovery's answer: discord.py's own listener takes it
        self._catching = False
        self.vc._connection.remove_socket_listener(self._catch)
        self._loop.call_soon_threadsafe(self._caught, data)

    def _caught(self, data: bytes) -> None:
        if self._active:
            self.on_packet(data)

    def _on_readable(self) -> None:
        """Every datagram queued (up to MAX_BATCH), one system call each, no `select`."""
        sock = self._own
        if sock is None:  # detached earlier in this loop iteration
            return
        if not self.vc._connection.is_connected():
            # Reconnecting (a move, a new voice server) on the same socket: the next datagram
            # may be the answer to discord.py's IP discovery, which only its reader thread may
            # take; read here, it is lost and the handshake waits for ever. The check comes
            # every SOCKET_CHECK_S, but the state changes on this loop, so it is read here.
            self._detach()
            self._arm_catch()
            return
        self.on_wakeup()
        for _ in range(MAX_BATCH):
            try:
                data = sock.recv(MAX_DATAGRAM)
            except BlockingIOError:
                self._defer()
                return
            except OSError:  # closed under us (a reconnect): the next check finds the new one
                self._detach()
                return
            self.on_packet(data)
        # More than MAX_BATCH queued: the loop comes back at once (the socket is readable).

    def _defer(self) -> None:
        """Stop watching the socket for DEFER_S when no VAD can decide anything within the
        audio that arrives meanwhile: nothing is decided later than without deferring."""
        assert self._loop is not None
        try:
            slack = self.slack()
        except Exception:
            log.exception("voice slack unknown")
            return
        if slack >= DEFER_MIN_SLACK_S:
            self._loop.remove_reader(self._fd)
            self._watching = False
            self._deferred = self._loop.call_later(DEFER_S, self._resume)

    def _resume(self) -> None:
        self._deferred = None
        if self._socket is None or self._loop is None:
            return
        if self._socket.fileno() < 0:  # discord.py closed it (a reconnect): follow the new one
            self._detach()
            return
        self._loop.add_reader(self._fd, self._on_readable)
        self._watching = True
        self._on_readable()
