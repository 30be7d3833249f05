"""What every start would compute the same way is made once and kept in the user's cache folder
(assistant/kept.py): the command classifier behind "Did you mean" and the words' vote, and the
typed index of every template sentence. The console never ends while it is still learning (a
process that did aborted: "terminate called without an active exception")."""

from __future__ import annotations

import pickle
import re
import signal
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.consoles import ROOT, Console, make_workdir, run_checked
from tests.speech import speak, write_wav

GUESSED = "does the model work well for me"


def _console(workdir: Path, cache: Path, script: str, *flags: str) -> str:
    command = [sys.executable, str(ROOT / "bot.py"), "--config", "config.yaml", "console"]
    return run_checked([*command, *flags], workdir, script, TRAINER_CACHE_DIR=str(cache))


def _workdir(tmp_path: Path, name: str = "bot") -> Path:
    (tmp_path / name).mkdir()
    return make_workdir(tmp_path / name)


def _kept(cache: Path, kind: str = "guesser") -> list[Path]:
    return sorted(cache.glob(f"{kind}-*.pickle"))


@pytest.mark.timeout(900)  # three learnings of 20 s of CPU each: minutes on a loaded machine
def test_what_is_learned_is_kept_loaded_made_again_when_spoiled_and_waited_for_at_exit(
    tmp_path: Path,
) -> None:
    """Three starts on one cache folder (a cold start learns for about 20 s of CPU, so each
    start checks all it can): the command classifier and the typed index are made once, kept
    private and loaded by the next start; two consoles started together on the cold cache make
    each once (the other waits and loads it); a kept file anyone could have put code in is
    never loaded but made again; and a console that ends while it is still learning waits for
    it."""
    workdir, cache = _workdir(tmp_path), tmp_path / "cache"
    # A line no template reads goes through the typed index; it is near "show me the status".
    typo = "shwo me the staus\n"
    beside = _workdir(tmp_path, "beside")  # a second console at the same time (a shard)
    with ThreadPoolExecutor(2) as pool:
        both = list(
            pool.map(lambda w: _console(w, cache, GUESSED + "\n" + typo), (workdir, beside))
        )
    for said in both:
        assert "Did you mean `test`?" in said and "Jobs: none." in said, said
    logs = [(w / "state" / "trainer.log").read_text(encoding="utf-8") for w in (workdir, beside)]
    for kind in ("guesser", "typed-index"):
        assert sum(log.count(f"made the kept {kind} ") for log in logs) == 1, (kind, logs)
    # Made in a child process (assistant/child_process.py): the console's thread that asked
    # spends well under the learning's own 18 s and the index's 2 s of CPU.
    made = re.findall(r"made the kept \S+ \S+ in [\d.]+ s \(([\d.]+) s of CPU", "".join(logs))
    assert len(made) == 2 and all(float(cpu) < 1.0 for cpu in made), logs
    [guesser], [index] = _kept(cache), _kept(cache, "typed-index")
    for kept in (guesser, index):
        assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0  # no one else reads or writes it
    good = pickle.loads(guesser.read_bytes())
    # One that anyone could have put code in is never loaded: made again and kept anew (a fit
    # is not byte-for-byte the same each time). A cut file: the test below.
    for kept, junk in ((guesser, b"not a model"), (index, b"not an index")):
        kept.write_bytes(junk)
        kept.chmod(0o666)
    # Voice starts learning the words' vote in the background at once; `say` of one short
    # file ends well before that learning would (about 30 s of CPU). Exit waits for it:
    # return code 0 (run_checked), and the vote's model is kept, which a process that left
    # it behind never wrote.
    wav = write_wav(tmp_path / "status.wav", speak("hey trainer, status"))
    second = _console(workdir, cache, f"{GUESSED}\n{typo}say {wav}\n")
    assert "Did you mean `test`?" in second and "Jobs: none." in second, second
    assert "heard you: status" in second, second
    assert len(_kept(cache)) == 2  # the typed hint's, made again, and the words' vote's
    relearned = pickle.loads(guesser.read_bytes())
    assert list(relearned.classes_) == list(good.classes_)
    assert index.read_bytes() != b"not an index"
    kept_now = _kept(cache) + _kept(cache, "typed-index")
    for kept in kept_now:
        assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0
    # The next start loads what it needs (no file is written again: written anew is a new
    # file, renamed over the old) and answers the same.
    made_as = [kept.stat().st_ino for kept in kept_now]
    third = _console(workdir, cache, GUESSED + "\n" + typo)
    assert "Did you mean `test`?" in third and "Jobs: none." in third, third
    assert _kept(cache) + _kept(cache, "typed-index") == kept_now
    assert [kept.stat().st_ino for kept in kept_now] == made_as


