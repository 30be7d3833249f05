"""A new user with a fresh data folder, following the README and the guide and then going off
them: what the console shows, and that a refused line changes nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import ROOT, TypedConsole, make_workdir, run_console
from tests.test_console_commands import refused_and_unchanged


async def trained_reviews(app: Assistant, console: TypedConsole) -> None:
    """`select_dataset reviews`, `train`, `wait`: the quick start."""
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()


async def test_one_labelled_item_is_counted_in_the_singular(app: Assistant, reviews: Path) -> None:
    """`test` with one labelled item said "Measured on the 1 items you labelled"."""
    console = TypedConsole(app)
    await trained_reviews(app, console)
    reply = await console.send('test [{"text": "good", "label": "positive"}, "bad"]')
    assert reply["ok"], reply
    assert "Measured on the 1 item you labelled;" in reply["text"], reply["text"]
    reply = await console.send('test [{"text": "good", "label": "positive"}, {"text": "bad"}]')
    assert "Measured on the 1 item you labelled;" in reply["text"], reply["text"]
    reply = await console.send(
        'test [{"text": "good", "label": "positive"}, {"text": "bad", "label": "negative"}]'
    )
    assert "Measured on the 2 items you labelled;" in reply["text"], reply["text"]


async def test_a_page_below_one_names_no_huge_number(app: Assistant, reviews: Path) -> None:
    """`examples 0` said "`page` must be a whole number from 1 to 9,223,372,036,854,775,807"."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    for line, value in (("examples 0", "0"), ("examples -1", "-1"), ("cancel 0", "0")):
        text = await refused_and_unchanged(app, console, line)
        assert "9,223" not in text, text
        assert text.endswith(f"must be a whole number of 1 or more, not `{value}`."), text
    text = await refused_and_unchanged(app, console, "examples 99999999999999999999")
    assert "from 1 to 9,223,372,036,854,775,807" in text, text


async def test_a_correction_without_a_reply_number_shows_the_usage(
    app: Assistant, reviews: Path
) -> None:
    """`correct # negative` said "I can't find a reply of mine with id `` in this server"."""
    console = TypedConsole(app)
    for line in ("correct # negative", "correct ## negative"):
        text = await refused_and_unchanged(app, console, line)
        assert text == "Usage: `correct <message id> <correction>`, or reply to my message.", text


async def test_a_correction_to_a_new_label_says_it_is_new(app: Assistant, reviews: Path) -> None:
    """A label far from every known one was thanked for like any other and silently became a
    label of the dataset in its next training run; the README promises a new label is
    announced. English and Russian say so."""
    console = TypedConsole(app)
    await trained_reviews(app, console)
    tested = await console.send('test ["good film"]')
    number = tested["id"]
    noted = await console.send(f"correct #{number} comedy")
    assert noted["ok"], noted
    assert (
        "`comedy` is a new label for **reviews** (its model knows negative, positive)"
        in (noted["text"])
    ), noted["text"]
    same = await console.send(f"correct #{number} negative")
    assert "new label" not in same["text"], same["text"]
    assert (await console.send("language ru"))["ok"]
    noted = await console.send(f"correct #{number} драма")
    assert "`драма` — новая метка набора **reviews**" in noted["text"], noted["text"]


async def test_one_label_asks_for_another_with_a_line_that_works(app: Assistant) -> None:
    """With one label that is neither positive nor negative, the hint read "for example a file
    with a `label` column, e.g. `train file:reviews.csv`": a file the user does not have."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset tickets"))["ok"]
    lines = [f'train "I was charged twice, case {n}" label:billing' for n in range(4)]
    for line in lines:
        added = await console.send(line)
    assert "you have only `billing`" in added["text"], added["text"]
    assert "file:reviews.csv" not in added["text"], added["text"]
    hint = re.search(r"for example (`[^`]+`)", added["text"])
    assert hint and hint.group(1) == '`train "a text of another kind" label:other`', added


async def test_attach_names_what_is_wrong_with_the_path(
    app: Assistant, reviews: Path, tmp_path: Path
) -> None:
    """`train +attach` with no path said "Cannot attach `.`: no such file", and a folder or a
    device "no such file" though it is there."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_and_unchanged(app, console, "train +attach")
    assert text == "`+attach` needs the path of a file after it: `train +attach notes.txt`.", text
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path}")
    assert text == f"Cannot attach `{tmp_path}`: it is a folder; attach a file in it, or a .zip.", (
        text
    )
    text = await refused_and_unchanged(app, console, "train +attach /dev/null")
    assert text == "Cannot attach `/dev/null`: it is not a regular file.", text
    missing = tmp_path / "gone.csv"
    text = await refused_and_unchanged(app, console, f"train +attach {missing}")
    assert text == f"Cannot attach `{missing}`: no such file.", text


async def test_a_file_attached_with_no_command_is_told_which_commands_take_it(
    app: Assistant, tmp_path: Path
) -> None:
    """`+attach reviews.csv` alone said "I didn't find a command in that"; it names the two
    commands that take a file, written out for this file, and the first runs as shown."""
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("text,label\na warm film,positive\na dull film,negative\n", "utf-8")
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, f"+attach {reviews}")
    assert text == (
        f"A file needs a command with it: `train +attach {reviews}` learns from it,"
        f" `test +attach {reviews}` measures the model on it."
    ), text
    shown = re.search(r"`(train [^`]+)`", text)
    assert shown is not None
    added = await console.send(shown.group(1))
    assert added["ok"] and "Added " in added["text"], added


async def test_an_attached_file_with_spaces_in_its_name_needs_no_quotes(
    app: Assistant, tmp_path: Path
) -> None:
    """The README's rule for names (the words that together name a file are that name) held for
    the data folder, but `+attach my notes.txt` said "Cannot attach `my`: no such file"."""
    (tmp_path / "my notes.txt").write_text("a kind word\na warm film\n", encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    added = await console.send(f"train +attach {tmp_path}/my notes.txt label=praise")
    assert added["ok"], added
    assert "Added 2 examples (praise 2)" in added["text"], added["text"]


def test_say_takes_a_file_with_spaces_in_its_name(tmp_path: Path) -> None:
    """`say /x/my voice.wav` said "No such file: /x/my, voice.wav" (two names, the second one
    relative) though the file is there."""
    from tests.speech import join, speak, write_wav

    (tmp_path / "work").mkdir()
    workdir = make_workdir(tmp_path / "work")
    voice = write_wav(tmp_path / "my voice.wav", join(speak("hey trainer, what's the status")))
    out = run_console(workdir, f"say {voice}\n")
    assert "No such file" not in out, out
    assert "heard you: what's the status" in out, out


def test_the_config_in_the_current_folder_is_the_default(tmp_path: Path) -> None:
    """`bot.py --help` says the default is ./config.yaml, and the README's walk-through runs
    `bot.py console` "in a folder with data/reviews": run from such a folder, the console read
    the checkout's config.yaml instead and answered "There is no `reviews` in the data folder"."""
    workdir = make_workdir(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "TRAINER_CONFIG"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "console"],
        cwd=workdir,
        env=env,
        input="select_dataset reviews\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("[#2] Active dataset: reviews."), result
    assert (workdir / "state" / "trainer.db").is_file()
