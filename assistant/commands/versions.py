"""A dataset's model versions: list them with their metrics, choose one, roll back."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from ..errors import BadInput, NotFound
from ..i18n import number_text, tr, tr_count
from ..messages import Reply, Request
from ..reports import percent
from ..storage.records import Dataset, ModelRecord
from .model import active_dataset
from .option_values import shown
from .registry import Param, command

if TYPE_CHECKING:
    from ..app import Assistant

LISTED = 20
VERSION_NUMBER = re.compile(r"#?v?0*([0-9]{1,9})")
"""A version by its number, as people write it: `3`, `v3`, `#3`, `v0003` (`use_model`)."""


def _line(model: ModelRecord, current: ModelRecord | None) -> str:
    m = model.metrics
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(model.created_at))
    mark = " ← " + tr("models.current") if current and current.version == model.version else ""
    return (
        tr(
            "models.line",
            model=model.version,
            when=when,
            count=number_text(model.n_examples),
            accuracy=percent(m.get("accuracy")),
            f1=percent(m.get("f1")),
            labels=", ".join(model.labels),
        )
        + mark
    )


@command(
    "models",
    "List the active dataset's model versions with their metrics.",
    aliases=("versions",),
)
async def models(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset = active_dataset(app, request.guild_id)
    found = app.store.models(request.guild_id, LISTED, dataset=dataset.name)
    if not found:
        raise NotFound(tr("models.none", name=dataset.name))
    current = app.store.current_model(dataset)
    lines = [tr("models.title", name=dataset.name)]
    lines += [f"- {_line(m, current)}" for m in found]
    lines.append(tr("models.hint"))
    return Reply(
        text="\n".join(lines),
        speech=tr_count("models.speech", len(found), name=dataset.name),
        data={
            "dataset": dataset.name,
            "current": current.version if current else None,
            "models": [
                {"version": m.version, "accuracy": m.metrics.get("accuracy")} for m in found
            ],
        },
    )


def _choose(app: Assistant, dataset: Dataset, model: ModelRecord, how: str) -> Reply:
    app.store.set_current_model(dataset, model.version)
    return Reply(
        text=tr(how, name=dataset.name, model=_line(model, None)),
        speech=tr("models.chosen.speech", model=model.version.split("-")[0]),
        data={"dataset": dataset.name, "model": model.version},
    )


@command(
    "use_model",
    "Make one of the active dataset's model versions the current one.",
    Param(
        "version", "str", "A version as `models` lists it (v0003, or 3, is enough)", required=True
    ),
    permission="train",
)
async def use_model(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset = active_dataset(app, request.guild_id)
    wanted = options["version"].strip().lower()
    number = VERSION_NUMBER.fullmatch(wanted)
    found = [
        m
        for m in app.store.models(request.guild_id, 1_000_000, dataset=dataset.name)
        if m.version.lower() == wanted
        or m.version.lower().split("-")[0] == wanted
        or (number is not None and _number_of(m.version) == int(number[1]))
    ]
    if not found:
        raise NotFound(tr("models.missing", name=dataset.name, model=shown(wanted)))
    current = app.store.current_model(dataset)
    if current is not None and current.version == found[0].version:
        raise BadInput(tr("models.in_use", name=dataset.name, model=current.version))
    app.jobs.registry.load_classifier(found[0])  # its files must be there before it is chosen
    return _choose(app, dataset, found[0], "models.chosen")


def _number_of(version: str) -> int | None:
    """The number of a version as the registry names it (`v0003-20261207T…` is 3)."""
    number = VERSION_NUMBER.fullmatch(version.split("-")[0].lower())
    return int(number[1]) if number else None


def _previous_model(app: Assistant, request: Request) -> tuple[Dataset, ModelRecord]:
    """The model `rollback` would go back to, or the refusal."""
    dataset = active_dataset(app, request.guild_id)
    current = app.store.current_model(dataset)
    history = app.store.models(request.guild_id, 1_000_000, dataset=dataset.name)
    if current is None:
        raise NotFound(tr("models.none", name=dataset.name))
    older = [m for m in history if m.created_at < current.created_at]
    older = older or [m for m in history if m.version < current.version]
    if not older:
        raise NotFound(tr("models.oldest", model=current.version, name=dataset.name))
    return dataset, older[0]


async def _can_roll_back(app: Assistant, request: Request, options: dict[str, Any]) -> None:
    _previous_model(app, request)


@command(
    "rollback",
    "Go back to the active dataset's model before the current one.",
    permission="train",
    check=_can_roll_back,
)
async def rollback(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    dataset, previous = _previous_model(app, request)
    app.jobs.registry.load_classifier(previous)
    return _choose(app, dataset, previous, "models.rolled_back")