def test_a_signal_does_not_wait_for_a_first_starts_learning(tmp_path: Path) -> None:
    """Stopped by a signal (a service manager, Ctrl-C), the console ends at once: what a first
    start still learns in its child processes is dropped, not waited for (up to a minute under
    load; a service manager may kill a bot that takes seconds) and not kept (the next start
    learns it). A console that ends by itself waits and keeps it: the test above."""
    workdir, cache = _workdir(tmp_path), tmp_path / "cache"
    console = Console(workdir, TRAINER_CACHE_DIR=str(cache))
    wav = write_wav(tmp_path / "status.wav", speak("hey trainer, status"))
    events = console.say(wav)  # voice starts its learners: the words' vote and the hints
    assert {"event": "heard", "speaker": "console", "text": "status"} in events, events
    began = time.monotonic()
    console.process.send_signal(signal.SIGTERM)
    _, err = console.close()
    took = time.monotonic() - began
    assert console.process.returncode == 0 and "Traceback" not in err, err
    log = (workdir / "state" / "trainer.log").read_text(encoding="utf-8")
    assert "learning the commands' words stopped: closing" in log, log
    assert "made the kept guesser" not in log and "failed" not in log, log
    assert _kept(cache) == []
    assert took < 30, took  # 0.5 s idle; the learning it stopped takes 10-60 s


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
    (tmp_path / "typed-index-v1.lock").touch()  # left by the process that made v1
    kept.store("typed-index", "new", ["new"])
    assert not (tmp_path / "typed-index-v1.lock").exists()  # gone with what it made
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


def test_what_was_used_lately_is_kept_whatever_the_count(tmp_path: Path, monkeypatch) -> None:
    """One run may use more than `KEEP` of a kind (a classifier per language and per set of
    templates): none of those is pruned, or the next start learns it again; the old ones go."""
    import os

    from assistant import kept

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path))
    names = [f"v{n}" for n in range(kept.KEEP + 2)]
    for name in names:
        kept.store("guesser", name, [name])
    assert all(kept.load("guesser", name) == [name] for name in names)
    old = time.time() - kept.RECENT_S - 60
    os.utime(tmp_path / "guesser-v0.pickle", (old, old))  # unused for a day and a minute
    kept.store("guesser", "new", ["new"])
    left = sorted(p.stem for p in tmp_path.glob("*.pickle"))
    assert left == sorted(f"guesser-{name}" for name in [*names[1:], "new"]), left


def _sized(path: Path, value: object, size: int, used: float) -> None:
    """A kept file of `value`, `size` bytes long (sparse: no disk is written), last used at
    `used`."""
    import os

    with path.open("wb") as file:
        file.write(pickle.dumps(value))
        file.truncate(size)  # pickle.load stops at the pickle's end
    os.utime(path, (used, used))


