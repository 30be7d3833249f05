"""A stand-in for `davey.DaveSession`: real DAVE needs an MLS group that only Discord's voice
servers run, so the tests swap the session class and check that frames go through it.

Its "encryption" is reversible and tagged with DAVE's real frame trailer (0xFAFA), so a frame
that skipped the session is detected, as with the real protocol."""

from __future__ import annotations

from typing import Any, ClassVar

import davey

MAGIC = b"\xfa\xfa"
_KEY = 0x5A


def wrap(payload: bytes) -> bytes:
    return bytes(b ^ _KEY for b in payload) + MAGIC


def unwrap(payload: bytes) -> bytes:
    if not payload.endswith(MAGIC):
        raise ValueError("not an end-to-end encrypted frame")
    return bytes(b ^ _KEY for b in payload[: -len(MAGIC)])


class StubDaveSession:
    """What discord.py 2.7.1 and our receiver call on a session."""

    instances: ClassVar[list[StubDaveSession]] = []

    def __init__(self, protocol_version: int, user_id: int, channel_id: int) -> None:
        self.protocol_version = protocol_version
        self.user_id = user_id
        self.channel_id = channel_id
        self.ready = True
        self.voice_privacy_code = "stub"
        self.decrypted: list[int] = []
        self.encrypted = 0
        StubDaveSession.instances.append(self)

    def get_serialized_key_package(self) -> bytes:
        return b"stub-key-package"

    def reinit(self, protocol_version: int, user_id: int, channel_id: int) -> None:
        self.protocol_version = protocol_version

    def reset(self) -> None:
        pass

    def set_passthrough_mode(self, passthrough: bool, expiry: Any = None) -> None:
        pass

    def encrypt_opus(self, data: bytes) -> bytes:
        self.encrypted += 1
        return wrap(data)

    def decrypt(self, user_id: int, media_type: Any, packet: bytes) -> bytes:
        assert media_type == davey.MediaType.audio
        frame = unwrap(packet)
        self.decrypted.append(user_id)
        return frame
