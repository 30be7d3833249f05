"""The discord.py bot: prefix, intents, endpoints (REST base, gateway, extra CA) from settings.

Intents, and why each is needed:
- `guilds`: channels and roles (role names decide permissions).
- `guild_messages` + `message_content` (privileged): read `!train ...` typed commands and
  attachments; without message content, prefix commands see empty text.
- `members` (privileged): members' roles in the cache, and who is in a voice channel.
- `voice_states`: who joins or leaves voice (when to leave an empty channel; who may speak).
Presence and typing intents are not requested.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import yarl
from discord.ext import commands

from assistant import i18n
from assistant.config import Config, DiscordSettings
from assistant.loop_threads import start_loop_threads
from transports.typed_spaces import spaced

from .audio_messages import AudioMessagesCog, is_audio
from .cog_commands import CommandsCog
from .delivery import Delivery
from .in_order import ChannelOrder
from .interact import on_app_command_error
from .members import warn_of_missing_roles
from .privacy import PrivacyCog
from .translator import CatalogTranslator
from .voice.manager import VoiceCog

if TYPE_CHECKING:
    from assistant.app import Assistant

    from .voice.manager import VoiceCog

log = logging.getLogger(__name__)

_DEFAULT_API = discord.http.Route.BASE
_DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def make_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.members = True
    intents.voice_states = True
    return intents


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at a REST proxy / another gateway. These are class attributes in
    discord.py, so they apply to the whole process (one bot per process)."""
    discord.http.Route.BASE = (settings.api_base or _DEFAULT_API).rstrip("/")
    gateway = settings.gateway_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = (
        yarl.URL(gateway) if gateway else _DEFAULT_GATEWAY
    )


def make_connector(settings: DiscordSettings) -> aiohttp.TCPConnector | None:
    """A connector trusting `ca_cert` on top of the system CAs (REST, gateway and voice all
    share discord.py's one HTTP session); None keeps discord.py's default."""
    if not settings.ca_cert:
        return None
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=settings.ca_cert)
    return aiohttp.TCPConnector(ssl=context)


