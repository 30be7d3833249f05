"""Whether an Opus packet carries in-band FEC: a lower-bitrate copy (LBRR, "low bit-rate
redundancy") of the speech of the packet before it, from which a lost packet is rebuilt
(`SpeechOpusDecoder.decode_gap`).

The encoder codes LBRR only in SILK and hybrid packets, and only where the speech before was
worth the bits: a packet at the start of a talk spurt, a quiet one, or one of a client at a
low bitrate carries none, and decoding one "with FEC" then conceals, as if it were not there.
Whether it is there is a flag at the start of the SILK layer of the packet's first frame
(RFC 6716 4.2.3, read as libopus 1.5's `opus_packet_has_lbrr` reads it; the libopus Discord's
library loads may be older).
"""

from __future__ import annotations


def carries_fec(packet: bytes) -> bool:
    """Whether `packet` holds LBRR data for the packet before it (False for CELT-only
    packets and for any it cannot parse)."""
    if not packet:
        return False
    config = packet[0] >> 3
    if config >= 16:
        return False  # CELT only: no SILK layer
    milliseconds = (10, 20, 40, 60)[config % 4] if config < 12 else (10, 20)[config % 2]
    subframes = max(1, milliseconds // 20)  # SILK's 20 ms frames, each with a VAD flag first
    frame = _first_frame(packet)
    if not frame:
        return False
    flags = frame[0]
    mid = (flags >> (7 - subframes)) & 1  # after the VAD flags of the mid (or only) channel
    side = packet[0] & 0x04 and (flags >> (6 - 2 * subframes)) & 1  # stereo: after the side's
    return bool(mid or side)


def _first_frame(packet: bytes) -> bytes:
    """The first Opus frame of `packet` (RFC 6716 3.2), empty when there is none."""
    code = packet[0] & 0x03
    if code == 0:
        return packet[1:]
    if code == 1:  # two frames of one size
        return packet[1 : 1 + (len(packet) - 1) // 2]
    if code == 2:  # two frames, the first's length given
        size, start = _length(packet, 1)
        return packet[start : start + size]
    if len(packet) < 2:
        return b""
    count, start, padding = packet[1] & 0x3F, 2, 0
    if packet[1] & 0x40:  # padding: its length in bytes of up to 254, 255 going on
        while start < len(packet):
            byte = packet[start]
            start += 1
            padding += 254 if byte == 255 else byte
            if byte != 255:
                break
    end = len(packet) - padding
    if count == 0 or end <= start:
        return b""
    if packet[1] & 0x80:  # frames of their own lengths: all but the last's, before the frames
        size, start = _length(packet, start)
        for _ in range(count - 2):
            start = _length(packet, start)[1]
    else:
        size = (end - start) // count
    return packet[start : min(start + size, end)]


def _length(packet: bytes, at: int) -> tuple[int, int]:
    """A frame length coded at `at` (one byte below 252, else two); the length, and where the
    bytes after it start."""
    if at >= len(packet):
        return 0, at
    first = packet[at]
    if first < 252:
        return first, at + 1
    if at + 1 >= len(packet):
        return 0, len(packet)
    return packet[at + 1] * 4 + first, at + 2


__all__ = ["carries_fec"]
