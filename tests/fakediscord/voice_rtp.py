"""Discord's voice transport encryption (aead_xchacha20_poly1305_rtpsize RTP), as the fake
voice server and its simulated members put packets on the wire and read the bot's."""

from __future__ import annotations

import os
import struct

import nacl.secret

MODE = "aead_xchacha20_poly1305_rtpsize"
OPUS_PT = 0x78
OPUS_SILENCE = b"\xf8\xff\xfe"


def encrypt_rtp(
    key: bytes,
    pt: int,
    seq: int,
    timestamp: int,
    ssrc: int,
    payload: bytes,
    *,
    nonce: int | None = None,
    padding: int = 0,
    extension: bytes = b"",
    profile: bytes = b"\xbe\xde",
    csrcs: tuple[int, ...] = (),
    marker: bool = False,
) -> bytes:
    """One aead_xchacha20_poly1305_rtpsize packet, as Discord's clients send it. `padding`
    bytes (RFC 3550: the last one counts them) and an RFC 5285 one-byte-header `extension`
    (a multiple of 4 bytes; `profile` 0x1000 for RFC 8285 two-byte elements) are encrypted with
    the payload; the extension's own 4-byte header, like the `csrcs` of a mixer, is
    authenticated in the clear."""
    header = bytearray(12)
    header[0] = 0x80 | (0x20 if padding else 0) | (0x10 if extension else 0) | len(csrcs)
    header[1] = (pt & 0x7F) | (0x80 if marker else 0)
    struct.pack_into(">HII", header, 2, seq, timestamp, ssrc)
    header += b"".join(struct.pack(">I", c) for c in csrcs)
    if extension:
        header += profile + struct.pack(">H", len(extension) // 4)
    plain = extension + payload
    if padding:
        plain += bytes(padding - 1) + bytes([padding])
    nonce4 = os.urandom(4) if nonce is None else struct.pack(">I", nonce & 0xFFFFFFFF)
    box = nacl.secret.Aead(key)
    cipher = box.encrypt(plain, bytes(header), nonce4 + bytes(20)).ciphertext
    return bytes(header) + cipher + nonce4


def decrypt_rtp(key: bytes, packet: bytes) -> bytes:
    """Undo aead_xchacha20_poly1305_rtpsize (the bot sends no header extension)."""
    header, body, nonce4 = packet[:12], packet[12:-4], packet[-4:]
    first = packet[0]
    if first & 0x10:  # extension: its 4-byte header is authenticated, not encrypted
        header, body = packet[:16], packet[16:-4]
    plain = nacl.secret.Aead(key).decrypt(body, header, nonce4 + bytes(20))
    if first & 0x10:
        length = struct.unpack_from(">H", packet, 14)[0]
        plain = plain[4 * length :]
    return plain
