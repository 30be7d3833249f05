"""The fake Discord's interactions: slash commands, autocomplete and component clicks, sent
the way Discord sends them (INTERACTION_CREATE with the real payload shapes)."""

from __future__ import annotations

import time
from typing import Any

from .limits import (
    TOKEN_LIFETIME_S,
    find_component,
    value_refused,
)
from .payloads import (
    EVERYONE_PERMISSIONS,
    FakeMember,
    snowflake,
)


class Interactions:
    """A mixin of `FakeDiscord`: what a member does through interactions."""

    token_lifetime_s: float = TOKEN_LIFETIME_S
    """How long an interaction's token works (a test shortens Discord's 15 minutes)."""

    async def interaction(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        author: FakeMember | None = None,
        channel_id: int | None = None,
    ) -> int:
        """A member runs `/name`; attachment options take `(filename, bytes)`. Returns its id."""
        author = author or self.alice
        channel_id = channel_id or self.text_channel_id
        command = self.commands.get(name)
        if command is None:
            raise KeyError(f"the bot registered no application command {name!r}")
        self._check_command_channel(name, channel_id, author)
        declared = {o["name"]: o for o in command.get("options", [])}
        wire_options, resolved_attachments = [], {}
        for key, value in (options or {}).items():
            if key not in declared:
                raise KeyError(f"/{name} has no option {key!r}; it has {sorted(declared)}")
            kind = declared[key]["type"]
            refused = value_refused(declared[key], value)
            if refused is not None:  # the client says so, and sends nothing
                raise ValueError(f"Discord's client does not send /{name}: {refused}")
            if kind == 11:
                attachment = self._store_attachment(value[0], value[1], None)
                resolved_attachments[attachment["id"]] = attachment
                value = attachment["id"]
            wire_options.append({"name": key, "type": kind, "value": value})
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": wire_options,
            "guild_id": str(self.guild_id),
        }
        if resolved_attachments:
            data["resolved"] = {"attachments": resolved_attachments}
        return await self._dispatch_interaction(2, data, author, channel_id)

    def _check_command_channel(self, name: str, channel_id: int, author: FakeMember) -> None:
        """Discord's client offers no application commands in archived threads (nor in
        deleted ones, nor in a private one to a member not in it, who does not see it)."""
        thread = self._thread(channel_id)
        if thread is not None and (
            thread.archived or thread.deleted or thread.hidden_from(author.id)
        ):
            raise ValueError(f"Discord's client does not send /{name} in thread {thread.name!r}")

    async def _dispatch_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        author: FakeMember,
        channel_id: int,
        message: dict[str, Any] | None = None,
    ) -> int:
        """INTERACTION_CREATE of `kind` (2 command, 3 component, 4 autocomplete) as Discord
        sends it; component interactions carry the message their component is on."""
        interaction_id = snowflake()
        member = author.member()
        member["permissions"] = str(EVERYONE_PERMISSIONS)
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "member": member,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            # the bot's permissions in the channel: what `deny_bot` denied it there is off
            "app_permissions": str(EVERYONE_PERMISSIONS & ~self._send_permission(channel_id)[0]),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        self.interactions[interaction_id] = {
            "payload": payload,
            "responses": [],
            "original": None,
            "message": message,
            "created": time.monotonic(),
            "acknowledged_after": None,
            "choices": None,
        }
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    async def autocomplete(
        self,
        name: str,
        option: str,
        typed: str,
        options: dict[str, Any] | None = None,
        author: FakeMember | None = None,
        timeout: float = 10.0,
        channel_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """A member types `typed` into `/name`'s `option` (other options already filled in)
        in the text channel or `channel_id` (a thread): an autocomplete interaction (type 4).
        Returns the choices the bot answered (type 8)."""
        author = author or self.alice
        channel_id = channel_id or self.text_channel_id
        self._check_command_channel(name, channel_id, author)
        command = self.commands.get(name)
        if command is None:
            raise KeyError(f"the bot registered no application command {name!r}")
        declared = {o["name"]: o for o in command.get("options", [])}
        if not declared.get(option, {}).get("autocomplete"):
            raise KeyError(f"/{name} option {option!r} does not autocomplete")
        wire = [
            {"name": k, "type": declared[k]["type"], "value": v}
            for k, v in (options or {}).items()
            if k != option
        ]
        wire.append(
            {"name": option, "type": declared[option]["type"], "value": typed, "focused": True}
        )
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": wire,
            "guild_id": str(self.guild_id),
        }
        interaction_id = await self._dispatch_interaction(4, data, author, channel_id)
        record = self.interactions[interaction_id]
        await self.wait_for(lambda: record["choices"] is not None, timeout, "autocomplete choices")
        return list(record["choices"])

    async def click(
        self,
        message: dict[str, Any] | int | str,
        custom_id: str,
        author: FakeMember | None = None,
        values: list[str] | None = None,
    ) -> int:
        """A member clicks a button (or, with `values`, picks options of a select menu) on a
        message: a component interaction (type 3), refused like Discord's client would when the
        component is not on the message, is disabled, or the values are not its options."""
        stored = self.find_message(message if isinstance(message, int | str) else message["id"])
        if stored is None:
            raise KeyError("no such message")
        component = find_component(stored, custom_id)
        if component is None:
            raise KeyError(f"no component {custom_id!r} on the message")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        author = author or self.alice
        if stored.get("flags", 0) & 64:  # ephemeral: only its interaction's member sees it
            owner = self.interactions[int(stored["interaction_id"])]["payload"]["member"]
            if owner["user"]["id"] != str(author.id):
                raise PermissionError(f"{author.name} cannot see that ephemeral message")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] == 3:
            offered = {o["value"] for o in component.get("options", [])}
            if not values or not set(values) <= offered:
                raise ValueError(f"{values!r} are not options of {custom_id!r}: {sorted(offered)}")
            data["values"] = values
        channel_id = int(stored["channel_id"])
        return await self._dispatch_interaction(3, data, author, channel_id, stored)

    def components(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """A stored message's buttons and select menus (its action rows flattened)."""
        return [c for row in message.get("components") or [] for c in row.get("components", [])]
