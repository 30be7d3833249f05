"""Percentages written the reader's way: "87.5%" in English, "87,5 %" in Russian (a no-break
space before the sign, as Russian typography writes it), in every reply that gives a share,
and said as the number and the word for percent."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import time
from pathlib import Path

import yaml

from assistant import i18n
from assistant.app import Assistant
from assistant.i18n import LOCALES
from assistant.reports import job_line
from assistant.storage.records import ModelRecord
from assistant.training.job_messages import summary
from audio.speech_text import spoken_text
from tests.consoles import TypedConsole
from tests.test_reports import JOB
from transports.discord.progress import progress_line

LABELLED = (
    'test [{"text": "a lovely film", "label": "positive"}, {"text": "dull", "label": "negative"}]'
)
RUSSIAN_SIGN = re.compile(r"\d\u00a0%")
"""A Russian percentage: the number, a no-break space, the sign."""


def _signs(text: str) -> list[str]:
    """Each percent sign of `text` with the two characters before it."""
    return re.findall(r"..%", text)


async def test_a_russian_reply_writes_a_no_break_space_before_the_percent_sign(
    app: Assistant, reviews: Path
) -> None:
    """Russian replies wrote "96,3%", the sign right after the number; Russian typography
    puts a space there ("96,3 %"). The job's result, status, models and test's table write
    it so, with the no-break space that groups thousands; English keeps "96.3%"."""
    console = TypedConsole(app)
    lines = ["select_dataset reviews", "train", "wait", "status", "models", LABELLED, "test"]
    assert (await console.send("language ru"))["ok"]
    russian = [await console.send(line) for line in lines]
    assert all(r["ok"] for r in russian), russian
    signs = _signs("\n".join(r["text"] for r in russian))
    assert len(signs) >= 30 and all(RUSSIAN_SIGN.fullmatch(s) for s in signs), signs
    table = russian[-2]["text"]
    assert "accuracy        100,0\u00a0% (2 из 2)" in table, table  # the columns still line up
    assert (await console.send("language en"))["ok"]
    english = [await console.send(line) for line in ("status", "models", LABELLED)]
    signs = _signs("\n".join(r["text"] for r in english))
    assert signs and all(re.fullmatch(r"[\d.]\d%", s) for s in signs), signs
    assert "accuracy         100.0% (2 of 2)" in english[-1]["text"], english[-1]


async def test_a_russian_percentage_is_said_as_the_number_and_the_word(
    app: Assistant, reviews: Path
) -> None:
    """Said, the share is the number and "процента" (not the no-break space and the word, nor
    the sign); the written reply, read by the voice when it has no spoken form of its own,
    sounds as "96,3%" did before the space."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    for line in ("select_dataset reviews", "train", "wait"):
        assert (await console.send(line))["ok"]
    status = await console.send("status")
    accuracy = re.search(r"ответов (\d+,\d)\u00a0%", status["text"])
    assert accuracy, status
    assert status["speech"] == f"Доля верных ответов модели {accuracy[1]} процента.", status
    written = f"Доля верных ответов {accuracy[1]}\u00a0%.\n- задача #1: 50\u00a0% готово"
    said = spoken_text(written, language="ru")
    assert said == f"Доля верных ответов {accuracy[1]} %. задача 1: 50 % готово.", said
    before = spoken_text(written.replace("\u00a0%", "%"), language="ru")
    assert _phonemes(said) == _phonemes(before), (said, before)
    assert "p@-rats'Ent" in _phonemes(said)  # "процента": the sign is said as a word


def _phonemes(text: str) -> str:
    """What espeak-ng's Russian voice says for `text`, as phonemes."""
    spoken = subprocess.run(
        ["espeak-ng", "-v", "ru", "-q", "-x", text], capture_output=True, text=True, check=True
    )
    return spoken.stdout.strip()


def test_a_jobs_progress_and_result_write_the_readers_percent_sign() -> None:
    """A job's progress line (status, the console, Discord's edited reply) and its stored
    result ("model v0002 ready: accuracy 87%") wrote "50%" and "87%" to a Russian reader."""
    running = dataclasses.replace(JOB, created_at=time.time() - 10)
    record = ModelRecord(
        version="v0002",
        guild_id="g",
        dataset="reviews",
        backend="sklearn",
        job_id=1,
        path=None,
        external_model=None,
        labels=["negative", "positive"],
        metrics={"accuracy": 0.87, "evaluated_on": "held_out", "n_held_out": 1200},
        n_examples=6000,
        data_hash="x",
        created_at=0.0,
    )
    with i18n.speaking("ru"):
        assert "50\u00a0%" in job_line(running) and "50\u00a0%" in progress_line(running)
    assert i18n.render(summary(record), "ru") == (
        "модель v0002 готова: доля верных ответов 87\u00a0% на отложенных примерах (1\u00a0200)"
    )
    assert "50%" in job_line(running) and "50%" in progress_line(running)
    assert i18n.render(summary(record), "en") == (
        "model v0002 ready: accuracy 87% on 1,200 held-out examples"
    )
    one = dataclasses.replace(record, metrics={**record.metrics, "n_held_out": 1})
    assert (
        i18n.render(summary(one), "en") == "model v0002 ready: accuracy 87% on 1 held-out example"
    )


def test_no_russian_message_writes_a_percent_sign_without_its_space() -> None:
    """A percent written into a message itself ("100%" of a finished job) is written the same
    way as the numbers are."""
    messages = yaml.safe_load((LOCALES / "ru" / "messages.yaml").read_text(encoding="utf-8"))
    bare = {key: text for key, text in messages.items() if re.search(r"[^\u00a0]%", text)}
    assert not bare, bare
