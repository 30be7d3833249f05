"""A fake Discord of several guilds behind one REST base and one gateway URL, for sharded bots.

Each guild is a full `FakeDiscord` (its own channels, members, voice server and DAVE group);
they share the bot user, the application and the sharded gateway, so a bot process running
shard 0 sees only the guilds on shard 0, as with Discord. REST calls are routed to the guild
that owns the channel, guild, interaction or attachment named in the path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import yaml
from aiohttp import web

from .server import FakeDiscord


class FakeDiscordShards:
    """`guilds[i]` is on shard `i % shard_count`. Start with `await shards.start()`."""

    def __init__(self, workdir: Path, shard_count: int = 2, guilds: int = 2) -> None:
        first = FakeDiscord(workdir / "guild-0", shard_count=shard_count, shard=0)
        self.guilds = [first]
        for i in range(1, guilds):
            self.guilds.append(
                FakeDiscord(workdir / f"guild-{i}", sibling=first, shard=i % shard_count)
            )
        self.gateway = first.gateway
        self.token = first.token
        self.port = 0
        self.api_base = ""
        """The REST base every guild is reached through (set by `start`)."""
        self.gateway_url = ""
        """The one gateway URL of all shards (set by `start`)."""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        for guild in self.guilds:
            await guild.start()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handler)
        app.router.add_get("/gateway/", self.gateway.handler)
        app.router.add_get("/cdn/attachments/{id}/{filename}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(cast(Any, site._server).sockets[0].getsockname()[1])
        self.api_base = f"http://127.0.0.1:{self.port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{self.port}/gateway"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        for guild in reversed(self.guilds):
            await guild.close()

    @property
    def ca_cert(self) -> Path:
        return Path(self.guilds[0].ca_cert)

    def discord_settings(self, **more: Any) -> dict[str, Any]:
        """config.yaml's `discord` keys pointing a bot process at this fake."""
        return {
            "api_base": self.api_base,
            "gateway_url": self.gateway_url,
            "ca_cert": str(self.ca_cert),
            **more,
        }

    # -- routing ---------------------------------------------------------------------------------

    def _owner(self, p: list[str]) -> FakeDiscord | None:
        """The guild a REST path is about, or None when it is the application's."""
        if len(p) >= 2 and p[0] == "channels":
            cid = int(p[1])
            for guild in self.guilds:
                if cid in (guild.text_channel_id, guild.voice_channel_id) or cid in guild.messages:
                    return guild
        if len(p) >= 2 and p[0] == "guilds" and p[1].isdigit():
            return next((g for g in self.guilds if g.guild_id == int(p[1])), None)
        if len(p) >= 2 and p[0] == "interactions":
            return next((g for g in self.guilds if int(p[1]) in g.interactions), None)
        if len(p) >= 3 and p[0] == "webhooks":
            interaction = int(p[2].removeprefix("itoken-"))
            return next((g for g in self.guilds if interaction in g.interactions), None)
        return None

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        p = request.match_info["tail"].strip("/").split("/")
        owner = self._owner(p) or self.guilds[0]
        response = await owner._rest(request)
        if p[0] == "applications" and p[-1] == "commands" and request.method == "PUT":
            # The application's commands: every guild's fake knows the registrations.
            for guild in self.guilds[1:]:
                guild.commands.update(owner.commands)
                await guild._notify()
        return response

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        attachment = int(request.match_info["id"])
        owner = next((g for g in self.guilds if attachment in g.files), self.guilds[0])
        return await owner._cdn(request)


def bot_process(
    folder: Path, config: dict[str, Any], shards: list[int], shard_count: int, token: str
) -> subprocess.Popen[bytes]:
    """`bot.py --shards … --shard-count …` as a user starts it, in a folder of its own (its
    config.yaml and logs out.log/err.log there), as on a machine of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    bot = Path(__file__).resolve().parents[2] / "bot.py"
    slice_ = ["--shards", ",".join(str(s) for s in shards), "--shard-count", str(shard_count)]
    return subprocess.Popen(
        [sys.executable, str(bot), "--config", "config.yaml", *slice_],
        cwd=folder,
        env={**os.environ, "DISCORD_TOKEN": token},
        stdout=(folder / "out.log").open("wb"),
        stderr=(folder / "err.log").open("wb"),
    )
