"""Our receive interface over discord-ext-voice-recv.

We use voice-recv for what it does well (the SSRC -> member map from SPEAKING, RTP parsing,
transport decryption) and do the rest per packet ourselves, on the event loop:

    UDP packet -> RTP header -> known SSRC? audio payload type? member not opted out?
      -> transport decrypt -> skip the header extension, strip RTP padding
      -> DAVE decrypt (the connection's session) -> Opus decode to 16 kHz mono -> the sink

Packets lost on the way are filled in before the next one's audio, for as long as the RTP clock
says they lasted: the last of them rebuilt from the in-band FEC that packet carries (Discord's
clients send Opus with FEC on), the others concealed (libopus PLC). A packet's FEC is decoded
only when the one before it was lost.

The voice socket is read by the event loop itself, every queued datagram per wake-up, and
followed across reconnects (socket_reader.py); each datagram comes here.

libopus decodes straight to the recognizer's 16 kHz mono (`audio.decode.SpeechOpusDecoder`):
decoding at 48 kHz stereo and downsampling after cost about four times the CPU per speaker
(bench/receive_cost_bench.py).

Why not `vc.listen(sink)`: its router thread dies on the first `OpusError` (a camera's video
packets, one corrupt frame) and receiving then stops silently (voice-recv issues #43/#49), and it
does no DAVE decryption (issue #53), so with DAVE on every frame decodes to garbage. Here every
failure is counted and only that packet is dropped.

This touches voice-recv/discord.py private attributes (`_ssrc_to_id`, `_connection`); both are
pinned exactly in pyproject.toml and covered by tests/test_discord_voice.py.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import davey
from discord.ext.voice_recv import rtp
from discord.ext.voice_recv.reader import PacketDecryptor
from discord.opus import OpusError
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as xchacha_decrypt
from nacl.exceptions import CryptoError

from assistant import i18n
from audio.decode import SpeechOpusDecoder
from audio.opus_fec import carries_fec

from .socket_reader import SocketReader

log = logging.getLogger(__name__)

OPUS_PAYLOAD_TYPE = 0x78
OPUS_SILENCE = b"\xf8\xff\xfe"
"""Clients end every talk spurt with five of these; never end-to-end encrypted."""
DAVE_MAGIC = b"\xfa\xfa"
"""The last two bytes of every DAVE-encrypted frame (its supplemental data marker)."""
RTPSIZE_MODE = "aead_xchacha20_poly1305_rtpsize"
NONCE_PADDING = bytes(20)
"""rtpsize modes send 4 bytes of the 24-byte nonce; the rest are zeros."""
NO_KEY_ERRORS = ("NoDecryptorForUser", "NoValidCryptorFound", "NotReady")
"""davey's words for "no key for this sender yet": joining, or frames of a newer epoch."""
MAX_LATE = 50
"""A packet up to this many sequence numbers behind the newest one, within `RESYNC_S`, is
late (dropped: its moment has passed). Anything else that goes backwards is a new stream (a
client restart or a new SSRC owner) and is followed from there."""
RESYNC_S = 1.0
LOG_EVERY_PACKETS = 15_000
"""The counters go to the log this often (five minutes of one speaker)."""
HOLD_UNNAMED_S = 1.0
"""Audio of an SSRC that no SPEAKING has named yet is kept this long: the SPEAKING event comes
over the voice websocket and the audio over UDP, so a member's first packets can arrive
before the event that says whose they are (seen on a busy machine: the first 40 ms of a
command lost)."""
HOLD_UNNAMED_PACKETS = 50
"""At most this many such packets per SSRC (one second of audio)."""
HOLD_UNNAMED_STREAMS = 16
"""At most this many unnamed SSRCs held at once (a flood of made-up SSRCs stays bounded)."""
MAX_CONCEALED = 5
"""Up to this many lost packets in a row are filled in so the VAD's clock stays right; longer
gaps are a pause in speech, not loss."""
MAX_PACKET_TICKS = 48_000 * 120 // 1000
"""The RTP clock (48 kHz) of Opus's longest packet, 120 ms. Lost packets fill what the clock
says is missing, but no more than this each: a longer jump is a pause the sender made around
the loss (clients stop sending in silence and the clock runs on), and only the lost packets'
own length, the sender's frame length, is filled."""


class FrameSink(Protocol):
    """Where decoded audio goes, on the event loop: one chunk (user id, 16 kHz mono s16le) at
    a time, in arrival order: a packet's audio (20 ms from Discord's clients), or the audio of
    the packets lost before it (rebuilt or concealed)."""

    def __call__(self, user_id: int, pcm: bytes) -> None: ...


