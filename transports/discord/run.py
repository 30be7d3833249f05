"""Start the Discord bot: `run_discord(config, token)` is what bot.py calls when DISCORD_TOKEN
is set; `DiscordApp` is the same thing for code that already runs an event loop (tests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from assistant.app import Assistant
from assistant.config import Config
from states.parts import build_parts
from states.registry import SessionRegistry

from .client import TrainerBot, configure_endpoints

log = logging.getLogger(__name__)
_background: set[asyncio.Task[None]] = set()


async def default_sessions(bot: TrainerBot) -> SessionRegistry:
    """The voice sessions, with the configured speech engines (built on the first join).
    Their modules are imported with this one, before the event loop runs."""
    parts = await build_parts(bot.config, bot.assistant, [str(g.id) for g in bot.guilds])
    bot.assistant.subscribe_names(parts.update_lists)  # new datasets become speakable at once

    async def voice_action(guild_id: str, action: str) -> None:
        """A spoken "leave": disconnect once "Bye!" has been said."""
        guild = bot.get_guild(int(guild_id)) if guild_id.isdigit() else None
        if action == "leave" and guild is not None:
            # Leaving closes the session that called us, cancelling its tasks: run it apart.
            task = asyncio.create_task(bot.voice_cog.leave(guild))
            _background.add(task)
            task.add_done_callback(_background.discard)

    return SessionRegistry(
        parts,
        bot.commands_cog.handle_voice,  # spoken commands share the typed ones' rate limit
        bot.config.conversation,
        jobs=bot.assistant.jobs,
        on_voice_action=voice_action,
        # A private thread's result is for its members alone: not said in the voice channel,
        # whose members may not be in the thread (progress.py posts it there, or sends it to
        # the member who started the job by direct message).
        aloud=lambda job: not bot.delivery.threads.private(job.channel_id),
    )


LOGIN_RETRY_FIRST_S = 1.0
LOGIN_RETRY_MAX_S = 60.0


async def login(bot: TrainerBot, token: str) -> None:
    """Log in, retrying with exponential back-off while Discord cannot be reached (no network
    yet at boot, an outage): one warning line per attempt, never a traceback. A rejected token
    is not retried. Once logged in, discord.py's own reconnect loop takes over."""
    delay = LOGIN_RETRY_FIRST_S
    while True:
        try:
            await bot.login(token)
            return
        except (
            aiohttp.ClientConnectionError,
            OSError,
            TimeoutError,
            discord.DiscordServerError,
        ) as exc:
            log.warning("cannot reach Discord (%s); retrying in %.0f s", _reason(exc), delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, LOGIN_RETRY_MAX_S)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class DiscordApp:
    """The assistant plus the bot, started and stopped together."""

    def __init__(
        self,
        config: Config,
        token: str,
        *,
        sessions_factory: Callable[[TrainerBot], Awaitable[SessionRegistry]] | None = None,
        **client_options: Any,
    ) -> None:
        """`client_options` go to discord.py's Client (tests shorten `guild_ready_timeout`)."""
        self.config = config
        self._token = token
        self._sessions_factory = sessions_factory or default_sessions
        self._client_options = client_options
        self.assistant: Assistant | None = None
        self.bot: TrainerBot | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> TrainerBot:
        configure_endpoints(self.config.discord)
        self.assistant = Assistant(self.config)
        await self.assistant.start()
        bot = TrainerBot(
            self.config,
            self.assistant,
            sessions_factory=self._sessions_factory,
            **self._client_options,
        )
        self.bot = bot
        await login(bot, self._token)  # raises LoginFailure on a bad token, before connecting
        self._task = asyncio.get_running_loop().create_task(bot.connect(reconnect=True))
        return bot

    async def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.bot is not None and self._task is not None
        ready = asyncio.ensure_future(self.bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if self._task in done:
                self._task.result()  # re-raise why the connection ended
            raise TimeoutError("the bot did not become ready")

    async def wait_closed(self) -> None:
        if self._task is not None:
            await self._task

    async def close(self) -> None:
        if self.bot is not None:
            with contextlib.suppress(Exception):
                await self.bot.voice_cog.cog_unload()
            await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.assistant is not None:
            # a bot being stopped (a service manager gives it seconds) does not wait for a
            # first start's learning: the next start learns it
            await self.assistant.close(wait_for_learning=False)


async def serve_discord(config: Config, token: str) -> None:
    app = DiscordApp(config, token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        starting = asyncio.ensure_future(app.start())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # stopped while still trying to reach Discord
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return
        starting.result()
        closed = asyncio.ensure_future(app.wait_closed())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if closed.done():
            closed.result()
        stopping.cancel()
    finally:
        await app.close()


def run_discord(config: Config, token: str) -> int:
    """Run until Ctrl+C / SIGTERM. Returns an exit status; the token is never printed."""
    try:
        asyncio.run(serve_discord(config, token))
    except discord.LoginFailure:
        print("Trainer cannot log in to Discord: DISCORD_TOKEN was rejected.", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "Trainer needs the Message Content and Server Members intents: enable them in the "
            "Developer Portal (Bot page, Privileged Gateway Intents).",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        pass
    return 0
