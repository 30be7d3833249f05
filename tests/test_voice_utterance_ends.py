"""Every utterance of a member ends, however many in a row, and ends on time.

Discord clients end every talk spurt with five Opus silence frames (`F8 FF FE`, which decode to
exact zeros) and then stop sending until the member speaks again; the receiver fills a lost or
corrupt frame with zeros too. Here that stream goes through the product's own parts: the real
Opus decoder for the silence frames, the 48 kHz stereo -> 16 kHz resampler, webrtcvad, and the
guild session that feeds it.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from discord import opus

from assistant.config.conversation import ConversationSettings
from audio import DISCORD_FRAME_BYTES
from audio.convert import StreamDownsampler
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from states.streams import SpeakerStreams, Stream
from tests.conversation_kit import ALICE, SessionMaker, describe
from tests.speech import noise, speak

pytestmark = pytest.mark.timeout(120)

SENTENCES = (
    "hey trainer, test the model",
    "hey trainer, what is the status",
    "hey trainer, list the datasets",
    "hey trainer, show the last job",
)
OPUS_SILENCE = b"\xf8\xff\xfe"


def _discord_frames(pcm16k: bytes) -> list[bytes]:
    """16 kHz mono -> what the receiver hands on: 48 kHz stereo s16le in 20 ms frames."""
    stereo = np.repeat(np.repeat(np.frombuffer(pcm16k, "<i2"), 3), 2).astype("<i2").tobytes()
    return [
        stereo[i : i + DISCORD_FRAME_BYTES].ljust(DISCORD_FRAME_BYTES, b"\0")
        for i in range(0, len(stereo), DISCORD_FRAME_BYTES)
    ]


def _silence_frames() -> list[bytes]:
    """Discord's end of a talk spurt, decoded by the real Opus decoder."""
    decoder = opus.Decoder()
    return [decoder.decode(OPUS_SILENCE, fec=False) for _ in range(5)]


def _talk(noise_dbfs: float | None, seed: int, tail_s: float = 0.3) -> list[bytes]:
    """Four talk spurts of one member as the receiver delivers them (the pauses between
    them are not sent at all, as by a real client)."""
    frames: list[bytes] = []
    for i, sentence in enumerate(SENTENCES):
        floor = -300.0 if noise_dbfs is None else noise_dbfs  # -300 dBFS rounds to zeros
        pcm = speak(sentence, noise_dbfs=floor, seed=seed + i, lead_s=0.3, tail_s=tail_s)
        frames += _discord_frames(pcm) + _silence_frames()
    return frames


@pytest.mark.parametrize("noise_dbfs", [-66.0, -60.0, -48.0, -42.0, None])
def test_every_utterance_ends_after_discord_silence_frames(noise_dbfs: float | None) -> None:
    """The second and later utterances of a speaker end too (they did not: ~100 ms of exact
    zeros made webrtcvad take a faint noise floor for speech from then on)."""
    for seed in (0, 10, 20):
        downsampler, vad = StreamDownsampler(), WebRtcVad()
        ended = []
        for frame in _talk(noise_dbfs, seed):
            ended += [
                e for e in vad.process(downsampler.process(frame)) if isinstance(e, UtteranceEnded)
            ]
        assert len(ended) == len(SENTENCES), f"noise {noise_dbfs} dBFS, seed {seed}: {ended}"


def test_zero_fill_after_an_opus_error_does_not_hide_the_next_end() -> None:
    """The receiver's 20 ms of zeros for a corrupt frame, mid-sentence, at -48 dBFS."""
    downsampler, vad = StreamDownsampler(), WebRtcVad()
    frames = _talk(-48.0, seed=3)
    for k in range(40, len(frames), 37):  # a corrupt frame every ~0.75 s
        frames[k] = bytes(DISCORD_FRAME_BYTES)
    ended = [
        e
        for frame in frames
        for e in vad.process(downsampler.process(frame))
        if isinstance(e, UtteranceEnded)
    ]
    assert len(ended) == len(SENTENCES)


def _clipped(sentence: str, tail_s: float, noise_dbfs: float, seed: int) -> bytes:
    """The sentence with exactly `tail_s` of noise floor after its last loud sample (espeak
    adds trailing silence of its own, which would hide a short tail)."""
    clean = np.frombuffer(speak(sentence, noise_dbfs=-300.0, lead_s=0.3, tail_s=0.0), "<i2")
    end = int(np.flatnonzero(np.abs(clean) > 300)[-1]) + 1
    x = np.concatenate([clean[:end], np.zeros(int(tail_s * 16_000), "<i2")]).astype(np.float32)
    x += noise(len(x) / 16_000 + 0.01, noise_dbfs, seed)[: len(x)]
    return np.clip(np.rint(x), -32768, 32767).astype("<i2").tobytes()


