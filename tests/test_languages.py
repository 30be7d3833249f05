"""Russian as a first-class language: typed through the console's pipe mode, spoken answers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel import Locale

from assistant import i18n
from assistant.commands import REGISTRY, load_all
from audio.tts.espeak import EspeakSynthesizer, parse_wav
from tests.consoles import make_workdir, run_console


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)


def console(workdir: Path, script: str, *flags: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in run_console(workdir, script, "--json", *flags).splitlines()
    ]


def test_a_russian_speaker_selects_trains_tests_and_corrects(workdir: Path) -> None:
    script = "\n".join(
        [
            "language ru",
            "помощь",
            "выбери набор reviews",
            "обучить",
            "wait",
            'проверить ["what a lovely film", "dull and tedious"]',
            "какой статус",
            "обучит",
        ]
    )
    chosen, helped, selected, started, finished, tested, status, typo = console(workdir, script)
    assert chosen["data"]["language"] == "ru" and chosen["text"].startswith("Теперь я говорю")
    assert "только по-английски" in chosen["text"]  # plain words about spoken Russian
    assert helped["text"].startswith("**Команды**") and "`!обучить`" in helped["text"]
    assert "`say ФАЙЛ.wav ...`" in helped["text"]
    assert selected["ok"] and selected["data"]["dataset"] == "reviews"
    assert started["ok"] and started["job_id"] == 1
    assert finished["kind"] == "job" and finished["data"]["status"] == "succeeded"
    predictions = [p["prediction"] for p in tested["data"]["predictions"]]
    assert predictions == ["positive", "negative"]
    assert status["text"].startswith("**Состояние**") and "Модель: модель **v0001" in status["text"]
    assert "Может быть, `обучить`?" in typo["text"]

    corrected = console(workdir, f"исправить {tested['id']} 1 negative\nсостояние\n")
    assert corrected[0]["ok"], corrected[0]
    assert (
        "Исправлений предсказаний в этом наборе (учитываются при каждом обучении): 1"
        in (corrected[1]["text"])
    )


def test_the_language_is_kept_per_server_and_defaults_from_config(workdir: Path) -> None:
    console(workdir, "language русский\n")
    (status,) = console(workdir, "status\n")  # a new process: the choice was stored
    assert status["text"].startswith("**Состояние**")
    (english,) = console(workdir, "language en\n")
    assert english["text"] == "From now on I speak English here."

    (workdir / "config.yaml").write_text("data_root: data\nstate_dir: state2\nlanguage: ru\n")
    (hello, unknown) = console(workdir, "hi\nlanguage xx\n")
    assert hello["text"] == "ПРИВЕТ! 👋 Здравствуйте, console."
    assert not unknown["ok"] and unknown["text"].startswith("Я не знаю язык `xx`")


def test_every_language_folder_covers_every_message_and_command() -> None:
    load_all()
    english = i18n.catalog(i18n.ENGLISH)
    assert i18n.languages() == ["en", "ru"]
    for code in i18n.languages():
        own = yaml.safe_load((i18n.LOCALES / code / "messages.yaml").read_text("utf-8"))
        assert set(own) >= set(english), code
        # beyond English's keys, only the plural forms of its replies (`key.few` in Russian)
        # that the language's CLDR plural rules name (Babel's)
        tags = Locale.parse(code).plural_form.tags
        forms = {key for key in set(own) - set(english) if key.rpartition(".")[2] in tags}
        assert set(own) - set(english) == forms, code
        assert {key.rpartition(".")[0] for key in forms} <= set(english), code
        assert "{{commands}}" in i18n.guide(code)
        if code == i18n.ENGLISH:
            continue
        texts = i18n.command_texts(code)
        for command in REGISTRY.all():
            assert texts[command.name]["summary"], (code, command.name)
            described = texts[command.name].get("params") or {}
            assert set(described) == {p.name for p in command.params}, (code, command.name)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is a system package")
async def test_russian_answers_are_spoken_with_the_russian_voice() -> None:
    text = "Точность модели сто процентов."
    speech = await EspeakSynthesizer(voice="en-us").synthesize(text)
    russian = subprocess.run(
        ["espeak-ng", "-v", "ru", "-s", "175", "--stdout"],
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout
    assert speech.pcm == parse_wav(russian).pcm
    english = await EspeakSynthesizer(voice="en-us").synthesize("The accuracy is high.")
    assert english.pcm and english.pcm != speech.pcm


def test_a_russian_server_hears_english_commands_and_answers_in_russian(workdir: Path) -> None:
    from tests.speech import join, speak, write_wav

    wav = write_wav(workdir / "status.wav", join(speak("hey trainer, what's the status")))
    console(workdir, "language ru\n")
    events = console(workdir, "", "--speak", str(wav))
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert said and said[0] == "Модели пока нет.", events
    answers = sorted((workdir / "state" / "console-voice").glob("*-answer.wav"))
    assert answers and answers[0].stat().st_size > 10_000


def test_russian_label_words_survive_the_dataset_names_arriving() -> None:
    """Each label has several Russian forms (`in: (позитивный|...)`). Once the run-time lists
    (the datasets) replaced the templates' lists, they had collapsed to "positive"/"True", and
    "должно быть позитивный" matched nothing on a server with datasets."""
    from assistant.intents.matcher import IntentMatcher

    matcher = IntentMatcher(sentences=i18n.sentences_file("ru"))
    matcher.update_lists({"dataset": ["reviews"], "folder": ["reviews"]})
    corrected = matcher.typed.match("это неверно, должно быть позитивный")
    assert corrected is not None and (corrected.name, corrected.slots) == (
        "correct",
        {"text": "positive"},
    )
    chosen = matcher.typed.match("выбери набор reviews как отрицательные")
    assert chosen is not None and chosen.slots == {"dir": "reviews", "positive": False}