class TrainerBot(commands.AutoShardedBot):
    """The bot; commands, privacy and voice are added as cogs in `setup_hook`, and the bot
    holds a typed reference to each, so they reach one another without looking up names.

    Always sharded (one shard unless configured): `discord.shard_ids` of `discord.shard_count`
    run in this process, so several processes share the guilds. Each guild's events, and so
    its voice session, stay with the one shard (and process) that owns the guild; what guilds
    must share across processes (datasets, jobs, opt-outs, rate limits) is in the store."""

    commands_cog: CommandsCog
    privacy_cog: PrivacyCog
    voice_cog: VoiceCog
    delivery: Delivery
    """The one way replies are sent (render, send, record, follow the job)."""

    def __init__(
        self,
        config: Config,
        assistant: Assistant,
        *,
        sessions_factory: Callable[[TrainerBot], Awaitable[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=command_prefixes(config.prefix),
            case_insensitive=True,  # "!Train" as a phone keyboard writes it is `train`
            intents=make_intents(),
            help_command=None,  # the core's `help` command is the one users see
            connector=make_connector(config.discord),
            # Replies echo what members typed (examples, test items): a "<@id>" in them is
            # shown, never a ping. Only the member a reply answers is notified.
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=False),
            shard_count=config.discord.shard_count,
            **shard_options(config.discord),
            **options,
        )
        self.config = config
        self.assistant = assistant
        self.synced = False
        self.sessions_factory = sessions_factory
        """Builds the voice sessions (states.registry.SessionRegistry) on the first join."""
        self.in_order = ChannelOrder()
        """Each channel's messages handled in the order they were sent."""
        self.roles_checked: set[int] = set()
        """Servers whose roles were checked against config.yaml's (`_check_roles`)."""

    async def setup_hook(self) -> None:
        await start_loop_threads()
        self.delivery = Delivery(self)
        self.commands_cog = CommandsCog(self)
        self.privacy_cog = PrivacyCog(self)
        self.voice_cog = voice = VoiceCog(self)
        for cog in (self.commands_cog, self.privacy_cog, self.voice_cog, AudioMessagesCog(self)):
            await self.add_cog(cog)
        self.assistant.diagnostics_providers.append(lambda guild: _voice_diagnostics(voice, guild))
        await self.tree.set_translator(CatalogTranslator())  # Russian slash names, descriptions
        self.tree.error(on_app_command_error)  # a slash command that failed is still answered
        if self.config.discord.sync_commands and registers_commands(self.config.discord):
            await self._sync()

    async def _sync(self) -> None:
        guild_id = self.config.discord.command_guild_id
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.HTTPException as exc:
            # Typed commands keep working; slash commands stay as they were registered before.
            log.error("could not register slash commands: %s", exc)
            return
        self.synced = True
        log.info("registered %d slash commands", len(synced))

    async def on_message(self, message: discord.Message) -> None:
        """Commands of one channel are handled in the order they were sent (in_order.py)."""
        if message.author.bot:
            return
        async with self.in_order.turn(message.channel.id):
            await self.process_commands(message)

    async def invoke(self, ctx: commands.Context[Any], /) -> None:
        """A message whose first word is no command's name ("!please train the model") is
        read as a sentence here, in its message's turn (in_order.py); discord.py would
        dispatch it to `on_command_error` as a task of its own, out of turn."""
        if ctx.command is None and ctx.invoked_with:
            found = commands.CommandNotFound(f'Command "{ctx.invoked_with}" is not found')
            await self.commands_cog.on_command_error(ctx, found)
            return
        await super().invoke(ctx)

    async def get_context(self, origin: Any, /, *, cls: Any = commands.Context) -> Any:
        """The context of a message read with its spaces as spaces (transports/typed_spaces.py):
        "!help\u00a0train" from a phone is `help` with `train`, as it looks."""
        if isinstance(origin, discord.Message) and not origin.content.isascii():
            origin.content = spaced(origin.content)
        return await super().get_context(origin, cls=cls)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info(
            "logged in as %s (id %s) in %d guilds, shards %s of %s",
            self.user,
            self.user.id,
            len(self.guilds),
            ",".join(str(s) for s in sorted(self.shards)),
            self.shard_count,
        )
        for guild in self.guilds:
            self._check_roles(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self._check_roles(guild)

    def _check_roles(self, guild: discord.Guild) -> None:
        """Warn of the roles config.yaml names that the server lacks, once per server (a
        gateway session started again is ready again)."""
        if guild.id not in self.roles_checked:
            self.roles_checked.add(guild.id)
            warn_of_missing_roles(guild, self.config.permissions)


def command_prefixes(prefix: str) -> Callable[[Any, discord.Message], list[str]]:
    """`!hi`, or a mention of me (`@Trainer hi`); in a DM, which can only be meant for me, a
    bare `hi` too (but a voice message there is the audio messages' cog's)."""
    mentioned = commands.when_mentioned_or(prefix)

    def prefixes(bot: Any, message: discord.Message) -> list[str]:
        found = mentioned(bot, message)
        if message.guild is None and not any(is_audio(a) for a in message.attachments):
            found.append("")  # tried last: `!hi` still loses its `!`
        return found

    return prefixes


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    """discord.py's `shard_ids` (leaving it out runs every shard)."""
    return {"shard_ids": settings.shard_ids} if settings.shard_ids else {}


def registers_commands(settings: DiscordSettings) -> bool:
    """Slash commands are the application's, not a shard's: the process running shard 0
    registers them, so processes started together do not overwrite one another."""
    return settings.shard_ids is None or 0 in settings.shard_ids


def _voice_diagnostics(voice: VoiceCog, guild_id: str) -> list[str]:
    """Admins' `status`: the voice receiver's counters (DAVE, padding, errors)."""
    guild = voice.guilds.get(int(guild_id)) if guild_id.isdigit() else None
    if guild is None or guild.receiver is None:
        return []
    counts = guild.receiver.stats.summary(i18n.current())
    return [i18n.tr("status.voice_receive", counts=counts)]
