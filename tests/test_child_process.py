"""Work in a child process (assistant/child_process.py): its result or its error comes back,
and closing the bot stops it at once instead of waiting for it."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from assistant.app import Assistant
from assistant.child_process import Stopped, children_stopped, in_child
from assistant.heap import build_in_background


def _children() -> list[str]:
    return [p.name for p in multiprocessing.active_children() if p.name.startswith("child-")]


def test_the_result_and_the_error_come_back() -> None:
    assert in_child(pow, 2, 10) == 1024
    with pytest.raises(ValueError, match="invalid literal"):
        in_child(int, "ten")
    assert _children() == []


def test_closing_stops_a_running_child_and_refuses_new_ones() -> None:
    outcome: list[object] = []
    running = threading.Event()

    def ask() -> None:
        running.set()
        try:
            outcome.append(in_child(time.sleep, 120))
        except Stopped as stopped:
            outcome.append(stopped)

    asking = threading.Thread(target=ask)
    asking.start()
    running.wait(10)
    deadline = time.monotonic() + 60
    while not _children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _children() == ["child-sleep"]
    with children_stopped():
        asking.join(60)
        assert not asking.is_alive()
        with pytest.raises(Stopped):
            in_child(pow, 2, 10)
    assert len(outcome) == 1 and isinstance(outcome[0], Stopped)
    assert _children() == []
    assert in_child(pow, 2, 3) == 8  # after closing, children start again


async def test_stopping_does_not_wait_for_a_learner_in_a_child(config) -> None:
    """A first start learns for about 20 s under load; a bot stopped by a signal waited up to
    a minute for it (and a learner still running then read the store after it closed). Now it
    stops the child. (A natural end waits, so that what was learned is kept: test_kept.)"""
    app = Assistant(config)
    await app.start()
    ended: list[str] = []
    started = threading.Event()

    def learn() -> None:
        started.set()
        try:
            in_child(time.sleep, 120)
            ended.append("learned")
        except Stopped:
            ended.append("stopped")

    build_in_background(learn, "learn-test")
    started.wait(10)
    began = time.monotonic()
    await app.close(wait_for_learning=False)
    assert ended == ["stopped"]
    assert time.monotonic() - began < 30  # the child sleeps 120 s; closing used to wait 60


def test_a_child_that_ends_without_an_answer_is_said_so() -> None:
    """Killed, or out of memory: the asking thread learns how it ended, and waits no more."""
    import os

    with pytest.raises(RuntimeError, match="child-_exit ended with code 3"):
        in_child(os._exit, 3)
    assert _children() == []
