"""Hostile and careless input through the commands: every one gets a clear refusal (never the
"something went wrong" apology), and a refusal changes nothing."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.messages import Attachment, Reply, Request
from tests.conftest import ADMIN
from tests.corpus import write_folder_dataset

APOLOGY = "something went wrong"

Ask = Callable[..., Any]


def refused(reply: Reply, *words: str) -> None:
    """A clear refusal: not ok, not the generic apology, and it says what is wrong."""
    assert not reply.ok, reply.text
    assert APOLOGY not in reply.text, reply.text
    for word in words:
        assert word.lower() in reply.text.lower(), reply.text


@pytest.fixture
def host_file(tmp_path: Path) -> Path:
    """A file outside the data root that must never be read through it."""
    path = tmp_path / "host-secret.txt"
    path.write_text("host secret: do not leak\n", encoding="utf-8")
    return path


# -- hard links ------------------------------------------------------------------------------------


async def test_a_hard_link_to_a_host_file_is_never_sent(
    ask: Ask, config: Config, host_file: Path
) -> None:
    os.link(host_file, config.data_root / "h.txt")
    reply = await ask("getfile", "h.txt")
    refused(reply, "hard link")
    assert not reply.files


async def test_a_hard_link_is_never_trained_on(
    ask: Ask, app: Assistant, config: Config, host_file: Path
) -> None:
    os.link(host_file, config.data_root / "h.txt")
    refused(await ask("train", "h.txt"), "hard link")
    assert all("host secret" not in text for text, _ in _stored_examples(app))


async def test_a_hard_link_inside_a_folder_refuses_train_archive_and_select(
    ask: Ask, app: Assistant, config: Config, host_file: Path
) -> None:
    folder = write_folder_dataset(config.data_root, per_label=10)
    os.link(host_file, folder / "positive" / "zz.txt")
    refused(await ask("train", "data_dir=reviews"), "hard link", "positive/zz.txt")
    refused(await ask("select_dataset", "reviews"), "hard link")
    refused(await ask("archive", "reviews"), "hard link")
    refused(await ask("archive", "."), "hard link")
    assert not (config.data_root / "archives").exists() or not any(
        (config.data_root / "archives").iterdir()
    )
    assert app.store.jobs("g1") == []


async def test_hard_links_are_read_when_the_config_allows_them(
    make_config: Callable[..., Config], host_file: Path
) -> None:
    config = make_config(allow_hard_links=True)
    app = Assistant(config)
    os.link(host_file, config.data_root / "h.txt")
    try:
        reply = await app.handle(
            Request(command="getfile", text="h.txt", user=ADMIN, guild_id="g", channel_id="c")
        )
        assert reply.ok and reply.files[0].read() == host_file.read_bytes()
    finally:
        await app.close()


# -- paths the file system itself refuses ----------------------------------------------------------


async def test_a_symlink_loop_at_the_top_of_the_data_root(ask: Ask, config: Config) -> None:
    write_folder_dataset(config.data_root, per_label=3)
    (config.data_root / "loop").symlink_to(config.data_root / "loop")
    refused(await ask("getfile", "loop"), "loop")
    refused(await ask("getfile", "loop/a.txt"), "loop")
    refused(await ask("select_dataset", "loop"), "loop")
    archived = await ask("archive", ".")
    assert archived.ok, archived.text  # the loop is skipped like any link that goes nowhere
    assert archived.data and archived.data["files"] == 6


async def test_a_name_over_the_file_system_limit(ask: Ask, config: Config) -> None:
    refused(await ask("getfile", "a" * 300 + ".txt"), "longer than the file system allows")
    write_folder_dataset(config.data_root, per_label=1)
    # `file:` names a path; a bare word that names nothing in the data folder is text
    refused(await ask("train", "file:reviews/" + "b" * 300 + ".txt"), "longer than the file system")
    refused(await ask("archive", "x/" + "c" * 300), "longer than the file system allows")


# -- attachments and files that lie ----------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _corrupt_member(data: bytes) -> bytes:
    """Flip a byte of the first member's compressed data (its CRC no longer matches)."""
    raw = bytearray(data)
    header = 30 + int.from_bytes(raw[26:28], "little") + int.from_bytes(raw[28:30], "little")
    raw[header + 2] ^= 0xFF
    return bytes(raw)


