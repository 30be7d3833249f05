"""Every command answers a Russian server in Russian: its successes, refusals and errors.

One console session (pipe mode, as a user scripts it) walks every command in a server switched to
Russian; any reply holding an English sentence fails the test."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import yaml

from assistant import i18n
from assistant.commands import REGISTRY, load_all
from tests.consoles import make_workdir, run_console
from tests.corpus import sentences

CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
QUOTED = re.compile(r"\*\*[^*\n]*\*\*|“[^”\n]*”|«[^»\n]*»|\"[^\"\n]*\"|'[^'\n]*'")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")
"""Three English words in a row outside code, names and quotes: an untranslated sentence."""


def english_in(text: str) -> list[str]:
    """The English word runs of a reply, once code spans, bold names and quotes are removed."""
    return ENGLISH_RUN.findall(QUOTED.sub(" ", CODE.sub(" ", text)))


def test_the_check_finds_english_and_passes_russian() -> None:
    assert english_in("Training started on **reviews**: 40 examples.") == ["Training started on"]
    assert english_in(i18n.message("ru", "train.too_few", min=4, count=1)) == []
    assert english_in("Модель **v0001** (sklearn): точность 90.0%, macro F1 88.0%") == []


WALK = [
    "language ru",
    "hi",
    "help",
    "help train",
    "help nothing_here",
    "instruction",
    "status",
    "select_dataset",
    "create_dataset bad name!",
    "create_dataset заметки",
    "create_dataset notes-ru",
    "create_dataset notes-ru",
    "examples",
    'train "отличный фильм"',
    'train "скучный фильм" false',
    "examples",
    "relabel #1 negative",
    "relabel #1 negative",
    "relabel #x negative",
    "remove #99",
    "remove #1",
    "undo",
    "undo",
    "export",
    "export jsonl",
    "export xml",
    "models",
    "rollback",
    "test",
    "select_dataset nowhere",
    "select_dataset ../etc",
    "select_dataset reviews",
    "train",
    "wait",
    "status",
    "models",
    "use_model v0001",
    "use_model v9999",
    "rollback",
    "test",
    'test ["what a lovely film", {"text": "dull and tedious", "label": "negative"}]',
    "test [oops",
    "test 5",
    "correct 12345 negative",
    "correct",
    "cancel",
    "cancel 99",
    "feedback",
    "feedback Отличный бот",
    "archive reviews",
    "getfile nothing.txt",
    "getfile /etc/passwd",
    "train positive=maybe",
    "examples page=two",
    "frobnicate",
    "language xx",
    "say nothing.wav",
    "train +attach nowhere.csv",
]


def test_every_command_answers_a_russian_server_in_russian(tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    output = run_console(workdir, "\n".join(WALK) + "\n", "--json")
    replies: list[dict[str, Any]] = [json.loads(line) for line in output.splitlines()]
    assert len(replies) >= len(WALK) - 1  # `wait` answers nothing of its own
    walked = {r["command"] for r in replies if r.get("command")}
    load_all()
    assert {c.name for c in REGISTRY.all()} - walked <= {"join", "leave"}, walked
    english = {
        f"{r.get('command')}: {r['text'][:120]}": found
        for r in replies
        for found in [english_in(r["text"]) + english_in(r["speech"] or "")]
        if found
    }
    assert not english, json.dumps(english, ensure_ascii=False, indent=1)
    refused = [r for r in replies if not r["ok"]]
    assert len(refused) >= 20  # the refusals were walked too, not only the successes
    finished = [r for r in replies if r["kind"] == "job"]
    assert finished and finished[0]["text"].startswith("✅ Задача обучения #1 завершена")


def test_every_english_message_has_its_own_russian_wording() -> None:
    """Every English key in the Russian catalog (a missing key would fall back to English), each
    Russian text differs from the English one unless it holds no words at all, and it fills in
    no field that the code does not give (it may leave one out: "по-русски" needs no `{name}`);
    a Russian plural form English has not (`key.few`) fills in those of English's `key`."""
    english = yaml.safe_load((i18n.LOCALES / "en" / "messages.yaml").read_text("utf-8"))
    russian = yaml.safe_load((i18n.LOCALES / "ru" / "messages.yaml").read_text("utf-8"))
    assert set(russian) >= set(english)
    same = [k for k in english if russian[k] == english[k] and english_in(str(english[k]))]
    assert not same
    for key, text in russian.items():
        given = english.get(key, english.get(key.rpartition(".")[0]))
        fields = set(re.findall(r"(?<!\{)\{(\w+)\}", str(given)))
        assert set(re.findall(r"(?<!\{)\{(\w+)\}", str(text))) <= fields, key