@dataclass
class ReceiveStats:
    """Counters of one receiver (the event loop's, like everything here)."""

    packets: int = 0
    """RTP packets seen (RTCP and keep-alives excluded)."""
    wakeups: int = 0
    """Times the event loop woke to read the voice socket (each reads all that is queued)."""
    frames: int = 0
    """Opus frames decoded and delivered (concealed ones included)."""
    concealed: int = 0
    """Frames made up by Opus loss concealment: lost packets and corrupt frames."""
    recovered: int = 0
    """Lost packets rebuilt from the in-band FEC (a lower-bitrate copy of the previous
    packet's speech) of the packet after them: the last one of each gap, when that packet
    carries such a copy (audio/opus_fec.py; one without, e.g. at a spurt's start, in silence
    or from a client at a low bitrate, leaves it concealed)."""
    unknown_ssrc: int = 0
    """Packets of an SSRC no SPEAKING named yet (cannot be attributed or DAVE-decrypted):
    held for `HOLD_UNNAMED_S`, then dropped unless a SPEAKING names it."""
    replayed: int = 0
    """Held packets handled once a SPEAKING named their SSRC."""
    not_audio: int = 0
    """Video or other payload types (a member's camera or screen share)."""
    opted_out: int = 0
    crypto_errors: int = 0
    """Transport decryption failed (wrong key, truncated or forged packet)."""
    padded: int = 0
    """Packets with the RTP padding bit (padding stripped before DAVE decryption)."""
    extended: int = 0
    """Packets with an RTP header extension (skipped before DAVE decryption)."""
    silence: int = 0
    """Opus silence frames (sent unencrypted at the end of every talk spurt)."""
    decrypted: int = 0
    """Frames DAVE-decrypted with the sender's key."""
    passthrough: int = 0
    """Unencrypted frames the DAVE session let through (during a protocol transition)."""
    no_key: int = 0
    """DAVE frames dropped because no key for the sender exists yet (joining, re-keying)."""
    dave_errors: int = 0
    """Other DAVE failures: a bad frame, or an unencrypted frame outside a transition."""
    last_dave_error: str = ""
    """The last DAVE failure, as the session worded it (what `no_key` and `dave_errors`
    counted last: the log has only the 1st, 10th, 100th...)."""
    opus_errors: int = 0
    """Corrupt Opus frames (concealed, the stream goes on)."""
    late: int = 0
    """Duplicates or packets older than the last one played."""
    last_audio_at: float = 0.0
    """time.monotonic() of the last audio packet from a known member."""
    last_audio_from: dict[int, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "last_audio_from"}

    def summary(self, language: str = i18n.ENGLISH) -> str:
        """One line for the log (English) and admins' `status` (the guild's language)."""
        counts = {
            name: i18n.number_text(value, language=language)
            for name, value in self.as_dict().items()
            if isinstance(value, int)
        }
        return i18n.message(language, "voice.receive_counts", **counts)


@dataclass
class _Stream:
    decoder: SpeechOpusDecoder
    user_id: int
    last_seq: int | None = None
    last_timestamp: int = 0
    last_samples: int = SpeechOpusDecoder.FRAME_SAMPLES
    """What the last packet decoded to (16 kHz): the sender's frame length."""
    last_at: float = 0.0


