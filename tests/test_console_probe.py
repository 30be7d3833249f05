"""What an ordinary and a hostile user met at `bot.py console` and at start-up: an empty folder
archived into an empty zip, an empty dataset exported as a file of a header, a CSV whose quote
never closed learnt as one example of three rows, a count of held-out examples written without
its thousands mark, and a config.yaml naming a language or a folder that cannot be."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.consoles import Console, make_workdir, run_console
from tests.corpus import sentences
from tests.test_hostile_startup import refused_start, run

CHANGEABLE = ("datasets", "dataset_folders", "examples", "models", "jobs", "folder_changes")


def snapshot(workdir: Path) -> dict[str, Any]:
    """The rows a command could change and every file of the data folder, as they are now."""
    db = sqlite3.connect(workdir / "state" / "trainer.db")
    rows = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}").fetchall())) for t in CHANGEABLE}
    db.close()
    data = workdir / "data"
    rows["data"] = sorted(
        (p.relative_to(data).as_posix(), p.stat().st_size) for p in data.rglob("*")
    )
    return rows


def refused(console: Console, line: str) -> str:
    reply = console.send(line)
    assert not reply["ok"], reply
    return str(reply["text"])


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_empty_folder_or_dataset_is_refused_not_sent_as_an_empty_file(
    tmp_path: Path, language: str
) -> None:
    """`archive` of an empty folder made `archives/empty-….zip` of 0 files, and `export` of a
    dataset with no examples sent `fresh.csv` of a header alone ("0 examples ()")."""
    workdir = make_workdir(tmp_path)
    (workdir / "config.yaml").write_text(
        f"data_root: data\nstate_dir: state\nlanguage: {language}\n"
    )
    (workdir / "data" / "empty").mkdir()
    console = Console(workdir)
    assert console.send("create_dataset fresh")["ok"]
    before = snapshot(workdir)
    archived, exported, as_jsonl = (
        refused(console, line) for line in ("archive empty", "export", "export jsonl")
    )
    assert snapshot(workdir) == before
    console.close()
    if language == "en":
        assert archived == "`empty` holds no files, so there is nothing to archive.", archived
        assert exported == as_jsonl == "**fresh** has no examples to export yet; `train` adds some."
    else:
        assert archived == "В `empty` нет файлов, архивировать нечего.", archived
        assert (
            exported
            == as_jsonl
            == ("В наборе **fresh** пока нет примеров для выгрузки; `train` их добавляет.")
        ), exported
    assert not (workdir / "data" / "archives").exists()


def test_a_csv_whose_quote_never_closes_is_refused_however_few_rows_it_took(
    tmp_path: Path,
) -> None:
    """A quote opened on a row near the end took the two rows after it into one example (its
    text "a,b c,positive d,negative", labelled with the request's label), for `train` and
    `test` alike: only a quote that swallowed more than ten lines was refused. A closed quote
    of several lines with no label after it is still one example."""
    workdir = make_workdir(tmp_path)
    (tmp_path / "unclosed.csv").write_text('text,label\n"a,b\nc,positive\nd,negative\n')
    (tmp_path / "closed.csv").write_text('text,label\n"Great film, loved it\nBad ending, though"\n')
    console = Console(workdir)
    assert console.send("create_dataset quotes")["ok"]
    before = snapshot(workdir)
    for line in ("train +attach unclosed.csv", "test +attach unclosed.csv"):
        text = refused(console, line)
        assert (
            text.startswith("`unclosed.csv`: the text that starts on line 2 runs on to line 4")
            and 'a quote (`"`) opened on line 2 is never closed' in text
        ), text
    assert snapshot(workdir) == before
    added = console.send("train +attach closed.csv")
    assert added["ok"] and "Added 1 example (positive 1)" in added["text"], added
    console.close()


def test_a_count_of_held_out_examples_is_written_with_its_thousands_mark(
    tmp_path: Path,
) -> None:
    """`status`, `models` and a job's result wrote "on 1000 held-out examples" beside "5,000
    examples" (and "1000" in Russian, where "1 000" is written)."""
    workdir = make_workdir(tmp_path)
    body = "text,label\n" + "".join(
        f'"{sentences(label, 1, n)[0]} {n}",{label}\n'
        for label in ("positive", "negative")
        for n in range(2500)
    )
    (workdir / "data" / "many.csv").write_text(body)
    script = "create_dataset many\ntrain file:many.csv\nwait\nstatus\nlanguage ru\nstatus\n"
    replies = [json.loads(line) for line in run_console(workdir, script, "--json").splitlines()]
    texts = "\n".join(str(reply["text"]) for reply in replies)
    assert "5,000 examples): accuracy" in texts, texts
    assert "on 1,000 held-out examples" in texts and "1000" not in texts, texts
    assert "measured on 1,000 examples held out of training" in texts, texts
    assert "на отложенных примерах (1\u00a0000)" in texts, texts


@pytest.mark.parametrize(
    ("text", "prepare", "words"),
    [
        ("language: fr\n", None, ("language", "no language folder 'fr' (have en, ru)")),
        ("data_root: data\n", "data", ("data_root", "is a file, not a folder")),
        ("state_dir: st\n", "st", ("state_dir", "is a file, not a folder")),
        (
            "language: ru\ndata_root: data\nlanguage: en\n",
            None,
            ("line 3", "`language` is given twice, on lines 1 and 3; keep one"),
        ),
        (
            "storage_url: postgresql://nobody:sekrit@127.0.0.1:1/x\n",
            None,
            ("cannot connect to the PostgreSQL server of storage_url", "Connection refused"),
        ),
    ],
)
def test_config_mistakes_a_user_makes_stop_start_up_in_one_line(
    tmp_path: Path, text: str, prepare: str | None, words: tuple[str, ...]
) -> None:
    """`language: fr` started in English without a word; a data_root or state_dir that is a
    file was "does not exist and cannot be created (File exists)"; a key given twice kept the
    last without a word (`language: ru` above the shipped `language: en` did nothing); a
    PostgreSQL server that takes no connection was "Trainer stopped because of an internal
    error" and an ERROR line."""
    (tmp_path / "config.yaml").write_text(text)
    if prepare is not None:
        (tmp_path / prepare).write_text("not a folder\n")
    line = refused_start(run(tmp_path, "status\n"), *words)
    assert "does not exist" not in line and "sekrit" not in line, line


def test_leave_with_no_voice_channel_open_says_so(tmp_path: Path) -> None:
    """`leave` typed before any `join` answered "Leaving the voice channel. Bye!", as if it had
    been in one; Discord says it is in none, and so does the console now, in either language."""
    workdir = make_workdir(tmp_path)
    script = "leave\nlanguage ru\nleave\n"
    replies = [json.loads(line) for line in run_console(workdir, script, "--json").splitlines()]
    english, _, russian = replies
    assert not english["ok"] and english["text"] == "I'm not in a voice channel here.", english
    assert not russian["ok"] and russian["text"] == "Я не в голосовом канале на этом сервере."


def test_join_after_say_has_joined_says_it_is_in_the_channel_already(tmp_path: Path) -> None:
    """`say FILE.wav` joins the voice channel; `join` typed after it answered "Joining your
    voice channel..." as if it were in none. It says plainly that it is there already, as
    Discord does where the bot is in the member's channel, in either language; and `leave`
    still leaves."""
    from tests.speech import speak, write_wav

    workdir = make_workdir(tmp_path)
    config = "data_root: data\nstate_dir: state\nconversation:\n  realtime_factor: 0\n"
    (workdir / "config.yaml").write_text(config)
    hello = write_wav(workdir / "hello.wav", speak("hey trainer, hello"))
    script = f"say {hello}\njoin\nlanguage ru\njoin\nleave\n"
    out = run_console(workdir, script, "--json")
    replies = [r for r in map(json.loads, out.splitlines()) if r.get("command") in COMMANDS]
    english, _, russian, left = replies
    wake = "Say “hey trainer” and a command."
    assert english["text"] == f"I'm already in the voice channel, listening. {wake}", english
    assert russian["text"] == "Я уже в голосовом канале и слушаю. Скажите «hey trainer» и команду."
    assert left["ok"] and left["command"] == "leave", left


COMMANDS = ("join", "language", "leave")


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("folder", "`folder`: cannot write the diagram there (Is a directory)"),
        ("machine.xyz", "`machine.xyz`: the diagram is drawn as .png, .svg, .pdf, .dot, .gv"),
    ],
)
def test_a_diagram_that_cannot_be_written_is_refused_in_one_line(
    tmp_path: Path, out: str, words: str
) -> None:
    """`bot.py diagram` to a folder, or with a suffix Graphviz does not draw, printed a
    traceback (IsADirectoryError, CalledProcessError) and "Trainer stopped because of an
    internal error"."""
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    (tmp_path / "folder").mkdir()
    result = run(tmp_path, "", "diagram", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"diagram: {words}"), result.stderr
    assert not (tmp_path / "machine.xyz").exists()


