"""Settings of the per-guild conversation machine: windows, timeouts and the overlap rule."""

from __future__ import annotations

from pydantic import Field

from .core import Section


class ConversationSettings(Section):
    follow_up_seconds: float = Field(6.0, gt=0, le=120)
    """After a wake phrase alone, or after an answer, the same person may give a command without
    the wake phrase for this long. Other people always need the wake phrase."""
    max_utterance_seconds: float = Field(15.0, gt=1, le=300)
    """Longest the bot keeps listening to one utterance; past it the machine gives up and goes
    back to idle (the VAD normally cuts earlier, at `voice.vad.max_utterance_s`)."""
    still_working_seconds: float = Field(4.0, gt=0, le=600)
    """An action running longer than this makes the bot say "still working on it" once."""
    action_timeout_seconds: float = Field(120.0, gt=0, le=3600)
    """An action still running after this is given up with an apology (its reply, if it ever
    comes, is still posted in the text channel). Training never counts: it runs as a job."""
    recognition_timeout_seconds: float = Field(15.0, gt=0, le=300)
    """Longest wait for the recognizer on one utterance before apologizing."""
    max_speaking_seconds: float = Field(90.0, gt=1, le=1800)
    """Longest the bot waits for one playback to finish (a stuck output cannot hold the guild)."""
    barge_in: bool = True
    """Let people interrupt the bot: the person it is answering by simply speaking, anyone else
    by saying the wake phrase. Playback stops and the bot listens."""
    wake_spotting_interval_ms: int = Field(300, ge=100, le=2000)
    """While the bot speaks, someone else's speech is checked for the wake phrase this often
    (recognizing the audio so far), so a wake phrase interrupts before the speaker pauses."""
    queue_seconds: float = Field(8.0, ge=0, le=60)
    """Overlap rule: speech from another person while the bot listens to, works for or answers
    someone is never merged; that person's latest utterance is kept this long and, once the bot
    is free, checked for the wake phrase (0 drops such speech)."""
    queue_max: int = Field(4, ge=0, le=32)
    """Most utterances kept under the overlap rule (one per person, oldest dropped)."""
    post_transcripts: bool = False
    """Also post what the bot heard ("heard: ...") in the text channel."""
    announce_jobs: bool = True
    """Announce finished training jobs aloud in the voice channel the bot is in, and in text."""
    realtime_factor: float = Field(1.0, ge=0, le=1000)
    """Console voice mode: audio files are fed at this multiple of real time (0 = as fast as
    possible; playback is then not waited for either)."""
