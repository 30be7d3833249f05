"""The README's quick start, data formats, wake phrases, sentences and service unit, exactly as
written: each code block is read out of README.md and run."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from assistant import i18n
from assistant.config import load_config
from assistant.intents.matcher import IntentMatcher
from tests.consoles import ROOT, run_checked, run_console

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(section: str, language: str) -> list[str]:
    """The code blocks of one `## section` in one language, in order."""
    start = README.index(f"\n## {section}\n")
    end = README.find("\n## ", start + 1)
    text = README[start : end if end > 0 else None]
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A stand-in for the checkout: the real code, samples and config, its own data and state."""
    for name in (".venv", "bot.py", "samples"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def run_shell(checkout: Path, script: str) -> str:
    config = str(checkout / "config.yaml")
    return run_checked(["bash", "-e", "-c", script], checkout, TRAINER_CONFIG=config)


def test_quick_start_trains_and_tests_on_the_samples_in_both_languages(checkout: Path) -> None:
    english, russian = blocks("Quick start with the sample data", "sh")
    out = run_shell(checkout, english)
    assert "Active dataset: reviews." in out
    assert "Training job #1 finished" in out
    assert "“a wonderful, moving film” → positive" in out, out
    assert "“a dull waste of time” → negative" in out, out
    assert sorted(p.name for p in (checkout / "data").iterdir()) == ["reviews", "reviews_ru"]

    out = run_shell(checkout, russian)
    assert "Теперь я говорю здесь по-русски." in out
    assert "Активный набор данных: reviews_ru." in out and "Задача обучения #2 завершена" in out
    assert "“фильм прекрасный и трогательный” → positive" in out, out
    assert "“скучно и пусто, пустая трата времени” → negative" in out, out


def test_the_file_format_examples_are_read_as_documented(checkout: Path) -> None:
    (table,) = re.findall(r"\| `\.csv` \|.*\n\| `\.jsonl` \|.*\n\| `\.json` \|.*", README)
    csv_header, csv_row = re.findall(r"`([^`]+)`", table.splitlines()[0])[-2:]
    jsonl_line = re.findall(r"`([^`]+)`", table.splitlines()[1])[-1]
    json_list = re.findall(r"`([^`]+)`", table.splitlines()[2])[-1]
    (checkout / "a.csv").write_text(f"{csv_header}\n{csv_row}\n")
    (checkout / "b.jsonl").write_text(jsonl_line + "\n")
    (checkout / "c.json").write_text(json_list)
    shutil.copytree(ROOT / "samples" / "reviews", checkout / "data" / "reviews")
    script = "select_dataset reviews\ntrain +attach a.csv +attach b.jsonl +attach c.json\nstatus\n"
    out = run_console(checkout, script)
    assert "3 added examples" in out, out


def test_wake_phrases_and_custom_sentences_as_shown(tmp_path: Path) -> None:
    (wake,) = blocks("Custom wake phrases and sentences", "yaml")[:1]
    sentences = blocks("Custom wake phrases and sentences", "yaml")[1]
    (tmp_path / "sentences.yaml").write_text(sentences)
    config = yaml.safe_load(wake)
    config["voice"]["intents_file"] = str(tmp_path / "sentences.yaml")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    settings = load_config(tmp_path / "config.yaml").voice
    assert settings.wake_phrases == ["hey trainer", "okay trainer", "hey coach"]
    matcher = IntentMatcher.from_settings(settings, is_word=lambda _word: True)
    intent = matcher.match("hey coach, how are we doing")
    assert intent is not None and intent.name == "status" and intent.wake


def test_the_service_unit_starts_the_bot_with_its_config() -> None:
    (unit,) = blocks("Running as a service", "ini")
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit)
    service = parser["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0] == f"{service['WorkingDirectory']}/.venv/bin/python"
    assert command[1:] == ["bot.py", "--config", f"{service['WorkingDirectory']}/config.yaml"]
    from bot import parse_args

    assert parse_args(command[2:]).config == command[3]
    assert parser["Install"]["WantedBy"] == "multi-user.target"


def test_the_speech_recognition_engine_config_as_shown() -> None:
    from assistant.config.voice import VoiceSettings
    from audio.asr.factory import build_recognizer

    (block,) = blocks("Voice", "yaml")
    settings = VoiceSettings(**yaml.safe_load(block)["voice"])
    recognizer = build_recognizer(settings)
    assert recognizer.name == "speech_recognition"
    assert settings.asr.speech_recognition_recognizer == "sphinx"


def test_the_troubleshooting_messages_are_the_ones_users_see(tmp_path: Path) -> None:
    table = README[README.index("\n## Troubleshooting\n") :]
    (missing,) = re.findall(r"\| `(There is no .*? data folder\.)` \|", table)
    (broken,) = re.findall(
        r'\| "(Sorry, something went wrong on my side \(reference `abc123`\))"', table
    )
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    (tmp_path / "data").mkdir()
    out = run_console(tmp_path, "select_dataset reviews\n")
    assert missing.replace("\\`", "`") in out, out
    assert broken == i18n.message("en", "error.internal", reference="abc123").split(".")[0]


def test_the_typed_sentences_shown_under_intents_work_as_written(tmp_path: Path) -> None:
    """The four lines of the Intents paragraph, typed into the console exactly as shown."""
    from tests.consoles import make_workdir

    (block,) = blocks("Voice", "text")
    lines = [line.strip() for line in block.strip().splitlines()]
    assert len(lines) == 4
    out = run_console(make_workdir(tmp_path), "\n".join([*lines, "wait"]) + "\n", "--json")
    replies = [json.loads(line) for line in out.splitlines()]
    finished = next(r for r in replies if r["kind"] == "job")  # whenever the job ends
    trained, archived, guessed, called = (r for r in replies if r["kind"] != "job")
    assert archived["command"] == "archive"
    assert trained["ok"] and trained["job_id"] == 1 and "Added 1 example" not in trained["text"]
    assert archived["ok"] and archived["data"]["archive"].endswith(".zip"), archived
    assert not guessed["ok"] and "Did you mean `test`?" in guessed["text"]
    assert called["ok"] and called["command"] == "status", called
    assert finished["data"]["status"] == "succeeded"


def test_the_chat_spelling_examples_work_as_written(tmp_path: Path) -> None:
    """ "`trainer u there?` is `hi` and `is the model done traning yet?` is `status`", typed
    into the console exactly as the README shows them."""
    from tests.consoles import make_workdir

    shown = re.findall(r"`([^`]+)` is `(\w+)`", README.split("Chat spelling is read last")[1][:400])
    assert len(shown) == 2, shown
    out = run_console(make_workdir(tmp_path), "\n".join(line for line, _ in shown) + "\n", "--json")
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["command"] for r in replies] == [command for _, command in shown], replies


def test_the_reason_and_phone_examples_work_as_written(tmp_path: Path) -> None:
    """ "`hey sorry to bother, what's the status?` is `status`" and the lines beside it, typed
    into the console exactly as the README shows them."""
    from tests.consoles import make_workdir

    text = README.split("A command and its reason in one line")[1][:900]
    shown = re.findall(r"`([^`]+)` is `(\w+)`", text.replace("\n   ", " "))
    assert len(shown) == 4, shown
    out = run_console(make_workdir(tmp_path), "\n".join(line for line, _ in shown) + "\n", "--json")
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["command"] for r in replies] == [command for _, command in shown], replies
