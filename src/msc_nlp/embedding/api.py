"""``embed()``: texts or a StoryCollection in, one L2-normalised float32 row per story out."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .._validation import check_int
from ..errors import InputError, ParameterError
from .align import LanguageCentering
from .base import DEFAULT_MODEL, Embedder, get_embedder
from .cache import EmbeddingCache, model_key
from .chunking import pool_chunks, split_into_chunks

__all__ = ["embed", "embed_stream"]

#: Show a progress bar by default from this many texts to embed.
PROGRESS_FROM = 2000


def embed(
    texts: Iterable[str] | Any,
    model: str | Embedder = DEFAULT_MODEL,
    *,
    batch_size: int = 256,
    show_progress: bool | None = None,
    cache: str | Path | EmbeddingCache | None = None,
    long_story_words: int = 300,
    chunk_words: int = 120,
    align: bool | str = "auto",
    languages: Sequence[str] | None = None,
    min_per_language: int = 5,
) -> np.ndarray:
    """Embed stories with a multilingual model, offline.

    Parameters
    ----------
    texts:
        A list of strings or a :class:`~msc_nlp.StoryCollection`.
    model:
        ``"use-multilingual"`` (default, Universal Sentence Encoder Multilingual v3 from a pip package),
        ``"sentence-transformers:<name or local path>"`` (the ``sbert`` extra), or an :class:`Embedder`.
    batch_size:
        Texts handed to the model at once (results do not depend on it beyond float rounding).
    show_progress:
        A tqdm bar on stderr; default: on from 2,000 texts.
    cache:
        A folder or file for an on-disk cache keyed by model id and text hash (opt-in, shareable).
    long_story_words, chunk_words:
        Stories of at least ``long_story_words`` words are split at sentence boundaries into chunks of at
        most ``chunk_words`` words, embedded separately and pooled (mean weighted by words).
    align:
        Per-language centering of the collection (:class:`LanguageCentering`) so that themes form across
        languages. ``"auto"`` (default): when at least two languages have ``min_per_language`` stories;
        ``True``: always (languages with fewer stories are left as they are); ``False``: never.
    languages:
        One language code per text for alignment; detected with :func:`~msc_nlp.detect_language` if not given.

    Returns
    -------
    numpy.ndarray
        Shape (n_texts, dim), float32, unit-length rows (an empty text gives the embedding of "").
    """
    from ..stories import StoryCollection

    items = texts.texts if isinstance(texts, StoryCollection) else _as_list(texts)
    check_int(batch_size, "batch_size", "embed", minimum=1)
    check_int(chunk_words, "chunk_words", "embed", minimum=10)
    check_int(long_story_words, "long_story_words", "embed", minimum=chunk_words)
    if align not in (True, False, "auto"):
        raise ParameterError(f"The 'align' parameter of embed must be True, False or 'auto'. Got {align!r} "
                             "instead.")
    if languages is not None and len(languages) != len(items):
        raise InputError(f"embed got {len(items)} texts but {len(languages)} languages; pass one per text.")
    embedder = get_embedder(model)

    units: list[str] = []
    owners: list[int] = []
    weights: list[float] = []
    for i, text in enumerate(items):
        chunks = split_into_chunks(text, max_words=chunk_words) if len(text.split()) >= long_story_words \
            else [text]
        units += chunks
        owners += [i] * len(chunks)
        weights += [max(1, len(c.split())) for c in chunks]

    vectors = _embed_units(embedder, units, batch_size, show_progress, cache)
    if len(units) == len(items):
        result = vectors
    else:
        result = pool_chunks(vectors, owners, weights, len(items))
    if align is not False and len(items) > 1:
        if languages is None:
            from ..language.detector import detect_language

            languages = [r.language for r in detect_language(items)]
        counts = {lang: list(languages).count(lang) for lang in set(languages) if lang != "und"}
        big = [lang for lang, c in counts.items() if c >= min_per_language]
        if align is True or len(big) >= 2:
            result = LanguageCentering(min_count=min_per_language).fit_transform(result, list(languages))
    return result.astype(np.float32, copy=False)


def _embed_units(embedder: Embedder, units: list[str], batch_size: int, show_progress: bool | None,
                 cache: str | Path | EmbeddingCache | None) -> np.ndarray:
    store = EmbeddingCache(cache) if isinstance(cache, (str, Path)) else cache
    known = store.get(model_key(embedder), units) if store is not None else {}
    todo = [i for i in range(len(units)) if i not in known]
    # Identical texts are embedded once.
    unique = list(dict.fromkeys(units[i] for i in todo))
    fresh: dict[str, np.ndarray] = {}
    show = len(unique) >= PROGRESS_FROM if show_progress is None else show_progress
    with tqdm(total=len(unique), desc=f"embedding ({embedder.model_id})", unit="text", disable=not show) as bar:
        for start in range(0, len(unique), batch_size):
            batch = unique[start:start + batch_size]
            vecs = np.asarray(embedder.embed(batch), dtype=np.float32)
            if vecs.shape[0] != len(batch):
                raise InputError(f"The embedder {embedder.model_id!r} returned {vecs.shape[0]} rows for "
                                 f"{len(batch)} texts.")
            fresh.update(zip(batch, vecs))
            bar.update(len(batch))
    if store is not None and fresh:
        store.put(model_key(embedder), list(fresh), np.stack(list(fresh.values())))
    if not units:
        return np.zeros((0, 0), dtype=np.float32)
    rows = [known[i] if i in known else fresh[units[i]] for i in range(len(units))]
    return np.stack(rows).astype(np.float32, copy=False)


def _as_list(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError("embed expects a list of texts, got one string. Wrap it: embed([text]).")
    out = []
    for i, t in enumerate(texts):
        if t is None:
            out.append("")
        elif not isinstance(t, str):
            raise InputError(f"embed expects strings; item {i} is a {type(t).__name__} ({t!r}).")
        else:
            out.append(t)
    return out


def embed_stream(texts: Iterable[str], model: str | Embedder = DEFAULT_MODEL, *, batch_size: int = 1024,
                 long_story_words: int = 300, chunk_words: int = 120) -> Iterator[np.ndarray]:
    """Embed an iterable of any length batch by batch: yields one float32 array per ``batch_size`` texts, so
    memory stays bounded (write the batches to disk, e.g. a ``numpy.lib.format.open_memmap``). No
    alignment (it needs the whole collection) and no cache; otherwise the same rows as :func:`embed`.
    The batching is :func:`~msc_nlp.embedding.passes.embed_batches`, which the Dask path uses too."""
    from .passes import embed_batches

    for vectors in embed_batches(texts, model, batch_size=batch_size, context="two-pass", sentences=False,
                                 long_story_words=long_story_words, chunk_words=chunk_words):
        yield vectors.stories
