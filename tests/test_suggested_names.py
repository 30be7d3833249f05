"""A line no reading takes but that names one of the guild's datasets, folders or files: the
"Did you mean" suggestion carries that name, and taking it (`yes`, the Run button) runs the
command on it; a line read as a command that names nothing else is given that name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.consoles import Console
from tests.corpus import write_folder_dataset
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_discord_components import from_interaction
from tests.test_discord_text import error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data", "reviews", per_label=6)
    write_folder_dataset(tmp_path / "data", "movie_reviews", per_label=6)
    return tmp_path


def test_yes_runs_the_suggestion_with_the_dataset_the_line_named(workdir: Path) -> None:
    """It suggested `train` alone, and `yes` then trained on whatever was active, not on the
    dataset the line named; "movie reviews" holds "reviews", and the line names the longer.
    (A line the guess names `train` for, 0.63, under the 0.7 at which a line that names a
    dataset runs (assistant/intents/named_guess.py): "the classifier plus movie reviews" alone
    went from `train` to `test` as the templates grew, and "... for learning" from 0.67 to 0.73
    once spoken phrasings of learning joined them; a guess near a floor comes and goes.)"""
    console = Console(workdir)
    asked = console.send("the classifier plus movie reviews for teaching")
    assert not asked["ok"], asked
    assert "Did you mean `train movie_reviews`?" in asked["text"], asked
    assert asked["text"].endswith("Answer `yes` to run `train movie_reviews`."), asked
    ran = console.send("yes")
    assert ran["ok"] and ran["command"] == "train", ran
    assert "folder `movie_reviews/`" in ran["text"] and "`reviews/`" not in ran["text"], ran
    console.close()


def test_a_suggested_name_of_two_words_runs_as_shown(workdir: Path) -> None:
    """The line shown runs as written, typed: a name of two words stays unquoted for `train`
    (a quoted text is an example to learn), and is quoted for `archive`, as the bot's own hint
    about such names asks."""
    (workdir / "data" / "movie_reviews").rename(workdir / "data" / "movie reviews")
    write_folder_dataset(workdir / "data", "kaggle tweets", per_label=3)
    console = Console(workdir)
    asked = console.send("the classifier plus movie reviews for teaching")
    shown = "train movie reviews"
    assert f"Did you mean `{shown}`?" in asked["text"], asked
    typed = console.send(shown)
    assert typed["ok"] and typed["command"] == "train", typed
    assert "folder `movie reviews/`" in typed["text"] and "one name" not in typed["text"], typed
    while "finished" not in console.read()["text"]:  # the training job's progress, then its end
        pass
    # a line read as a suggestion only ("kaggle tweets, squash into a zip for safekeeping" is
    # read as `archive` at once since the typed readings of 6 December)
    asked = console.send("kaggle tweets, into the zip pile with it")
    shown = 'archive "kaggle tweets"'
    assert f"Did you mean `{shown}`?" in asked["text"], asked
    typed = console.send(shown)
    assert typed["ok"] and typed["text"].startswith("Archived `kaggle tweets`"), typed
    assert "one name" not in typed["text"], typed
    console.close()


def test_a_command_read_without_its_name_is_given_the_one_the_line_holds(workdir: Path) -> None:
    """ "the movie reviews folder, zip it for me" was `archive` asking which folder: the clause
    it was read from had no name, the one before it did."""
    console = Console(workdir)
    done = console.send("the movie reviews folder, zip it for me mate")
    assert done["ok"] and done["command"] == "archive", done
    assert done["text"].startswith("Archived `movie_reviews`"), done
    asked = console.send("zip it for me mate")  # no name at all: asked, as before
    assert not asked["ok"] and asked["text"].startswith("Which folder?"), asked
    console.close()


async def test_the_run_button_carries_the_named_dataset(fake: FakeDiscord, bot: Any) -> None:
    """The Run button of a suggestion runs the command with the name the line held, for
    whoever clicks it and may (roles are checked at the click); its custom id holds the name,
    so it works after a restart."""
    write_folder_dataset(bot.assistant.root.root, name="movie_reviews", per_label=3)
    write_folder_dataset(bot.assistant.root.root, name="reviews", per_label=3)
    sent = await fake.send_message("!the classifier plus movie reviews for teaching")
    reply = await fake.wait_for_reply(after=sent["id"])
    assert is_error(reply) and "Did you mean `train movie_reviews`?" in error_text(reply), reply
    [button] = fake.components(reply)
    assert button["custom_id"] == "trainer:run:train:data_dir:movie_reviews", button
    assert button["label"] == "Run train movie_reviews", button
    click = await fake.click(reply, button["custom_id"], author=fake.bob)  # no `trainer` role
    refused = await fake.wait_for_reply(where=from_interaction(click), timeout=30)
    assert "needs one of these roles" in error_text(refused), refused
    click = await fake.click(reply, button["custom_id"], author=fake.alice)
    ran = await fake.wait_for_reply(where=from_interaction(click), timeout=30)
    assert not is_error(ran) and "movie_reviews" in ran["content"], error_text(ran)
