"""The fake Discord's gateway payloads for its one guild: READY, GUILD_CREATE, voice states
and messages, shaped as Discord sends them (a mixin of `FakeDiscord`)."""

from __future__ import annotations

from typing import Any

from .payloads import (
    ADMINISTRATOR,
    EVERYONE_PERMISSIONS,
    FakeMember,
    channel,
    now_iso,
    role,
    snowflake,
)


class GuildPayloads:
    """A mixin of `FakeDiscord`: the payloads it dispatches and stores."""

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.bot.user(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": self.gateway.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild_create(self) -> dict[str, Any]:
        gid = self.guild_id
        return {
            "id": str(gid),
            "name": "Fake Guild",
            "icon": None,
            "owner_id": str(snowflake()),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": self._roles(),
            "channels": [
                self._text_channel(),
                self._voice_channel(),
                channel(self.other_voice_channel_id, gid, "Voice 2", 2, 2),
                self._forum_channel(),
            ],
            "threads": self._thread_payloads(),
            "members": [m.member() for m in self.members.values()],
            "member_count": len(self.members),
            "voice_states": [
                self._voice_state(uid, cid) for uid, cid in self.voice_states.items() if cid
            ],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
        }

    def _roles(self) -> list[dict[str, Any]]:
        """@everyone, then the named roles (the admin one has Administrator)."""
        roles = [role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)]
        for position, (role_id, name) in enumerate(self.role_names.items(), start=1):
            permissions = ADMINISTRATOR if role_id == self.role_admin else 0
            roles.append(role(role_id, name, permissions, position))
        return roles

    def _text_channel(self) -> dict[str, Any]:
        """The text channel, with what `deny_bot` denied the bot there."""
        data = channel(self.text_channel_id, self.guild_id, "general", 0, 0)
        if self.bot_denied:
            deny = {"id": str(self.bot.id), "type": 1, "allow": "0", "deny": str(self.bot_denied)}
            data["permission_overwrites"] = [deny]
        return data

    def _voice_channel(self) -> dict[str, Any]:
        """The voice channel, with its user limit and what `limit_voice` denied the bot."""
        data = channel(self.voice_channel_id, self.guild_id, "Voice", 2, 1)
        data["user_limit"] = self.voice_user_limit
        if self.bot_voice_denied:
            deny = {"id": str(self.bot.id), "type": 1, "allow": "0"}
            data["permission_overwrites"] = [{**deny, "deny": str(self.bot_voice_denied)}]
        return data

    def _voice_state(self, user_id: int, channel_id: int | None) -> dict[str, Any]:
        member = self.members[user_id]
        return {
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id) if channel_id else None,
            "user_id": str(user_id),
            "member": member.member(),
            "session_id": f"voice-session-{user_id}",
            "deaf": False,
            "mute": False,
            "self_deaf": False,
            "self_mute": False,
            "self_video": False,
            "self_stream": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }

    def _message(
        self,
        channel_id: int,
        author: FakeMember,
        content: str,
        attachments: list[dict[str, Any]],
        *,
        embeds: list[dict[str, Any]] | None = None,
        reference: int | None = None,
        interaction: int | None = None,
        flags: int = 0,
        components: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author.user(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": flags,
            "components": components or [],
        }
        if reference is not None:
            message["message_reference"] = {
                "message_id": str(reference),
                "channel_id": str(channel_id),
                "guild_id": str(self.guild_id),
            }
            original = self.find_message(reference)
            if original is not None:
                message["referenced_message"] = original
        if interaction is not None:
            message["interaction_id"] = str(interaction)  # a fake-only tag for tests
        return message
