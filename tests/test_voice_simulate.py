"""`bot.py simulate`: audio files -> a real conversation session (VAD, machine, the one hearing
path) -> what was heard and decided; a dry run unless `--act`."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import wave
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import load_config
from assistant.storage import open_store
from audio.simulate import main
from tests.consoles import memory_cap
from tests.hostile_audio import FLOAT, aiff_declaring, wav_declaring
from tests.postgres import PostgresServer
from tests.speech import join, speak, write_wav

INTERNAL = re.compile(r"\b[gn]_\w+")
ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOT_AUDIO = "not a recognised audio file, or it is corrupt"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    for name in ("movie_reviews", "imdb2026"):
        (tmp_path / "data" / name).mkdir(parents=True)
    path = tmp_path / "config.yaml"
    path.write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    return path


def _run(
    args: list[str], config_path: Path, capsys: pytest.CaptureFixture[str], speed: float = 4
) -> list[Any]:
    code = main([*args, "--json", "--speed", str(speed)], config=load_config(config_path))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == (1 if any("error" in line for line in lines) else 0)
    return lines


def test_simulate_is_a_dry_run_with_a_debug_view_per_utterance(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = write_wav(
        tmp_path / "talk.wav",
        join(
            speak("hey trainer what's the status"),
            speak("the weather is nice today"),
            speak("hey trainer select dataset i m d b twenty twenty six"),
            gap_s=2.5,
        ),
    )
    bad = tmp_path / "broken.ogg"
    bad.write_bytes(b"OggS not really")
    # In real time: the bot has answered one utterance before the next begins.
    lines = _run([str(audio), str(bad)], config_path, capsys, speed=1)
    utterances = [line for line in lines if "heard" in line]
    assert [u["intent"] for u in utterances] == ["status", None, "select_dataset"], lines
    status, weather, select = utterances
    assert status["wake"] and status["reply"].startswith("(dry run) I would run status")
    assert weather["reply"] is None and not weather["wake"] and weather["said"] == []
    assert select["slots"] == {"dir": "imdb2026"} and "dir=imdb2026" in select["reply"]
    for u in utterances:
        assert not INTERNAL.search(u["heard"]), u["heard"]
        stages = u["debug"]["stages"]
        assert stages[0]["stage"] == "grammar" and stages[0]["verdict"] and stages[0]["why"]
        assert all(not INTERNAL.search(s["heard"]) for s in stages)
        assert "total" in u["debug"]["timings_ms"]
    assert "end_of_speech_to_reply" in status["debug"]["timings_ms"]
    errors = [line for line in lines if "error" in line]
    assert errors and "broken.ogg" in errors[0]["error"]


def test_the_debug_view_says_what_its_fields_are(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`snap`, `neural_wait` and `sure` were shown with no word of what they are: the README's
    table of the debug view names every field a record holds, and the plain view says each
    time and `sure` in words."""
    audio = write_wav(tmp_path / "status.wav", speak("hey trainer what's the status"))
    (record,) = _run([str(audio)], config_path, capsys, speed=0)
    debug = record["debug"]
    fields = {f"stages[].{key}" for stage in debug["stages"] for key in stage}
    fields |= {f"timings_ms.{key}" for key in debug["timings_ms"]}
    assert {"stages[].sure", "timings_ms.snap", "timings_ms.neural_wait"} <= fields, debug
    table = README.split("<!-- debug-view -->", 1)[1].split("\n\n", 1)[0]
    documented = {
        name
        for row in table.splitlines()[2:]
        for name in re.findall(r"`([^`]+)`", row.split("|")[1])
    }
    assert fields <= documented, fields - documented

    assert main([str(audio), "--speed", "0"], config=load_config(config_path)) == 0
    shown = capsys.readouterr().out
    for words in (
        "neural_wait",
        "(waited for the neural model after the grammar answered)",
        "snap",
        "(choosing: the sentences near the model's words scored and gated)",
        "sure",
        "(how sure the model was of its words: mean log probability per token, 0 is certain)",
    ):
        assert words in shown, shown


