"""Bounded work: every limit refuses with a clear message, stops reading as soon as it is
crossed, and stores nothing."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.i18n import render
from assistant.messages import Attachment, Request
from tests.conftest import ADMIN
from tests.corpus import sentences


@pytest.fixture
async def small(make_config: Callable[..., Config]) -> Any:
    config = make_config(
        limits={"upload_examples": 5, "dataset_labels": 3, "example_chars": 50, "test_items": 3},
    )
    app = Assistant(config)
    await app.start()
    yield app
    await app.close()


async def run(app: Assistant, command: str, text: str = "", **fields: Any) -> Any:
    request = Request(
        command=command, text=text, user=ADMIN, guild_id="g1", channel_id="c1", **fields
    )
    return await app.handle(request)


def stored(app: Assistant) -> int:
    dataset = app.store.active_dataset("g1")
    return app.store.count_examples(dataset) if dataset else 0


async def test_examples_per_upload(small: Assistant) -> None:
    lines = "\n".join(f"line {i}" for i in range(6)).encode()
    reply = await run(small, "train", "", attachments=[Attachment("six.txt", lines)])
    assert not reply.ok and "at most 5 examples" in reply.text
    assert stored(small) == 0


async def test_labels_per_dataset_stop_reading_at_once(small: Assistant) -> None:
    # line 5 is not JSON: reading past the fourth label would report that instead
    rows = [{"text": f"t{i}", "label": f"l{i}"} for i in range(4)]
    body = "\n".join(json.dumps(r) for r in rows) + "\n{not json\n"
    reply = await run(small, "train", "", attachments=[Attachment("x.jsonl", body.encode())])
    assert not reply.ok and "More than 3 different labels" in reply.text, reply.text
    assert stored(small) == 0
    # across requests too: the dataset may not grow past the limit
    for label in ("a", "b", "c"):
        assert (await run(small, "train", f'"text {label}" label:{label}')).ok
    fourth = await run(small, "train", '"text d" label:d')
    assert not fourth.ok and "a dataset may have 3" in fourth.text
    assert stored(small) == 3


async def test_characters_per_example(small: Assistant) -> None:
    reply = await run(small, "train", '"' + "x" * 51 + '"')
    assert not reply.ok and "51 characters; the limit is 50" in reply.text
    assert stored(small) == 0


async def test_test_items_and_attached_test_files(small: Assistant) -> None:
    assert "at most 3 items" in (await run(small, "test", '["a", "b", "c", "d"]')).text
    lines = "\n".join(json.dumps(f"item {i}") for i in range(4)).encode()
    reply = await run(small, "test", "", attachments=[Attachment("t.jsonl", lines)])
    assert not reply.ok and "at most 3 items" in reply.text


async def test_feedback_length(app: Assistant) -> None:
    limit = app.config.limits.feedback_chars
    reply = await run(app, "feedback", "x" * (limit + 1))
    assert not reply.ok and f"up to {limit:,} characters" in reply.text
    assert app.store.feedback("g1") == []
    assert (await run(app, "feedback", "x" * limit)).ok


async def test_a_zip_bomb_of_short_lines_is_refused_quickly(app: Assistant) -> None:
    """The measured case: 10 members of 10 MB of one-character lines, ~100 KB zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(10):
            archive.writestr(f"part{index}.csv", "text\n" + "a\n" * 5_000_000)
    started = time.monotonic()
    reply = await run(app, "train", "", attachments=[Attachment("bomb.zip", buffer.getvalue())])
    assert not reply.ok and "at most 100,000 examples" in reply.text, reply.text
    assert time.monotonic() - started < 20  # was 23 s of CPU before any refusal
    assert stored(app) == 0


async def test_memory_bound_is_checked_before_fitting(
    make_config: Callable[..., Config],
) -> None:
    config = make_config(trainer={"sklearn": {"max_model_bytes": 1000}})
    app = Assistant(config)
    await app.start()
    try:
        rows = [{"text": text, "label": "positive"} for text in sentences("positive", 10)]
        rows += [{"text": text, "label": "negative"} for text in sentences("negative", 10)]
        body = "\n".join(json.dumps(row) for row in rows).encode()
        reply = await run(app, "train", "", attachments=[Attachment("r.jsonl", body)])
        assert reply.ok, reply.text
        job = await app.jobs.wait(reply.job_id)
        assert job.status == "failed"
        error = render(job.error or "")
        assert "max_model_bytes" in error and "2 labels x" in error, error
        russian = render(job.error or "", "ru")
        assert "max_model_bytes" in russian and "Для меток (2)" in russian, russian
        # the training process words it with no reader in sight: its figures are written in
        # the reader's language when shown ("0.0 MB" read "0.0 МБ" in Russian)
        assert "the limit is 0.0 MB" in error and "предел — 0,0 МБ" in russian, russian
        assert app.store.models("g1") == []
    finally:
        await app.close()
