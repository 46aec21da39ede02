"""Story vectors and the vectors of their sentences from one embedding pass, and the one batching loop that
:func:`embed_stream`, :func:`embed_with_sentences` and the Dask path (:mod:`msc_nlp.distributed`) share.

USE pools token features, so a story's vector and its sentences' vectors can come from the same tokens
(``context="sentence"`` or ``"story"``, one pass); ``"two-pass"`` embeds stories and sentences separately
(what any other :class:`Embedder` gets). The quality cost of each choice is in
``benchmarks/results/passes.md``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .._validation import check_choice, check_int
from ..errors import InputError
from .base import DEFAULT_MODEL, Embedder, get_embedder, normalise_rows
from .cache import EmbeddingCache, model_key
from .chunking import pool_chunks, split_into_chunks

__all__ = ["StoryVectors", "embed_with_sentences", "embed_batches", "iter_batches", "CONTEXTS"]

#: ``context`` values: one pass reading each sentence on its own (sentence vectors exact, the story pools the
#: same tokens: story vectors at mean cosine 0.94 to embed()'s), one pass reading the whole story (default: story
#: vectors exact, a sentence pools its words' share and its story's <s> </s>: mean cosine 0.97 to the sentence
#: read alone), or two passes (both exact, twice the tokens). Quality of each: ``benchmarks/results/passes.md``.
CONTEXTS = ("sentence", "story", "two-pass")


@dataclass
class StoryVectors:
    """``stories``: (n, dim) float32 unit rows; ``sentences``: one (k_i, dim) float32 array per story, row j for
    sentence j of :func:`msc_nlp.text.split_sentences` (no rows for an empty story)."""

    stories: np.ndarray
    sentences: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.stories)

    def take(self, rows: Sequence[int] | np.ndarray) -> StoryVectors:
        """The given rows (e.g. the stories that are not empty), in that order."""
        return StoryVectors(self.stories[np.asarray(rows, dtype=np.int64)], [self.sentences[i] for i in rows])

    @staticmethod
    def concat(parts: Sequence[StoryVectors], dim: int = 512) -> StoryVectors:
        if not parts:
            return StoryVectors(np.zeros((0, dim), dtype=np.float32), [])
        return StoryVectors(np.concatenate([p.stories for p in parts]), [s for p in parts for s in p.sentences])


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last may be shorter); never holds more than one batch."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def embed_batches(texts: Iterable[str | None], model: str | Embedder = DEFAULT_MODEL, *, batch_size: int = 256,
                  context: str = "story", sentences: bool = True, long_story_words: int = 300,
                  chunk_words: int = 120) -> Iterator[StoryVectors]:
    """Embed any iterable batch by batch (bounded memory): one :class:`StoryVectors` per ``batch_size`` texts.
    ``sentences=False`` skips the sentence vectors (and, for ``"two-pass"``, their pass)."""
    check_int(batch_size, "batch_size", "embed_batches", minimum=1)
    check_choice(context, "context", "embed_batches", list(CONTEXTS))
    embedder = get_embedder(model)
    for batch in iter_batches(("" if t is None else str(t) for t in texts), batch_size):
        yield _embed_batch(embedder, batch, context=context, sentences=sentences,
                           long_story_words=long_story_words, chunk_words=chunk_words)


def embed_with_sentences(texts: Sequence[str] | Any, model: str | Embedder = DEFAULT_MODEL, *,
                         context: str = "story", batch_size: int = 256,
                         cache: str | Path | EmbeddingCache | None = None, show_progress: bool | None = None,
                         long_story_words: int = 300, chunk_words: int = 120) -> StoryVectors:
    """Story vectors and sentence vectors (sentences as :func:`msc_nlp.text.split_sentences` splits them).

    With the default USE model and ``context="story"`` (default) every token goes through the model once: each
    story vector equals ``embed([story], align=False)`` (stories of ``long_story_words`` words or more read in
    the same chunks of at most ``chunk_words`` words) and each sentence vector pools its tokens' features within
    the story, close to ``embed([sentence])``; ``context="sentence"`` makes the sentence vectors exact and the
    story vectors approximate; ``"two-pass"`` makes both exact at twice the tokens. No language alignment.
    Identical texts are embedded once; ``cache`` as in :func:`embed`.
    """
    from ..stories import StoryCollection
    from .api import PROGRESS_FROM, _as_list

    items = texts.texts if isinstance(texts, StoryCollection) else _as_list(texts)
    check_choice(context, "context", "embed_with_sentences", list(CONTEXTS))
    embedder = get_embedder(model)
    unique = list(dict.fromkeys(items))
    store = EmbeddingCache(cache) if isinstance(cache, (str, Path)) else cache
    known = _cache_get(store, embedder, unique, context) if store is not None else {}
    todo = [t for t in unique if t not in known]
    show = len(todo) >= PROGRESS_FROM if show_progress is None else show_progress
    fresh: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with tqdm(total=len(todo), desc=f"embedding ({embedder.model_id})", unit="story", disable=not show) as bar:
        for batch, vectors in zip(iter_batches(todo, batch_size),
                                  embed_batches(todo, embedder, batch_size=batch_size, context=context,
                                                long_story_words=long_story_words, chunk_words=chunk_words)):
            fresh.update(zip(batch, zip(vectors.stories, vectors.sentences)))
            bar.update(len(batch))
    if store is not None and fresh:
        _cache_put(store, embedder, fresh, context)
    found = {**known, **fresh}
    dim = next(iter(found.values()))[0].shape[0] if found else 512
    stories = np.stack([found[t][0] for t in items]) if items else np.zeros((0, dim), dtype=np.float32)
    return StoryVectors(stories.astype(np.float32, copy=False), [found[t][1] for t in items])


def _embed_batch(embedder: Embedder, batch: list[str], *, context: str, sentences: bool, long_story_words: int,
                 chunk_words: int) -> StoryVectors:
    from ..text import split_sentences
    from .api import embed

    parts = [split_sentences(t) for t in batch]
    pooled = getattr(embedder, "embed_pooled", None)
    if context == "two-pass" or pooled is None:
        stories = embed(batch, embedder, batch_size=len(batch), align=False, show_progress=False,
                        long_story_words=long_story_words, chunk_words=chunk_words)
        if not sentences:
            return StoryVectors(stories, [])
        flat = [s for p in parts for s in p]
        vecs = embed(flat, embedder, batch_size=max(1, len(flat)), align=False, show_progress=False,
                     long_story_words=long_story_words, chunk_words=chunk_words)
        return StoryVectors(stories, _split_rows(vecs, [len(p) for p in parts], stories.shape[1]))
    chunks: list[list[str]] = []
    owners: list[int] = []
    weights: list[int] = []
    piece_of: list[int] = []  # the sentence row each piece of a chunk belongs to
    n_rows = 0
    placeholder = np.zeros(len(batch), dtype=bool)
    for i, (text, sents) in enumerate(zip(batch, parts)):
        if not sents:  # a blank story: embedded like embed() does (the vector of the text itself)
            sents, placeholder[i] = [text], True
        if len(text.split()) < long_story_words:
            groups, rows = [sents], [list(range(len(sents)))]
        elif context == "story":
            groups, rows = _story_chunks(text, sents, chunk_words)
        else:
            groups = _chunk(sents, chunk_words)
            rows = np.split(np.arange(len(sents)), np.cumsum([len(g) for g in groups])[:-1])
        chunks += groups
        owners += [i] * len(groups)
        weights += [max(1, sum(len(s.split()) for s in g)) for g in groups]
        piece_of += [n_rows + r for g in rows for r in g]
        n_rows += len(sents)
    chunk_vecs, sent_vecs = pooled(chunks, context=context)
    stories = (chunk_vecs if len(chunks) == len(batch)
               else pool_chunks(chunk_vecs, owners, weights, len(batch)))
    stories = normalise_rows(stories)
    if not sentences:
        return StoryVectors(stories, [])
    if len(piece_of) != n_rows:  # a sentence cut across chunks: its pieces pooled by words
        sent_vecs = pool_chunks(sent_vecs, piece_of, [max(1, len(p.split())) for g in chunks for p in g], n_rows)
    counts = [1 if placeholder[i] else len(p) for i, p in enumerate(parts)]
    rows_of = _split_rows(sent_vecs.astype(np.float32, copy=False), counts, stories.shape[1])
    return StoryVectors(stories, [r[:0] if placeholder[i] else r for i, r in enumerate(rows_of)])


def _story_chunks(text: str, sentences: list[str], max_words: int) -> tuple[list[list[str]], list[list[int]]]:
    """The chunks :func:`embed` reads a long story in (:func:`split_into_chunks`), each as the pieces of
    ``sentences`` it holds, and the sentence each piece belongs to: read whole, a chunk's pieces are exactly
    the chunk. Sentences are word spans of the text, so a chunk boundary inside a sentence (a run-on sentence
    cut at ``max_words``) cuts it into pieces."""
    words = text.split()
    ends = np.cumsum([len(c.split()) for c in split_into_chunks(text, max_words=max_words)])
    bounds = np.cumsum([0] + [len(s.split()) for s in sentences])
    if ends[-1] != len(words) or bounds[-1] != len(words):  # never seen; keep whole sentences then
        groups = _chunk(sentences, max_words)
        return groups, [list(r) for r in np.split(np.arange(len(sentences)),
                                                  np.cumsum([len(g) for g in groups])[:-1])]
    groups: list[list[str]] = []
    rows: list[list[int]] = []
    start = 0
    for end in ends:
        first = int(np.searchsorted(bounds, start, side="right")) - 1
        pieces, owners = [], []
        for j in range(first, len(sentences)):
            lo, hi = max(start, bounds[j]), min(end, bounds[j + 1])
            if lo >= hi:
                break
            pieces.append(" ".join(words[lo:hi]))
            owners.append(j)
        groups.append(pieces)
        rows.append(owners)
        start = end
    return groups, rows


def _chunk(sentences: list[str], max_words: int) -> list[list[str]]:
    """Consecutive sentences grouped into chunks of at most ``max_words`` words (a longer sentence alone)."""
    out: list[list[str]] = []
    words = 0
    for s in sentences:
        n = len(s.split())
        if out and words + n <= max_words:
            out[-1].append(s)
            words += n
        else:
            out.append([s])
            words = n
    return out


def _split_rows(vectors: np.ndarray, counts: Sequence[int], dim: int) -> list[np.ndarray]:
    if len(vectors) == 0:
        return [np.zeros((0, dim), dtype=np.float32) for _ in counts]
    ends = np.cumsum(counts)
    return [vectors[e - c:e] for c, e in zip(counts, ends)]


def _sentence_key(story: str, sentence: str, context: str) -> str:
    """A sentence's vector depends on its story only when the model reads the whole story."""
    return f"{story}\x1e{sentence}" if context == "story" else sentence


