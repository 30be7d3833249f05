"""`bot.py simulate`: audio files -> VAD -> recognition -> the real core -> spoken reply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import load_config
from audio.simulate import main
from tests.speech import join, speak, write_wav


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    for name in ("movie_reviews", "imdb2026"):
        (tmp_path / "data" / name).mkdir(parents=True)
    path = tmp_path / "config.yaml"
    path.write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    return path


def test_simulate_prints_one_json_line_per_utterance(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = write_wav(
        tmp_path / "talk.wav",
        join(
            speak("hey trainer what's the status"),
            speak("the weather is nice today"),
            speak("hey trainer select dataset i m d b twenty twenty six"),
        ),
    )
    bad = tmp_path / "broken.ogg"
    bad.write_bytes(b"OggS not really")
    out = tmp_path / "spoken"
    code = main([str(audio), str(bad), "--speak-to", str(out)], config=load_config(config_path))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    utterances = [line for line in lines if "start_s" in line]
    assert [u["intent"] for u in utterances] == ["status", None, "select_dataset"]
    status, weather, select = utterances
    assert status["wake"] and "Status" in status["reply"]
    assert weather["reply"] is None and not weather["wake"]
    assert select["slots"] == {"dir": "imdb2026"} and "imdb2026" in select["reply"]
    assert select["start_s"] > weather["end_s"] > status["end_s"]
    assert set(status["timings_ms"]) >= {
        "asr",
        "intent",
        "tts_first_audio",
        "end_of_speech_to_reply",
    }
    assert len(list(out.glob("talk-*.wav"))) == 2
    errors = [line for line in lines if "error" in line]
    assert errors and "broken.ogg" in errors[0]["error"] and code == 1
