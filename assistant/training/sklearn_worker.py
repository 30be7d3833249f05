"""The scikit-learn training process: started once and kept warm, fed examples over a pipe,
reporting progress, and terminated to cancel (see sklearn_backend.py for what was measured)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Any

from ..errors import UserError
from ..i18n import numeral
from .base import Cancelled, Example, Interrupted, ProgressFn
from .orphan import ctrl_c_blocked, stop_when_orphaned

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.05
"""How often the event loop looks at the worker's pipe; bounds cancel and progress latency."""
_END_WAIT_S = 5.0
"""How long a training process whose pipe broke may take to end before the break counts as a
failure of its own (a signalled process ends in milliseconds; a loaded machine is slower)."""
_CHUNK = 20_000
"""Texts per message to the worker: pickling one message holds the GIL, so keep each short."""
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class WorkerPool:
    """Warm training processes: one is kept between jobs; a second job at the same time (another
    guild) gets one of its own, which ends when its job does."""

    def __init__(self) -> None:
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._starter: threading.Thread | None = None
        """Starting a process ahead of its job (`prestart`), if it is still starting."""

    def prestart(self, threads: int) -> None:
        """Start a process in the background unless one is idle or starting already."""
        with self._lock:
            if self._idle or (self._starter is not None and self._starter.is_alive()):
                return
            self._starter = threading.Thread(
                target=self._start_idle, args=(threads,), name="trainer-start", daemon=True
            )
            self._starter.start()

    def _start_idle(self, threads: int) -> None:
        try:
            worker = Worker(threads)
        except Exception:  # the job's own start will try again and report it
            log.exception("could not start the training process ahead of its job")
            return
        self.give_back(worker)

    def _wait_for_starter(self) -> None:
        starter = self._starter
        if starter is not None:
            starter.join()

    async def take(self, threads: int) -> Worker:
        if self._starter is not None and self._starter.is_alive():
            await asyncio.to_thread(self._wait_for_starter)
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive and worker.threads == threads:
                    return worker
                worker.stop()
        # Starting a process forks and writes its preparation data: a moment, off the loop.
        starting = asyncio.ensure_future(asyncio.to_thread(Worker, threads))
        try:
            return await asyncio.shield(starting)
        except asyncio.CancelledError:
            starting.add_done_callback(_stop_started)
            raise

    def give_back(self, worker: Worker) -> None:
        with self._lock:
            if worker.alive and not self._idle:
                self._idle.append(worker)
                return
        worker.stop()

    def close(self) -> None:
        self._wait_for_starter()
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


def _stop_started(starting: asyncio.Future[Worker]) -> None:
    """A worker that finished starting after its job was cancelled: end it."""
    if not starting.cancelled() and starting.exception() is None:
        threading.Thread(target=starting.result().stop, daemon=True).start()