def test_a_developers_many_sets_are_capped_in_size_but_those_in_use(
    tmp_path: Path, monkeypatch
) -> None:
    """Every checkout and configuration a developer runs keeps a set of its own (15 MB), all
    used within the day `RECENT_S` protects: the cache folder grew to 1.3 GB. Past
    `MAX_BYTES` the least recently used go, recent or not; those used in the last `BUSY_S`
    stay, however many; a start that only loads what is kept removes nothing."""
    from assistant import kept

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path))
    size, now = 15 << 20, time.time()
    count = 2 * kept.MAX_BYTES // size  # twice what the cap holds
    for n in range(count):  # v00 the last used, two hours ago; each older by a minute
        _sized(tmp_path / f"typed-index-v{n:02}.pickle", n, size, now - 7200 - 60 * n)
    for n in range(2):  # used by a console running now
        _sized(tmp_path / f"guesser-busy{n}.pickle", f"busy{n}", size, now - 600)
    assert kept.load("typed-index", f"v{count - 1:02}") == count - 1  # a start: loads only
    assert len(list(tmp_path.glob("*.pickle"))) == count + 2
    kept.store("typed-index", "new", ["new"])
    left = {path.stem: path.stat().st_size for path in tmp_path.glob("*.pickle")}
    total = sum(left.values())
    assert total <= kept.MAX_BYTES < total + size, total
    loaded = f"typed-index-v{count - 1:02}"  # the least recently used, till the start above
    kept_sets = sorted(name for name in left if name.startswith("typed-index-v"))
    assert kept_sets[-1] == loaded, kept_sets
    # the others kept are the last used: the least recently used went first
    assert kept_sets[:-1] == [f"typed-index-v{n:02}" for n in range(len(kept_sets) - 1)]
    assert len(kept_sets) < count // 2, kept_sets
    assert {"guesser-busy0", "guesser-busy1", "typed-index-new"} <= set(left), left
    for n in range(2, 2 + kept.MAX_BYTES // size):  # more than the cap, all in use
        _sized(tmp_path / f"guesser-busy{n}.pickle", f"busy{n}", size, now - 60)
    kept.store("guesser", "newer", ["newer"])
    left = {path.stem for path in tmp_path.glob("*.pickle")}
    assert left == {
        "guesser-newer",
        "typed-index-new",
        loaded,
        *(f"guesser-busy{n}" for n in range(2 + kept.MAX_BYTES // size)),
    }, sorted(left)


def test_parsed_templates_and_dictionary_are_kept_by_what_they_were_made_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates parsed by hassil and the parsed pronouncing dictionary are kept: a new
    process (here: the per-process copies forgotten) loads them without parsing; templates or a
    dictionary that changed since are parsed anew, never answered by what was kept of the old."""
    from assistant.intents import templates
    from assistant.intents.matcher import IntentMatcher
    from audio.asr import pronounce

    monkeypatch.setenv("TRAINER_CACHE_DIR", str(tmp_path / "cache"))
    extra, words = tmp_path / "extra.yaml", tmp_path / "words.dict"

    def write(sentence: str, phones: str) -> None:
        extra.write_text(f"intents:\n  status:\n    data:\n      - sentences: ['{sentence}']\n")
        words.write_text(f"zeppelin {phones}\nhello HH AH L OW\nhello(2) HH EH L OW\n")

    def fresh_process() -> None:
        monkeypatch.setattr(templates, "_PARSED", {})
        pronounce.load_cmudict.cache_clear()

    def status(sentence: str) -> bool:
        intent = IntentMatcher(intents_file=extra).match(sentence)
        return intent is not None and intent.name == "status"

    write("how goes the zeppelin", "Z EH P AH L IH N")
    fresh_process()
    assert status("how goes the zeppelin") and not status("how goes the blimp")
    assert pronounce.load_cmudict(words)["zeppelin"] == ("Z EH P AH L IH N",)
    assert pronounce.load_cmudict(words)["hello"] == ("HH AH L OW", "HH EH L OW")
    assert len(_kept(tmp_path / "cache", "templates")) == 1
    assert len(_kept(tmp_path / "cache", "cmudict")) == 1

    def unparsed(*_: object) -> None:
        raise AssertionError("parsed again: what was kept was not loaded")

    fresh_process()
    with monkeypatch.context() as parsing:
        parsing.setattr(templates, "_parse", unparsed)
        parsing.setattr(pronounce, "_parse_cmudict", unparsed)
        assert status("how goes the zeppelin")
        assert pronounce.load_cmudict(words)["zeppelin"] == ("Z EH P AH L IH N",)

    write("how goes the blimp", "Z EH P L IH N")
    fresh_process()
    assert status("how goes the blimp") and not status("how goes the zeppelin")
    assert pronounce.load_cmudict(words)["zeppelin"] == ("Z EH P L IH N",)
    assert len(_kept(tmp_path / "cache", "templates")) == 2
    pronounce.load_cmudict.cache_clear()
