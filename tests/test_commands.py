"""Every command through the real assistant: real SQLite, real files, real training."""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.messages import Attachment
from assistant.training.jobs import JobEvent
from bench.text_corpus import noisy_examples
from tests.conftest import ADMIN, GUEST, TRAINER
from tests.corpus import sentences

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def train_and_wait(app: Assistant, ask: Any, text: str = "", **fields: Any) -> Any:
    reply = await ask("train", text, **fields)
    assert reply.ok, reply.text
    job = await app.jobs.wait(reply.job_id)
    assert job.status == "succeeded", job
    return reply


async def test_hi_greets_by_name(ask: Any) -> None:
    reply = await ask("hi")
    assert reply.text.startswith("HI!") and "ada" in reply.text


async def test_help_and_instruction_list_every_command(app: Assistant, ask: Any) -> None:
    names = [c.name for c in app.commands.all()]
    help_text = (await ask("help")).text
    guide = (await ask("instruction")).text
    for name in names:
        assert f"!{name}" in help_text
        assert f"`!{name}" in guide
    assert "{{commands}}" not in guide
    assert "train" in (await ask("help", "train")).text
    assert not (await ask("help", "fly")).ok


async def test_unknown_command_suggests_a_close_one(ask: Any) -> None:
    reply = await ask("trian")
    assert not reply.ok and "train" in reply.text


async def test_join_and_leave_ask_the_transport_to_move(ask: Any) -> None:
    assert (await ask("join")).voice_action == "join"
    assert (await ask("leave")).voice_action == "leave"


async def test_select_dataset_lists_and_selects(app: Assistant, ask: Any, reviews: Path) -> None:
    listing = await ask("select_dataset")
    assert listing.data["datasets"] == ["reviews"]
    chosen = await ask("select_dataset", "reviews")
    assert chosen.ok and "negative 150, positive 150" in chosen.text
    assert app.store.active_dataset("g1").name == "reviews"
    assert "(active)" in (await ask("select_dataset")).text


