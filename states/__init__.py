"""The conversation: a per-guild state machine that drives listening, recognition, actions and
speaking (`conversation`), the session that runs its stages (`session`, `stages`) and records
what happened (`trace`), the outputs it drives (`output`), the shared engines (`parts`), one
session per guild (`registry`), its diagram."""

from .conversation import Conversation
from .output import MemoryOutput, TextOutput, VoiceOutput, WavFolderOutput
from .parts import RecognizerPool, VoiceParts
from .registry import SessionRegistry
from .session import GuildVoiceSession
from .trace import TraceEntry

__all__ = [
    "Conversation",
    "GuildVoiceSession",
    "MemoryOutput",
    "RecognizerPool",
    "SessionRegistry",
    "TextOutput",
    "TraceEntry",
    "VoiceOutput",
    "VoiceParts",
    "WavFolderOutput",
]
