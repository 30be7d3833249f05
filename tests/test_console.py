"""The console as a person or a script uses it: `python bot.py console` in a real process."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.consoles import Console
from tests.corpus import write_folder_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data")
    return tmp_path


@pytest.fixture
def unpaced(workdir: Path) -> Path:
    """`workdir` with a console that hears a `say` file and speaks its answer as fast as it can
    (`conversation.realtime_factor: 0`), for the tests of what is heard and answered rather
    than when: each `say` waited out the file, a second of silence and the spoken answer in
    real time, 6-11 s of sleeping a turn. The tests left on `workdir` keep real time."""
    config = "data_root: data\nstate_dir: state\nconversation:\n  realtime_factor: 0\n"
    (workdir / "config.yaml").write_text(config)
    return workdir


TYPED = pytest.mark.xdist_group("console_typed")
"""Typed lines that neither train nor change data share one console (`typed`): each start
costs a second of CPU, and the first guess loads the classifier (scikit-learn, two more). The
group keeps them on one pytest-xdist worker (`make pytest` runs with --dist loadgroup)."""


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder = tmp_path_factory.mktemp("typed")
    (folder / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(folder / "data")
    console = Console(folder)
    yield console
    out, err = console.close()
    assert console.process.returncode == 0 and "Traceback" not in out + err, err


def test_scripted_session_trains_and_tests(workdir: Path) -> None:
    console = Console(workdir)
    assert console.send("!hi")["text"].startswith("HI!")
    assert console.send("select_dataset reviews")["ok"]
    started = console.send("!train")
    assert started["ok"] and started["job_id"] == 1
    finished = console.read()  # the announcement arrives by itself when the job ends
    assert finished["kind"] == "job" and finished["data"]["status"] == "succeeded"
    assert finished["data"]["accuracy"] > 0.9
    tested = console.send(
        '!test ["what a lovely film", {"text": "dull and tedious", "label": "negative"}]'
    )
    assert [p["prediction"] for p in tested["data"]["predictions"]] == ["positive", "negative"]
    assert Path(tested["files"][0]).read_bytes().startswith(b"\x89PNG")
    corrected = console.send(f"!correct {tested['id']} 1 negative")
    assert corrected["ok"], corrected
    bad = console.send('!test ["oops"')
    assert not bad["ok"] and "not valid JSON" in bad["text"]
    out, err = console.close()
    assert console.process.returncode == 0
    assert "Traceback" not in out + err


def test_piped_input_waits_for_jobs_at_the_end(workdir: Path) -> None:
    script = "select_dataset reviews\ntrain\n"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"],
        cwd=workdir,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies][-1] == "job"
    assert replies[-1]["data"]["status"] == "succeeded"


def test_a_piped_console_shows_a_jobs_progress_before_its_result(workdir: Path) -> None:
    """Its replies piped and standard error a pipe of its own (as a script captures them), the
    console wrote a job's progress lines to standard error and its result to standard output:
    read from two pipes, a progress line arrived after the result. With no terminal to draw a
    bar on, the progress lines are now on the replies' stream, in the order they happened."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"],
        cwd=workdir,
        input="select_dataset reviews\ntrain\nwait\ntrain\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for job in (1, 2):
        (end,) = [i for i, line in enumerate(lines) if f"Training job #{job} finished" in line]
        progress = [i for i, line in enumerate(lines) if line.startswith(f"job #{job} ")]
        assert progress and max(progress) < end, lines
    assert "job #" not in result.stderr, result.stderr


def test_restart_in_the_middle_of_a_job_marks_it_interrupted(workdir: Path) -> None:
    console = Console(workdir)
    console.send("select_dataset reviews")
    started = console.send("train")
    assert started["job_id"] == 1
    console.process.send_signal(signal.SIGKILL)  # a crash, not a clean shutdown
    console.process.wait(timeout=30)

    again = Console(workdir)
    status = again.send("status")
    job = status["data"]["jobs"][0]
    assert job["id"] == 1 and job["status"] == "interrupted"
    assert "interrupted by a restart" in status["text"]
    retrained = again.send("train")
    assert retrained["ok"] and retrained["job_id"] == 2
    assert again.read()["data"]["status"] == "succeeded"
    again.close()