def catalog_examples(language: str) -> list[str]:
    """Commands the replies of `language` show as examples (inline code with arguments and no
    placeholder such as `<name>`, `NAME` or `#N`)."""
    load_all()
    names = {c.name for c in REGISTRY.all()}
    found: set[str] = set()
    for text in i18n.catalog(language).values():
        for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL)):
            words = span.split()
            placeholder = re.search(r"[<{]|\b[A-ZА-Я]{2,}\b|#N", span)
            if len(words) > 1 and words[0] in names and not placeholder:
                found.add(span)
    return sorted(found)


def test_the_examples_in_replies_work_as_written(tmp_path: Path) -> None:
    """The hints in replies (`train "прекрасный фильм"`, `test ["отличный фильм"]`...) run, in
    both languages, exactly as the replies show them."""
    workdir = make_workdir(tmp_path)
    (workdir / "data" / "reviews.csv").write_text("text,label\nloved it,positive\nawful,negative\n")
    # the file `train +attach notes.txt` sends from the user's own folder
    (workdir / "notes.txt").write_text("what a lovely film\n", encoding="utf-8")
    examples = {code: catalog_examples(code) for code in ("en", "ru")}
    assert 'train "прекрасный фильм"' in examples["ru"] and 'test ["great film"]' in examples["en"]
    script = ["select_dataset reviews", "train", "wait"]
    for code, lines in examples.items():
        script.append(f"language {code}")
        for line in lines:
            script += [line, "wait"]  # each `train` starts a job: the next waits for it
    output = run_console(workdir, "\n".join(script) + "\n", "--json")
    replies = {r["command"]: r for r in map(json.loads, output.splitlines()) if r.get("command")}
    ran = [json.loads(line) for line in output.splitlines()]
    refused = [r["text"] for r in ran if not r["ok"]]
    assert not refused, refused
    assert replies["test"]["kind"] == "prediction"


def test_a_russian_server_writes_numbers_the_russian_way(tmp_path: Path) -> None:
    """Replies to a Russian server wrote "примеров: 1,200" and "точность 87.5%", English
    grouping and decimal point: a Russian reader takes "1,200" for one and a fifth. Numbers are
    now grouped with a no-break space and decimals take a comma ("1 200", "87,5 %"), in the
    replies, their tables and a job's progress; an English server keeps "1,200" and "87.5%"."""
    workdir = make_workdir(tmp_path)
    rows = [
        (f"{text}, review {index}", label)
        for label in ("positive", "negative")
        for index, text in enumerate(sentences(label, 600))
    ]
    with (workdir / "data" / "big.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([("text", "label"), *rows])
    script = ["language ru", "create_dataset big", "train file:big.csv", "wait", "status", "test"]
    output = run_console(
        workdir, "\n".join([*script, "language en", "status", "test"]) + "\n", "--json"
    )
    replies = [json.loads(line) for line in output.splitlines()]
    said = {(r.get("command"), n): r["text"] for n, r in enumerate(replies)}
    train, ru_status, ru_test, en_status, en_test = (
        text for (command, _), text in said.items() if command in ("train", "status", "test")
    )
    assert "Добавлено примеров: 1\u00a0200 (negative 600, positive 600)." in train, train
    assert "началось, примеров: 1\u00a0200" in train, train
    assert "примеров: 1\u00a0200" in ru_status and "1,200" not in ru_status, ru_status
    for russian in (ru_status, ru_test):
        assert re.search(r"\b\d{1,3},\d\u00a0%", russian), russian
        assert not re.search(r"\d%", russian), russian  # no "87.5%", no "87,5%"
    assert re.search(r"\b\d{1,3}\.\d%", en_test) and "1,200" in en_status, (en_status, en_test)
