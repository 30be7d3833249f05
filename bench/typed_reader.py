"""The bot's reader of typed lines, for the benches that hear through `Hearer.local`.

The bot reads the neural model's words after the wake phrase as it reads a typed line
(assistant/reading.py `Reader.heard`); a bench measures that path only with the same reader,
built here on a dry-run `Assistant` whose data root holds the bench's names.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from assistant import i18n
from assistant.app import Assistant
from assistant.config import load_config
from audio.hearing import ReadWords


@contextlib.asynccontextmanager
async def typed_reader(folders: list[str], files: list[str]) -> AsyncIterator[ReadWords]:
    """`Reader.heard` of an Assistant whose data root holds `folders` and `files`."""
    with tempfile.TemporaryDirectory(prefix="bench-reader-") as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
        for name in folders:
            (root / "data" / name).mkdir(parents=True, exist_ok=True)
        for name in files:
            (root / "data" / name).write_text("a file the bench names\n")
        assistant = Assistant(load_config(root / "config.yaml"), dry_run=True)
        await assistant.start()
        # The bot learns what a line's words say as its voice starts (states/parts.py); a
        # reading never waits for it (`learned_only`), so here it is learned before any.
        await asyncio.to_thread(assistant.reading.guesser, i18n.ENGLISH)
        try:
            yield assistant.reading.heard
        finally:
            await assistant.close()