def _lying_sizes(data: bytes) -> bytes:
    """Declare every member as 5 bytes long, in the local header and the central directory."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = raw.find(signature)
        while start != -1:
            raw[start + offset : start + offset + 4] = (5).to_bytes(4, "little")
            start = raw.find(signature, start + 4)
    return bytes(raw)


def _encrypted_flag(data: bytes) -> bytes:
    """Mark the member encrypted (what a password-protected zip declares)."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = raw.find(signature)
        raw[start + offset] |= 0x1
    return bytes(raw)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_corrupt_member, ("damaged",)),
        (_lying_sizes, ("damaged",)),
        (_encrypted_flag, ("encrypted",)),
    ],
)
async def test_damaged_zip_members_are_refused_clearly(
    ask: Ask, app: Assistant, damage: Callable[[bytes], bytes], words: tuple[str, ...]
) -> None:
    text = "\n".join(f"a pleasant sentence number {i} " * 3 for i in range(200)).encode()
    data = damage(_zip({"texts.txt": text}))
    reply = await ask("train", attachments=[Attachment(filename="bad.zip", data=data)])
    refused(reply, "texts.txt", *words)
    assert _stored_examples(app) == []


async def test_a_csv_field_over_the_csv_limit(ask: Ask, app: Assistant) -> None:
    data = b"text,label\n" + b'"' + b"x" * 200_000 + b'",positive\n'
    refused(
        await ask("train", attachments=[Attachment(filename="big.csv", data=data)]),
        "big.csv",
        "not a valid CSV",
    )
    assert _stored_examples(app) == []


DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INTEGER = "1" * 5_000


async def test_json_nested_100000_deep(ask: Ask) -> None:
    refused(await ask("test", DEEP), "nested too deeply")
    jsonl = ('{"text": "fine", "label": ' + DEEP + "}\n").encode()
    refused(
        await ask("train", attachments=[Attachment(filename="deep.jsonl", data=jsonl)]),
        "`deep.jsonl` line 1",
        "nested too deeply",
    )


async def test_json_nested_just_under_the_recursion_limit(ask: Ask) -> None:
    refused(await ask("test", "[" * 900 + '"x"' + "]" * 900), "nested too deeply")


async def test_integers_over_pythons_digit_limit(ask: Ask) -> None:
    """Refused in our words: Python's own message tells the user to call an interpreter
    function."""
    reply = await ask("test", f'[{{"text": "x", "label": {HUGE_INTEGER}}}]')
    refused(reply, "4,300 digits")
    assert "sys." not in reply.text, reply.text
    jsonl = f'{{"text": "fine", "label": {HUGE_INTEGER}}}\n'.encode()
    reply = await ask("train", attachments=[Attachment(filename="n.jsonl", data=jsonl)])
    refused(reply, "4,300 digits")
    assert "sys." not in reply.text, reply.text


async def test_a_broken_jsonl_line_and_an_overlong_csv_text_say_where(ask: Ask) -> None:
    jsonl = b'{"text": "fine", "label": "p"}\n{"text": "a\x01b", "label": "p"}\n'
    reply = await ask("train", attachments=[Attachment(filename="b.jsonl", data=jsonl)])
    refused(reply, "`b.jsonl` line 2 is not valid JSON: Invalid control character (column")
    csv = b"text,label\n" + b"x" * 20_001 + b",positive\n"
    reply = await ask("train", attachments=[Attachment(filename="long.csv", data=csv)])
    refused(reply, "An example in `long.csv` line 2 has 20,001 characters")


async def test_lone_surrogates_in_json_strings(ask: Ask, app: Assistant) -> None:
    refused(await ask("test", '["\\ud800 alone"]'), "surrogate")
    jsonl = b'{"text": "\\udfff", "label": "positive"}\n'
    refused(
        await ask("train", attachments=[Attachment(filename="s.jsonl", data=jsonl)]), "surrogate"
    )
    assert _stored_examples(app) == []


# -- the machine fails -----------------------------------------------------------------------------


