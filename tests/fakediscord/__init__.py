"""A loopback fake of Discord (REST, gateway, voice gateway over TLS, voice UDP) for bot tests."""

from .payloads import FakeMember
from .server import FakeDiscord
from .voice import Faults

__all__ = ["FakeDiscord", "FakeMember", "Faults"]
