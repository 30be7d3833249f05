"""Speech in and speech out: decoding, resampling, voice activity, recognition, synthesis.

One base class per stage (`vad/base.py`, `asr/base.py`, `tts/base.py`) and one module per
implementation, so the pipeline can be read from the folder tree.
"""

RECOGNITION_RATE = 16_000
"""Every recogniser and the VAD take 16 kHz mono signed 16-bit PCM."""
DISCORD_RATE = 48_000
"""Discord sends and expects 48 kHz stereo signed 16-bit PCM in 20 ms frames."""
FRAME_S = 0.02
"""One audio frame: Discord sends, receives and plays 20 ms at a time; our streams follow it."""
DISCORD_FRAME_BYTES = int(DISCORD_RATE * FRAME_S) * 2 * 2
"""One frame of Discord audio: 48 kHz stereo s16le (3,840 bytes)."""
RECOGNITION_FRAME_BYTES = int(RECOGNITION_RATE * FRAME_S) * 2
"""One frame of recognition audio: 16 kHz mono s16le (640 bytes)."""
RECOGNITION_BYTES_PER_S = RECOGNITION_RATE * 2
"""One second of recognition audio (32,000 bytes)."""
