"""Short external programs (espeak-ng, ffmpeg) run from the event loop: bytes in, bytes out.

They run through `subprocess.run` in a worker thread, not asyncio's subprocess API. Every open
request is cancelled when the bot or the speech server stops, and on Python 3.11 an asyncio
subprocess cancelled while its child was starting waits for that child in a way that can never
end: the speech server, stopped under load, hung in its exit (the stack showed
`create_subprocess_exec` -> `_make_subprocess_transport` -> `_wait`). A thread simply finishes
within the timeout, cancelled or not.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Piped:
    """What a program wrote and how it ended."""

    returncode: int
    out: bytes
    """Its standard output."""
    err: bytes
    """Its standard error."""


async def run_piped(args: Sequence[str], data: bytes, timeout_s: float) -> Piped:
    """Run `args` with `data` on its standard input; TimeoutError after `timeout_s` (the
    program is killed)."""

    def run() -> Piped:
        try:
            done = subprocess.run(list(args), input=data, capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"{args[0]} took longer than {timeout_s:.0f} s") from None
        return Piped(done.returncode, done.stdout, done.stderr)

    return await asyncio.to_thread(run)
