"""Settings of the Discord transport (the token comes from DISCORD_TOKEN, never from here)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .core import Section


class DiscordSettings(Section):
    api_base: str | None = None
    """REST base URL including the version, e.g. a nirn-proxy `http://proxy:8080/api/v10`;
    None means Discord's own."""
    gateway_url: str | None = None
    """Gateway websocket URL; None means Discord's own."""
    ca_cert: str | None = None
    """Extra CA certificate (PEM path) to trust, e.g. a proxy's; added to the system CAs."""
    sync_commands: bool = True
    """Register the slash commands with Discord at start-up (bulk overwrite, so removed
    commands disappear too)."""
    command_guild_id: int | None = None
    """Register slash commands in this guild only (instant, for development); None = global."""
    rate_limit_count: int = Field(6, ge=1)
    """Commands one user may run per `rate_limit_seconds` (text, slash and voice together)."""
    rate_limit_seconds: float = Field(20.0, gt=0)
    empty_channel_timeout_s: float = Field(60.0, gt=0)
    """Leave the voice channel after it has had no human in it for this long."""
    record_audio: bool = False
    """Privacy: False keeps no audio anywhere; speech lives in memory only until recognized.
    (True is reserved for a future opt-in debugging mode and is refused at start-up.)"""
    announce_listening: bool = True
    """On joining voice, post in the text channel that the bot listens and how to opt out."""
    receive_watchdog_s: float = Field(8.0, gt=0)
    """Reconnect voice when no audio packet arrived for this long while someone is speaking."""
    voice_connect_timeout_s: float = Field(15.0, gt=0)
    progress_edit_interval_s: float = Field(1.5, ge=0)
    """Least seconds between two edits of a job's progress message (Discord rate-limits edits)."""
    voice_message_replies: bool = False
    """Answer a voice message with a voice message too (the spoken reply), after the text."""

    shard_count: int | None = Field(None, ge=1)
    """Shards the bot is split into across all its processes; None asks Discord (GET
    /gateway/bot), which is what one process running every shard wants."""
    shard_ids: list[int] | None = None
    """The shards this process runs (each in 0..shard_count-1); None runs all of them.
    Discord sends a guild's events only to shard `(guild_id >> 22) % shard_count`."""

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total across processes)")
            wrong = [s for s in self.shard_ids if not 0 <= s < self.shard_count]
            if wrong or not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError(
                    f"shard_ids must be distinct numbers from 0 to {self.shard_count - 1}"
                )
        return self

    @field_validator("record_audio")
    @classmethod
    def _no_recording(cls, record: bool) -> bool:
        if record:
            raise ValueError("recording audio is not supported; set it to false")
        return record