@pytest.mark.parametrize(("tail_s", "silence_frames"), [(0.0, False), (0.1, True), (0.3, True)])
async def test_an_utterance_ends_within_300_ms_when_the_member_stops_sending(
    voice_session: SessionMaker, tail_s: float, silence_frames: bool
) -> None:
    """The VAD advances on the clock, not only when packets arrive: after the member's last
    packet nothing more comes, and the utterance still ends (it used to stay open until that
    person spoke again or a 15 s timer fired)."""
    session, _ = await voice_session(ConversationSettings(follow_up_seconds=0.5))
    pcm = _clipped(SENTENCES[1], tail_s, noise_dbfs=-48.0, seed=5)
    frames = _discord_frames(pcm) + (_silence_frames() if silence_frames else [])
    start = time.monotonic()
    for n, frame in enumerate(frames):  # live: one frame every 20 ms
        session.feed_discord(ALICE, frame)
        await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - time.monotonic()))
    last_packet = time.monotonic()
    for _ in range(300):
        ends = [e for e in session.trace if e.data.get("event") == "speech_ended"]
        if ends:
            break
        await asyncio.sleep(0.01)
    assert ends, "the utterance never ended" + describe(session.trace)
    utterance = session.machine.utterance
    assert utterance is not None and utterance.detected_s is not None
    # On the audio clock (exact, independent of load): decided at most 300 ms after the
    # member's audio stopped.
    audio_stopped_s = len(frames) * 0.02
    assert utterance.detected_s - audio_stopped_s <= 0.3
    # On the wall clock, with a margin for a loaded machine (0.8 s seen with both cores busy
    # and the file's other tests running; the benchmark holds the latency goal).
    assert ends[0].at - last_packet < 0.3 + 1.0


def test_vad_slack_never_hides_a_decision() -> None:
    """The receiver reads the socket later only within the VAD's slack (socket_reader.py):
    no start, end, pause or change of pause may fall inside that much more audio, so deferring
    never finds the end of speech later. Real webrtcvad on real synthesized speech."""
    chunk = 640  # 20 ms at 16 kHz, as the receiver feeds it
    pcm = b"".join(speak(s, seed=i, lead_s=0.3, tail_s=0.6) for i, s in enumerate(SENTENCES))
    vad = WebRtcVad()
    slack, decided = [], []
    for i in range(0, len(pcm) - chunk + 1, chunk):
        slack.append(vad.slack_s)
        paused = vad.paused
        events = vad.process(pcm[i : i + chunk])
        decided.append(bool(events) or vad.paused != paused)
    assert sum(decided) >= 3 * len(SENTENCES)  # starts, pauses and ends all happened
    for i, s in enumerate(slack):
        covered = int(s * 16000 * 2) // chunk  # whole chunks within the slack
        assert not any(decided[i : i + covered]), f"decision within the slack at chunk {i}"
    deferrable = sum(s >= 0.06 for s in slack)
    assert deferrable > len(slack) // 2  # mid-speech and in silence there is room to defer


class _Ends:
    """A guild session's part the streams call: here it only counts utterance ends."""

    def __init__(self) -> None:
        self.ended: list[UtteranceEnded] = []

    def speech_started(self, stream: Stream) -> None:
        pass

    def speech_continues(self, stream: Stream) -> None:
        pass

    def speech_ended(self, stream: Stream, utterance: UtteranceEnded) -> None:
        self.ended.append(utterance)


@pytest.mark.parametrize("phase_s", [0.002, 0.007, 0.012, 0.017])
async def test_a_blocked_event_loop_does_not_cut_an_utterance(phase_s: float) -> None:
    """The loop is blocked 400 ms mid-sentence (as by a recognizer thread that holds the GIL on
    a loaded machine): the speaker's audio is held back with it, so the stall is not a speaker
    who stopped sending and must not be filled in as silence (it used to be, which cut the
    utterance in two). Each phase puts the block at another point between two frames."""
    listener = _Ends()
    streams = SpeakerStreams(WebRtcVad, listener)
    pcm = speak(SENTENCES[0], noise_dbfs=-60.0, seed=7, lead_s=0.3, tail_s=0.6)
    frames = [pcm[i : i + 640].ljust(640, b"\0") for i in range(0, len(pcm), 640)]
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    for n, frame in enumerate(frames):
        streams.feed(ALICE, frame)
        if n == 35:  # 0.7 s in: mid-sentence, the VAD is in speech
            assert streams.anyone_speaking()
            loop.call_later(phase_s, time.sleep, 0.4)
        await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - time.monotonic()))
    await asyncio.sleep(0.3)
    await streams.close()
    assert len(listener.ended) == 1, [(e.start_s, e.end_s) for e in listener.ended]


@pytest.mark.parametrize("between_s", [0.0, 0.01, 0.03])
async def test_blocks_of_the_event_loop_in_a_row_do_not_cut_an_utterance(between_s: float) -> None:
    """The loop is blocked twice mid-sentence, the second time before the speaker's held-back
    audio was read (a loaded machine stalls more than once): the second gap was filled in as
    silence, which cut "hey trainer, what is the status" in two, and the bot answered the
    wake phrase alone ("Yes? I'm listening.") before the command."""
    listener = _Ends()
    streams = SpeakerStreams(WebRtcVad, listener)
    pcm = speak(SENTENCES[1], noise_dbfs=-60.0, seed=7, lead_s=0.3, tail_s=0.6)
    frames = [pcm[i : i + 640].ljust(640, b"\0") for i in range(0, len(pcm), 640)]
    start = time.monotonic()
    for n, frame in enumerate(frames):
        streams.feed(ALICE, frame)
        if n == 35:  # mid-sentence; what the speaker says meanwhile waits for the loop
            assert streams.anyone_speaking()
            time.sleep(0.25)
            await asyncio.sleep(between_s)  # the loop runs a little, nothing is read yet
            time.sleep(0.25)
            # The socket is read a moment after the loop is free again (it is read deferred
            # where no decision is near), so the clock's tick comes first.
            await asyncio.sleep(0.005)
        await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - time.monotonic()))
    await asyncio.sleep(0.3)
    await streams.close()
    assert len(listener.ended) == 1, [(e.start_s, e.end_s) for e in listener.ended]
