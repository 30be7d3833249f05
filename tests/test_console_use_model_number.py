"""`use_model 1` and `use_model v1`, the way people say "version 1": refused as no model `1` and
no model `v1`, though `models` listed v0001-… first of all; only `v0001` (or the whole name) was
taken."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.test_console_commands import refused_and_unchanged
from tests.test_console_data_fixes import trained


async def test_a_version_is_its_number_however_written(app: Assistant, reviews: Path) -> None:
    console, first = await trained(app)
    assert (await console.send('train "a second version"'))["ok"]
    await console.wait()

    def current() -> str:
        dataset = app.store.active_dataset("console")
        model = app.store.current_model(dataset) if dataset else None
        return model.version if model else ""

    for written in ("1", "v1", "V01", "#1", "v0001"):
        chosen = await console.send(f"use_model {written}")
        assert chosen["ok"], (written, chosen["text"])
        assert current() == first, written
        assert (await console.send("use_model 2"))["ok"]
    text = await refused_and_unchanged(app, console, "use_model v3")
    assert text == "**reviews** has no model `v3`; `models` lists them.", text
    text = await refused_and_unchanged(app, console, "use_model 1.5")
    assert text == "**reviews** has no model `1.5`; `models` lists them.", text