def test_terminal_session_shows_a_progress_bar(workdir: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"],
        cwd=workdir,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "dumb"},
    )
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                seen += os.read(leader, 65536)

    read_until(b"trainer> ")
    os.write(leader, b"select_dataset reviews\n")
    read_until(b"Active dataset")
    os.write(leader, b"train\n")
    read_until(b"Training job #1 finished")
    os.write(leader, b"quit\n")
    process.wait(timeout=30)
    os.close(leader)
    text = seen.decode(errors="replace")
    assert "█" in text and "%" in text  # the bar was drawn while training ran
    assert "Traceback" not in text


def test_sentences_go_through_the_intents(workdir: Path) -> None:
    console = Console(workdir)
    chosen = console.send("please use the reviews dataset")
    assert chosen["ok"] and chosen["data"]["dataset"] == "reviews"
    started = console.send("start training")
    assert started["ok"] and started["job_id"] == 1
    assert console.read()["data"]["status"] == "succeeded"
    assert console.send("what's the status")["data"]["model"] is not None
    lost = console.send("what a lovely day outside")
    assert not lost["ok"] and "didn't find a command" in lost["text"]
    assert "Did you mean" not in lost["text"]
    # No template says it; its words do. A guess is offered, and nothing runs on it.
    guessed = console.send("does the model work well for me")
    assert not guessed["ok"] and "Did you mean `test`?" in guessed["text"], guessed
    console.close()


def test_a_sentence_that_begins_with_a_command_name_is_that_sentence(workdir: Path) -> None:
    """ "train the model on reviews" is the sentence the product description gives; read as
    `train`'s arguments it added "the model on reviews" to the dataset as an example."""
    console = Console(workdir)
    started = console.send("train the model on the reviews dataset")
    assert started["ok"] and started["job_id"] == 1, started
    assert "Training started" in started["text"] and "Added 1 example" not in started["text"]
    assert console.read()["data"]["status"] == "succeeded"
    assert console.send("test the model")["data"]["metrics"]["accuracy"] > 0.9
    assert console.send("!please archive the reviews folder")["ok"]
    # Written arguments stay arguments: quotes make `train` add the example.
    added = console.send('!train "a lovely little film" positive')
    assert added["ok"] and "Added 1 example" in added["text"], added
    console.close()


@TYPED
def test_a_file_named_in_a_sentence_is_sent_or_refused_as_written(typed: Console) -> None:
    """Any file may be named in a typed sentence (the voice grammar only knows listed names);
    the path reaches `getfile` as written, "../" included, so its confinement decides."""
    console = typed
    sent = console.send("please send me the file reviews/positive/0000.txt")
    assert sent["ok"] and Path(sent["files"][0]).read_text() != "", sent
    assert console.send("download reviews/negative/0001.txt")["ok"]
    outside = console.send("get the file ../../etc/passwd")
    assert (
        not outside["ok"]
        and "`../../etc/passwd` points outside the data folder" in (outside["text"])
    )


