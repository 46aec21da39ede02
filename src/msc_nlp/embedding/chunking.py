"""Sentence-aware chunking of long stories, and pooling of chunk embeddings back to one row per story."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..text import split_sentences
from .base import normalise_rows

__all__ = ["split_into_chunks", "pool_chunks"]


def split_into_chunks(text: str, *, max_words: int = 120) -> list[str]:
    """Split ``text`` at sentence boundaries into chunks of at most ``max_words`` words (a longer sentence
    becomes its own chunk, cut at ``max_words``). A text of at most ``max_words`` words is one chunk."""
    words = text.split()
    if len(words) <= max_words:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text, min_words=1):
        sw = sentence.split()
        while len(sw) > max_words:  # a run-on "sentence" (no punctuation): cut it
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.append(" ".join(sw[:max_words]))
            sw = sw[max_words:]
        if current and len(current) + len(sw) > max_words:
            chunks.append(" ".join(current))
            current = []
        current += sw
    if current:
        chunks.append(" ".join(current))
    return chunks


def pool_chunks(vectors: np.ndarray, owners: Sequence[int], weights: Sequence[float], n: int) -> np.ndarray:
    """Weighted mean of chunk rows per owner (weights: words per chunk), re-normalised to unit length."""
    dim = vectors.shape[1]
    out = np.zeros((n, dim), dtype=np.float64)
    np.add.at(out, np.asarray(owners, dtype=np.int64), vectors.astype(np.float64) * np.asarray(weights)[:, None])
    return normalise_rows(out)