class Worker:
    """One training process (spawned, so no thread of the bot is forked) and its pipe."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe(duplex=True)
        self.process: SpawnProcess = context.Process(
            target=_serve, args=(child, threads), name="trainer", daemon=True
        )
        with ctrl_c_blocked():
            self.process.start()
        child.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and not self.connection.closed

    async def run(
        self,
        header: dict[str, Any],
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> dict[str, Any]:
        """Send one job, relay its progress; its metrics, or raise its error or `Cancelled`."""
        sending = asyncio.ensure_future(asyncio.to_thread(self._send, header, examples))
        try:
            while True:
                if cancelled.is_set():
                    raise Cancelled()
                result = self._drain(progress)
                if result is not None:
                    await sending
                    return result
                # The process first: a pipe broken by its end is no failure of its own.
                if not self.process.is_alive():
                    result = self._drain(progress)  # it may have answered just before exiting
                    if result is not None:
                        return result
                    if self.process.exitcode == -signal.SIGTERM:
                        raise Interrupted()  # a shutdown's signal reached it first: no failure
                    raise RuntimeError(f"training process exited with code {self.process.exitcode}")
                if sending.done() and sending.exception() is not None:
                    # The pipe broke: most often because the process is ending (a shutdown's
                    # signal reached it between the check above and the send). Its exit, once
                    # it is gone, says which: read it above.
                    await asyncio.to_thread(self.process.join, _END_WAIT_S)
                    if not self.process.is_alive():
                        continue
                    raise RuntimeError("could not hand the examples to the training process")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(cancelled.wait(), _POLL_SECONDS)
        finally:
            if not sending.done():
                await asyncio.to_thread(self.stop)  # unblocks the sending thread (broken pipe)
            await asyncio.gather(sending, return_exceptions=True)  # its error is read, not logged

    def _send(self, header: dict[str, Any], examples: list[Example]) -> None:
        chunks = range(0, len(examples), _CHUNK)
        self.connection.send(("job", header, len(chunks)))
        for start in chunks:
            part = examples[start : start + _CHUNK]
            self.connection.send(([e.text for e in part], [e.label for e in part]))

    def _drain(self, progress: ProgressFn) -> dict[str, Any] | None:
        """Relay waiting progress; the metrics once the job is done; raise its error if any."""
        while self.connection.poll():
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                return None  # the process ended; the caller sees it is not alive
            kind = message[0]
            if kind == "progress":
                progress(message[1], message[2], **message[3])
            elif kind == "done":
                return dict(message[1])
            elif kind == "error":
                user_message, details = message[1], message[2]
                if user_message:  # a message key and its fields, shown in the guild's language
                    key, fields = user_message
                    raise UserError.said(key, **fields)
                log.error("training process failed:\n%s", details)
                raise RuntimeError("the training process failed")
        return None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(0.5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(0.5)
        self.connection.close()


def _serve(connection: Connection, threads: int) -> None:
    """Training process body: import once, then fit one job after another until the pipe ends."""
    stop_when_orphaned()
    # Before numpy loads: OpenMP/BLAS read these once, at import.
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    # Imported now, so the first job does not wait for them.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                return
            _, header, n_chunks = message
            texts: list[str] = []
            labels: list[str] = []
            for _ in range(n_chunks):
                part_texts, part_labels = connection.recv()
                texts += part_texts
                labels += part_labels
            _train(connection, header, texts, labels)


def _train(
    connection: Connection, header: dict[str, Any], texts: list[str], labels: list[str]
) -> None:
    """Fit, evaluate, save one job. Answers with ("done", metrics) or ("error", user, details),
    `user` a message key and its fields (or None: `details` is for the log only)."""

    def report(fraction: float, key: str, **fields: str | int) -> None:
        """`ProgressFn` across the pipe: a message key and its fields, never English text."""
        connection.send(("progress", fraction, key, fields))

    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        from ..evaluation import evaluate

        started = time.perf_counter()
        settings = header["settings"]
        held_out = header["held_out"]
        held = set(held_out)
        train_rows = [i for i in range(len(texts)) if i not in held]
        train_labels = [labels[i] for i in train_rows]
        test_labels = [labels[i] for i in held_out]
        # The vocabulary and IDF weights are learnt once, from every text: they use no labels,
        # and vectorizing is the slowest step (a second pass for the refit doubled it).
        report(0.2, "progress.vectorizing", count=len(texts))
        words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, max_features=settings["max_features"]
        )
        features: Any = words
        vectorizers = [words]
        if settings.get("char_ngrams", False):
            chars = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 5),
                sublinear_tf=True,
                max_features=settings["max_features"],
            )
            features = FeatureUnion([("words", words), ("chars", chars)])
            vectorizers.append(chars)
        try:
            matrix = features.fit_transform(texts)
        except ValueError as exc:
            if "empty vocabulary" in str(exc):
                connection.send(("error", ("train.no_words", {}), ""))
                return
            raise
        for vectorizer in vectorizers:
            # the n-grams cut by max_features, kept for introspection only: most of the pickle
            vectorizer.stop_words_ = None
        # The weights and the solver's copies grow with labels x features: check before fitting.
        needed = len(header["labels"]) * matrix.shape[1] * 8 * 3
        if needed > settings.get("max_model_bytes", needed):
            too_big = {
                "labels": len(header["labels"]),
                # written in the reader's language when shown (no reader is known here)
                "features": numeral(int(matrix.shape[1])),
                "needed": numeral(needed / 1e6, 1),
                "limit": numeral(settings["max_model_bytes"] / 1e6, 1),
            }
            connection.send(("error", ("train.model_too_big", too_big), ""))
            return

        def fit(rows: Any, y: list[str]) -> Any:
            # Balanced class weights: users' datasets are often lopsided (many more positives).
            return LogisticRegression(
                C=settings["C"],
                max_iter=2000,
                tol=settings.get("tolerance", 1e-3),
                class_weight="balanced",
            ).fit(rows, y)

        report(0.45, "progress.fitting", count=int(matrix.shape[1]))
        model = fit(matrix[train_rows], train_labels)
        if held_out:
            report(0.7, "progress.evaluating", count=len(held_out))
            evaluated_on, test_matrix = "held_out", matrix[held_out]
        else:
            report(0.7, "progress.evaluating.training")
            evaluated_on, test_matrix, test_labels = "training", matrix, labels
        predicted = [str(p) for p in model.predict(test_matrix)]
        metrics = evaluate(test_labels, predicted, header["labels"])
        metrics["evaluated_on"] = evaluated_on
        metrics["n_train"] = len(train_rows)
        metrics["n_held_out"] = len(held_out)

        metrics["refit_on_all"] = False
        if evaluated_on == "held_out" and settings.get("refit_on_all", False):
            # The numbers above describe a model that never saw the held-out examples' labels;
            # the model kept learns from every example, so it is at least as good.
            report(0.75, "progress.refitting", count=len(texts))
            model = fit(matrix, labels)
            metrics["refit_on_all"] = True
        pipeline = Pipeline([("features", features), ("classifier", model)])

        report(0.9, "progress.saving")
        with open(header["model_path"], "wb") as file:
            pickle.dump(pipeline, file, protocol=5)
        metrics["fit_seconds"] = round(time.perf_counter() - started, 2)
        connection.send(("done", metrics))
    except Exception as exc:
        connection.send(("error", None, f"{exc!r}\n{traceback.format_exc()}"))