def test_console_voice_mode_hears_a_wav_file_and_answers_aloud(workdir: Path) -> None:
    from tests.speech import join, speak, write_wav

    wav = write_wav(workdir / "select.wav", join(speak("hey trainer, select dataset reviews")))
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    result = subprocess.run(
        [*command, "--json", "--speak", str(wav)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    said = [e["text"] for e in events if e.get("event") == "said"]
    assert heard == ["select dataset reviews"], result.stderr
    # on a busy machine "Still working on it." may come first: the answer must still follow
    assert [s for s in said if s.startswith("Selected reviews")], said
    answers = sorted((workdir / "state" / "console-voice").glob("*-answer.wav"))
    assert answers and answers[0].stat().st_size > 10_000  # real speech, not an empty file


def test_a_wav_that_declares_an_absurd_rate_is_refused_and_the_console_goes_on(
    workdir: Path,
) -> None:
    """A 2 KB WAV declaring 100,000,007 Hz made the decoder climb to 24 GB: `--speak` ended
    the console, and `join` then `say` answered "Sorry, that went wrong". Now it is the message
    other bad audio gets, and the console goes on."""
    from tests.consoles import memory_cap, run_checked
    from tests.hostile_audio import wav_declaring

    huge = wav_declaring(workdir / "huge.wav", rate=100_000_007)
    refusal = "huge.wav: not a recognised audio file, or it is corrupt"
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console", "--json"]
    spoken = run_checked([*command, "--speak", str(huge)], workdir, preexec_fn=memory_cap())
    assert [json.loads(line)["text"] for line in spoken.splitlines()] == [refusal]
    script = f"join\nsay {huge}\nstatus\n"
    typed = run_checked(command, workdir, script, preexec_fn=memory_cap())
    replies = [json.loads(line) for line in typed.splitlines()]
    assert [(r["command"], r["ok"]) for r in replies] == [
        ("join", True),
        (None, False),
        ("status", True),
    ]
    assert replies[1]["text"] == refusal


def test_a_new_dataset_becomes_speakable_without_a_restart(unpaced: Path) -> None:
    from tests.speech import join, speak, write_wav

    wav = write_wav(unpaced / "fresh.wav", join(speak("hey trainer, select dataset kaggle tweets")))
    console = Console(unpaced)
    assert console.send("join")["ok"]
    (unpaced / "data" / "kaggle_tweets" / "positive").mkdir(parents=True)
    (unpaced / "data" / "kaggle_tweets" / "positive" / "1.txt").write_text("love it")
    assert "kaggle_tweets" in console.send("select_dataset")["data"]["datasets"]
    events = console.say(wav)
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    assert heard == ["select dataset kaggle tweets"]
    console.close()


def test_a_file_is_fetched_by_voice_by_the_name_people_call_it(unpaced: Path) -> None:
    """Spoken getfile: the archives `archive` made ("the reviews archive") and the files at the
    top of the data root ("the file summary") are in the voice grammar by name."""
    from tests.speech import join, speak, write_wav

    (unpaced / "data" / "summary.csv").write_text("label,count\npositive,3\n")
    console = Console(unpaced)
    assert console.send("join")["ok"]
    made = console.send("archive reviews")
    assert made["ok"], made
    asked = {
        "archive": "hey trainer, send me the reviews archive",
        "summary": "hey trainer, send me the file summary",
    }
    for name, said in asked.items():
        wav = write_wav(unpaced / f"{name}.wav", join(speak(said)))
        events = console.say(wav)
        posted = [e["text"] for e in events if e.get("event") == "posted"]
        sent = made["data"]["archive"] if name == "archive" else "summary.csv"
        assert posted and posted[0].startswith(f"Here is `{sent}`"), events
        # and the file itself, saved where the console user can open it, as typed replies are
        saved = [e["text"] for e in events if e.get("event") == "file"]
        assert len(saved) == 1, events
        assert Path(saved[0]).read_bytes() == (unpaced / "data" / sent).read_bytes()
    console.close()


def test_a_call_with_no_command_the_bot_knows_is_answered(workdir: Path) -> None:
    """ "Hey trainer" and words no sentence holds: not silence, but "Sorry, I didn't catch
    that" with the words heard and the command they most likely meant, said and written."""
    from tests.speech import join, speak, write_wav

    console = Console(workdir)
    assert console.send("join")["ok"]
    asked = write_wav(workdir / "asked.wav", join(speak("hey trainer, any jobs at the moment")))
    events = console.say(asked)
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    saying = [e["text"] for e in events if e.get("event") == "speaking"]
    assert posted and posted[0].startswith("Sorry, I didn't catch that. (I heard"), events
    assert posted[0].endswith("Did you mean `status`? Or just say yes."), events
    assert saying == ["Sorry, I didn't catch that. Did you mean status? Or just say yes."], events
    console.close()


@TYPED
def test_a_line_that_calls_the_bot_by_name(typed: Console) -> None:
    """People write to the bot as they talk to it: the name before or after the command is
    no part of it, a greeting and the name alone is a greeting, and a line that only
    mentions the bot keeps its words."""
    console = typed
    assert console.send("trainer, help")["command"] == "help"
    # as the README shows them
    assert console.send("hey bot, what's the status")["command"] == "status"
    assert console.send("what's the status, bot?")["command"] == "status"
    assert console.send("what can you do, bot?")["command"] == "help"
    greeted = console.send("hey trainer")
    assert greeted["ok"] and greeted["command"] == "hi", greeted
    kept = console.send("bot is too slow")
    assert kept["command"] is None and "`bot`" not in kept["text"], kept


@TYPED
def test_a_mistyped_sentence_after_a_command_name(typed: Console) -> None:
    """Words after a command's name that are no arguments of it are read as the sentence
    they nearly are: `!stop the trainng job` is `cancel`, not "Too many arguments"."""
    console = typed
    reply = console.send("!stop the trainng job")
    assert reply["command"] == "cancel" and reply["text"] == "No training job is running.", reply


@TYPED
def test_politeness_before_a_command_name(typed: Console) -> None:
    """ "please undo" is `undo`; it answered "I don't know the command `please`. Did you mean
    `leave`?", and `yes` would then have left the voice channel."""
    console = typed
    assert console.send("select_dataset reviews")["ok"]
    for line in ("please undo", "could you, undo", "!please undo", "pls undo"):
        reply = console.send(line)
        assert reply["command"] == "undo", (line, reply)
        assert reply["text"].startswith("**reviews** has nothing to undo: "), (line, reply)
    assert console.send("kindly show the status")["command"] == "status"
    # a sentence stays a sentence: its words are no arguments of the command it names
    sentence = console.send("please test how good the model is")
    assert sentence["command"] == "test" and "JSON" not in sentence["text"], sentence
    other = console.send("please do the thing")
    assert other["command"] is None and "leave" not in other["text"], other
    assert "Answer `yes`" not in other["text"], other


@TYPED
def test_yes_runs_the_suggested_command(typed: Console) -> None:
    """ "Did you mean `status`? ... Answer `yes` to run `status`." and `yes` runs it, as written;
    `yes` after anything else is no command, and a command that needs arguments is only named."""
    console = typed
    asked = console.send("any idea where the training job stands")
    assert not asked["ok"] and asked["text"].endswith("Answer `yes` to run `status`."), asked
    ran = console.send("yes")
    assert ran["ok"] and ran["command"] == "status", ran
    again = console.send("yes")
    assert not again["ok"] and again["command"] is None, again
    named = console.send("share report.txt with me please")
    assert "Did you mean `getfile`?" in named["text"] and "Answer `yes`" not in named["text"]


def test_da_runs_the_suggested_command_in_russian(workdir: Path) -> None:
    """The help line `да` works as shown on a Russian console, which names the command as a
    Russian user calls it."""
    (workdir / "config.yaml").write_text("data_root: data\nstate_dir: state\nlanguage: ru\n")
    console = Console(workdir)
    asked = console.send("что там с обучением модели")
    assert not asked["ok"], asked
    assert asked["text"].endswith("Ответьте `да`, чтобы выполнить `состояние`."), asked
    ran = console.send("да")
    assert ran["ok"] and ran["command"] == asked["data"]["suggested"], ran
    called = console.send("бот, какой статус?")  # the bot called by its Russian name
    assert called["ok"] and called["command"] == "status", called
    named = console.send("!статус")  # the word people use, beside `состояние`
    assert named["ok"] and "Активный набор данных" in named["text"], named
    job = console.send("статус задачи 1")  # "did you mean" before
    assert "Задачи 1 нет" in job["text"], job
    console.close()


def console_saying(workdir: Path, text: str, script: str) -> str:
    """The console's output for `script` (lines; `{say}` is where `text` is said, as speech
    synthesized into a file), on a plain terminal."""
    from tests.consoles import run_checked
    from tests.speech import join, speak, write_wav

    said = write_wav(workdir / "said.wav", join(speak(text)))
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    return run_checked(command, workdir, script.format(say=f"say {said}"), TERM="dumb")


def test_saying_leave_leaves_the_voice_channel_and_the_console_goes_on(workdir: Path) -> None:
    """ "Hey trainer, leave the channel" said in the console: "Bye!" was said, then nothing
    showed that it had left, typed lines went on, and at the end the console hung for a minute
    and stopped with "Trainer stopped because of an internal error" (leaving closed the voice
    session whose own task was doing the leaving: it waited for itself, and cancelling that
    wait recursed until Python gave up). Now it leaves, says so, and ends as usual."""
    started = time.monotonic()
    out = console_saying(workdir, "hey trainer, leave the channel", "join\n{say}\nstatus\n")
    assert "said: Bye!" in out, out
    assert "Left the voice channel." in out, out
    assert "Active dataset:" in out.split("said: Bye!")[1], out  # typed lines go on
    assert time.monotonic() - started < 50  # the minute-long hang at the end is gone


def test_saying_join_in_the_voice_channel_says_it_is_there_already(workdir: Path) -> None:
    """ "Hey trainer, join the voice channel" said in the channel was answered "Joining your
    voice channel..." (the typed `join`'s answer) by a bot already listening there, as typed
    `join` was after a `say` (Discord's spoken one too: the session answers for both)."""
    out = console_saying(workdir, "hey trainer, join the voice channel", "{say}\nstatus\n")
    assert "said: I'm already here, listening." in out, out
    assert "I'm already in the voice channel, listening." in out, out
    assert "Joining" not in out, out
    assert "Active dataset:" in out, out  # typed lines go on


def test_the_wake_phrase_alone_is_shown_as_heard(workdir: Path) -> None:
    """ "Hey trainer" alone in the console showed "heard you: (no words I could make out)"
    and was then answered "Yes? I'm listening.": heard nothing, yet answered. It is shown
    as what it was, the wake phrase alone."""
    out = console_saying(workdir, "hey trainer", "join\n{say}\n")
    assert "said: Yes? I'm listening." in out, out
    assert "heard you: (the wake phrase alone)" in out, out
    assert "no words I could make out" not in out, out


def test_the_did_you_mean_hint_gives_words_that_work_when_said(unpaced: Path) -> None:
    """ "Hey trainer, show me all the model versions please" was answered "Sorry, I didn't
    catch that. Did you mean test?", and the window opened to say it; but "test" alone is no
    sentence the voice grammar holds (it was heard as "status"). The hint now says a sentence
    of the grammar for the command, and said in the window, that sentence acts. (The line
    asked is one the guess names `test` for surely; a guess at the floor comes and goes as
    the templates grow.)"""
    import re

    from tests.speech import join, speak, write_wav

    console = Console(unpaced)
    assert console.send("join")["ok"]
    asked = write_wav(
        unpaced / "asked.wav", join(speak("hey trainer, check how the classifier does"))
    )
    saying = [e["text"] for e in console.say(asked) if e.get("event") == "speaking"]
    assert len(saying) == 1 and saying[0].startswith(
        "Sorry, I didn't catch that. Did you mean test?"
    )
    example = re.fullmatch(r".* Say “([^”]+)”\. Or just say yes\.", saying[0])
    assert example, saying
    said = write_wav(unpaced / "said.wav", join(speak(example[1])))
    events = console.say(said)  # in the window the hint opened: no wake phrase needed
    console.close()
    heard = [e["text"] for e in events if e.get("event") == "heard"]
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    assert heard == [example[1]], events
    assert posted and not posted[0].startswith("Sorry"), events  # `test` answered


def test_yes_in_the_window_runs_what_the_hint_offered(unpaced: Path) -> None:
    """ "Did you mean test? Say “…”. Or just say yes.": people answer such a question with
    yes, and yes (no wake phrase, in the window the hint opened) runs the command offered;
    "no" runs nothing."""
    from tests.speech import join, speak, write_wav

    console = Console(unpaced)
    assert console.send("join")["ok"]
    asked = write_wav(
        unpaced / "asked.wav", join(speak("hey trainer, check how the classifier does"))
    )
    for answer, runs in (("no", False), ("yeah sure", True)):
        saying = [e["text"] for e in console.say(asked) if e.get("event") == "speaking"]
        assert len(saying) == 1 and saying[0].endswith("Or just say yes."), saying
        said = write_wav(unpaced / "answer.wav", join(speak(answer)))
        events = console.say(said)
        posted = [e["text"] for e in events if e.get("event") == "posted"]
        tested = any("active dataset" in text for text in posted)  # `test` with no dataset
        assert tested == runs and (runs or not posted), (answer, events)
    console.close()


def test_a_size_is_said_rounded(unpaced: Path) -> None:
    """ "Hey trainer, send me the file recordings" for a 12 MB file: the refusal was said
    as written, "12,833,335 bytes", eight seconds of digits read out; it is said as "about 13
    megabytes" (the written reply keeps every byte)."""
    from tests.speech import join, speak, write_wav

    (unpaced / "data" / "recordings.txt").write_bytes(b"x" * 12_833_335)
    asked = write_wav(unpaced / "get.wav", join(speak("hey trainer, send me the file recordings")))
    console = Console(unpaced)
    assert console.send("join")["ok"]
    events = console.say(asked)
    console.close()
    posted = [e["text"] for e in events if e.get("event") == "posted"]
    saying = [e["text"] for e in events if e.get("event") == "speaking"]
    assert posted == ["`recordings.txt` is 12,833,335 bytes; I can send up to 8,000,000."], events
    assert saying == ["recordings.txt is about 13 megabytes; I can send up to 8000000."], events
