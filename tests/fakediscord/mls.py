"""The few MLS (RFC 9420) structures a DAVE voice server writes and reads, in the TLS
presentation language: the external sender, proposals it signs, and the split of a
commit from the welcome that follows it.

Discord's voice server is the group's *external sender* (RFC 9420 §12.1.8.1): it never joins
the group, it signs Add/Remove proposals that members then commit. Ciphersuite 2
(MLS_128_DHKEMP256_AES128GCM_SHA256_P256): ECDSA P-256 with SHA-256, DER signatures.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MLS10 = 1
CIPHER_SUITE = 2
"""MLS_128_DHKEMP256_AES128GCM_SHA256_P256, DAVE protocol v1's."""
WIRE_PUBLIC = 1
SENDER_EXTERNAL = 2
CONTENT_PROPOSAL = 2
CONTENT_COMMIT = 3
PROPOSAL_ADD = 1
PROPOSAL_REMOVE = 3
CREDENTIAL_BASIC = 1
LEAF_SOURCE_KEY_PACKAGE = 1
LEAF_SOURCE_COMMIT = 3


def varint(n: int) -> bytes:
    """MLS's variable-length integer: the top two bits of the first byte give the size."""
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return struct.pack(">H", n | 0x4000)
    if n < 1 << 30:
        return struct.pack(">I", n | 0x8000_0000)
    raise ValueError(f"too long for an MLS vector: {n}")


def opaque(data: bytes) -> bytes:
    """`opaque data<V>`: a vector with a variable-length size prefix."""
    return varint(len(data)) + data


class Reader:
    """Reads MLS structures from a buffer, front to back."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def uint(self, size: int) -> int:
        value = int.from_bytes(self.data[self.offset : self.offset + size], "big")
        if self.offset + size > len(self.data):
            raise ValueError("MLS structure truncated")
        self.offset += size
        return value

    def varint(self) -> int:
        first = self.data[self.offset]
        size = 1 << (first >> 6)
        if size == 8:
            raise ValueError("invalid MLS variable-length integer")
        value = self.uint(size)
        return value & ((1 << (8 * size - 2)) - 1)

    def opaque(self) -> bytes:
        size = self.varint()
        if self.offset + size > len(self.data):
            raise ValueError("MLS vector truncated")
        value = self.data[self.offset : self.offset + size]
        self.offset += size
        return value


@dataclass
class ExternalSender:
    """The voice server's signing identity: an ECDSA P-256 key made per voice server."""

    identity: bytes = b"fake-discord-voice"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def public_point(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def serialized(self) -> bytes:
        """`ExternalSender { signature_key<V>; Credential credential }` (op 25's body)."""
        credential = struct.pack(">H", CREDENTIAL_BASIC) + opaque(self.identity)
        return opaque(self.public_point()) + credential

    def sign_with_label(self, label: bytes, content: bytes) -> bytes:
        signed = opaque(b"MLS 1.0 " + label) + opaque(content)
        return self.key.sign(signed, ec.ECDSA(hashes.SHA256()))

    def proposal(self, group_id: bytes, epoch: int, proposal: bytes) -> bytes:
        """An MLSMessage (PublicMessage) carrying one proposal from the external sender."""
        content = (
            opaque(group_id)
            + struct.pack(">Q", epoch)
            + struct.pack(">BI", SENDER_EXTERNAL, 0)
            + opaque(b"")  # authenticated_data
            + bytes([CONTENT_PROPOSAL])
            + proposal
        )
        head = struct.pack(">HH", MLS10, WIRE_PUBLIC)
        # FramedContentTBS: version, wire format, content (no GroupContext: external sender)
        signature = self.sign_with_label(b"FramedContentTBS", head + content)
        # No membership_tag: only member senders carry one.
        return head + content + opaque(signature)


def add_proposal(key_package: bytes) -> bytes:
    """`Proposal { uint16 proposal_type = add; KeyPackage }` (the key package as received)."""
    return struct.pack(">H", PROPOSAL_ADD) + key_package


def remove_proposal(leaf_index: int) -> bytes:
    return struct.pack(">HI", PROPOSAL_REMOVE, leaf_index)


def proposals_message(operation: int, messages: list[bytes]) -> bytes:
    """op 27's body: `uint8 operation_type; MLSMessage proposal_messages<V>`."""
    return bytes([operation]) + opaque(b"".join(messages))


def group_id(channel_id: int) -> bytes:
    """DAVE's MLS group id: the voice channel id, 8 bytes big-endian."""
    return struct.pack(">Q", channel_id)


def split_commit_welcome(data: bytes) -> tuple[bytes, bytes | None]:
    """op 28's body is an MLSMessage commit immediately followed by an optional Welcome (a bare
    `Welcome`, which starts with its cipher suite); only the commit's own structure says where
    it ends."""
    reader = Reader(data)
    _skip_public_commit(reader)
    end = reader.offset
    rest = data[end:]
    if rest and rest[:2] != struct.pack(">H", CIPHER_SUITE):
        raise ValueError("op 28: what follows the commit is not a welcome")
    return data[:end], rest or None


def _skip_public_commit(r: Reader) -> None:
    if (r.uint(2), r.uint(2)) != (MLS10, WIRE_PUBLIC):
        raise ValueError("not an MLS 1.0 public message")
    r.opaque()  # group_id
    r.uint(8)  # epoch
    sender_type = r.uint(1)
    if sender_type in (1, 2):  # member, external: an index
        r.uint(4)
    r.opaque()  # authenticated_data
    if r.uint(1) != CONTENT_COMMIT:
        raise ValueError("not a commit")
    r.opaque()  # proposals<V> (ProposalOrRef)
    if r.uint(1):  # optional<UpdatePath>
        _skip_leaf_node(r)
        r.opaque()  # UpdatePathNode nodes<V>
    r.opaque()  # signature
    r.opaque()  # confirmation_tag
    if sender_type == 1:
        r.opaque()  # membership_tag


def _skip_leaf_node(r: Reader) -> None:
    r.opaque()  # encryption_key
    r.opaque()  # signature_key
    credential_type = r.uint(2)
    if credential_type != CREDENTIAL_BASIC:
        raise ValueError(f"unexpected credential type {credential_type}")
    r.opaque()  # identity
    for _ in range(5):  # capabilities: versions, cipher_suites, extensions, proposals, creds
        r.opaque()
    source = r.uint(1)
    if source == LEAF_SOURCE_KEY_PACKAGE:
        r.uint(8), r.uint(8)  # lifetime
    elif source == LEAF_SOURCE_COMMIT:
        r.opaque()  # parent_hash
    r.opaque()  # extensions
    r.opaque()  # signature
