"""Spoken Russian commands through an engine that hears Russian: the OpenAI transcription engine
against the loopback fake OpenAI server, Russian speech synthesized by espeak-ng, played into the
console's voice channel as a user would (`--speak FILE.wav`)."""

from __future__ import annotations

import json
import re
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
    """... and the example `join` gives is one the recognizer hears, said as shown: it was
    «hey trainer, какой статус», which the bundled (English) recognizer cannot hear."""
    from tests.speech import join, speak, write_wav

    workdir = make_workdir(tmp_path)
    (chosen, joined) = console(workdir, "language ru\njoin\n")
    for reply in (chosen, joined):
        assert "Голосовые команды по-русски я здесь не понимаю" in reply["text"], reply
        assert "`voice.asr.languages: [en, ru]`" in reply["text"]
    example = re.search(r"например «([^»]+)»", joined["text"])
    assert example and example[1] == "hey trainer, what's the status", joined["text"]
    wav = write_wav(tmp_path / "example.wav", join(speak(example[1])))
    events = console(workdir, f"language ru\njoin\nsay {wav}\n")
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    assert posted and posted[0].startswith("**Состояние**"), events


def test_an_engine_that_hears_english_only_is_refused_russian_at_start_up() -> None:
    from pydantic import ValidationError

    from assistant.config.voice import AsrSettings

    with pytest.raises(ValidationError, match="engine pocketsphinx hears English only, not ru"):
        AsrSettings(languages=["en", "ru"])
    with pytest.raises(ValidationError, match="no language folder 'xx'"):
        AsrSettings(engine="openai", languages=["xx"])
    assert AsrSettings(engine="openai", languages=["ru"]).languages == ["ru"]


def test_numbers_in_a_spoken_russian_answer_are_said_as_russian_numbers(tmp_path: Path) -> None:
    """A Russian server, an English command said (the bundled recognizer hears English): the
    answer "Выбран набор reviews, примеров: 1,200." was given to espeak-ng's Russian voice as
    written, and a comma is the decimal mark in Russian: it said "one point two hundred" (одна
    целая двести тысячных) examples; "84.4 процента" was said with a "точка". The spoken form
    now writes numbers as a Russian voice reads them: 1200, 84,4."""
    from tests.corpus import write_folder_dataset
    from tests.speech import join, speak, write_wav

    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data", per_label=600)
    wav = write_wav(tmp_path / "select.wav", join(speak("hey trainer, select dataset reviews")))
    events = console(tmp_path, f"language ru\njoin\nsay {wav}\n")
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    assert any("positive 600" in p for p in posted), events  # the written answer as it was
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert said == ["Выбран набор reviews, примеров: 1200."], events


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        ("ru", "Точность модели 84.4 процента.", "Точность модели 84,4 процента."),
        ("ru", "Обучение начато: 300,000 примеров.", "Обучение начато: 300000 примеров."),
        ("ru", "Добавлено примеров: 1\u00a0200.", "Добавлено примеров: 1200."),
        ("ru", "Версия 1.2.3, адрес 10.0.0.1.", "Версия 1.2.3, адрес 10.0.0.1."),
        ("en", "Accuracy 84.4%, 1,234,567 examples.", "Accuracy 84.4%, 1234567 examples."),
        ("ru", '{"accuracy": 0.9}', "Подробности в чате."),
        ("ru", "`a.txt` занимает 12,833,335 байт.", "a.txt занимает около 13 мегабайт."),
    ],
)  # fmt: skip
def test_the_spoken_form_is_in_the_servers_language(
    language: str, written: str, spoken: str
) -> None:
    from audio.speech_text import spoken_text

    assert spoken_text(written, language=language) == spoken


def test_a_russian_server_gets_the_hint_an_english_one_gets(tmp_path: Path) -> None:
    """The bundled recognizer hears English, so in a Russian server commands are said in
    English. "Hey trainer, any jobs at the moment" (no sentence of the grammar)
    was answered "Sorry, I didn't catch that. Did you mean status?" in an English server,
    but only "Извините, я не расслышал." in a Russian one: the English words were guessed
    at with the Russian sentences. They are guessed at in the language they were heard in,
    and the hint names the command as the server calls it and what to say."""
    from tests.speech import join, speak, write_wav

    workdir = make_workdir(tmp_path)
    asked = write_wav(workdir / "asked.wav", join(speak("hey trainer, any jobs at the moment")))
    events = console(workdir, f"language ru\njoin\nsay {asked}\n")
    saying = [e["text"] for e in events if e.get("event") == "speaking"]
    assert saying == [
        "Извините, я не расслышал. Может быть, состояние? Скажите «status»."
        " Или просто скажите «yes»."
    ], events
