"""What a user reads about a job: the refusal of a second one, and a finished model's summary."""

from __future__ import annotations

from ..errors import UserError
from ..i18n import deferred, numeral, percentage, tr
from ..storage.records import ModelRecord


def busy(job_id: int, state: str) -> UserError:
    """The refusal of a second job while the guild's job `job_id` is queued or running."""
    return UserError(tr("job.busy", job=job_id, status=tr(f"job.status.{state}")))


def summary(record: ModelRecord) -> str:
    """The finished job's message, stored as a key (`i18n.deferred`) like its progress."""
    metrics = record.metrics
    accuracy = metrics.get("accuracy")
    if accuracy is None:
        return deferred("job.ready", model=record.version)
    reused = metrics.get("reused_from")
    if reused:
        return deferred(
            "job.ready.reused", model=record.version, reused=reused, accuracy=percentage(accuracy)
        )
    if metrics.get("evaluated_on") == "held_out":
        held = metrics.get("n_held_out", metrics.get("n", 0))
        return deferred(
            "job.ready.held_out",
            model=record.version,
            accuracy=percentage(accuracy),
            n=numeral(held),
            count=int(held),  # "on 1 held-out example" (`.one`); rows stored before read `n`
        )
    return deferred("job.ready.training", model=record.version, accuracy=percentage(accuracy))
