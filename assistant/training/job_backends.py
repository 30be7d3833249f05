"""The training backends of a job manager, by name: each built on first use."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..storage.records import ModelRecord
from .base import Backend, Classifier
from .registry import ModelRegistry

BACKENDS = ("sklearn", "openai")
"""Every backend a model can come from (`trainer.backend` picks the one that trains)."""


class JobBackends:
    """A base of `JobManager`: the backend that trains, and those that load models."""

    config: Config
    registry: ModelRegistry
    backends: dict[str, Backend]

    @property
    def backend(self) -> Backend:
        return self._backend(self.config.trainer.backend)

    def _loader(self, name: str) -> Callable[[ModelRecord], Classifier]:
        def load(record: ModelRecord) -> Classifier:
            return self._backend(name).load(record)

        return load

    def _backend(self, name: str) -> Backend:
        backend = self.backends.get(name)
        if backend is None:
            if name == "openai":
                from .openai_backend import OpenAIBackend

                backend = OpenAIBackend(self.config, self.registry)
            else:
                from .sklearn_backend import SklearnBackend

                backend = SklearnBackend(self.config, self.registry)
            self.backends[name] = backend
        return backend
