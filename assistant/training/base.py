"""What every training backend shares: examples, predictions, the trained result, the split.

A backend turns labelled examples into a `TrainedModel` (files in a registry staging folder, or
a model that lives elsewhere, such as an OpenAI fine-tune) and can load a `Classifier` from a
registered `ModelRecord`. The job manager owns job state; backends only report progress.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

from ..errors import UserError
from ..i18n import Field, keyed
from ..storage.records import Job, ModelRecord

if TYPE_CHECKING:
    from ..config import Config
    from .registry import ModelRegistry


class ProgressFn(Protocol):
    """`progress(0.45, "progress.fitting", count=12_000)`: how far the job is (0..1) and what it
    does now, as a message key (`progress.*` in assistant/locales/*/messages.yaml) and its fields,
    never as text: the job's row keeps both (`i18n.deferred`) and each reader sees them in the
    language of the job's guild (`i18n.render`). An int `count` picks the key's `.one` form;
    other numbers are `i18n.numeral`s, written the reader's way. Called on the event loop's
    thread only."""

    def __call__(self, fraction: float, key: str, /, **fields: Field) -> None: ...


class Example(NamedTuple):
    """One labelled text. A named tuple: small and cheap to make by the 100,000. It stays
    tracked by the garbage collector (CPython untracks only exact tuples), so with a job's
    100,000 examples in memory a full collection walks them all: 20-80 ms, whichever thread
    sets it off (measured 4 December 2026)."""

    text: str
    label: str


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float
    """Confidence in [0, 1]; lower when the backend had to guess (see each backend)."""


@dataclass(frozen=True)
class TrainedModel:
    """What a backend produced; the registry turns it into a `ModelRecord`."""

    version: str
    path: str | None
    """Staging folder holding the model files (the registry moves it into place)."""
    external_model: str | None
    """Name of a model hosted elsewhere (an OpenAI fine-tune), else None."""
    labels: list[str]
    metrics: dict[str, Any]
    n_examples: int
    data_hash: str
    held_out: frozenset[int] = field(default_factory=frozenset)
    """Indices of the examples kept out of training to measure the metrics."""


class Cancelled(Exception):
    """Raised by a backend when the job's `cancelled` event was set; nothing was registered."""


class Interrupted(Exception):
    """Raised by a backend whose training process was stopped by SIGTERM from outside: a
    service stop signals every process of the service, the training process as well as the
    bot. The job ends as interrupted (run `train` again), not as failed."""


class Classifier(ABC):
    """A loaded model. `predict` blocks; call it from a worker thread if it may be slow."""

    @property
    @abstractmethod
    def labels(self) -> list[str]: ...

    @abstractmethod
    def predict(self, texts: list[str]) -> list[Prediction]: ...


@dataclass(frozen=True)
class PreparedExamples:
    """Examples checked, split and hashed: what every backend needs before it trains."""

    labels: list[str]
    """The sorted labels."""
    train: list[int]
    """Indices of the examples to train on."""
    held_out: list[int]
    """Indices kept out of training to measure the model."""
    digest: str
    """`data_hash` of the examples."""


class Backend(ABC):
    name: ClassVar[str]
    """Also the name of its section under `trainer:` in config.yaml."""
    settings: Any
    """That section: every backend's has `test_size`, `seed` and `min_examples`."""

    def __init__(self, config: Config, registry: ModelRegistry) -> None:
        self.settings = getattr(config.trainer, self.name)
        self.registry = registry

    async def prepare(self, examples: Sequence[Example]) -> PreparedExamples:
        """Check (`preflight`), split and hash the examples, in a worker thread: at a million
        examples that is seconds of work the event loop must not wait for."""

        def work() -> PreparedExamples:
            labels = self.preflight(examples)
            s = self.settings
            train, held_out = split_examples(examples, s.test_size, s.seed)
            return PreparedExamples(labels, train, held_out, data_hash(examples))

        return await asyncio.to_thread(work)

    @abstractmethod
    async def run(
        self,
        job: Job,
        examples: list[Example],
        progress: ProgressFn,
        cancelled: asyncio.Event,
    ) -> TrainedModel:
        """Train; raise `UserError` for problems the user can fix and `Cancelled` on cancel."""

    @abstractmethod
    def load(self, record: ModelRecord) -> Classifier: ...

    def warm_up(self) -> None:  # noqa: B027 (most backends have nothing to prepare)
        """A job is about to start: begin what it will need (in the background; returns at
        once), so that it overlaps with storing the job's examples."""

    def close(self) -> None:  # noqa: B027 (most backends keep nothing between jobs)
        """Release what the backend keeps between jobs (a warm training process)."""

    def estimate_seconds(self, guild_id: str, dataset: str, n_examples: int) -> float | None:
        """About how long training `n_examples` will take, from the dataset's last fit; None
        when there is nothing to go by."""
        return None

    def preflight(self, examples: Sequence[Example]) -> list[str]:
        """The labels; raises `UserError` if this backend cannot train on these examples now
        (too few examples or labels, no API key). Called before a job is created."""
        return check_examples(examples, self.settings.min_examples)


def check_examples(examples: Sequence[Example], min_examples: int) -> list[str]:
    """The sorted labels, or a `UserError` saying why these examples cannot train a model."""
    counts = Counter(e.label for e in examples)
    if len(examples) < min_examples:
        raise UserError.said("train.too_few", min=min_examples, count=str(len(examples)))
    if len(counts) < 2:
        only = next(iter(counts)) if counts else "?"
        example = keyed(
            "train.example.negative"
            if only == "positive"
            else "train.example.positive"
            if only == "negative"
            else "train.example.file"
        )
        raise UserError.said("train.one_label", only=only, example=example)
    return sorted(counts)


def data_hash(examples: Sequence[Example]) -> str:
    """A hash of the examples as a multiset: the same data in any order gives the same hash.

    The sum of each example's sha256 (mod 2**256) instead of a hash of the sorted examples:
    sorting a million pairs is one C call that holds the GIL for seconds, stalling the event
    loop even from a worker thread; this loop lets other threads run between examples.
    """
    total = 0
    for example in examples:
        text = example.text.encode("utf-8", "surrogatepass")
        one = hashlib.sha256(b"%d:" % len(text) + text + example.label.encode("utf-8"))
        total += int.from_bytes(one.digest(), "big")
    return f"{total % (1 << 256):064x}"


def split_examples(
    examples: Sequence[Example], test_size: float, seed: int
) -> tuple[list[int], list[int]]:
    """Stratified split into (train, held-out) indices, deterministic for a seed.

    Each label keeps at least one example in training; a label with a single example is never
    held out. The held-out list is empty when the data is too small to spare anything, and the
    callers then say that their metrics were measured on the training data.
    """
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_label.setdefault(example.label, []).append(index)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        n_test = round(len(indices) * test_size)
        n_test = min(max(n_test, 1), len(indices) - 1) if len(indices) > 1 else 0
        test.extend(indices[:n_test])
        train.extend(indices[n_test:])
    return sorted(train), sorted(test)
