"""How many clients the speech server serves at once: one more is told so and closed.

Each connection holds buffers of its own (an utterance's audio, an event being read), so a
client that opens thousands and holds them would cost the server without limit. One over
`speech_server.max_connections` gets a Wyoming `error` event and is closed; the log says so
once while the server is full, and how many it turned away once a connection closes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from wyoming.error import Error
from wyoming.event import async_write_event

from .speech_connection import peer_name

log = logging.getLogger(__name__)

_LINGER_S = 2.0
"""How long a refused connection is read from before it is closed: closed with the client's
request unread, the connection is reset, and a reset may drop the error event unread."""


class Door:
    def __init__(self, most: int) -> None:
        self.most = most
        self.open = 0
        """Connections served now."""
        self.turned_away = 0
        """Connections refused since the server was last below `most`."""

    @contextlib.asynccontextmanager
    async def admitted(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> AsyncIterator[bool]:
        """True while the connection is served; False (and it is closed) when it is one too
        many."""
        if self.open >= self.most:
            self._note_refusal(peer_name(writer))
            await self._refuse(reader, writer)
            yield False
            return
        self.open += 1
        try:
            yield True
        finally:
            self.open -= 1
            if self.turned_away:
                log.info(
                    "speech server serves again: refused %d connections over %d at once",
                    self.turned_away,
                    self.most,
                )
                self.turned_away = 0

    def _note_refusal(self, peer: str) -> None:
        if not self.turned_away:
            log.warning(
                "speech server full: %d connections at once; refused %s (and any more until "
                "one closes; speech_server.max_connections)",
                self.most,
                peer,
            )
        self.turned_away += 1

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        text = (
            f"too many connections: this speech server serves {self.most} at once; "
            "try again when one of them has closed"
        )
        try:
            async with asyncio.timeout(_LINGER_S):
                await async_write_event(
                    Error(text=text, code="too-many-connections").event(), writer
                )
                writer.write_eof()
                while await reader.read(1 << 16):
                    pass
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()
