"""Cross-lingual alignment: remove language identity from the embedding space.

Per-language centering: each language's mean vector (fitted on the collection) is replaced by the
collection's overall mean, so that what remains is what the stories say, not the language they say it in.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_int
from ..errors import InputError
from .base import normalise_rows

__all__ = ["LanguageCentering"]


class LanguageCentering:
    """Fit per-language means on a collection; ``transform`` moves every language to the common centre.

    Languages with fewer than ``min_count`` stories (and ``und``) are left as they are: their mean would be
    noise. Learned state: ``means_`` ({language: mean vector}), ``global_mean_``.
    """

    def __init__(self, min_count: int = 5) -> None:
        self.min_count = min_count

    def fit(self, embeddings: np.ndarray, languages: Sequence[str]) -> LanguageCentering:
        check_int(self.min_count, "min_count", "LanguageCentering", minimum=1)
        if len(languages) != len(embeddings):
            raise InputError(f"LanguageCentering.fit got {len(embeddings)} embeddings but {len(languages)} "
                             "languages; pass one language per row.")
        langs = np.asarray(languages)
        self.global_mean_ = embeddings.mean(axis=0) if len(embeddings) else np.zeros(embeddings.shape[1])
        self.means_ = {}
        for lang in sorted(set(languages)):
            mask = langs == lang
            if lang != "und" and mask.sum() >= self.min_count:
                self.means_[lang] = embeddings[mask].mean(axis=0)
        return self

    def transform(self, embeddings: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        if not hasattr(self, "means_"):
            raise InputError("This LanguageCentering is not fitted yet; call fit(embeddings, languages) first.")
        out = np.array(embeddings, dtype=np.float64, copy=True)
        langs = np.asarray(languages)
        for lang, mean in self.means_.items():
            out[langs == lang] += self.global_mean_ - mean
        return normalise_rows(out)

    def fit_transform(self, embeddings: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        return self.fit(embeddings, languages).transform(embeddings, languages)