def _cache_get(store: EmbeddingCache, embedder: Embedder, texts: list[str], context: str
               ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from ..text import split_sentences

    key = model_key(embedder)
    stories = store.get(f"{key}#story:{context}", texts)
    parts = {i: split_sentences(texts[i]) for i in stories}
    flat = [_sentence_key(texts[i], s, context) for i in stories for s in parts[i]]
    sents = store.get(f"{key}#sentence:{context}", flat)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    k = 0
    for i, vec in stories.items():
        n = len(parts[i])
        if all(j in sents for j in range(k, k + n)):
            rows = [sents[j] for j in range(k, k + n)]
            out[texts[i]] = (vec, np.stack(rows) if rows else np.zeros((0, len(vec)), dtype=np.float32))
        k += n
    return out


def _cache_put(store: EmbeddingCache, embedder: Embedder, fresh: dict[str, tuple[np.ndarray, np.ndarray]],
               context: str) -> None:
    from ..text import split_sentences

    key = model_key(embedder)
    texts = list(fresh)
    store.put(f"{key}#story:{context}", texts, np.stack([fresh[t][0] for t in texts]))
    sents = [_sentence_key(t, s, context) for t in texts for s in split_sentences(t)]
    if sents:
        rows = np.concatenate([fresh[t][1] for t in texts if len(fresh[t][1])])
        if len(rows) != len(sents):
            raise InputError("embed_with_sentences: sentence rows do not match the stories' sentences.")
        store.put(f"{key}#sentence:{context}", sents, rows)
