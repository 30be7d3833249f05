"""What Discord refuses in a message the bot sends (400 Invalid Form Body, code 50035), and where
a message's components are: the fake checks both, so a test sees what real Discord would do."""

from __future__ import annotations

import re
from typing import Any

CONTENT_CHARS = 2000
EMBED_DESCRIPTION_CHARS = 4096
EMBED_TITLE_CHARS = 256
EMBED_FIELDS = 25
EMBEDS_TOTAL_CHARS = 6000
ACTION_ROWS = 5
ROW_BUTTONS = 5
SELECT_OPTIONS = 25
CUSTOM_ID_CHARS = 100
BUTTON_LABEL_CHARS = 80
OPTION_CHARS = 100
AUTOCOMPLETE_CHOICES = 25
ACK_DEADLINE_S = 3.0
"""An interaction not answered within this many seconds is gone (10062 Unknown interaction)."""
TOKEN_LIFETIME_S = 15 * 60
"""An interaction's token (its follow-ups, edits of its messages) works this long, then
Discord answers 401 Invalid Webhook Token (50027)."""


def _embed_chars(embed: dict[str, Any]) -> int:
    fields = embed.get("fields") or []
    return (
        len(embed.get("title") or "")
        + len(embed.get("description") or "")
        + len((embed.get("footer") or {}).get("text") or "")
        + len((embed.get("author") or {}).get("name") or "")
        + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in fields)
    )


def message_problems(body: dict[str, Any]) -> list[str]:
    """Why Discord would refuse to create (or edit to) this message body; empty when fine."""
    problems = []
    if len(body.get("content") or "") > CONTENT_CHARS:
        problems.append(f"content: must be {CONTENT_CHARS} or fewer in length")
    embeds = body.get("embeds") or []
    for n, embed in enumerate(embeds):
        if len(embed.get("description") or "") > EMBED_DESCRIPTION_CHARS:
            problems.append(f"embeds.{n}.description: too long")
        if len(embed.get("title") or "") > EMBED_TITLE_CHARS:
            problems.append(f"embeds.{n}.title: too long")
        if len(embed.get("fields") or []) > EMBED_FIELDS:
            problems.append(f"embeds.{n}.fields: too many")
    if sum(_embed_chars(e) for e in embeds) > EMBEDS_TOTAL_CHARS:
        problems.append(f"embeds: more than {EMBEDS_TOTAL_CHARS} characters in all")
    rows = body.get("components") or []
    if len(rows) > ACTION_ROWS:
        problems.append("components: too many action rows")
    ids = [c.get("custom_id") for row in rows for c in row.get("components", [])]
    if len(ids) != len(set(ids)):
        problems.append("components: custom_id values must be unique")
    for row in rows:
        items = row.get("components", [])
        if len(items) > ROW_BUTTONS or (len(items) > 1 and any(i["type"] == 3 for i in items)):
            problems.append("components: a row holds up to 5 buttons or one select menu")
        for item in items:
            if len(item.get("custom_id") or "") > CUSTOM_ID_CHARS:
                problems.append("components: custom_id too long")
            if len(item.get("label") or "") > BUTTON_LABEL_CHARS:
                problems.append("components: button label too long")
            options = item.get("options") or []
            if item["type"] == 3 and not 1 <= len(options) <= SELECT_OPTIONS:
                problems.append("components: a select menu has 1 to 25 options")
            if any(
                len(o["label"]) > OPTION_CHARS or len(o["value"]) > OPTION_CHARS for o in options
            ):
                problems.append("components: select option too long")
    return problems


USER_MENTION = re.compile(r"<@!?(\d+)>")


def pinged(body: dict[str, Any], replied_author: str | None) -> list[str]:
    """The ids of the users Discord notifies for a message the bot sends: those mentioned in its
    content that `allowed_mentions` lets through (everyone mentioned, without it), and the
    author of the message it replies to unless `replied_user` is false. Embeds never ping."""
    found = USER_MENTION.findall(body.get("content") or "")
    allowed = body.get("allowed_mentions")
    if allowed is not None and "users" not in allowed.get("parse", []):
        listed = {str(u) for u in allowed.get("users") or []}
        found = [u for u in found if u in listed]
    if replied_author and (allowed or {}).get("replied_user", True):
        found.append(replied_author)
    return list(dict.fromkeys(found))


def find_component(message: dict[str, Any], custom_id: str) -> dict[str, Any] | None:
    """The button or select menu with `custom_id` on a stored message."""
    for row in message.get("components") or []:
        for item in row.get("components", []):
            if item.get("custom_id") == custom_id:
                return dict(item)
    return None


def choice_problems(choices: list[dict[str, Any]]) -> list[str]:
    if len(choices) > AUTOCOMPLETE_CHOICES:
        return ["choices: at most 25"]
    return [
        "choices: name and value are 1 to 100 characters"
        for c in choices
        if not 1 <= len(str(c["name"])) <= OPTION_CHARS or len(str(c["value"])) > OPTION_CHARS
    ]


VOICE_MESSAGE = 1 << 13


def voice_message_problems(body: dict[str, Any], files: list[dict[str, Any]]) -> list[str]:
    """A voice message (flag 8192) is one audio attachment with a duration and a waveform, and
    nothing else (Discord answers 50161 otherwise)."""
    if not int(body.get("flags") or 0) & VOICE_MESSAGE:
        return []
    if body.get("content") or body.get("embeds") or len(files) != 1:
        return ["voice messages have exactly one attachment and no content or embeds"]
    [upload] = files
    if not isinstance(upload.get("duration_secs"), int | float) or not upload.get("waveform"):
        return ["voice message attachments need duration_secs and waveform"]
    if not upload.get("filename", "").endswith(".ogg"):
        return ["voice messages are OGG/Opus"]
    return []


INTEGER, NUMBER = 4, 10
"""Option types whose values Discord bounds (min_value / max_value)."""
SAFE_INTEGER = 2**53 - 1
"""Discord's integer options hold -2**53+1 to 2**53-1, and so may their bounds."""


def option_problems(command: dict[str, Any]) -> list[str]:
    """Why Discord would refuse to register this command's options' bounds; empty when fine."""
    problems = []
    for option in command.get("options") or []:
        if option.get("type") not in (INTEGER, NUMBER):
            if "min_value" in option or "max_value" in option:
                problems.append(f"{option['name']}: min_value/max_value only bound numbers")
            continue
        bounds = [option[k] for k in ("min_value", "max_value") if option.get(k) is not None]
        if any(abs(b) > SAFE_INTEGER for b in bounds):
            problems.append(f"{option['name']}: bounds must be within ±{SAFE_INTEGER}")
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            problems.append(f"{option['name']}: min_value is above max_value")
    return problems


def value_refused(option: dict[str, Any], value: Any) -> str | None:
    """Why Discord's client would not send `value` for a number option (it shows the member
    the bounds instead, and the bot never hears of it); None when it would."""
    if option.get("type") not in (INTEGER, NUMBER):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{option['name']} takes a number, not {value!r}"
    if option["type"] == INTEGER and (not isinstance(value, int) or abs(value) > SAFE_INTEGER):
        return f"{option['name']} takes a whole number within ±{SAFE_INTEGER}, not {value!r}"
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{option['name']} must be from {low} to {high}, not {value!r}"
    return None
