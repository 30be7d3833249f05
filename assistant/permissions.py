"""Role checks from config.yaml, run before any work a command does."""

from __future__ import annotations

from collections.abc import Iterable

from .commands.registry import Command
from .config import Permissions
from .errors import CannotStart, PermissionDenied
from .i18n import tr
from .messages import User

LANGUAGE = "language"
"""The one permission a handler checks itself: changing the server's language (seeing it is
open to all, so the `language` command declares none)."""


def holds(user: User, roles: Iterable[str]) -> bool:
    """Whether the user has one of `roles`. Case aside: a server's "Trainer" is config.yaml's
    `trainer` (servers name roles as titles; the refusal would name a role they seem to hold)."""
    held = {role.casefold() for role in user.roles}
    return any(role.casefold() in held for role in roles)


def is_admin(user: User, rules: Permissions) -> bool:
    return user.is_admin or holds(user, rules.admin_roles)


def check(user: User, permission: str | None, rules: Permissions, command: str = "") -> None:
    """Raise PermissionDenied unless the user may run a command guarded by `permission`. The
    refusal names `command`, what the member ran, since several commands share one permission
    (`remove` and `undo` are guarded by `train`); without it, the permission."""
    if permission is None or is_admin(user, rules):
        return
    allowed = rules.commands.get(permission)
    if allowed is None or holds(user, allowed):
        return
    command = command or permission
    if user.server_roles is not None and allowed:
        existing = [role for role in allowed if not missing(role, user.server_roles)]
        if not existing:
            # No member can be given a role the server lacks: asking for it helps nobody.
            listed = ", ".join(f"`{r}`" for r in allowed)
            # the one role, not a plural form: Russian's `.one` is 21 roles too
            single = ".single" if len(allowed) == 1 else ""
            raise PermissionDenied(
                tr(f"permission.no_such_role{single}", command=command, roles=listed)
            )
        allowed = existing  # name only the roles a member can be given here
    roles = ", ".join(f"`{r}`" for r in allowed) or tr("permission.admin_role")
    key = "permission.denied" if user.roles_seen else "permission.denied_direct"
    raise PermissionDenied(tr(key, command=command, roles=roles))


def missing(role: str, server_roles: Iterable[str]) -> bool:
    """Whether a server has no role of that name (case aside, as `holds` matches them)."""
    return role.casefold() not in {name.casefold() for name in server_roles}


def missing_roles(rules: Permissions, server_roles: Iterable[str]) -> dict[str, list[str]]:
    """The roles `permissions.commands` names that a server does not have, each with the
    permissions it is given (only administrators can run those there)."""
    names = set(server_roles)
    found: dict[str, list[str]] = {}
    for permission, roles in rules.commands.items():
        for role in roles:
            if missing(role, names):
                found.setdefault(role, []).append(permission)
    return found


def check_rules(rules: Permissions, commands: Iterable[Command]) -> None:
    """Refuse at start-up a key of `permissions.commands` that guards no command: the command an
    admin meant to restrict (`export`, a typo of `train`) would stay open to every member."""
    known = {c.name: c for c in commands}
    keys = {c.permission for c in known.values() if c.permission} | {LANGUAGE}
    wrong = []
    for key in rules.commands:
        if key in keys:
            continue
        found = known.get(key)
        if found is None:
            wrong.append(f"`{key}` names no command")
        elif found.permission is None:
            wrong.append(f"`{key}` is open to everyone and cannot be restricted")
        else:
            wrong.append(f"`{key}` is guarded by `{found.permission}`: list its roles there")
    if wrong:
        raise CannotStart(
            f"permissions.commands in the config file: {'; '.join(wrong)}. Its keys are the "
            f"permissions {', '.join(sorted(keys))} (`help COMMAND` names a command's)"
        )
