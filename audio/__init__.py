"""Speech in and speech out: decoding, resampling, voice activity, recognition, synthesis.

One base class per stage (`vad/base.py`, `asr/base.py`, `tts/base.py`) and one module per
implementation, so the pipeline can be read from the folder tree.
"""

RECOGNITION_RATE = 16_000
"""Every recogniser and the VAD take 16 kHz mono signed 16-bit PCM."""
DISCORD_RATE = 48_000
"""Discord sends and expects 48 kHz stereo signed 16-bit PCM in 20 ms frames."""
DISCORD_FRAME_BYTES = DISCORD_RATE // 50 * 2 * 2
"""One 20 ms Discord frame: 960 stereo samples of 2 bytes (3,840 bytes)."""
