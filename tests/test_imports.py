"""Each module of the product imports on its own, whichever is imported first: an import cycle
only shows with one order (`import audio.decision` first failed on `assistant.i18n` importing
`assistant.intents.matcher` half made, which stopped the voice benchmark while the bot, the
console and every test, importing `assistant.i18n` earlier, worked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "audio", "states", "transports")

CHECK = """
import importlib, sys, traceback
ours = {packages!r}
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours or m == "bot"]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
"""


def modules() -> list[str]:
    found = ["bot"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_imports_first() -> None:
    """One interpreter; before each module, every module of ours is forgotten (third-party
    ones stay loaded, so the whole walk takes seconds, not a process start each)."""
    names = modules()
    assert len(names) > 100, names
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(packages=PACKAGES), *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "", done.stdout
