"""The collector's full passes are held off while a training job's data is live, and come
back after it, whatever builds of voice parts overlap it (assistant/heap.py)."""

from __future__ import annotations

import gc
import threading

from assistant import heap


def test_no_full_pass_while_a_job_runs_and_the_threshold_comes_back_after() -> None:
    before = gc.get_threshold()
    with heap.no_full_passes():
        assert gc.get_threshold()[2] == heap.NO_FULL_PASS
        with heap.no_full_passes():  # two jobs in two guilds
            assert gc.get_threshold()[2] == heap.NO_FULL_PASS
        assert gc.get_threshold()[2] == heap.NO_FULL_PASS  # the other job still runs
    assert gc.get_threshold() == before


def test_a_build_that_ends_during_a_job_does_not_let_full_passes_back() -> None:
    """A voice build started before the job and ended during it restored the threshold it had
    saved; the job's hold must outlast it, and the original threshold come back at the end."""
    before = gc.get_threshold()
    started, finish = threading.Event(), threading.Event()

    def build() -> None:
        started.set()
        finish.wait(10)

    frozen, refrozen = heap._frozen, heap._refrozen
    heap._frozen, heap._refrozen = True, False  # as after start-up, before voice is built
    try:
        heap.build_in_background(build, "test-build")
        started.wait(10)
        with heap.no_full_passes():
            finish.set()
            assert heap.wait_for_builds(10)
            assert gc.get_threshold()[2] == heap.NO_FULL_PASS
        assert gc.get_threshold() == before
    finally:
        heap._frozen, heap._refrozen = frozen, refrozen
        gc.unfreeze()  # the build's end froze this test process's objects


def test_voice_parts_built_after_the_learners_froze_theirs_are_frozen_too() -> None:
    """The learners' builds ended and froze what they made; the voice parts built at the first
    `join` after that were left in the collector's view (25,000 objects every full pass
    walked), and a full pass could come while they were built (58,000-69,000 objects)."""
    before = gc.get_threshold()
    frozen, refrozen = heap._frozen, heap._refrozen
    heap._frozen, heap._refrozen = True, True  # start-up frozen, the learners' builds too
    try:
        with heap.lasting_build():
            assert gc.get_threshold()[2] == heap.NO_FULL_PASS
            parts = [[n] for n in range(5_000)]  # lists: tracked by the collector
            assert gc.is_tracked(parts)
            count = gc.get_freeze_count()
        assert gc.get_freeze_count() >= count + len(parts)
        assert not any(parts is o for o in gc.get_objects())  # out of every pass's walk
        assert gc.get_threshold() == before
    finally:
        heap._frozen, heap._refrozen = frozen, refrozen
        gc.unfreeze()
