"""A fake OpenAI-compatible HTTP server on 127.0.0.1, for the real `openai` client to talk to.

It runs an aiohttp app on its own event loop in a background thread, so that both async code
and blocking code (the sync `OpenAI` client, called from a test's event loop) can use it.

Implemented: files (upload, with the fine-tuning JSONL checks the real API makes), fine-tuning
jobs (create, retrieve - which advances queued -> running -> succeeded over a few polls -,
cancel, events) and chat completions answered by a word-vote rule learnt from the uploaded
training file, so measured accuracy means something. Bad or missing keys get 401.

To add endpoints (e.g. /v1/audio/*), subclass and extend `routes()`, or call `add_route` before
`start()`; handlers are `async (request) -> web.Response` and may use `self.error(...)`.

    with FakeOpenAI() as server:
        client = OpenAI(api_key=server.api_key, base_url=server.base_url)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROLES = {"system", "user", "assistant"}
WORD = re.compile(r"\w+")


@dataclass
class FineTune:
    """A fake fine-tuning job and, once it succeeds, the model it produced."""

    id: str
    model: str
    training_file: str
    created_at: int
    examples: list[tuple[set[str], str]]
    status: str = "validating_files"
    polls: int = 0
    fine_tuned_model: str | None = None
    error: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeOpenAI:
    """The server. Tests may change `api_key`, `polls_to_finish`, `fail_with`, `broken_polls`."""

    def __init__(self, api_key: str = "sk-test-fake", polls_to_finish: int = 3) -> None:
        self.api_key = api_key
        self.polls_to_finish = polls_to_finish
        """Retrieves before a job succeeds (the first ones report queued, then running)."""
        self.fail_with: str | None = None
        """When set, fine-tuning jobs fail with this message instead of succeeding."""
        self.broken_polls = 0
        """The next this-many job retrieves answer 500, as a briefly unwell server would."""
        self.files: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, FineTune] = {}
        self.models: dict[str, FineTune] = {}
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request, in order, including refused ones."""
        self._ids = itertools.count(1)
        self._extra: list[tuple[str, str, Handler]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- running -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The route table: (method, path, handler)."""
        return [
            ("POST", "/v1/files", self.create_file),
            ("POST", "/v1/fine_tuning/jobs", self.create_job),
            ("GET", "/v1/fine_tuning/jobs/{job_id}", self.retrieve_job),
            ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel", self.cancel_job),
            ("GET", "/v1/fine_tuning/jobs/{job_id}/events", self.job_events),
            ("POST", "/v1/chat/completions", self.chat_completion),
            *self._extra,
        ]

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self._extra.append((method, path, handler))

    def start(self) -> FakeOpenAI:
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(started,), name="fake-openai", daemon=True
        )
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        loop = self._loop
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        app = web.Application(middlewares=[self._auth], client_max_size=64 * 1024 * 1024)
        for method, path, handler in self.routes():
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = int(self._runner.addresses[0][1])
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    # -- helpers -------------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):06d}"

    @staticmethod
    def error(
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> web.Response:
        """An error in the API's shape: {"error": {"message", "type", "param", "code"}}."""
        body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        return web.json_response(body, status=status)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if request.headers.get("Authorization", "") != f"Bearer {self.api_key}":
            return self.error(401, "Incorrect API key provided.", code="invalid_api_key")
        return await handler(request)

    # -- files ---------------------------------------------------------------------------------

    async def create_file(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(upload, web.FileField):
            return self.error(400, "'file' is a required multipart field.", param="file")
        if purpose not in {"fine-tune", "assistants", "batch", "vision", "user_data"}:
            return self.error(400, f"Invalid purpose: {purpose!r}.", param="purpose")
        data = upload.file.read()
        if purpose == "fine-tune":
            problem = validate_fine_tune_jsonl(data)
            if problem:
                return self.error(400, f"Invalid file format for Fine-Tuning API. {problem}")
        file_id = self.next_id("file")
        record = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": upload.filename,
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = {**record, "data": data}
        return web.json_response(record)

    # -- fine-tuning ---------------------------------------------------------------------------

    async def create_job(self, request: web.Request) -> web.Response:
        body = await request.json()
        model, file_id = body.get("model"), body.get("training_file")
        if not isinstance(model, str) or not model:
            return self.error(400, "Missing required parameter: 'model'.", param="model")
        stored = self.files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            return self.error(400, f"invalid training_file: {file_id}", param="training_file")
        if stored["purpose"] != "fine-tune":
            return self.error(400, f"File {file_id} does not have purpose 'fine-tune'.")
        job = FineTune(
            id=self.next_id("ftjob"),
            model=model,
            training_file=file_id,
            created_at=int(time.time()),
            examples=learn(stored["data"]),
        )
        self._event(job, "info", "Validating training file")
        self.jobs[job.id] = job
        return web.json_response(self._job_json(job))

    async def retrieve_job(self, request: web.Request) -> web.Response:
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return self.error(404, "Fine-tuning job not found.", code="not_found")
        if self.broken_polls > 0:
            self.broken_polls -= 1
            return self.error(
                500, "The server had an error processing your request.", type_="server_error"
            )
        if job.status not in {"succeeded", "failed", "cancelled"}:
            job.polls += 1
            if job.polls >= self.polls_to_finish:
                self._finish(job)
            elif job.polls == 1:
                job.status = "queued"
                self._event(job, "info", "Fine-tuning job queued")
            else:
                job.status = "running"
                total = max(self.polls_to_finish - 1, 1)
                step = job.polls - 1
                loss = (9 - step % 9) / 10
                self._event(
                    job,
                    "info",
                    f"Step {step}/{total}: training loss={loss}",
                    data={"step": step, "total_steps": total, "train_loss": loss},
                    type_="metrics",
                )
        return web.json_response(self._job_json(job))

    async def cancel_job(self, request: web.Request) -> web.Response:
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return self.error(404, "Fine-tuning job not found.", code="not_found")
        if job.status in {"succeeded", "failed", "cancelled"}:
            return self.error(400, f"Job has already completed: {job.status}.")
        job.status = "cancelled"
        self._event(job, "info", "Fine-tuning job cancelled")
        return web.json_response(self._job_json(job))

    async def job_events(self, request: web.Request) -> web.Response:
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return self.error(404, "Fine-tuning job not found.", code="not_found")
        limit = int(request.query.get("limit", "20"))
        newest_first = list(reversed(job.events))[:limit]
        return web.json_response(
            {"object": "list", "data": newest_first, "has_more": len(job.events) > limit}
        )

    def _finish(self, job: FineTune) -> None:
        if self.fail_with:
            job.status = "failed"
            job.error = {
                "code": "invalid_training_file",
                "message": self.fail_with,
                "param": "training_file",
            }
            self._event(job, "error", self.fail_with)
            return
        job.status = "succeeded"
        job.fine_tuned_model = f"ft:{job.model}:trainer-fake::{job.id.split('-')[-1]}"
        self.models[job.fine_tuned_model] = job
        self._event(job, "info", "The job has successfully completed")

    def _event(
        self,
        job: FineTune,
        level: str,
        message: str,
        *,
        data: dict[str, Any] | None = None,
        type_: str = "message",
    ) -> None:
        job.events.append(
            {
                "id": self.next_id("ftevent"),
                "object": "fine_tuning.job.event",
                "created_at": int(time.time()),
                "level": level,
                "message": message,
                "data": data,
                "type": type_,
            }
        )

    def _job_json(self, job: FineTune) -> dict[str, Any]:
        done = job.status in {"succeeded", "failed", "cancelled"}
        return {
            "id": job.id,
            "object": "fine_tuning.job",
            "created_at": job.created_at,
            "error": job.error,
            "fine_tuned_model": job.fine_tuned_model,
            "finished_at": int(time.time()) if done else None,
            "hyperparameters": {
                "batch_size": "auto",
                "learning_rate_multiplier": "auto",
                "n_epochs": "auto",
            },
            "model": job.model,
            "organization_id": "org-fake",
            "result_files": [],
            "seed": 42,
            "status": job.status,
            "trained_tokens": None,
            "training_file": job.training_file,
            "validation_file": None,
        }

    # -- chat ----------------------------------------------------------------------------------

    async def chat_completion(self, request: web.Request) -> web.Response:
        body = await request.json()
        model = body.get("model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self.error(400, "'messages' must be a non-empty array.", param="messages")
        tuned = self.models.get(model) if isinstance(model, str) else None
        if tuned is None:
            return self.error(404, f"The model `{model}` does not exist.", code="model_not_found")
        text = next(
            (
                m.get("content", "")
                for m in reversed(messages)
                if isinstance(m, dict) and m.get("role") == "user"
            ),
            "",
        )
        label, confidence = nearest_label(tuned.examples, str(text))
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": label, "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
        if body.get("logprobs"):
            choice["logprobs"] = {
                "content": [
                    {
                        "token": label,
                        "logprob": math.log(confidence),
                        "bytes": list(label.encode()),
                        "top_logprobs": [],
                    }
                ]
            }
        return web.json_response(
            {
                "id": self.next_id("chatcmpl"),
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [choice],
                "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
            }
        )


def validate_fine_tune_jsonl(data: bytes) -> str | None:
    """What the real API would object to in a chat fine-tuning file, or None if it is fine."""
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return "The file is not UTF-8."
    rows = [line for line in lines if line.strip()]
    if len(rows) < 10:
        return f"Training file has {len(rows)} example(s), but must have at least 10 examples."
    for number, line in enumerate(rows, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            return f"Line {number} is not valid JSON."
        messages = row.get("messages") if isinstance(row, dict) else None
        if not isinstance(messages, list) or not messages:
            return f"Line {number} is missing the 'messages' key."
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                return f"Line {number} has a message with an invalid role."
            if not isinstance(message.get("content"), str):
                return f"Line {number} has a message without text 'content'."
        if not any(m["role"] == "assistant" for m in messages):
            return f"Line {number} has no assistant message to learn from."
    return None


def learn(data: bytes) -> list[tuple[set[str], str]]:
    """The "fine-tune": remember (words of the last user message, assistant answer) pairs."""
    examples = []
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        messages = json.loads(line)["messages"]
        user = [m["content"] for m in messages if m["role"] == "user"]
        answer = [m["content"] for m in messages if m["role"] == "assistant"]
        examples.append((words(user[-1] if user else ""), answer[-1]))
    return examples


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def nearest_label(examples: list[tuple[set[str], str]], text: str) -> tuple[str, float]:
    """The label whose training texts best explain `text`'s words, and a confidence.

    A tiny naive Bayes over word presence (add-one smoothing): words every label uses, such as
    template words, cancel out, so the distinctive ones decide, as a real fine-tune would learn.
    """
    query = words(text)
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for known, label in examples:
        totals[label] = totals.get(label, 0) + 1
        seen = counts.setdefault(label, {})
        for word in known:
            seen[word] = seen.get(word, 0) + 1
    scores = {
        label: math.log(total)
        + sum(math.log((counts[label].get(w, 0) + 1) / (total + 2)) for w in query)
        for label, total in totals.items()
    }
    best = max(scores, key=lambda label: scores[label])
    top = scores[best]
    confidence = 1 / sum(math.exp(score - top) for score in scores.values())
    return best, min(max(confidence, 0.01), 0.99)
