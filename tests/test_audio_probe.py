"""A user's own recordings through `bot.py simulate` and the console's `say`: long files, files
with nothing to hear, odd names. What they see is one line per file, never silence or a
traceback, and a long file costs time in proportion to its length."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.config import load_config
from audio.simulate import main
from tests.consoles import TypedConsole, run_console
from tests.hostile_audio import decoded_with_peak
from tests.speech import RATE, speak, write_wav


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "data" / "movie_reviews").mkdir(parents=True)
    path = tmp_path / "config.yaml"
    path.write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    return path


def _simulate(args: list[str], config_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    code = main([*args, "--json", "--speed", "0"], config=load_config(config_path))
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_ten_minute_recording_is_fed_in_linear_time(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each 20 ms frame was cut from the file joined anew to its tail of silence: a copy of
    # all 19 MB of it 30,000 times, over two minutes before the first word was looked at.
    audio = write_wav(tmp_path / "meeting.wav", bytes(600 * RATE * 2))
    started = time.monotonic()
    code, _lines = _simulate([str(audio)], config_path, capsys)
    assert code == 0
    assert time.monotonic() - started < 60


def test_a_file_cut_at_the_length_limit_says_so(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A command past `voice.max_file_seconds` was dropped without a word: no record at all.
    config_path.write_text(
        "data_root: data\nstate_dir: state\nvoice:\n  max_file_seconds: 3\n", encoding="utf-8"
    )
    pcm = bytes(4 * RATE * 2) + speak("hey trainer what's the status")
    audio = write_wav(tmp_path / "long.wav", pcm)
    code, lines = _simulate([str(audio)], config_path, capsys)
    assert code == 0
    cut = "long.wav: only its first 3 s were heard (the most a file may have)"
    assert [line["note"] for line in lines] == [cut, "long.wav: no speech heard in it"]
    # and the console's `say` (here `console --speak`) shows it among what happened
    shown = run_console(tmp_path, "", "--speak", str(audio))
    assert f"note: {cut}" in shown, shown
    # in the server's language
    shown = run_console(tmp_path, f"language ru\nsay {audio}\n")
    assert "long.wav: услышаны только первые 3 с" in shown, shown


def test_a_file_with_nothing_to_hear_says_so(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Digital silence, or a stereo file whose channels cancel out, printed nothing at all.
    silent = write_wav(tmp_path / "silent.wav", bytes(2 * RATE * 2))
    code, lines = _simulate([str(silent)], config_path, capsys)
    assert code == 0
    assert lines == [{"file": str(silent), "note": "silent.wav: no speech heard in it"}]
    main([str(silent), "--speed", "0"], config=load_config(config_path))
    assert capsys.readouterr().out == f"{silent}: no speech heard in it\n"


async def test_a_file_name_with_an_apostrophe_and_an_open_quote(
    app: Assistant, tmp_path: Path
) -> None:
    # `say it's.wav` was split as a shell would, found its quote never closed, and answered
    # "Sorry, that went wrong" with a traceback in the log.
    console = TypedConsole(app)
    missing = tmp_path / "it's here.wav"
    reply = await console.send(f'say {tmp_path}/it\'s.wav "{missing}"')
    assert reply["text"] == f"No such file: {tmp_path}/it's.wav, {missing}"
    reply = await console.send("say 'it s.wav")
    assert reply["text"] == "A quote opened at `'it s.wav` is never closed; check your quotes."


def test_a_long_studio_wav_is_decoded_in_bounded_memory(tmp_path: Path) -> None:
    # A 16-bit WAV went whole through numpy: a 10-minute 96 kHz stereo recording took 1 GB
    # (five times the file) before it became 19 MB of 16 kHz mono.
    audio = write_wav(tmp_path / "field.wav", bytes(300 * 48_000 * 4), rate=48_000, channels=2)
    decoded, peak = decoded_with_peak(audio)
    size = len(decoded.pcm)
    assert decoded.seconds == pytest.approx(300, abs=0.1)
    assert peak < 4 * size, f"{peak / 1e6:.0f} MB for {size / 1e6:.0f} MB of decoded audio"


def test_a_folder_is_not_called_missing(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `simulate recordings/` answered "no such audio file" for a folder that is right there.
    (tmp_path / "recordings").mkdir()
    code, lines = _simulate([str(tmp_path / "recordings")], config_path, capsys)
    assert code == 1
    assert lines[0]["error"] == "recordings: a folder, not an audio file; name the files in it"


async def test_say_of_silence_in_json_mode_still_answers_a_line(
    app: Assistant, tmp_path: Path
) -> None:
    # A script reads one JSON line per `say`; a file with nothing to hear printed none, and
    # the script waited forever.
    console = TypedConsole(app)
    silent = write_wav(tmp_path / "silent.wav", bytes(2 * RATE * 2))
    try:
        reply = await console.send(f"say {silent}")
    finally:
        # the voice channel `say` opened: its recognizer threads must not outlive the test
        # (they allocated while later tests measured memory)
        await console.console.close()
    assert reply == {"event": "nothing", "speaker": None, "text": "(nothing happened)"}, reply


async def test_say_reports_every_bad_file_and_hears_the_good_ones(
    app: Assistant, tmp_path: Path
) -> None:
    """`say a.wav b.wav` with two files it could not hear named only the first, and one bad
    file among good ones meant none was heard. Now every bad file is named, each with why,
    and the good ones are heard all the same."""
    from tests.speech import join

    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    short = write_wav(tmp_path / "short.wav", b"\x01\x00")
    missing = tmp_path / "gone.wav"
    good = write_wav(tmp_path / "good.wav", join(speak("hey trainer, status")))
    console = TypedConsole(app)
    try:
        bad = await console.send(f"say {empty} {short}")
        assert not bad["ok"] and bad["text"].splitlines() == [
            "empty.wav: the file is empty",
            "short.wav: only 0 ms of audio, too short to hold speech",
        ], bad
        start = len(console.out.getvalue())
        await console.send(f"say {empty} {good} {missing}")
        printed = [json.loads(line) for line in console.out.getvalue()[start:].splitlines()]
    finally:
        await console.console.close()
    refused = [line for line in printed if line.get("ok") is False]
    assert [line["text"].splitlines() for line in refused] == [
        [f"No such file: {missing}", "empty.wav: the file is empty"]
    ], printed
    heard = [line["text"] for line in printed if line.get("event") == "heard"]
    assert heard == ["status"], printed
