"""Every command form the in-app guide shows runs, exactly as written, through the console."""

from __future__ import annotations

import re
from pathlib import Path

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
    "examples",
    "relabel #12 negative",
    "remove #12",
    "undo",
    "export",
    "models",
    "rollback",
    "use_model v0003",
]


def guide_forms() -> set[str]:
    """Inline code in the guide that starts with a command name and has no <placeholder>."""
    text = i18n.guide(i18n.ENGLISH)
    app_names = {"select_dataset", "create_dataset", "train", "test", "correct", "examples"}
    app_names |= {"relabel", "remove", "undo", "export", "models", "rollback", "use_model"}
    app_names |= {"status", "cancel", "feedback", "help", "instruction"}
    spans = re.findall(r"`([^`]+)`", text)
    return {s for s in spans if s.split()[0] in app_names and "<" not in s}


def test_the_script_covers_every_form_in_the_guide() -> None:
    assert guide_forms() <= set(SCRIPT), guide_forms() - set(SCRIPT)


async def test_every_form_in_the_guide_works(app: Assistant, tmp_path: Path) -> None:
    write_walkthrough_files(tmp_path)
    console = ConsoleTransport(app, json_mode=True)
    for line in SCRIPT:
        if line == "wait":
            await console.wait_for_jobs()
            continue
        if line.startswith("test ["):
            # the guide's reply number: the request takes #86, the reply #87
            console._next_id = 85  # ids only ever grow: jump ahead to the guide's number
        request = console.request_for(line)
        reply = await app.handle(request)
        reply_id = console.show(reply, command=request.command)
        assert reply.ok, (line, reply.text)
        if line.startswith('test ["a great story"'):
            assert reply_id == "87"
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None and dataset.name == "tickets"
    current = app.store.current_model(dataset)
    assert current is not None and current.version.startswith("v0003")
    fixes = app.store.corrections(GUILD, "prediction", dataset_id=dataset.id)
    assert [(c.original, c.correction) for c in fixes] == [("boring", "negative")]
