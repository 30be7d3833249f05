"""Spoken Russian commands through an engine that hears Russian: the OpenAI transcription engine
against the loopback fake OpenAI server, Russian speech synthesized by espeak-ng, played into the
console's voice channel as a user would (`--speak FILE.wav`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from audio.tts.espeak import parse_wav
from tests.consoles import ROOT, make_workdir, run_checked
from tests.fakes.openai_audio import AudioServer
from tests.test_readme import blocks

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "espeak-ng"], capture_output=True).returncode != 0,
    reason="espeak-ng is a system package",
)

(README_CONFIG,) = blocks("Languages", "yaml")
VOICE = yaml.safe_load(README_CONFIG)["voice"]
"""The README's configuration for spoken Russian, as written there."""
SPOKEN = "эй тренер, выбери набор reviews"
"""The README's example, said in espeak-ng's Russian voice."""


def russian_wav(path: Path, text: str) -> float:
    """espeak-ng's Russian voice saying `text`, as a WAV file; its length in seconds."""
    audio = subprocess.run(
        ["espeak-ng", "-v", "ru", "--stdout", text], capture_output=True, check=True
    ).stdout
    path.write_bytes(audio)
    return parse_wav(audio).seconds  # espeak's streamed header has no real length


def console(workdir: Path, script: str, *flags: str) -> list[dict[str, Any]]:
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    out = run_checked([*command, "--json", *flags], workdir, script, OPENAI_API_KEY="test-key")
    return [json.loads(line) for line in out.splitlines()]


def configure(workdir: Path, base_url: str) -> None:
    voice = {**VOICE, "asr": {**VOICE["asr"], "openai_base_url": base_url}}
    config = {"data_root": "data", "state_dir": "state", "voice": voice}
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))


def test_a_spoken_russian_command_is_heard_through_openai_and_answered_in_russian(
    tmp_path: Path,
) -> None:
    workdir = make_workdir(tmp_path)
    seconds = russian_wav(workdir / "select.wav", SPOKEN)
    # The fake service answers with what was said (it cannot recognize speech itself).
    with AudioServer(transcript=SPOKEN) as server:
        configure(workdir, server.base_url)
        (chosen,) = console(workdir, "language ru\n")
        # The recognizer hears Russian here, so no "spoken commands in English only" note.
        assert chosen["text"] == "Теперь я говорю здесь по-русски.", chosen["text"]
        events = console(workdir, "", "--speak", str(workdir / "select.wav"))
        sent = [fields for endpoint, fields in server.requests if endpoint == "transcriptions"]
    # The engine got the Russian speech (not silence or a fragment), with no language forced:
    # with two languages configured, the service detects which one was spoken.
    assert len(sent) == 1 and sent[0]["language"] is None
    assert abs(sent[0]["seconds"] - seconds) < 1.0, (sent, seconds)
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    assert heard == ["выбери набор reviews"], events  # the wake phrase was taken off
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    assert any(p.startswith("Активный набор данных: **reviews**") for p in posted), events
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert said and said[0].startswith("Выбран набор reviews"), events
    answers = sorted((workdir / "state" / "console-voice").glob("*-answer.wav"))
    assert answers and answers[0].stat().st_size > 10_000


def test_without_an_engine_that_hears_russian_the_bot_says_so_plainly(tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    (chosen, joined) = console(workdir, "language ru\njoin\n")
    for reply in (chosen, joined):
        assert "Голосовые команды по-русски я здесь не понимаю" in reply["text"], reply
        assert "`voice.asr.languages: [en, ru]`" in reply["text"]


def test_an_engine_that_hears_english_only_is_refused_russian_at_start_up() -> None:
    from pydantic import ValidationError

    from assistant.config.voice import AsrSettings

    with pytest.raises(ValidationError, match="engine pocketsphinx hears English only, not ru"):
        AsrSettings(languages=["en", "ru"])
    with pytest.raises(ValidationError, match="no language folder 'xx'"):
        AsrSettings(engine="openai", languages=["xx"])
    assert AsrSettings(engine="openai", languages=["ru"]).languages == ["ru"]
