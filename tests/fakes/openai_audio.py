"""Fake OpenAI audio endpoints (/v1/audio/transcriptions, /v1/audio/speech) on 127.0.0.1.

An aiohttp app factory plus a runner on its own thread and loop, so both the blocking
transcription client (called from a worker thread) and the async speech client can use it.

    with AudioServer(transcript="hey trainer what's the status") as server:
        OpenAI(api_key="k", base_url=server.base_url)
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import threading
import wave
from typing import Any

from aiohttp import web

REQUESTS = web.AppKey("requests", list)
"""Requests the fake received, as (endpoint, fields)."""


def espeak_wav(text: str) -> bytes:
    """Real speech as WAV bytes (the fake speaks with espeak-ng)."""
    return subprocess.run(
        ["espeak-ng", "--stdout", text], capture_output=True, check=True, timeout=30
    ).stdout


def make_audio_app(transcript: str = "hello", delay_s: float = 0.0) -> web.Application:
    """App answering transcriptions with `transcript` and speech with espeak audio.

    `delay_s` delays every answer (to test timeouts). Received requests are kept in
    `app[REQUESTS]` as (path, fields) for assertions.
    """
    app = web.Application()
    app[REQUESTS] = []

    async def transcriptions(request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"error": {"message": "no key"}}, status=401)
        form = await request.post()
        upload: Any = form.get("file")
        audio = upload.file.read() if upload is not None else b""
        try:
            with wave.open(io.BytesIO(audio)) as w:
                seconds = w.getnframes() / w.getframerate()
        except (wave.Error, EOFError):
            return web.json_response({"error": {"message": "invalid audio"}}, status=400)
        fields = {"model": form.get("model"), "seconds": seconds, "language": form.get("language")}
        app[REQUESTS].append(("transcriptions", fields))
        await asyncio.sleep(delay_s)
        return web.json_response({"text": transcript})

    async def speech(request: web.Request) -> web.Response:
        body = await request.json()
        app[REQUESTS].append(("speech", body))
        await asyncio.sleep(delay_s)
        wav = await asyncio.to_thread(espeak_wav, body.get("input", ""))
        return web.Response(body=wav, content_type="audio/wav")

    app.router.add_post("/v1/audio/transcriptions", transcriptions)
    app.router.add_post("/v1/audio/speech", speech)
    return app


class AudioServer:
    """Runs `make_audio_app(...)` on a free port in a background thread."""

    def __init__(self, **kwargs: Any) -> None:
        self.app = make_audio_app(**kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[tuple[str, Any]]:
        return self.app[REQUESTS]

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def __enter__(self) -> AudioServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        # Handlers still sleeping (delay_s) are cancelled, not left pending at loop close.
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
