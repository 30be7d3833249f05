"""Slash-option autocomplete: datasets, folders, files, job ids, model versions, labels.

Discord asks while the user types (an interaction of type 4) and shows up to 25 choices. Paths
come from the data root with the same rules as the commands (nothing outside it, no symlinks,
no hard-linked files); a user who may not run a command sees no suggestions for it, so file
names are never shown to someone `getfile` would refuse.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from assistant import i18n, permissions
from assistant.commands.notes import started_from
from assistant.commands.targets import marks
from assistant.datasets import ARCHIVE_FOLDER
from assistant.errors import UserError
from assistant.reports import status

from .members import guild_key, to_user

if TYPE_CHECKING:
    from assistant.app import Assistant
    from assistant.sandbox import DataRoot

    from .client import TrainerBot

log = logging.getLogger(__name__)

MAX_CHOICES = 25
"""Discord shows at most 25 choices."""
CHOICE_CHARS = 100
"""Discord's limit on a choice's name and value."""
SCAN_LIMIT = 5000
"""Most entries of the data root looked at per keystroke (a huge root stays responsive)."""
SCAN_DEPTH = 4
"""Folders deeper than this below the data root are not suggested (they can still be typed)."""
LABEL_SAMPLE = 500
"""Added examples looked at: their labels are offered besides the model's (a new label is in
them), and the newest of them as example numbers."""
REPLY_SAMPLE = 100
"""Newest replies looked at for predictions to correct."""

OPTIONS: dict[tuple[str, str], str] = {
    ("select_dataset", "dir"): "dataset",
    ("test", "dataset"): "dataset",
    ("archive", "dir"): "folder",
    ("train", "data_dir"): "folder",
    ("train", "data"): "source",
    ("train", "label"): "label",
    ("relabel", "label"): "label",
    ("relabel", "example"): "example",
    ("remove", "example"): "example",
    ("getfile", "path"): "file",
    ("cancel", "job"): "job",
    ("status", "job"): "job",
    ("use_model", "version"): "model",
    ("language", "code"): "language",
    ("help", "command"): "command",
    ("correct", "message_id"): "reply",
    ("correct", "text"): "label",
}
"""(command, option) -> what its choices are."""


def scan(root: DataRoot, typed: str = "") -> tuple[list[str], list[str]]:
    """(folders, files) under the data root as users name them, never following symlinks and
    leaving out hard-linked files (the sandbox refuses those). When what was typed names a
    folder (`reviews/pos`), only that folder (`reviews`) is walked, so deep and large roots
    are suggested from as the user types down into them."""
    folders: list[str] = []
    files: list[str] = []
    seen = 0
    base = root.root
    start = base
    parent = typed.strip().replace("\\", "/").rpartition("/")[0]
    if parent:
        try:
            start = root.folder(parent)
        except UserError:
            return [], []
    for directory, subfolders, names in os.walk(start):
        here = Path(directory)
        depth = len(here.relative_to(start).parts)
        subfolders[:] = (
            []
            if depth >= SCAN_DEPTH
            else sorted(d for d in subfolders if not (here / d).is_symlink())
        )
        for name in subfolders:
            folder = (here / name).relative_to(base).as_posix()
            if folder.split("/")[0] != ARCHIVE_FOLDER:  # archives are files to fetch, not data
                folders.append(folder)
        for name in sorted(names):
            path = here / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and (info.st_nlink == 1 or root.allow_hard_links):
                files.append(path.relative_to(base).as_posix())
        seen += len(subfolders) + len(names)
        if seen > SCAN_LIMIT:
            break
    return folders, files


def matching(values: list[str], typed: str) -> list[str]:
    """Values containing what was typed (case-insensitive), those starting with it first."""
    needle = typed.strip().lower()
    fitting = [v for v in dict.fromkeys(values) if 0 < len(v) <= CHOICE_CHARS]
    hits = [v for v in fitting if needle in v.lower()]
    hits.sort(key=lambda v: (not v.lower().startswith(needle), v.lower()))
    return hits[:MAX_CHOICES]


def labels(app: Assistant, guild_id: str) -> list[str]:
    """The active dataset's labels: its current model's, then those of added examples."""
    dataset = app.store.active_dataset(guild_id)
    if dataset is None:
        return []
    model = app.store.current_model(dataset)
    found = list(model.labels) if model is not None else []
    recent = app.store.stored_examples(dataset, offset=0, limit=LABEL_SAMPLE)
    found += sorted({example.label for example in recent})
    return list(dict.fromkeys(found))


def values(app: Assistant, guild_id: str, kind: str, typed: str) -> list[str]:
    """The candidate values of one kind of option (blocking: files are listed)."""
    if kind in ("folder", "file", "dataset", "source"):
        bare = typed.split(":", 1)[1] if kind == "source" and ":" in typed else typed
        folders, files = scan(app.root, bare)
        if kind == "folder":
            return folders
        if kind == "file":
            return files
        if kind == "dataset":
            return [d.name for d in app.store.datasets(guild_id)] + folders
        # `file:`, `folder:`, or the server's language's words for them (`файл:`, `папка:`)
        with i18n.speaking(app.language(guild_id)):
            file_marks, folder_marks = marks("file"), marks("folder")
        lowered = typed.lower()
        mark = next((m for m in [*file_marks, *folder_marks] if lowered.startswith(m)), None)
        if mark is None:
            return []  # an example sentence is being typed: nothing to suggest
        written = typed[: len(mark)]
        return [written + name for name in (files if mark in file_marks else folders)]
    if kind == "label":
        return labels(app, guild_id)
    if kind == "model":
        dataset = app.store.active_dataset(guild_id)
        if dataset is None:
            return []
        return [m.version for m in app.store.models(guild_id, MAX_CHOICES, dataset=dataset.name)]
    if kind == "language":
        return i18n.languages()
    if kind == "command":
        return [c.name for c in app.commands.all()]
    return []


def job_choices(app: Assistant, guild_id: str, typed: str) -> list[app_commands.Choice[int]]:
    """Running and queued jobs first: `#12 · reviews (running, 40%)`, in the guild's language
    (`#12 · reviews (выполняется, 40 %)`)."""
    jobs = sorted(app.store.jobs(guild_id, limit=MAX_CHOICES), key=lambda j: (not j.active, -j.id))
    hits = [j for j in jobs if typed.strip().lstrip("#") in str(j.id)][:MAX_CHOICES]
    with i18n.speaking(app.language(guild_id)):
        named = [
            (j, f"#{j.id} · {j.dataset} ({status(j)}, {i18n.percent_text(j.progress)})")
            for j in hits
        ]
    return [app_commands.Choice(name=name[:CHOICE_CHARS], value=j.id) for j, name in named]


def example_choices(app: Assistant, guild_id: str, typed: str) -> list[app_commands.Choice[str]]:
    """Recent added examples whose number or text matches: `#12 positive: what a film`."""
    dataset = app.store.active_dataset(guild_id)
    if dataset is None:
        return []
    total = app.store.count_examples(dataset)
    recent = app.store.stored_examples(
        dataset, offset=max(0, total - LABEL_SAMPLE), limit=LABEL_SAMPLE
    )
    needle = typed.strip().lstrip("#").lower()
    hits = [e for e in reversed(recent) if needle in str(e.id) or needle in e.text.lower()]
    hits.sort(key=lambda e: str(e.id) != needle)  # the number typed in full first, then newest
    return [
        app_commands.Choice(
            name=" ".join(f"#{e.id} {e.label}: {e.text}".split())[:CHOICE_CHARS], value=str(e.id)
        )
        for e in hits[:MAX_CHOICES]
    ]


def reply_choices(
    app: Assistant, guild_id: str, typed: str, channel_id: str = ""
) -> list[app_commands.Choice[str]]:
    """My recent predictions, newest first: `1234…: “what a film” → positive`. In a thread
    started from one (`channel_id`), the thread's own first, as `correct negative` there
    takes them: those made in it, newest first, then the one it was started from."""
    needle = typed.strip().lstrip("#").lower()
    newest = sorted(
        (i for i in app.store.reply_ids(guild_id) if i.isdigit()), key=int, reverse=True
    )
    records = [app.store.reply(guild_id, i) for i in newest[:REPLY_SAMPLE]]
    started = started_from(app.store, guild_id, channel_id) if channel_id else None
    if started is not None:
        inside = [r for r in records if r is not None and r.channel_id == channel_id]
        records = [*inside, started, *(r for r in records if r not in inside and r != started)]
    choices: list[app_commands.Choice[str]] = []
    for record in records:
        items = (record.data or {}).get("predictions") if record is not None else None
        if record is None or not items:
            continue
        more = f" (+{len(items) - 1})" if len(items) > 1 else ""
        name = f"{record.message_id}: “{items[0]['text']}” → {items[0]['prediction']}{more}"
        if needle in name.lower():
            name = " ".join(name.split())
            choices.append(app_commands.Choice(name=name[:CHOICE_CHARS], value=record.message_id))
        if len(choices) == MAX_CHOICES:
            break
    return choices


Suggest = Callable[[discord.Interaction[Any], str], Awaitable[list[app_commands.Choice[Any]]]]


def suggester(bot: TrainerBot, command: str, permission: str | None, kind: str) -> Suggest:
    """The autocomplete callback of one option: no choices for users the command refuses."""

    async def suggest(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[Any]]:
        app = bot.assistant
        try:
            permissions.check(to_user(interaction.user), permission, app.config.permissions)
        except UserError:
            return []
        guild_id = guild_key(interaction.guild, interaction.user)
        typed = str(current or "")
        try:
            if kind == "job":
                return list(job_choices(app, guild_id, typed))
            if kind == "example":
                return list(example_choices(app, guild_id, typed))
            if kind == "reply":
                channel = str(interaction.channel_id or "")
                return list(reply_choices(app, guild_id, typed, channel))
            found = await asyncio.to_thread(values, app, guild_id, kind, typed)
        except Exception:  # a suggestion must never break typing a command
            log.exception("autocomplete of /%s failed", command)
            return []
        return [app_commands.Choice(name=v, value=v) for v in matching(found, typed)]

    suggest.__name__ = suggest.__qualname__ = f"suggest_{command}_{kind}"
    return suggest
