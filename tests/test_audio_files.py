"""Audio files as people have them, through `bot.py simulate` and the console's `say`: stereo
wired wrong, telephone recordings, and the odd formats recorders and phones write. Each file is
real audio (espeak-ng speech, tests/speech.py) converted the way a device would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.app import Assistant
from assistant.config import load_config
from audio.decode import decode_file
from audio.simulate import main
from tests.consoles import TypedConsole, run_console
from tests.speech import RATE, speak, write_wav

COMMAND = "hey trainer, status"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    path = tmp_path / "config.yaml"
    path.write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    return path


def _simulate(files: list[Path], config_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    code = main([*map(str, files), "--json", "--speed", "0"], config=load_config(config_path))
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2").astype(np.float64)


def _ffmpeg(source: Path, target: Path, *options: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), *options, str(target)],
        check=True,
    )
    return target


def _antiphase(tmp_path: Path) -> Path:
    """A stereo recording whose right channel is the left one inverted."""
    left = _samples(speak(COMMAND))
    frames = np.stack([left, -np.clip(left, -32767, 32767)], axis=1)
    return write_wav(tmp_path / "antiphase.wav", frames.astype("<i2").tobytes(), channels=2)


def test_a_stereo_file_with_one_channel_inverted_is_still_heard(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Averaged to mono, the two channels cancelled to silence: "no speech heard in it".
    wav = _antiphase(tmp_path)
    flac = _ffmpeg(wav, tmp_path / "antiphase.flac")  # ffmpeg decodes this one
    code, lines = _simulate([wav, flac], config_path, capsys)
    assert code == 0
    assert [(line["file"], line.get("intent")) for line in lines] == [
        (str(wav), "status"),
        (str(flac), "status"),
    ], lines
    # and the console's `say` hears it too
    shown = run_console(tmp_path, f"say {wav}\n")
    assert "heard you: status" in shown, shown


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_ordinary_stereo_is_still_the_mean_of_its_channels(tmp_path: Path, suffix: str) -> None:
    # Left and right of one voice at different levels, and a different voice on each side:
    # both are averaged as before.
    voice = _samples(speak(COMMAND))
    other = _samples(speak("cancel the training", "en-gb"))[: len(voice)]
    other = np.pad(other, (0, len(voice) - len(other)))
    for right in (0.5 * voice, other):
        frames = np.stack([voice, right], axis=1).astype("<i2")
        wav = write_wav(tmp_path / "stereo.wav", frames.tobytes(), channels=2)
        path = wav if suffix == ".wav" else _ffmpeg(wav, tmp_path / f"stereo{suffix}")
        decoded = _samples(decode_file(path).pcm)
        mean = frames.astype(np.float64).mean(axis=1)
        n = min(len(decoded), len(mean))
        assert np.abs(decoded[:n] - mean[:n]).max() <= 2, suffix


def _telephone(tmp_path: Path, codec: str) -> Path:
    """`COMMAND` as a telephone line carries it: 8 kHz, 300-3400 Hz, in `codec`."""
    wide = write_wav(tmp_path / "wide.wav", speak(COMMAND))
    band = ["-ar", "8000", "-af", "highpass=f=300,lowpass=f=3400", "-c:a", codec]
    return _ffmpeg(wide, tmp_path / f"call {codec}.wav", *band)


def test_telephone_recordings_are_understood(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 8 kHz recordings, as 16-bit PCM and as the mu-law and A-law of phone systems: brought to
    # 16 kHz for the recognizers, companded samples decoded (not refused, not read as noise).
    calls = [_telephone(tmp_path, codec) for codec in ("pcm_s16le", "pcm_mulaw", "pcm_alaw")]
    for call in calls:
        decoded = decode_file(call)
        assert decoded.seconds == pytest.approx(len(speak(COMMAND)) / 2 / RATE, abs=0.01)
        # the speech band is there, and little above the phone's 4 kHz: not read as noise, not
        # resampled with images of the speech (their -43 dB is scipy's filter's edge)
        spectrum = np.abs(np.fft.rfft(_samples(decoded.pcm))) ** 2
        hz = np.fft.rfftfreq(len(decoded.pcm) // 2, 1 / RATE)
        speech, above = spectrum[(hz > 300) & (hz < 3400)].sum(), spectrum[hz > 4200].sum()
        assert above < 1e-3 * speech, call.name
    code, lines = _simulate(calls, config_path, capsys)
    assert code == 0
    assert [(line["file"], line.get("intent")) for line in lines] == [
        (str(call), "status") for call in calls
    ], lines


async def test_a_folder_given_to_say_is_called_a_folder(app: Assistant, tmp_path: Path) -> None:
    # `say recordings/` answered "No such file: recordings" for a folder that is right there.
    (tmp_path / "recordings").mkdir()
    console = TypedConsole(app)
    try:
        reply = await console.send(f"say {tmp_path / 'recordings'}")
    finally:
        await console.console.close()  # the voice channel `say` opened, and its engines
    assert reply["text"] == "recordings: a folder, not an audio file; name the files in it"


async def test_files_that_cannot_be_heard_are_refused_in_the_servers_language(
    app: Assistant, tmp_path: Path
) -> None:
    # Only "not a recognised audio file" was translated: a Russian server read the rest
    # ("the file is empty", "only 0 ms of audio...") in English.
    console = TypedConsole(app)
    await console.send("language ru")
    (tmp_path / "пусто.wav").write_bytes(b"")
    (tmp_path / "папка").mkdir()
    one = write_wav(tmp_path / "one sample.wav", b"\x01\x00")
    (tmp_path / "picture.wav").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    refusals = {
        "пусто.wav": "пусто.wav: файл пуст",
        "папка": "папка: это папка, а не звуковой файл; назовите файлы в ней",
        one.name: "one sample.wav: в нём всего 0 мс звука, слишком мало для речи",
        "picture.wav": "picture.wav: в файле нет звуковой дорожки",
    }
    try:
        for name, refusal in refusals.items():
            reply = await console.send(f'say "{tmp_path / name}"')
            assert (reply["kind"], reply["text"]) == ("error", refusal)
    finally:
        await console.console.close()


@pytest.mark.parametrize("channels", [4, 9, 64])
def test_a_many_channel_24_bit_wav_is_heard(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str], channels: int
) -> None:
    # Beyond 16-bit, ffmpeg decodes; with 9 or 64 channels and no speaker layout it could not
    # mix them ("Rematrix is needed ... not enough information") and the recording was
    # refused as "not a recognised audio file, or it is corrupt".
    voice = _samples(speak(COMMAND))
    frames = np.tile(voice[:, None], (1, channels)).astype("<i2")
    wav16 = write_wav(tmp_path / "array16.wav", frames.tobytes(), channels=channels)
    wav24 = _ffmpeg(wav16, tmp_path / f"array {channels}.wav", "-c:a", "pcm_s24le")
    decoded = _samples(decode_file(wav24).pcm)
    assert len(decoded) == len(voice) and np.abs(decoded - voice).max() <= 2
    if channels == 64:
        code, lines = _simulate([wav24], config_path, capsys)
        assert code == 0 and [line.get("intent") for line in lines] == ["status"], lines


def _quieter(tmp_path: Path, db: float) -> Path:
    """The command as a phone at arm's length records it: `db` below the usual level."""
    quiet = _samples(speak(COMMAND)) * 10 ** (-db / 20)
    return write_wav(tmp_path / f"quiet{db:g}.wav", np.rint(quiet).astype("<i2").tobytes())


