"""Our receive interface over discord-ext-voice-recv.

We use voice-recv for what it does well (the SSRC -> member map from SPEAKING, RTP parsing,
transport decryption) and do the rest per packet ourselves, in discord.py's socket-reader thread:

    UDP packet -> RTP header -> known SSRC? audio payload type? member not opted out?
      -> transport decrypt -> DAVE decrypt (the connection's session) -> Opus decode -> frame

Why not `vc.listen(sink)`: its router thread dies on the first `OpusError` (a camera's video
packets, one corrupt frame) and receiving then stops silently (voice-recv issues #43/#49), and it
does no DAVE decryption (issue #53), so with DAVE on every frame decodes to garbage. Here every
failure is counted and only that packet is dropped.

This touches voice-recv/discord.py private attributes (`_ssrc_to_id`, `_connection`); both are
pinned exactly in pyproject.toml and covered by tests/test_discord_voice.py.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import davey
from discord import opus
from discord.ext.voice_recv import rtp
from discord.ext.voice_recv.reader import PacketDecryptor
from nacl.exceptions import CryptoError

log = logging.getLogger(__name__)

OPUS_PAYLOAD_TYPE = 0x78
OPUS_SILENCE = b"\xf8\xff\xfe"
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
"""Asked for; Linux grants at most net.core.rmem_max (doubled)."""
MAX_LATE = 50
"""A packet up to this many sequence numbers behind the newest one, within `RESYNC_S`, is
late (dropped: its moment has passed). Anything else that goes backwards is a new stream (a
client restart or a new SSRC owner) and is followed from there."""
RESYNC_S = 1.0
MAX_CONCEALED = 5
"""Up to this many lost frames in a row are concealed (PLC) so the VAD's clock stays right;
longer gaps are a pause in speech, not loss."""


class FrameSink(Protocol):
    """Where decoded audio goes: 20 ms of 48 kHz stereo s16le per call, from the reader thread."""

    def __call__(self, user_id: int, pcm: bytes) -> None: ...


@dataclass
class ReceiveStats:
    packets: int = 0
    frames: int = 0
    """Opus frames decoded and delivered (concealed ones included)."""
    concealed: int = 0
    unknown_ssrc: int = 0
    not_audio: int = 0
    """Video or other payload types."""
    opted_out: int = 0
    crypto_errors: int = 0
    dave_errors: int = 0
    opus_errors: int = 0
    late: int = 0
    last_audio_at: float = 0.0
    """time.monotonic() of the last audio packet from a known member."""
    last_audio_from: dict[int, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "last_audio_from"}


@dataclass
class _Stream:
    decoder: opus.Decoder
    last_seq: int | None = None
    last_at: float = 0.0


class VoiceReceiver:
    """Receives the members' audio of one voice client; `start()` / `stop()`."""

    def __init__(
        self,
        voice_client: Any,
        sink: FrameSink,
        *,
        opted_out: Callable[[int], bool] = lambda user_id: False,
    ) -> None:
        self.vc = voice_client
        self.sink = sink
        self.opted_out = opted_out
        self.stats = ReceiveStats()
        self._streams: dict[int, _Stream] = {}
        self._decryptor: PacketDecryptor | None = None
        self._key_source: Any = None
        self._lock = threading.Lock()
        self._active = False
        self._tuned_socket: Any = None

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if not self._active:
            self.vc._connection.add_socket_listener(self.on_packet)
            self._active = True
        self.tune_socket()

    def tune_socket(self) -> None:
        """Give the voice socket a larger receive buffer. Many speakers' packets arrive in
        bursts while the reader thread waits for the GIL; the default buffer (~200 KB on
        Linux) then overflows and frames are lost (bench/results/discord_receive.md). The
        socket is replaced on every reconnect, so this is re-applied by the watchdog."""
        sock = getattr(self.vc._connection, "socket", None)
        if sock is None or sock is self._tuned_socket:
            return
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        except OSError as exc:
            log.info("could not enlarge the voice socket buffer: %s", exc)
        self._tuned_socket = sock

    def stop(self) -> None:
        if self._active:
            self._active = False
            self.vc._connection.remove_socket_listener(self.on_packet)
        with self._lock:
            self._streams.clear()

    @property
    def active(self) -> bool:
        return self._active

    def forget(self, user_id: int) -> None:
        """Drop a member's decoder state (they left, or opted out)."""
        with self._lock:
            for ssrc in [s for s, uid in self.vc._ssrc_to_id.items() if uid == user_id]:
                self._streams.pop(ssrc, None)

    # -- the per-packet path (socket-reader thread) ----------------------------------------------

    def on_packet(self, data: bytes) -> None:
        try:
            self._handle(data)
        except Exception:  # never let one packet kill discord.py's reader thread
            log.exception("voice packet dropped")

    def _handle(self, data: bytes) -> None:
        if len(data) < 12 or data[0] >> 6 != 2 or rtp.is_rtcp(data):
            return  # IP discovery answers, keep-alives, RTCP
        self.stats.packets += 1
        packet = rtp.decode_rtp(data)
        user_id = self.vc._ssrc_to_id.get(packet.ssrc)
        if user_id is None or user_id == self.vc.user.id:
            self.stats.unknown_ssrc += 1  # no SPEAKING yet: cannot attribute or DAVE-decrypt
            return
        if packet.payload != OPUS_PAYLOAD_TYPE:
            self.stats.not_audio += 1
            return
        if self.opted_out(user_id):
            self.stats.opted_out += 1  # dropped before any decryption or decoding
            return
        now = time.monotonic()
        self.stats.last_audio_at = now
        self.stats.last_audio_from[user_id] = now
        try:
            payload = self._transport_decrypt(packet)
        except CryptoError:
            self.stats.crypto_errors += 1
            return
        frame = self._dave_decrypt(user_id, payload)
        if frame is not None:
            self._decode(packet, user_id, frame)

    def _transport_decrypt(self, packet: rtp.RTPPacket) -> bytes:
        connection = self.vc._connection
        # The key changes on every (re)connect: rebuild the box when the key object changes.
        if self._decryptor is None or self._key_source is not connection.secret_key:
            self._decryptor = PacketDecryptor(connection.mode, bytes(connection.secret_key))
            self._key_source = connection.secret_key
        return bytes(self._decryptor.decrypt_rtp(packet))

    def _dave_decrypt(self, user_id: int, payload: bytes) -> bytes | None:
        connection = self.vc._connection
        session = connection.dave_session
        if session is None or connection.dave_protocol_version == 0 or payload == OPUS_SILENCE:
            return payload  # no end-to-end encryption, or a silence frame (never encrypted)
        try:
            return bytes(session.decrypt(user_id, davey.MediaType.audio, payload))
        except Exception as exc:  # keys not there yet (joining, epoch change) or a bad frame
            self.stats.dave_errors += 1
            if self.stats.dave_errors in (1, 10, 100) or self.stats.dave_errors % 1000 == 0:
                log.info(
                    "DAVE decrypt failed for %s (%d so far): %s",
                    user_id,
                    self.stats.dave_errors,
                    exc,
                )
            return None

    def _decode(self, packet: rtp.RTPPacket, user_id: int, payload: bytes) -> None:
        with self._lock:
            stream = self._streams.get(packet.ssrc)
            if stream is None:
                stream = self._streams[packet.ssrc] = _Stream(opus.Decoder())
            now = time.monotonic()
            gap = 1 if stream.last_seq is None else (packet.sequence - stream.last_seq) & 0xFFFF
            behind = (0x10000 - gap) & 0xFFFF
            if (gap == 0 or behind <= MAX_LATE) and now - stream.last_at < RESYNC_S:
                self.stats.late += 1  # duplicate or older than what we played: too late
                return
            if gap > 0x8000 or now - stream.last_at >= RESYNC_S:
                gap = 1  # a new talk spurt or a restarted sender: nothing to conceal
            stream.last_seq, stream.last_at = packet.sequence, now
            frames = []
            if 1 < gap <= MAX_CONCEALED + 1:
                for _ in range(gap - 1):
                    try:
                        frames.append(stream.decoder.decode(None, fec=False))
                        self.stats.concealed += 1
                    except opus.OpusError:
                        break
            try:
                frames.append(stream.decoder.decode(payload, fec=False))
            except opus.OpusError:
                self.stats.opus_errors += 1  # a corrupt frame: drop it, keep the stream
                frames.append(b"\0" * 3840)  # keep the VAD's clock: 20 ms of silence
        for pcm in frames:
            self.stats.frames += 1
            self.sink(user_id, pcm)