def test_act_executes_the_command(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = write_wav(
        tmp_path / "select.wav", speak("hey trainer select dataset i m d b twenty twenty six")
    )
    (record,) = _run([str(audio), "--act"], config_path, capsys)
    assert record["intent"] == "select_dataset"
    assert "dry run" not in record["reply"] and "imdb2026" in record["reply"]


@pytest.mark.parametrize(("voice", "speed"), [("en", 175), ("en-gb", 160)])
def test_speech_in_exact_digital_silence_is_heard_by_the_grammar(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str], voice: str, speed: int
) -> None:
    """A file as espeak-ng writes it (22.05 kHz, samples of exactly 0 before and after the
    speech, as in TTS output or an edited recording): the grammar recognizer heard nothing at
    all in it, or another command, where the same speech with a little noise was heard word
    for word."""
    spoken = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", "hey trainer what's the status"],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    path = tmp_path / "tts.wav"
    with wave.open(io.BytesIO(spoken)) as w:
        rate, frames = w.getframerate(), w.readframes(1 << 30)
    silence = bytes(2 * rate // 2)
    write_wav(path, silence + frames + silence + silence, rate)
    (record,) = _run([str(path)], config_path, capsys)
    grammar = record["debug"]["stages"][0]
    assert grammar["stage"] == "grammar", record
    assert (grammar["heard"], grammar["verdict"]) == ("hey trainer what's the status", "accepted")
    assert record["intent"] == "status", record


def test_each_file_gets_a_fresh_conversation_unless_asked(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wake = write_wav(tmp_path / "wake.wav", speak("hey trainer"))
    command = write_wav(tmp_path / "command.wav", speak("how is the training going"))
    fresh = _run([str(wake), str(command)], config_path, capsys)
    assert [u["intent"] for u in fresh] == [None, None]
    assert fresh[0]["wake"] and fresh[0]["said"] == ["Yes? I'm listening."]
    assert not fresh[1]["in_window"]
    kept = _run([str(wake), str(command), "--one-session"], config_path, capsys)
    assert kept[1]["in_window"] and kept[1]["intent"] == "status", kept


def _bot(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python bot.py ARGS` as a user runs it, under a memory cap (`memory_cap`)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=memory_cap(),
    )


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below `folder`, a file with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def test_a_dry_run_makes_and_changes_nothing(tmp_path: Path) -> None:
    """`simulate` (a dry run) made `data/`, `state/`, an empty `state/trainer.db` and a log in a
    fresh folder; beside a bot in the middle of training it marked that job interrupted and
    removed its unfinished model folder. A dry run now leaves the folders as they were, while
    still hearing the names the database holds."""
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n", encoding="utf-8")
    write_wav(tmp_path / "hey.wav", speak("hey trainer what's the status"))
    before = _tree(tmp_path)
    result = _bot(["simulate", "hey.wav", "--speed", "0"], tmp_path)
    assert result.returncode == 0 and "said: I would run status." in result.stdout, result
    assert _tree(tmp_path) == before

    # a bot's state: a dataset only the database names, a job under way, its model unfinished
    store = open_store(load_config(tmp_path / "config.yaml").database_url)
    store.select_dataset("console", "films")
    job = store.create_job(
        guild_id="console",
        channel_id="console",
        dataset="films",
        backend="sklearn",
        requested_by="console",
        n_examples=8,
    )
    store.update_job(job.id, status="running", progress=0.5)
    store.close()
    (tmp_path / "state" / "models" / "console" / ".staging-v0001-20261204T120000").mkdir(
        parents=True
    )
    write_wav(tmp_path / "films.wav", speak("hey trainer select dataset films"))
    before = _tree(tmp_path)
    result = _bot(["simulate", "films.wav", "--speed", "0", "--json"], tmp_path)
    assert result.returncode == 0, result
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["slots"] == {"dir": "films"}, record
    assert _tree(tmp_path) == before
    store = open_store(load_config(tmp_path / "config.yaml").database_url)
    assert store.job(job.id).status == "running"  # type: ignore[union-attr]
    store.close()


def test_a_dry_run_on_postgresql_leaves_the_server_alone(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    """With `storage_url: postgresql://…`, a dry run connected to the server and migrated an
    empty database (the store's tables and the job queue's). It now connects to nothing: it
    runs even where no connection to that database is allowed, which stays empty."""
    from urllib.parse import urlsplit

    import psycopg

    url = postgres.new_database()
    name = urlsplit(url).path.lstrip("/")
    config = {"data_root": "data", "state_dir": "state", "storage_url": url}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    write_wav(tmp_path / "hey.wav", speak("hey trainer what's the status"))
    before = _tree(tmp_path)
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'.encode())
        try:
            result = _bot(["simulate", "hey.wav", "--speed", "0"], tmp_path)
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'.encode())
    assert result.returncode == 0 and "said: I would run status." in result.stdout, result
    assert _tree(tmp_path) == before
    with psycopg.connect(url) as database:
        tables = database.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables == []


def test_a_header_that_declares_an_absurd_rate_is_refused_in_a_line(
    tmp_path: Path, config_path: Path
) -> None:
    """A 2 KB WAV declaring 100,000,007 Hz made `simulate` climb to 24 GB until it was killed;
    2,147,483,647 Hz ended in numpy's ArrayMemoryError and a traceback. Each such file, of any
    codec or container, is now one line, and the files after it are still heard."""
    bad = [
        wav_declaring(tmp_path / "huge.wav", rate=100_000_007),
        wav_declaring(tmp_path / "most.wav", rate=2_147_483_647),
        wav_declaring(tmp_path / "float.wav", rate=100_000_007, codec=FLOAT),
        wav_declaring(tmp_path / "wide.wav", rate=48_000, channels=65_535, frames=16),
        aiff_declaring(tmp_path / "huge.aiff", rate=100_000_007),  # only ffmpeg reads these
    ]
    good = write_wav(tmp_path / "status.wav", speak("hey trainer what's the status"))
    names = [str(path) for path in (*bad, good)]
    result = _bot(["simulate", *names, "--json", "--speed", "0"], tmp_path)
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    errors = {Path(line["file"]).name: line["error"] for line in lines if "error" in line}
    assert errors == {path.name: f"{path.name}: {NOT_AUDIO}" for path in bad}
    assert [line["intent"] for line in lines if "heard" in line] == ["status"], lines
    plain = _bot(["simulate", str(bad[0]), "--speed", "0"], tmp_path)
    assert plain.stdout.splitlines() == [f"{bad[0]}: {NOT_AUDIO}"], plain.stdout  # named once


def test_speak_to_a_file_or_where_no_folder_can_be_made_is_one_line(
    tmp_path: Path, config_path: Path
) -> None:
    """`--speak-to afile` printed a 31-line traceback ending in FileExistsError, and
    `--speak-to /proc/answers` one ending in FileNotFoundError, then "Trainer stopped because
    of an internal error"; both are now one line, before any engine loads."""
    hey = write_wav(tmp_path / "hey.wav", speak("hey trainer what's the status"))
    (tmp_path / "afile").write_text("keep me\n")
    places = {"afile": "that is a file; name a folder for the spoken replies."}
    if Path("/proc/self").is_dir():
        places["/proc/answers"] = "cannot make a folder there and write the spoken replies in it"
    for place, says in places.items():
        result = _bot(["simulate", str(hey), "--speak-to", place], tmp_path)
        assert result.returncode == 2 and result.stdout == "", result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"simulate: `--speak-to {place}`: {says}"), line
    assert (tmp_path / "afile").read_text() == "keep me\n"


def test_a_request_said_with_a_pause_is_one_record_that_says_so(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pieces of one request, heard joined (states/piece_joining.py), show as one utterance
    with the number of pieces, in the JSON and in the view for people."""
    from audio.simulate import show
    from tests.speech import trimmed

    said = join(
        trimmed(speak("hey trainer, can you"), end=True),
        trimmed(speak("tell me the status"), start=True),
        gap_s=0.7,
    )
    audio = write_wav(tmp_path / "paused.wav", said)
    utterances = [line for line in _run([str(audio)], config_path, capsys) if "heard" in line]
    assert [(u["intent"], u["pieces"]) for u in utterances] == [("status", 2)], utterances
    assert "pieces: 2, heard as one" in show(utterances[0])


def test_hiss_judged_no_speech_is_shown_as_no_words_in_simulate_and_the_console(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Loud hiss that the neural model judged no speech at all (probability 0.92) was shown as
    words: simulate's "heard \"I'm going to go to the ground.\"" (the model's guess at it) and
    the console's "heard you: bye" (the grammar's). Both show that no words were heard, with
    the console's words for it, in the server's language; the debug view keeps the stages'."""
    import numpy as np

    from assistant import i18n
    from audio.simulate import show
    from tests.consoles import run_checked
    from tests.speech import noise

    hiss = np.clip(np.rint(noise(3.0, -20.0, seed=3)), -32768, 32767).astype("<i2").tobytes()
    audio = write_wav(tmp_path / "hiss.wav", hiss)
    records = [line for line in _run([str(audio)], config_path, capsys, 0) if "heard" in line]
    assert records and all(r["heard"] == "" and r["intent"] is None for r in records), records
    judged = [s["why"] for r in records for s in r["debug"]["stages"] if s["stage"] == "neural"]
    assert judged and all(why.startswith("no speech") for why in judged), records
    assert f"{audio} @0.0s heard (no words I could make out) -> no command" in show(records[0])
    with i18n.speaking("ru"):
        assert f"{audio} @0.0 с: услышано (слов не разобрать) -> не команда" in show(records[0])
    command = [sys.executable, str(ROOT / "bot.py"), "--config", str(config_path), "console"]
    script = f"say {audio}\nlanguage ru\nsay {audio}\n"
    out = run_checked(command, tmp_path, script, TERM="dumb")
    heard = [line.split(": ", 1)[1] for line in out.splitlines() if " heard you: " in line]
    assert heard == ["(no words I could make out)"] * len(records), out
    russian = [line.split(": ", 1)[1] for line in out.splitlines() if " услышано (вы): " in line]
    assert russian == ["(слов не разобрать)"] * len(records), out
