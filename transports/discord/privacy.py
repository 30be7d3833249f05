"""Voice privacy: `optout` / `optin`, and the notice posted when the bot starts listening.

An opted-out member's packets are dropped before decoding (voice/receiver.py), so their speech
is never decoded, recognized or kept. The choice is stored per guild in the Store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

from assistant import i18n
from assistant.messages import Reply

from .cog_commands import guild_key

if TYPE_CHECKING:
    from .client import TrainerBot


def listening_notice(language: str, prefix: str, channel_name: str, wake: str) -> str:
    return i18n.message(language, "privacy.notice", channel=channel_name, wake=wake, prefix=prefix)


class PrivacyCog(commands.Cog, name="Privacy"):
    def __init__(self, bot: TrainerBot) -> None:
        self.bot = bot
        self.store = bot.assistant.store

    def opted_out(self, guild_id: int) -> set[int]:
        return {int(u) for u in self.store.voice_optouts(str(guild_id)) if u.isdigit()}

    async def _set(self, ctx: commands.Context[Any], opted_out: bool) -> None:
        guild = guild_key(ctx.guild, ctx.author)
        self.store.set_voice_optout(guild, str(ctx.author.id), opted_out)
        if ctx.guild is not None:
            self.bot.voice_cog.privacy_changed(ctx.guild.id)
        key = "privacy.optout_done" if opted_out else "privacy.optin_done"
        text = self.bot.assistant.text(guild, key, prefix=self.bot.config.prefix)
        await self.bot.commands_cog.send(ctx, Reply(text=text, speech=None))

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="optout", description="Stop the bot from listening to your voice"
    )
    async def optout(self, ctx: commands.Context[Any]) -> None:
        await self._set(ctx, True)

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="optin", description="Let the bot listen to your voice again"
    )
    async def optin(self, ctx: commands.Context[Any]) -> None:
        await self._set(ctx, False)