async def test_a_full_disk_says_so_and_saves_nothing(
    ask: Ask, app: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = app.store._db.execute("PRAGMA page_count")[0][0]
    app.store._db.execute(f"PRAGMA max_page_count = {pages}")  # the database cannot grow
    # ... through any connection: long writes open one of their own (a full disk stops them all).
    connect = sqlite3.connect

    def full(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", full)
    lines = "\n".join(f"example sentence {i} that fills a page or two " * 3 for i in range(3000))
    attachment = Attachment(filename="many.txt", data=lines.encode())
    reply = await ask("train", attachments=[attachment])
    refused(reply, "disk is full", "nothing was saved")
    assert "rollback" not in reply.text
    monkeypatch.setattr(sqlite3, "connect", connect)
    app.store._db.execute("PRAGMA max_page_count = 1073741823")
    assert _stored_examples(app) == []
    assert (await ask("feedback", "short and sweet")).ok


# -- small ones ------------------------------------------------------------------------------------


async def test_two_archives_of_one_folder_in_one_second_both_survive(
    ask: Ask, config: Config
) -> None:
    write_folder_dataset(config.data_root, per_label=3)
    first, second = await ask("archive", "reviews"), await ask("archive", "reviews")
    assert first.ok and second.ok
    assert first.data and second.data and first.data["archive"] != second.data["archive"]
    archives = sorted((config.data_root / "archives").iterdir())
    assert len(archives) == 2, archives
    assert all(zipfile.ZipFile(p).testzip() is None for p in archives)
    assert not [p for p in archives if p.suffix != ".zip"]  # no partial file left


async def test_control_characters_never_reach_archive_names(ask: Ask, config: Config) -> None:
    name = "evil\u202egnp.exe\x1b[31m\u200b"
    write_folder_dataset(config.data_root, name=name, per_label=2)
    reply = await ask("archive", name)
    assert reply.ok, reply.text
    (archive,) = (config.data_root / "archives").iterdir()
    assert archive.name.isprintable(), repr(archive.name)
    assert "\u202e" not in archive.name and "\x1b" not in archive.name


async def test_a_one_megabyte_correction_is_refused_quickly(ask: Ask) -> None:
    started = time.monotonic()
    reply = await ask("correct", "1 " + "x" * 1_000_000)
    refused(reply, "characters", "limit")
    assert time.monotonic() - started < 5


async def test_a_long_correction_under_the_limit_is_parsed_in_linear_time(ask: Ask) -> None:
    prediction = await ask("test", '["a sentence"]')
    assert not prediction.ok  # no model yet; still a reply of mine to correct
    started = time.monotonic()
    reply = await ask("correct", f"{ask.last_id} " + "x" * 900_000)
    assert reply.ok, reply.text
    assert time.monotonic() - started < 5  # tokenising the whole line took 48 s


async def test_feedback_has_a_length_limit_and_the_listing_is_bounded(
    ask: Ask, app: Assistant
) -> None:
    limit = app.config.limits.feedback_chars
    refused(await ask("feedback", "z" * 100_000), "feedback", f"{limit:,}")
    for _ in range(10):
        # rows stored before the limit existed can be long; the listing still stays small
        app.store.add_feedback(
            guild_id="g1", channel_id="c1", author_id="9", author_name="old", text="y" * 50_000
        )
    listing = await ask("feedback")
    assert listing.ok
    assert len(listing.text) < 5_000
    assert len(json.dumps(listing.data)) < 5_000


def _stored_examples(app: Assistant) -> list[tuple[str, str]]:
    return [
        (text, label) for d in app.store.datasets("g1") for text, label in app.store.examples(d)
    ]


@pytest.mark.parametrize(
    "member", ["../evil.txt", "/abs/evil.txt", "..\\evil.txt", "link.txt (a symbolic link)"]
)
async def test_a_zip_member_outside_its_zip_is_refused(
    ask: Ask, app: Assistant, config: Config, member: str
) -> None:
    """A member's folder becomes its label: `../x.txt` would add the label `..`, and a
    link's content is the path it points to. The whole zip is refused; nothing is stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pos/fine.txt", b"a perfectly fine sentence")
        if member.endswith("(a symbolic link)"):
            info = zipfile.ZipInfo("pos/link.txt")
            info.external_attr = (0o120777) << 16  # S_IFLNK
            archive.writestr(info, b"/etc/passwd")
        else:
            archive.writestr(member, b"a sentence from outside")
    before = sorted(p.name for p in config.data_root.rglob("*"))
    reply = await ask("train", attachments=[Attachment(filename="x.zip", data=buffer.getvalue())])
    refused(reply, "x.zip", "outside its zip")
    assert _stored_examples(app) == []
    assert sorted(p.name for p in config.data_root.rglob("*")) == before


@pytest.mark.parametrize("label", ["..", "a\u202eb", "tick`tock", "метка`x"])
async def test_a_label_that_cannot_be_shown_is_refused(
    ask: Ask, app: Assistant, label: str
) -> None:
    reply = await ask("train", f'"a fine sentence" label:"{label}"')
    refused(reply, "cannot be a label")
    assert _stored_examples(app) == []


async def test_a_quoted_label_and_several_quoted_texts(ask: Ask, app: Assistant) -> None:
    """`label:"two words"` is the label `two words`; two quoted texts in one `train` are two
    examples (they were stored with their quotes as one, then refused); one empty among them
    is refused and stores neither."""
    reply = await ask("train", '"one example" ""')
    refused(reply, "Give a text in quotes")
    assert _stored_examples(app) == []
    reply = await ask("train", '"one example" "another example"')
    assert reply.ok, reply.text
    assert sorted(_stored_examples(app)) == [
        ("another example", "positive"),
        ("one example", "positive"),
    ]
    reply = await ask("train", '"a fine sentence" label:"two words"')
    assert reply.ok, reply.text
    assert ("a fine sentence", "two words") in _stored_examples(app)


async def test_an_empty_quoted_text_is_refused_not_a_retrain(ask: Ask, app: Assistant) -> None:
    for text in ('""', '"   "'):
        reply = await ask("train", text)
        refused(reply, "Give a text in quotes")
        assert reply.job_id is None


@pytest.mark.parametrize("name", ["empty.txt", "empty.jsonl", "blank.csv"])
async def test_an_attachment_with_no_examples_says_so(ask: Ask, app: Assistant, name: str) -> None:
    data = b"text,label\n" if name.endswith(".csv") else b"\n  \n"
    reply = await ask("train", attachments=[Attachment(filename=name, data=data)])
    refused(reply, f"`{name}` holds no examples")
    assert reply.job_id is None and _stored_examples(app) == []


async def test_a_refused_label_is_shown_with_only_its_bad_characters_escaped(ask: Ask) -> None:
    reply = await ask("train", '"a fine sentence" label:"метка`x"')
    refused(reply, "`метка\\u0060x` cannot be a label")


async def test_joiners_are_part_of_real_labels(ask: Ask, app: Assistant) -> None:
    """Zero-width joiners are format characters, but emoji and Persian words need them."""
    for label in ("👩\u200d💻", "می\u200cخواهم"):
        assert (await ask("train", f'"a fine sentence for {label}" label:"{label}"')).ok
    assert {label for _, label in _stored_examples(app)} == {"👩\u200d💻", "می\u200cخواهم"}


async def test_a_job_number_is_never_dropped_by_reading_a_sentence(ask: Ask) -> None:
    """`!cancel job 5` is no near sentence "cancel the job" (which cancels whatever runs): a
    number has no slot there, so the words stay the command's arguments, and are refused."""
    for line in ("job 5", "the job 4", "training 4"):
        reply = await ask("cancel", line)
        refused(reply, "job")
        assert "No training job is running" not in reply.text, (line, reply.text)


async def test_a_correction_of_an_item_five_thousand_digits_long(
    ask: Ask, app: Assistant, config: Config
) -> None:
    folder = write_folder_dataset(config.data_root, per_label=10)
    assert (await ask("select_dataset", folder.name)).ok
    started = await ask("train")
    assert started.job_id is not None, started.text
    await app.jobs.wait(started.job_id)
    assert (await ask("test", '["a sentence"]')).ok
    reply = await ask("correct", f"{ask.last_id} {'9' * 5000} negative")
    refused(reply, "there is no item 9999")


async def test_a_label_from_two_files_is_not_counted_as_the_first_files(ask: Ask) -> None:
    first = Attachment(filename="a.csv", data=b"text,label\nfirst fine one,good\n")
    second = Attachment(filename="b.csv", data=b"text,label\nsecond fine one,good\nthird,good\n")
    await ask("create_dataset", "two")
    reply = await ask("train", attachments=[first, second])
    assert reply.text.startswith(
        "This adds the label `good` from the `label` column of `a.csv` and 1 more: 3 examples."
    ), reply.text