def test_simulate_names_a_pipe_or_a_device_as_no_file_not_as_missing(tmp_path: Path) -> None:
    """`bot.py simulate` of a named pipe or of /dev/zero said "no such audio file" of a path
    that is there; the files after them are still tried, and a missing one is still missing."""
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    pipe = tmp_path / "pipe.wav"
    os.mkfifo(pipe)
    paths = [str(pipe), "/dev/zero", str(tmp_path / "gone.wav")]
    result = run(tmp_path, "", "simulate", *paths, "--json", "--speed", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert errors == [
        "pipe.wav: not a regular file (a pipe or a device); name an audio file",
        "zero: not a regular file (a pipe or a device); name an audio file",
        "gone.wav: no such audio file",
    ], errors


def test_a_dataset_is_not_created_beside_one_named_the_same_in_another_case(
    tmp_path: Path,
) -> None:
    """`create_dataset reviews` was refused (the folder is there) but `create_dataset Reviews`
    made a second dataset, after which `select_dataset Reviews` (which takes the folder in
    any case, as a phone capitalises it) found the new, empty one; `create_dataset TICKETS`
    beside `tickets` made a third name that reads as the first."""
    workdir = make_workdir(tmp_path)
    console = Console(workdir)
    assert console.send("create_dataset tickets")["ok"]
    assert console.send("create_dataset отзывы")["ok"]
    before = snapshot(workdir)
    assert refused(console, "create_dataset Reviews") == (
        "`reviews` is a folder in the data folder; `select_dataset reviews` uses it."
    )
    assert refused(console, "create_dataset TICKETS") == (
        "There is already a dataset **tickets**; `select_dataset tickets` uses it."
    )
    assert console.send("language ru")["ok"]
    assert refused(console, "create_dataset Отзывы") == (
        "Набор **отзывы** уже есть; `select_dataset отзывы` выберет его."
    )
    assert snapshot(workdir) == before
    selected = console.send("select_dataset Reviews")
    assert selected["ok"] and selected["data"]["dataset"] == "reviews", selected
    console.close()


def test_test_reads_a_data_file_or_folder_named_as_train_names_them(tmp_path: Path) -> None:
    """`train file:NAME` and `train folder:NAME` read the data folder, but `test file:checks.csv`
    answered "There is no dataset or folder `file:checks.csv`" of a file that is there, and
    `test folder:reviews/negative` the same of a folder."""
    workdir = make_workdir(tmp_path)
    (workdir / "data" / "checks.csv").write_text(
        'text,label\n"a wonderful, moving film",positive\n"dull and far too long",negative\n'
    )
    script = "\n".join(
        [
            "select_dataset reviews",
            "train",
            "wait",
            "test file:checks.csv",
            "test folder:reviews/negative",
            "test file:../config.yaml",
            "language ru",
            "test file:nothing.csv",
            "",
        ]
    )
    replies = [json.loads(line) for line in run_console(workdir, script, "--json").splitlines()]
    by_file, by_folder, outside, _, missing = replies[-5:]
    assert by_file["ok"] and by_file["text"].startswith("2 predictions with model "), by_file
    assert "accuracy " in by_file["text"] and "(2 of 2)" in by_file["text"], by_file
    assert by_folder["ok"] and "for the examples of **reviews/negative**" in by_folder["text"]
    assert outside["text"] == (
        "`../config.yaml` points outside the data folder, which is not allowed."
    ), outside
    assert missing["text"] == "В папке данных нет `nothing.csv`.", missing