def test_a_quiet_recording_is_raised_and_heard(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 40 dB down the VAD took it for silence: "(nothing happened)".
    quiet = _quieter(tmp_path, 40)
    code, lines = _simulate([quiet], config_path, capsys)
    assert code == 0 and [line.get("intent") for line in lines] == ["status"], lines
    shown = run_console(tmp_path, f"say {quiet}\n")
    assert "heard you: status" in shown and "very quietly" not in shown, shown


def test_a_recording_too_quiet_to_raise_enough_says_so(tmp_path: Path, config_path: Path) -> None:
    shown = run_console(tmp_path, f"say {_quieter(tmp_path, 70)}\n")
    assert "quiet70.wav: recorded very quietly: raised by 36 dB" in shown, shown


def test_hiss_alone_is_not_raised_into_speech(tmp_path: Path) -> None:
    hiss = np.random.default_rng(0).normal(0, 20, RATE * 3)  # about -64 dBFS, nothing said
    path = write_wav(tmp_path / "hiss.wav", np.rint(hiss).astype("<i2").tobytes())
    decoded = decode_file(path)
    assert decoded.raised_db == 0.0 and decoded.pcm == path.read_bytes()[-len(decoded.pcm) :]


def test_a_quiet_recording_cut_mid_sample_is_raised_too(tmp_path: Path) -> None:
    path = _quieter(tmp_path, 40)
    path.write_bytes(path.read_bytes()[:-1])  # a copy that stopped half-way through a sample
    decoded = decode_file(path)
    assert decoded.raised_db > 20 and len(decoded.pcm) % 2 == 0


def test_a_recording_whose_length_was_never_written_is_heard_whole(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A recorder writes the WAV header first and the samples' length when it stops: one that
    # was killed, or streamed, leaves 0 there. Such a file of two seconds of speech was
    # refused as "only 0 ms of audio, too short to hold speech"; ffmpeg, sox and players read
    # it to its end, and so does the bot now.
    whole = write_wav(tmp_path / "whole.wav", speak(COMMAND))
    data = bytearray(whole.read_bytes())
    at = data.index(b"data") + 4
    data[at : at + 4] = bytes(4)
    unsized = tmp_path / "stopped recorder.wav"
    unsized.write_bytes(bytes(data))
    assert decode_file(unsized).pcm == decode_file(whole).pcm
    code, lines = _simulate([unsized], config_path, capsys)
    assert code == 0 and [line.get("intent") for line in lines] == ["status"], lines


def test_a_long_file_is_announced_with_how_long_it_takes(tmp_path: Path) -> None:
    """`say` hears a file as it was said, in real time, and shows its answers once it has
    been heard: an hour of silence was ten minutes (the most a file may have) with nothing on
    the screen. A file heard for longer than half a minute is announced first, with how long."""
    import signal
    import sys

    from tests.consoles import ROOT, make_workdir

    workdir = make_workdir(tmp_path)
    wav = write_wav(tmp_path / "meeting.wav", bytes(2 * RATE * 150))  # 150 s of silence
    console = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert console.stdin is not None and console.stdout is not None
    try:
        console.stdin.write(f"say {wav}\n")
        console.stdin.flush()
        lines = []
        while "real time" not in (line := console.stdout.readline()) and line:
            lines.append(line)
        assert line.strip() == (
            "`meeting.wav` is heard as it was said, in real time: its answers come in about"
            " 2 min (Ctrl-C stops)."
        ), lines
    finally:
        console.send_signal(signal.SIGTERM)
        _, err = console.communicate(timeout=60)
    assert console.returncode == 0 and "Traceback" not in err, err
