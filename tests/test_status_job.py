"""`status 3`, after "Job #3" was announced, was refused ("Too many arguments. Usage:
`status`"): it shows that job alone, as `status` lists it, with the model a finished job made;
a job that is not there, or is another server's, is said to be none."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged
from transports.console import GUILD


async def test_status_of_one_job(app: Assistant, reviews: Path) -> None:
    console = TypedConsole(app)
    for line in ("select_dataset reviews", "train", "wait"):
        assert (await console.send(line))["ok"], line
    job = app.store.jobs(GUILD)[0]
    reply = await console.send(f"status {job.id}")
    assert reply["ok"] and reply["text"].startswith(
        f"job #{job.id} on **reviews** (sklearn): succeeded"
    ), reply
    # and the model it made: the job's result, for one who missed its announcement
    assert f"\nmodel **{job.model_version}** on **reviews**" in reply["text"], reply
    assert "accuracy" in reply["text"], reply
    assert (await console.send(f"status #{job.id}"))["text"] == reply["text"]
    assert await refused_and_unchanged(app, console, "status 99") == "There is no job 99."
    assert (await console.send("language ru"))["ok"]
    reply = await console.send(f"status {job.id}")
    assert reply["ok"] and reply["text"].startswith(f"задача #{job.id}"), reply
