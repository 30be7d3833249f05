"""Settings of the core: limits, permissions, the trainer backend."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, so typos are caught at start-up."""

    model_config = ConfigDict(extra="forbid")


class Limits(Section):
    attachment_bytes: int = Field(8_000_000, gt=0)
    """Largest attachment accepted (Discord's own limit for most servers is 8-25 MB)."""
    zip_expanded_bytes: int = Field(50_000_000, gt=0)
    """Largest total size a zip attachment may expand to (zip-bomb guard)."""
    zip_files: int = Field(5_000, gt=0)
    """Most members a zip attachment may have."""
    archive_bytes: int = Field(200_000_000, gt=0)
    """Largest total size of a folder that `archive` will zip."""
    archive_files: int = Field(20_000, gt=0)
    """Most files a folder may have for `archive`."""
    send_file_bytes: int = Field(8_000_000, gt=0)
    """Largest file `getfile` sends, and largest archive attached to a reply."""
    test_items: int = Field(5_000, gt=0)
    """Most items one `test` request may classify."""
    example_chars: int = Field(20_000, gt=0)
    """Longest single example text; longer ones are refused."""
    upload_examples: int = Field(100_000, gt=0)
    """Most examples one request (text, file, folder, attachments together) may add."""
    dataset_labels: int = Field(50, gt=1)
    """Most different labels a dataset may have."""
    feedback_chars: int = Field(2_000, gt=0)
    """Longest `feedback` text."""
    request_chars: int = Field(1_000_000, gt=0)
    """Longest command text; longer ones are refused before they are parsed."""


class Permissions(Section):
    admin_roles: list[str] = ["admin"]
    """Roles that pass every check (guild administrators always do)."""
    commands: dict[str, list[str]] = {
        "train": ["trainer"],
        "archive": ["trainer"],
        "getfile": ["trainer"],
        "select_dataset": ["trainer"],
        "cancel": ["trainer"],
        "language": ["trainer"],
    }
    """Command name -> roles allowed to run it. Commands not listed are open to everyone."""
    console_user_is_admin: bool = True
    """The person at the local console is the machine's owner."""


class SklearnSettings(Section):
    test_size: float = Field(0.2, gt=0, lt=1)
    """Share of examples held out to measure accuracy."""
    seed: int = 13
    max_features: int = Field(100_000, gt=0)
    C: float = Field(4.0, gt=0)
    """Inverse regularisation strength of the logistic regression."""
    min_examples: int = Field(4, ge=2)
    """Fewer labelled examples than this and training is refused with an explanation."""
    char_ngrams: bool = False
    """Add character 2-5-grams to the word 1-2-grams (robust to typos, but measured 2-4x slower
    to fit with no better held-out accuracy; see bench/training_bench.py)."""
    threads: int = Field(1, ge=1, le=64)
    """BLAS/OpenMP threads of the training process. One: on a machine busy with voice, one
    thread per core made the fit 5-10x slower."""
    refit_on_all: bool = True
    """After measuring on the held-out examples, fit the final model on every example (the
    reported numbers then describe a model trained on slightly less data than the one kept)."""
    max_model_bytes: int = Field(400_000_000, gt=0)
    """Memory bound checked before fitting: labels x features x 8 bytes x 3 (weights and the
    solver's working copies). Over it, training is refused with a clear message."""
    tolerance: float = Field(1e-3, gt=0, lt=1)
    """When the logistic regression stops improving. Measured at 100,000 short texts: 1e-3
    took 26 iterations where 1e-4 took 178 (6x the time), with the same held-out accuracy."""


class OpenAISettings(Section):
    base_model: str = "gpt-4o-mini-2024-07-18"
    base_url: str | None = None
    """OpenAI-compatible endpoint; None means the official API. The key is OPENAI_API_KEY."""
    poll_seconds: float = Field(10.0, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)
    """Per-request timeout, so a dead endpoint fails a job instead of hanging it."""
    n_epochs: int | None = None
    max_retries: int = Field(2, ge=0)
    """Retries of a failed request (with back-off) before the job fails."""
    eval_items: int = Field(200, ge=1)
    """Most held-out examples sent to the fine-tuned model to measure it (each is a request)."""
    test_size: float = Field(0.2, gt=0, lt=1)
    """Share of examples held out of fine-tuning to measure accuracy."""
    seed: int = 13
    min_examples: int = Field(10, ge=2)
    """OpenAI refuses fine-tuning files with fewer than 10 examples."""


class TrainerSettings(Section):
    backend: Literal["sklearn", "openai"] = "sklearn"
    keep_models: int = Field(5, ge=1)
    """Model versions kept per dataset (the newest ones); older ones are deleted after each
    training, except the one in use and the one `rollback` would go back to."""
    sklearn: SklearnSettings = SklearnSettings()
    openai: OpenAISettings = OpenAISettings()
