"""Every command form the in-app guide shows runs, exactly as written, through the console, in
English and in Russian (the Russian guide: the same sections and examples, in a Russian server)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import i18n
from assistant.app import Assistant
from tests.walkthrough_files import write_walkthrough_files
from transports.console import GUILD, ConsoleTransport

SCRIPT = [
    "select_dataset",
    "select_dataset reviews",
    "create_dataset tickets",
    'train "what a lovely film"',
    'train "dull and slow" false',
    'train "I was charged twice this month" label:billing',
    "train file:tickets.csv",
    "wait",
    "train folder:reviews",
    "wait",
    "train",
    "wait",
    "status",
    "train",
    "cancel",
    'test ["a great story", "boring"]',  # shown as reply #87
    'test [{"text": "a great story", "label": "positive"}]',
    "correct #87 2 negative",
    "correct negative",  # my last prediction: the labelled one-item test above
    "test reviews",
    "examples",
    "relabel #12 negative",
    "remove #12",
    "undo",
    "export",
    "models",
    "rollback",
    "use_model v0003",
]


RUSSIAN = {
    'train "what a lovely film"': 'train "какой чудесный фильм"',
    'train "dull and slow" false': 'train "скучно и медленно" false',
    'train "I was charged twice this month" label:billing': (
        'train "с меня дважды списали деньги в этом месяце" label:billing'
    ),
    'test ["a great story", "boring"]': 'test ["отличная история", "скукота"]',
    'test [{"text": "a great story", "label": "positive"}]': (
        'test [{"text": "отличная история", "label": "positive"}]'
    ),
    "train file:tickets.csv": "train файл:tickets.csv",  # the language's words for them
    "train folder:reviews": "train папка:reviews",
}
"""The Russian guide's examples: the same commands, Russian sentences."""
RUSSIAN_SCRIPT = ["language ru", *(RUSSIAN.get(line, line) for line in SCRIPT)]
RUSSIAN_PHRASES = {"выбери набор reviews": "select_dataset", "начни обучение": "train"}
RUSSIAN_PHRASES["какой статус"] = "status"
"""The free-text sentences the Russian guide shows, typed as they are written there."""


def guide_forms(language: str = i18n.ENGLISH) -> set[str]:
    """Inline code in the guide that starts with a command name and has no <placeholder>."""
    text = i18n.guide(language)
    app_names = {"select_dataset", "create_dataset", "train", "test", "correct", "examples"}
    app_names |= {"relabel", "remove", "undo", "export", "models", "rollback", "use_model"}
    app_names |= {"status", "cancel", "feedback", "help", "instruction", "language"}
    spans = re.findall(r"`([^`]+)`", text)
    return {s for s in spans if s.split()[0] in app_names and "<" not in s}


def outline(language: str) -> list[str]:
    """The guide's headings and numbered steps, by number: what both languages share."""
    return re.findall(r"^(#+|\d+\.) ", i18n.guide(language), re.MULTILINE)


def test_the_script_covers_every_form_in_the_guide() -> None:
    assert guide_forms() <= set(SCRIPT), guide_forms() - set(SCRIPT)


def test_the_russian_guide_has_the_english_sections_and_examples() -> None:
    assert outline("ru") == outline(i18n.ENGLISH)
    russian = guide_forms("ru") - {"language en", "language ru"}
    assert russian == {RUSSIAN.get(form, form) for form in guide_forms()}
    assert all(f"«{phrase}»" in i18n.guide("ru") for phrase in RUSSIAN_PHRASES)


def holding_here(app: Assistant) -> Callable[[bool], None]:
    """Hold this process's training jobs at their start, as a busy machine would: the guide's
    retrain of unchanged examples reuses the last fit (milliseconds) and, with both cores busy,
    finished before `cancel` was read (CI saw "had already finished when the cancel came")."""
    gate = asyncio.Event()
    backend = app.jobs.backend
    run = backend.run

    async def held_run(*args: Any) -> Any:
        cancelled: asyncio.Event = args[-1]  # here `cancel` waits for the job to stop
        waits = [asyncio.ensure_future(event.wait()) for event in (gate, cancelled)]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
        return await run(*args)

    def hold(paused: bool) -> None:
        if paused:
            gate.clear()
            backend.run = held_run  # type: ignore[method-assign,assignment]
        else:
            gate.set()

    return hold


async def test_every_form_in_the_guide_works(app: Assistant, tmp_path: Path) -> None:
    await run_guide(app, tmp_path, SCRIPT, hold_jobs=holding_here(app))


async def test_every_form_in_the_russian_guide_works_in_a_russian_server(
    app: Assistant, tmp_path: Path
) -> None:
    replies = await run_guide(app, tmp_path, RUSSIAN_SCRIPT, hold_jobs=holding_here(app))
    assert replies[0].startswith("Теперь я говорю здесь по-русски.")
    assert "Задача обучения #4 на **tickets** отменена." in replies, replies
    console = ConsoleTransport(app, json_mode=True)
    for phrase in RUSSIAN_PHRASES:
        request = app.reading.understand(phrase, user=console.user, guild_id=GUILD, channel_id="c")
        assert request is not None and request.command == RUSSIAN_PHRASES[phrase], phrase
    for line in ["language en", "language ru"]:
        reply = await app.handle(console.request_for(line))
        assert reply.ok and reply.data and reply.data["language"] == line.split()[1]


async def run_guide(
    app: Assistant,
    tmp_path: Path,
    script: list[str],
    hold_jobs: Callable[[bool], None] | None = None,
) -> list[str]:
    """Run the guide's script as typed in the console; the replies' texts. `hold_jobs(True)`
    before the `train` that `cancel` follows, `hold_jobs(False)` after the `cancel`: where jobs
    run in another process, retraining identical examples (a reused fit, milliseconds) would
    otherwise finish before `cancel` arrives."""
    write_walkthrough_files(tmp_path)
    console = ConsoleTransport(app, json_mode=True)
    texts = []
    for index, line in enumerate(script):
        holding = hold_jobs is not None and script[index + 1 : index + 2] == ["cancel"]
        if holding and hold_jobs is not None:
            hold_jobs(True)
        if line == "wait":
            await console.wait_for_jobs()
            continue
        if line.startswith("test ["):
            # the guide's reply number: the request takes #86, the reply #87
            console._next_id = 85  # ids only ever grow: jump ahead to the guide's number
        request = console.request_for(line)
        reply = await app.handle(request)
        reply_id = console.show(reply, command=request.command)
        texts.append(reply.text)
        if line == "cancel" and hold_jobs is not None:
            hold_jobs(False)
            # The queue's worker ends the cancelled job when it wakes; nothing is shown then
            # (the reply to `cancel` said it), and nothing may take the guide's next number.
            job = await app.jobs.wait(reply.data["job_id"] if reply.data else 0)
            assert job.status == "cancelled" and console._next_id == int(reply_id), job
        assert reply.ok, (line, reply.text)
        if line.startswith('test ["a great story"'):
            assert reply_id == "87"
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None and dataset.name == "tickets"
    current = app.store.current_model(dataset)
    assert current is not None and current.version.startswith("v0003")
    fixes = app.store.corrections(GUILD, "prediction", dataset_id=dataset.id)
    # item 2 of reply #87, then the labelled test's one item (`correct negative` alone)
    assert sorted((c.original, c.correction) for c in fixes) == sorted(
        [("boring", "negative"), ("a great story", "negative")]
        if script is SCRIPT
        else [("скукота", "negative"), ("отличная история", "negative")]
    ), fixes
    return texts
