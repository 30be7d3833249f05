"""Role checks from config.yaml, run before any work a command does."""

from __future__ import annotations

from .config import Permissions
from .errors import PermissionDenied
from .i18n import tr
from .messages import User


def is_admin(user: User, rules: Permissions) -> bool:
    return user.is_admin or bool(user.roles & set(rules.admin_roles))


def check(user: User, permission: str | None, rules: Permissions, command: str = "") -> None:
    """Raise PermissionDenied unless the user may run a command guarded by `permission`. The
    refusal names `command`, what the member ran, since several commands share one permission
    (`remove` and `undo` are guarded by `train`); without it, the permission."""
    if permission is None or is_admin(user, rules):
        return
    allowed = rules.commands.get(permission)
    if allowed is None or user.roles & set(allowed):
        return
    roles = ", ".join(f"`{r}`" for r in allowed) or tr("permission.admin_role")
    key = "permission.denied" if user.roles_seen else "permission.denied_direct"
    raise PermissionDenied(tr(key, command=command or permission, roles=roles))
