"""What every start would compute the same way is made once and kept in the user's cache folder
(assistant/kept.py): the command classifier behind "Did you mean" and the words' vote, and the
typed index of every template sentence. The console never ends while it is still learning (a
process that did aborted: "terminate called without an active exception")."""

from __future__ import annotations

import pickle
import stat
import sys
import time
from pathlib import Path

from tests.consoles import ROOT, make_workdir, run_checked
from tests.speech import speak, write_wav

GUESSED = "does the model work well for me"


def _console(workdir: Path, cache: Path, script: str, *flags: str) -> str:
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    return run_checked([*command, *flags], workdir, script, TRAINER_CACHE_DIR=str(cache))


def _workdir(tmp_path: Path) -> Path:
    (tmp_path / "bot").mkdir()
    return make_workdir(tmp_path / "bot")


def _kept(cache: Path, kind: str = "guesser") -> list[Path]:
    return sorted(cache.glob(f"{kind}-*.pickle"))


def test_the_classifier_is_learned_once_kept_and_learned_again_when_spoiled(
    tmp_path: Path,
) -> None:
    workdir, cache = _workdir(tmp_path), tmp_path / "cache"
    first = _console(workdir, cache, GUESSED + "\n")
    assert "Did you mean `test`?" in first, first
    [kept] = _kept(cache)
    assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0  # no one else reads or writes it
    learned_as = kept.stat().st_ino  # written anew is a new file (renamed over it)
    good = kept.read_bytes()
    # The second run loads it (the file is not written again) and guesses the same.
    second = _console(workdir, cache, GUESSED + "\n")
    assert "Did you mean `test`?" in second, second
    assert _kept(cache) == [kept] and kept.stat().st_ino == learned_as
    # One that anyone could have put code in is never loaded: learned again and kept anew
    # (a fit is not byte-for-byte the same each time). A cut file: test below.
    kept.write_bytes(b"not a model")
    kept.chmod(0o666)
    shown = _console(workdir, cache, GUESSED + "\n")
    assert "Did you mean `test`?" in shown, shown
    relearned = pickle.loads(kept.read_bytes())
    assert list(relearned.classes_) == list(pickle.loads(good).classes_)
    assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0


def test_a_kept_file_that_is_cut_or_foreign_is_not_loaded(tmp_path: Path, monkeypatch) -> None:
    """`load` answers None (so the caller makes it again, as above) for a file cut short, one
    others can write, or one in a folder others can write; a good one loads."""
    from assistant import kept

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path / "cache"))
    kept.store("guesser", "g", {"model": list(range(1000))})
    path = tmp_path / "cache" / "guesser-g.pickle"
    good = path.read_bytes()
    assert kept.load("guesser", "g") == {"model": list(range(1000))}
    path.write_bytes(good[: len(good) // 2])
    assert kept.load("guesser", "g") is None
    path.write_bytes(good)
    path.chmod(0o666)
    assert kept.load("guesser", "g") is None
    path.chmod(0o600)
    (tmp_path / "cache").chmod(0o777)
    assert kept.load("guesser", "g") is None
    (tmp_path / "cache").chmod(0o700)
    assert kept.load("guesser", "g") == {"model": list(range(1000))}


def test_a_console_that_ends_while_learning_waits_for_it_and_exits_cleanly(
    tmp_path: Path,
) -> None:
    # Voice starts learning in the background at once; `say` of one short file ends well
    # before the learning would (about 4 s of CPU). Exit waits for it: return code 0, and the
    # model is kept, which a process that left it behind never wrote.
    workdir, cache = _workdir(tmp_path), tmp_path / "cache"
    wav = write_wav(tmp_path / "status.wav", speak("hey trainer, status"))
    shown = _console(workdir, cache, f"say {wav}\n")
    assert "heard you: status" in shown, shown
    assert len(_kept(cache)) == 2  # the typed hint's and the words' vote's (voice words)


def test_the_typed_index_is_made_once_and_kept(tmp_path: Path) -> None:
    """A line no template reads is snapped to the nearest template sentence; enumerating them
    all took 2 s of CPU in the first such reply of every start."""
    workdir, cache = _workdir(tmp_path), tmp_path / "cache"
    typo = "shwo me the staus\n"  # read through the typed index: near "show me the status"
    first = _console(workdir, cache, typo)
    assert "Jobs: none." in first, first
    [kept] = _kept(cache, "typed-index")
    assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0
    made_as = kept.stat().st_ino
    second = _console(workdir, cache, typo)
    assert "Jobs: none." in second, second
    assert _kept(cache, "typed-index") == [kept] and kept.stat().st_ino == made_as
    # one that someone else could have written is never loaded: made again
    kept.chmod(0o666)
    kept.write_bytes(b"not an index")
    third = _console(workdir, cache, typo)
    assert "Jobs: none." in third, third
    assert kept.read_bytes() != b"not an index" and stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0


def test_a_kept_thing_is_named_by_the_code_that_made_it(tmp_path: Path) -> None:
    """A checkout whose code changed never loads what the older code made."""
    from assistant import kept

    older, newer, same = (tmp_path / name for name in ("older", "newer", "same"))
    for folder, code in ((older, "A = 1\n"), (newer, "A = 2\n"), (same, "A = 1\n")):
        folder.mkdir()
        (folder / "module.py").write_text(code)
    before = kept.key("templates", ["hassil"], older)
    assert kept.key("templates", ["hassil"], same) == before  # the same code in another checkout
    assert kept.key("templates", ["hassil"], newer) != before
    assert kept.key("other templates", ["hassil"], older) != before


def test_only_the_last_used_few_of_a_kind_are_kept(tmp_path: Path, monkeypatch) -> None:
    """Every upgrade names what it keeps anew; the old files would pile up (12 MB each)."""
    import os

    from assistant import kept

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path))
    for n in range(kept.KEEP):
        kept.store("typed-index", f"v{n}", [n])
        os.utime(tmp_path / f"typed-index-v{n}.pickle", (n, n))  # v0 the oldest
    kept.store("guesser", "g", {"other": "kind"})
    assert kept.load("typed-index", "v0") == [0]  # loading makes it the last used
    kept.store("typed-index", "new", ["new"])
    left = sorted(p.name for p in tmp_path.glob("*.pickle"))
    assert left == [
        "guesser-g.pickle",
        "typed-index-new.pickle",
        "typed-index-v0.pickle",
        "typed-index-v2.pickle",
        "typed-index-v3.pickle",
    ], left


async def test_closing_waits_for_a_learner_that_reads_the_store(config) -> None:
    """A learner started beside start-up reads the guild's language from the store; a short
    `simulate` closed the store under it ("learning the commands' words ... failed", with a
    traceback, after the answer). Closing waits for it."""
    import threading

    from assistant.app import Assistant
    from assistant.heap import build_in_background

    app = Assistant(config)
    await app.start()
    started, read = threading.Event(), []

    def learn() -> None:
        started.set()
        time.sleep(0.5)  # learning
        read.append(app.store.guild_language("console"))

    build_in_background(learn, "learn-test")
    started.wait(10)
    await app.close()
    assert read == [None]  # it read the store, open to the end
