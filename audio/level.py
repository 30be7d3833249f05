"""Quiet recordings raised to the level speech is heard at (files and voice messages only).

A phone held at arm's length, or a microphone whose gain is low, records speech 30-50 dB below
the usual level; the VAD takes it for silence and the user hears "nothing happened". Discord's
own voice path has the client's gain control; a file has nothing, so it is raised here, before
the VAD, by as much as brings its loud frames to ordinary speech level, within limits:

- only when something in it stands above its floor (`MIN_SPREAD_DB`): a file of hiss stays
  as it is, since raising noise makes it no more speech;
- never past `MAX_GAIN_DB`, nor so far that the loudest sample clips.
"""

from __future__ import annotations

import numpy as np

FRAME = 480
"""30 ms at 16 kHz: the VAD's frame."""
SPEECH_DBFS = -26.0
"""The level the loud frames (95th percentile RMS) of ordinary speech have."""
RAISE_BELOW_DBFS = -38.0
"""Files whose loud frames are quieter than this are raised."""
MAX_GAIN_DB = 36.0
"""At most this much: beyond it, the recording holds too little to recognize."""
MIN_SPREAD_DB = 15.0
"""Loud frames at least this far above the quiet ones (10th percentile): something was said."""
PEAK_DBFS = -1.0
"""The loudest sample stays below this after raising."""


def raise_quiet(pcm: bytes) -> tuple[bytes, float]:
    """16 kHz mono s16le -> the same, raised when quiet; and the gain applied in dB (0.0 when
    left as it was). Works a chunk at a time: a ten-minute file is 19 MB of samples, and a
    float copy of it all would be four times that."""
    # a file cut mid-sample ends in half a sample: left out of the reading, kept as it came
    samples = np.frombuffer(memoryview(pcm)[: len(pcm) // 2 * 2], "<i2")
    frames = len(samples) // FRAME
    if frames < 4:
        return pcm, 0.0
    framed = samples[: frames * FRAME].reshape(frames, FRAME)
    power = np.concatenate(
        [
            np.mean(framed[i : i + _CHUNK].astype(np.float32) ** 2, axis=1)
            for i in range(0, frames, _CHUNK)
        ]
    )
    levels = 10 * np.log10(power / 32768.0**2 + 1e-12)
    loud, quiet = np.percentile(levels, 95), np.percentile(levels, 10)
    if loud >= RAISE_BELOW_DBFS or loud - quiet < MIN_SPREAD_DB:
        return pcm, 0.0
    peak = max(int(samples.max()), -int(samples.min()), 1)
    headroom = PEAK_DBFS - 20 * np.log10(peak / 32768.0)
    gain = float(min(SPEECH_DBFS - loud, MAX_GAIN_DB, headroom))
    if gain < 6.0:  # too little to change what is heard
        return pcm, 0.0
    factor = np.float32(10 ** (gain / 20))
    raised = bytearray(len(samples) * 2)
    out = np.frombuffer(raised, "<i2")
    step = _CHUNK * FRAME
    for i in range(0, len(samples), step):
        part = np.rint(samples[i : i + step].astype(np.float32) * factor)
        out[i : i + step] = np.clip(part, -32768, 32767)
    return bytes(raised), gain


_CHUNK = 2000
"""Frames handled at once (one minute of audio)."""
