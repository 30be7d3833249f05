"""Sentences to classify typed as a list after a colon, through the console in a real process:
"test these: great, awful" classifies two sentences, not the one "great, awful"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.consoles import Console
from tests.corpus import write_folder_dataset

# One trained console per language serves every line (a `test` changes nothing the next one
# reads); the group keeps this module's tests on one pytest-xdist worker, so each language's
# console is started and trained once (`make pytest` runs with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("typed_lists")


def trained(workdir: Path, language: str) -> Console:
    (workdir / "config.yaml").write_text(
        f"data_root: data\nstate_dir: state\nlanguage: {language}\n"
    )
    write_folder_dataset(workdir / "data", "reviews", per_label=20)
    console = Console(workdir)
    assert console.send("train reviews")["ok"]
    while console.read()["kind"] != "job":  # its progress, then the finished job
        pass
    return console


@pytest.fixture(scope="module")
def console_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Console]]:
    """`console_in(language)`: that language's trained console, started on first use."""
    started: dict[str, Console] = {}

    def get(language: str) -> Console:
        if language not in started:
            started[language] = trained(tmp_path_factory.mktemp(language), language)
        return started[language]

    yield get
    for console in started.values():
        out, err = console.close()
        assert console.process.returncode == 0 and "Traceback" not in out + err, err


def texts_of(reply: dict) -> list[str]:
    """The sentences a `test` reply classified, as it quotes them."""
    return [line.split("“", 1)[1].split("”", 1)[0] for line in reply["text"].splitlines()[1:]]


@pytest.mark.parametrize(
    ("language", "line", "expected"),
    [
        ("en", "test these: great, awful", ["great", "awful"]),
        (
            "en",
            "classify these: what a lovely day, the worst film ever",
            ["what a lovely day", "the worst film ever"],
        ),  # the sentence was "these: what a lovely day, the worst film ever"
        ("en", "test this: great film, but too long", ["great film, but too long"]),
        ("en", "test these: 'great, truly', 'awful'", ["great, truly", "awful"]),
        (
            "ru",
            "проверь эти фразы: отличный фильм, ужасная игра",
            ["отличный фильм", "ужасная игра"],
        ),
        ("ru", "проверь это: отличный фильм, но длинный", ["отличный фильм, но длинный"]),
    ],
)
def test_a_list_after_a_colon_is_several_sentences(
    console_in: Callable[[str], Console], language: str, line: str, expected: list[str]
) -> None:
    """Words before the colon that point at several sentences ("these", "эти фразы") make
    its commas part them; one pointed at ("this") stays whole, and quotes are read as typed."""
    reply = console_in(language).send(line)
    assert reply["ok"] and reply["command"] in ("test", "проверить"), reply
    assert texts_of(reply) == expected, reply["text"]