async def test_select_dataset_with_a_label_sets_that_side(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    await ask("select_dataset", "reviews/positive true")
    reply = await ask("select_dataset", "reviews/negative false")
    assert reply.ok, reply.text
    dataset = app.store.active_dataset("g1")
    assert dict(dataset.folders) == {"reviews/positive": "positive", "reviews/negative": "negative"}


async def test_unknown_dataset_and_escapes_are_refused(ask: Any) -> None:
    assert "no `movies`" in (await ask("select_dataset", "movies")).text
    for bad in ("..", "../..", "/etc"):
        reply = await ask("select_dataset", bad)
        assert not reply.ok and "Traceback" not in reply.text


async def test_train_test_correct_cycle(app: Assistant, ask: Any, reviews: Path) -> None:
    await ask("select_dataset", "reviews")
    started = await train_and_wait(app, ask)
    assert "Training started on **reviews**" in started.text
    model = app.store.latest_model("g1")
    assert model is not None and model.metrics["accuracy"] > 0.9
    assert model.metrics["n"] >= 40  # measured on held-out examples, not the training set

    items = [{"text": s, "label": "positive"} for s in sentences("positive", 5, seed=99)]
    items += [{"text": s, "label": "negative"} for s in sentences("negative", 5, seed=99)]
    result = await ask("test", json.dumps(items))
    assert result.ok and result.kind == "prediction"
    assert result.data["metrics"]["accuracy"] >= 0.9
    assert result.data["metrics"]["confusion_matrix"] == [[5, 0], [0, 5]]
    assert result.files[0].read().startswith(PNG_MAGIC)

    single = await ask("test", '["i found it uplifting"]')
    message_id = ask.last_id
    assert single.text.startswith("1 prediction with model"), single.text  # not "1 predictions"
    # written label first, then why, without the reply's number: my last prediction here
    first = await ask("correct", "positive, it was right after all")
    assert first.ok and "**positive**" in first.text, first.text
    fixed = await ask("correct", f"{message_id} negative")
    assert fixed.ok and "negative" in fixed.text
    fixes = app.store.corrections("g1", "prediction")
    assert [(c.message_id, c.correction) for c in fixes] == [(message_id, "negative")]
    second = await train_and_wait(app, ask)
    assert single.data["predictions"][0]["text"] == "i found it uplifting"
    assert second.data["examples"] == started.data["examples"] + 1
    # a retrain says how long it will take, from the last fit of this dataset
    assert ", about " not in started.text  # the first fit of a dataset: nothing to go by
    assert re.search(r"examples \(.*\), about \d+ s\. Job #", second.text), second.text


async def test_train_adds_text_files_folders_and_attachments(
    app: Assistant, ask: Any, config: Any
) -> None:
    (config.data_root / "extra").mkdir()
    (config.data_root / "extra" / "one.txt").write_text("a dreadful plot")
    (config.data_root / "lines.txt").write_text("brilliant\nsuperb cast\n")
    csv = b"text,label\nloved it,positive\nhated it,negative\nso-so,neutral\n"
    jsonl = b'{"text": "charming", "label": "positive"}\n{"text": "tedious"}\n'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("positive/1.txt", "lovely film")
        archive.writestr("negative/1.txt", "awful film")
    reply = await ask(
        "train",
        '"what a lovely film" data_dir=extra positive=false',
        attachments=[
            Attachment("a.csv", csv),
            Attachment("b.jsonl", jsonl),
            Attachment("c.zip", buffer.getvalue()),
        ],
    )
    assert reply.ok, reply.text
    # text and folder are labelled negative by positive=false; csv/jsonl/zip carry their own
    assert reply.data["added"] == 9
    assert "neutral 1" in reply.text
    await app.jobs.wait(reply.job_id)
    reply = await ask("train", "lines.txt")
    assert reply.data["added"] == 2


async def test_bad_attachments_are_refused_and_nothing_is_lost(app: Assistant, ask: Any) -> None:
    await ask("train", '"keep me"')  # stored, though one label is too few to train
    before = app.store.count_examples(app.store.active_dataset("g1"))
    limit = app.config.limits.attachment_bytes
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", b"a" * (app.config.limits.zip_expanded_bytes + 10))
    cases = {
        "too big": Attachment("big.txt", b"x" * (limit + 1)),
        "wrong type": Attachment("virus.exe", b"MZ"),
        "zip bomb": Attachment("bomb.zip", bomb.getvalue()),
        "bad jsonl": Attachment("bad.jsonl", b'{"text": "ok"}\n{not json\n'),
        "csv without text": Attachment("bad.csv", b"title,score\nhi,positive\n"),
        "not utf-8": Attachment("czech.txt", "žluťoučký kůň".encode("cp1250")),
        "not a zip": Attachment("fake.zip", b"not a zip"),
    }
    expected = {
        "too big": "at most",
        "wrong type": "not accepted",
        "zip bomb": "expands past",
        "bad jsonl": "line 2 is not valid JSON",
        "csv without text": "needs a column of texts",
        "not utf-8": "not UTF-8",
        "not a zip": "not a valid zip",
    }
    for name, attachment in cases.items():
        reply = await ask("train", attachments=[attachment])
        assert not reply.ok, name
        assert expected[name] in reply.text, (name, reply.text)
        assert "Traceback" not in reply.text
    assert app.store.count_examples(app.store.active_dataset("g1")) == before


async def test_train_refuses_paths_outside_the_root(ask: Any) -> None:
    for bad in ("../secret.txt", "/etc/passwd", "reviews/../../x.csv"):
        reply = await ask("train", bad)
        assert not reply.ok and "data folder" in reply.text
    reply = await ask("train", "data_dir=../..")
    assert not reply.ok


async def test_single_label_training_waits_with_advice(app: Assistant, ask: Any) -> None:
    for text in ("lovely", "superb", "charming"):
        await ask("train", f'"{text}"')
    reply = await ask("train", '"only one label"')
    assert reply.ok and reply.job_id is None
    assert "Not training yet" in reply.text and "two labels" in reply.text
    # the advice is a form that works as written
    assert '`train "dull and slow" false`' in reply.text
    # the example is kept: adding a negative one next makes training possible
    assert app.store.count_examples(app.store.active_dataset("g1")) == 4
    advised = await ask("train", '"dull and slow" false')
    assert advised.ok and advised.job_id is not None, advised.text
    await app.jobs.wait(advised.job_id)


async def test_test_reports_bad_json_where_it_broke(
    ask: Any, app: Assistant, reviews: Path
) -> None:
    reply = await ask("test", '["good", "bad",]')
    assert not reply.ok
    assert "column 16" in reply.text and "^" in reply.text
    assert "no active dataset yet" in (await ask("test", '["fine"]')).text
    await ask("select_dataset", "reviews")
    assert "**reviews** has no model yet" in (await ask("test", '["fine"]')).text
    assert not (await ask("test", "[1, 2]")).ok
    assert not (await ask("test", "{}")).ok


async def test_permissions_are_checked_before_any_work(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    for command, text in [
        ("train", '"x"'),
        ("archive", "reviews"),
        ("getfile", "reviews/positive/0000.txt"),
        ("select_dataset", "reviews"),
    ]:
        reply = await ask(command, text, user=GUEST)
        assert not reply.ok and "trainer" in reply.text, command
    assert app.store.active_dataset("g1") is None
    assert app.store.jobs("g1") == []
    assert not (app.config.data_root / "archives").exists()
    assert (await ask("getfile", "reviews/positive/0000.txt", user=TRAINER)).ok
    assert (await ask("hi", user=GUEST)).ok


async def test_changing_the_language_needs_its_role(app: Assistant, ask: Any) -> None:
    """`language ru` switched the whole server for any member; seeing the language stays open."""
    refused = await ask("language", "ru", user=GUEST)
    assert not refused.ok
    assert refused.text == "Sorry, `language` needs one of these roles: `trainer`."
    assert app.language("g1") == "en"
    assert app.store.guild_language("g1") is None
    shown = await ask("language", user=GUEST)
    assert shown.ok and shown.text.startswith("I speak English here (`en`).")
    assert (await ask("language", "ru", user=TRAINER)).ok
    assert app.language("g1") == "ru"
    refused = await ask("language", "en", user=GUEST)  # refused in the server's language
    assert refused.text == "Извините, для `language` нужна одна из ролей: `trainer`."
    assert app.language("g1") == "ru"


async def test_archive_zips_a_folder_within_limits(
    ask: Any, reviews: Path, make_config: Any
) -> None:
    reply = await ask("archive", "reviews")
    assert reply.ok, reply.text
    name = reply.data["archive"]
    assert name.startswith("archives/reviews-") and name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(reply.files[0].read())) as archive:
        assert len(archive.namelist()) == 300
    assert not (await ask("archive", "../")).ok


async def test_archive_limits(app: Assistant, ask: Any, reviews: Path) -> None:
    app.config.limits.archive_files = 10
    reply = await ask("archive", "reviews")
    assert not reply.ok and "300 files" in reply.text
    assert not list((app.config.data_root / "archives").glob("*.zip"))


async def test_getfile_sends_files_inside_the_root_only(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    reply = await ask("getfile", "reviews/positive/0001.txt")
    assert reply.ok and reply.files[0].read().decode() == sentences("positive", 2)[1]
    prefixed = await ask("getfile", "file:reviews/positive/0001.txt")  # as `train` takes it
    assert prefixed.ok and prefixed.files[0].read() == reply.files[0].read()
    (reviews / "my notes.txt").write_text("notes")
    quoted = await ask("getfile", 'file:"reviews/my notes.txt"')
    assert quoted.ok and quoted.files[0].read() == b"notes", quoted.text
    assert not (await ask("getfile", "file:../outside.txt")).ok
    assert not (await ask("getfile", "reviews")).ok
    app.config.limits.send_file_bytes = 3
    assert "I can send up to 3" in (await ask("getfile", "reviews/positive/0001.txt")).text


async def test_feedback_is_stored_and_listed_for_admins(app: Assistant, ask: Any) -> None:
    assert (await ask("feedback", "more voices please", user=GUEST)).ok
    rows = app.store.feedback("g1")
    assert rows[0].author_name == "gus" and rows[0].text == "more voices please"
    assert not (await ask("feedback", user=GUEST)).ok
    listing = await ask("feedback", user=ADMIN)
    assert "more voices please" in listing.text


async def test_correct_needs_a_known_reply(app: Assistant, ask: Any) -> None:
    assert "can't find" in (await ask("correct", "424242 negative")).text
    status = await ask("status")
    reply = await ask("correct", f"{ask.last_id} it said training twice")
    assert status.ok and reply.ok
    stored = app.store.corrections("g1")[0]
    assert stored.kind == "info" and stored.author_name == "ada" and stored.channel_id == "c1"


async def test_status_and_cancel(app: Assistant, ask: Any, reviews: Path) -> None:
    assert "none yet" in (await ask("status")).text
    assert "no training job" in (await ask("cancel")).text.lower()
    await ask("select_dataset", "reviews")
    started = await ask("train")
    cancelled = await ask("cancel")
    job = await app.jobs.wait(started.job_id)
    # The two honest answers: cancelled, or (the job saved its model before the cancel came,
    # as a fast fit on a warm worker can) already finished, naming the model it saved.
    model = app.store.latest_model("g1")
    if job.status == "succeeded":
        assert model is not None and model.version == job.model_version, model
        assert not cancelled.ok and cancelled.text == (
            f"Training job #{job.id} on **reviews** had already finished when the cancel came,"
            f" so nothing was cancelled: its model **{job.model_version}** is saved."
        )
        return
    assert cancelled.ok and cancelled.text == f"Cancelled training job #{job.id} on **reviews**."
    assert job.status == "cancelled" and model is None, (job, model)
    assert "cancelled" in (await ask("status")).text


async def test_two_cancels_at_once_cancel_the_job_once(app: Assistant, ask: Any) -> None:
    """Two cancels at once (a typed `cancel` and the Cancel button, say) while the training
    process works: one cancels the job, the other is told it is already being cancelled, and
    no model is made. (On the PostgreSQL queue, tests/test_training_queue.py.)"""
    fitting = asyncio.Event()

    def watch(event: JobEvent) -> None:
        if event.kind == "progress" and event.job.progress >= 0.05:  # the process reports
            fitting.set()

    app.jobs.subscribe(watch)
    job = await app.jobs.start(
        guild_id="g1",
        channel_id="c1",
        dataset="reviews",
        examples=noisy_examples(20_000, labels=2),  # more than a warm process fits at once
        requested_by="1",
    )
    await asyncio.wait_for(fitting.wait(), 60)
    answers = await asyncio.gather(ask("cancel"), ask("cancel"))
    assert [reply.text for reply in answers if reply.ok] == [
        f"Cancelled training job #{job.id} on **reviews**."
    ], answers
    assert [reply.text for reply in answers if not reply.ok] == [
        f"Training job #{job.id} is already being cancelled."
    ], answers
    assert (await app.jobs.wait(job.id)).status == "cancelled"
    assert app.store.latest_model("g1") is None


async def test_train_on_a_folder_keeps_its_labels_and_skips_repeats(
    app: Assistant, ask: Any, reviews: Path
) -> None:
    files = sorted(reviews.rglob("*.txt"))
    distinct = {(p.parent.name, p.read_text().strip()) for p in files}
    first = await ask("train", "folder:reviews")
    assert first.ok and f"Added {len(distinct)} examples (negative" in first.text, first.text
    assert f"{len(files) - len(distinct)} repeats within this request were skipped" in first.text
    assert "This adds the label `negative` from folder `negative/`" in first.text
    await app.jobs.wait(first.job_id)
    again = await ask("train", "reviews")  # a bare name that exists: the folder, said so
    assert f"{len(files) - len(distinct)} repeats within this request" in again.text
    assert f"{len(distinct)} repeats of examples already in the dataset" in again.text
    assert "`reviews` is a folder in the data folder" in again.text
    assert again.data["examples"] == first.data["examples"]


def test_every_voice_intent_names_a_command_and_its_parameters(app: Assistant) -> None:
    """The sentence templates and the command declarations cannot drift apart."""
    import re

    from assistant.intents.matcher import load_sentences

    for name, intent in load_sentences()["intents"].items():
        command = app.commands.get(name)
        assert command is not None, name
        params = {p.name for p in command.params}
        for data in intent["data"]:
            for sentence in data["sentences"]:
                for slot, renamed in re.findall(r"\{(\w+)(?::(\w+))?\}", sentence):
                    assert (renamed or slot) in params, (name, sentence)