class VoiceReceiver:
    """Receives the members' audio of one voice client; `start()` / `stop()` on the event loop."""

    def __init__(
        self,
        voice_client: Any,
        sink: FrameSink,
        *,
        opted_out: Callable[[int], bool] = lambda user_id: False,
        slack: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.vc = voice_client
        self.sink = sink
        self.opted_out = opted_out
        self.stats = ReceiveStats()
        self._streams: dict[int, _Stream] = {}
        self._frames: list[tuple[int, bytes]] = []
        self._unnamed: dict[int, deque[tuple[float, bytes]]] = {}
        """SSRC -> (arrival, packet) of audio no SPEAKING has named yet."""
        """Frames of the packet in hand (concealed ones first), handed on after it."""
        self._decryptor: PacketDecryptor | None = None
        self._key: bytes = b""
        self._key_source: Any = None
        self._active = False
        self._reader = SocketReader(
            voice_client, self.on_packet, slack=slack, on_wakeup=self._count_wakeup
        )
        """Reads the voice socket; `slack`: seconds of audio the sink can take before any
        decision (VAD start, end, pause), which lets it read later."""

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if not self._active:
            self._reader.start()  # raises outside a running loop, before we count as active
            self._active = True

    def stop(self) -> None:
        if self._active:
            self._active = False
            self._reader.stop()
            log.info("voice receive stopped: %s", self.stats.summary())
        self._streams.clear()
        self._unnamed.clear()

    @property
    def active(self) -> bool:
        return self._active

    def forget(self, user_id: int) -> None:
        """Drop a member's decoder state (they left, or opted out), of every SSRC they had:
        voice-recv's map may have forgotten them already (voice op 13 can come first)."""
        for ssrc in [s for s, stream in self._streams.items() if stream.user_id == user_id]:
            del self._streams[ssrc]

    def _count_wakeup(self) -> None:
        """The socket reader woke to read (each wake-up reads all that is queued)."""
        self.stats.wakeups += 1

    # -- the per-packet path ---------------------------------------------------------------------

    def on_packet(self, data: bytes) -> None:
        try:
            self._handle(data)
        except Exception:  # never let one packet stop receiving
            log.exception("voice packet dropped")
        frames, self._frames = self._frames, []
        for user_id, pcm in frames:
            try:
                self.sink(user_id, pcm)
            except Exception:  # one frame's failure must not lose the rest
                log.exception("voice frame of %s dropped", user_id)

    def _handle(self, data: bytes) -> None:
        if len(data) < 12 or data[0] >> 6 != 2 or rtp.is_rtcp(data):
            return  # IP discovery answers, keep-alives, RTCP
        self.stats.packets += 1
        if self.stats.packets % LOG_EVERY_PACKETS == 0:
            log.info("voice receive: %s", self.stats.summary())
        packet = rtp.decode_rtp(data)
        user_id = self.vc._ssrc_to_id.get(packet.ssrc)
        if user_id is None or user_id == self.vc.user.id:
            self.stats.unknown_ssrc += 1  # no SPEAKING yet: cannot attribute or DAVE-decrypt
            if user_id is None and packet.payload == OPUS_PAYLOAD_TYPE:
                self._hold(packet.ssrc, data)
            return
        held = self._unnamed.pop(packet.ssrc, None) if self._unnamed else None
        if held:
            now = time.monotonic()
            for arrived, earlier in held:
                if now - arrived <= HOLD_UNNAMED_S:
                    self.stats.replayed += 1
                    self._attributed(rtp.decode_rtp(earlier), earlier, user_id)
        self._attributed(packet, data, user_id)

    def _hold(self, ssrc: int, data: bytes) -> None:
        """Keep a packet of an SSRC not named yet, until a SPEAKING names it (bounded)."""
        held = self._unnamed.get(ssrc)
        if held is None:
            if len(self._unnamed) >= HOLD_UNNAMED_STREAMS:
                self._unnamed.pop(next(iter(self._unnamed)))  # the longest-held SSRC
            held = self._unnamed[ssrc] = deque(maxlen=HOLD_UNNAMED_PACKETS)
        held.append((time.monotonic(), data))

    def _attributed(self, packet: rtp.RTPPacket, data: bytes, user_id: int) -> None:
        """One packet of `user_id`'s: decrypted, decoded and handed on (or counted dropped)."""
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
            payload = self._transport_decrypt(packet, data)
        except CryptoError:
            self.stats.crypto_errors += 1
            return
        frame = self._dave_decrypt(user_id, payload)
        if frame is not None:
            self._decode(packet, user_id, frame)

    def _transport_decrypt(self, packet: rtp.RTPPacket, raw: bytes) -> bytes:
        """The Opus payload: transport-decrypted, header extension skipped, padding removed."""
        connection = self.vc._connection
        if packet.extended:
            self.stats.extended += 1
        if connection.secret_key is not self._key_source:  # a new key on every (re)connect
            key = bytes(connection.secret_key)
            self._key = key
            self._decryptor = PacketDecryptor(connection.mode, key)
            self._key_source = connection.secret_key
        if connection.mode == RTPSIZE_MODE:
            payload = self._decrypt_rtpsize(packet, raw)
        else:  # legacy modes Discord no longer offers: voice-recv's own decryption
            assert self._decryptor is not None
            payload = bytes(self._decryptor.decrypt_rtp(packet))
        if packet.padding:
            # RFC 3550 §5.1: the last byte counts the padding bytes, itself included. It is
            # inside the encrypted part, so it can only be removed now, before DAVE.
            self.stats.padded += 1
            count = payload[-1] if payload else 0
            if count == 0 or count > len(payload):
                raise CryptoError("invalid RTP padding")
            payload = payload[:-count]
        return payload

    def _decrypt_rtpsize(self, packet: rtp.RTPPacket, raw: bytes) -> bytes:
        """aead_xchacha20_poly1305_rtpsize, framed by hand: voice-recv parses the extension's
        elements and can run past them into the payload (and fail) on padded extensions.
        The fixed header, the CSRCs and the extension's 4-byte header are authenticated in
        the clear; the extension's body is encrypted with the payload and comes first.
        libsodium is called through PyNaCl's binding: its `Aead` wrapper costs 2 µs more per
        packet (argument checks that format their messages every call)."""
        clear = 12 + 4 * packet.cc + (4 if packet.extended else 0)
        if len(raw) < clear + 4 + 16:
            raise CryptoError("packet too short")
        nonce = bytes(raw[-4:]) + NONCE_PADDING
        plain = xchacha_decrypt(bytes(raw[clear:-4]), bytes(raw[:clear]), nonce, self._key)
        if packet.extended:
            words = int.from_bytes(raw[clear - 2 : clear], "big")
            plain = plain[4 * words :]
        return bytes(plain)

    def _dave_decrypt(self, user_id: int, payload: bytes) -> bytes | None:
        connection = self.vc._connection
        session = connection.dave_session
        if payload == OPUS_SILENCE:
            self.stats.silence += 1
            return payload  # never end-to-end encrypted
        if session is None or connection.dave_protocol_version == 0:
            return payload  # no end-to-end encryption on this call (or it was downgraded)
        try:
            frame = bytes(session.decrypt(user_id, davey.MediaType.audio, payload))
        except Exception as exc:  # no key yet (joining, epoch change), or a bad frame
            text = str(exc)
            if any(word in text for word in NO_KEY_ERRORS):
                self.stats.no_key += 1
                count, what = self.stats.no_key, "no DAVE key yet"
            else:
                self.stats.dave_errors += 1
                count, what = self.stats.dave_errors, "DAVE decrypt failed"
            self.stats.last_dave_error = f"{what} for {user_id}: {text}"
            if count in (1, 10, 100) or count % 1000 == 0:
                log.info("%s for %s (%d so far): %s", what, user_id, count, text)
            return None
        if payload.endswith(DAVE_MAGIC):
            self.stats.decrypted += 1
        else:
            self.stats.passthrough += 1  # let through by the session during a transition
        return frame

    def _decode(self, packet: rtp.RTPPacket, user_id: int, payload: bytes) -> None:
        stream = self._streams.get(packet.ssrc)
        if stream is None:
            stream = self._streams[packet.ssrc] = _Stream(SpeechOpusDecoder(), user_id)
        now = time.monotonic()
        gap = 1 if stream.last_seq is None else (packet.sequence - stream.last_seq) & 0xFFFF
        behind = (0x10000 - gap) & 0xFFFF
        if (gap == 0 or behind <= MAX_LATE) and now - stream.last_at < RESYNC_S:
            self.stats.late += 1  # duplicate or older than what we played: too late
            return
        if gap > 0x8000 or now - stream.last_at >= RESYNC_S:
            gap = 1  # a new talk spurt or a restarted sender: nothing to conceal
        stream.last_seq, stream.last_at = packet.sequence, now
        lost = gap - 1
        if 0 < lost <= MAX_CONCEALED:  # the common path, with no loss, decodes no FEC
            self._fill_gap(stream, user_id, packet.timestamp, lost, payload)
        stream.last_timestamp = packet.timestamp
        try:
            pcm = stream.decoder.decode(payload)
        except OpusError:
            self.stats.opus_errors += 1  # a corrupt frame: drop it, keep the stream
            # Conceal it rather than insert digital zeros: keeps the VAD's clock, and
            # exact zeros make webrtcvad take a faint noise floor for speech later.
            pcm = self._conceal(stream.decoder, stream.last_samples)
        else:
            stream.last_samples = len(pcm) // 2
        self._frames.append((user_id, pcm))
        self.stats.frames += 1

    def _fill_gap(
        self, stream: _Stream, user_id: int, timestamp: int, lost: int, following: bytes
    ) -> None:
        """Fill `lost` packets missing before `following`, for as long as the RTP clock says
        they lasted (a lost 60 ms packet is 60 ms), bounded by `MAX_PACKET_TICKS` each. The
        last one is rebuilt from `following`'s in-band FEC, the others concealed."""
        ticks = (timestamp - stream.last_timestamp) & 0xFFFFFFFF
        missing = ticks // 3 - stream.last_samples  # 48 kHz clock -> 16 kHz samples
        if not 0 < missing <= lost * MAX_PACKET_TICKS // 3:
            missing = lost * stream.last_samples  # a pause around the loss, or no clock
        # rebuilt only when `following` holds a copy of it (decoded "with FEC", one that
        # holds none is concealed by libopus all the same)
        fec = carries_fec(following)
        try:
            pcm = stream.decoder.decode_gap(missing, following if fec else None)
        except OpusError:  # `following` is corrupt: it is concealed in turn after this
            pcm, fec = self._conceal(stream.decoder, missing), False
        if not pcm:
            return
        self._frames.append((user_id, pcm))
        self.stats.recovered += int(fec)
        self.stats.concealed += lost - fec
        self.stats.frames += lost

    def _conceal(self, decoder: SpeechOpusDecoder, samples: int) -> bytes:
        try:
            return decoder.decode_gap(samples)
        except OpusError:
            return bytes(2 * samples)
