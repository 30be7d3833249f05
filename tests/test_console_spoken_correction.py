"""A correction said in the console's voice channel: "hey trainer, correct that to negative"
was heard right (the voice grammar has the sentence) and answered with `correct`'s usage, as
it named no reply. It corrects my last prediction in the channel, as typed "correct negative"
does."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.consoles import run_checked
from tests.corpus import write_folder_dataset
from tests.speech import join, speak, write_wav

ROOT = Path(__file__).resolve().parents[1]


def test_a_spoken_correction_corrects_my_last_prediction(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("data_root: data\nstate_dir: state\n")
    write_folder_dataset(tmp_path / "data")
    said = write_wav(tmp_path / "fix.wav", join(speak("hey trainer, correct that to negative")))
    script = "\n".join(
        [
            "select_dataset reviews",
            "train",
            "wait",
            'test ["what a lovely film"]',
            "join",
            f"say {said}",
            "leave",
            "",
        ]
    )
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    out = run_checked(command, tmp_path, script, TERM="dumb")
    assert "Usage: `correct" not in out, out
    assert "Noted for dataset **reviews**: “what a lovely film” is **negative**" in out, out
