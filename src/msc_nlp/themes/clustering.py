"""Clustering strategies: Ward with a null-referenced choice of k (one theme possible) for small collections,
BERTopic (UMAP + HDBSCAN with parameters scaled to n) beyond.
Both return one integer label per row; -1 marks HDBSCAN outliers."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from typing import Any, TypeVar

import numpy as np

__all__ = ["cluster_small", "cluster_partition", "cluster_bertopic", "merge_clusters", "theme_count_scores",
           "partition_count_scores", "neighbour_smooth", "nearest_neighbours", "neighbour_vote"]


_F = TypeVar("_F", bound=Callable[..., Any])
# Below this many multiply-adds a BLAS or OpenMP call runs on one thread: the steps here (k-means on 1,000 rows,
# silhouettes of 600) are many small products, and handing each to a second thread cost more than it gained:
# 1,000 stories' partition clustering took 0.6 s of CPU on one thread against 2.4-6.9 s on two (same labels)
# on a shared 2-core machine. Large neighbour searches (10,000 x 10,000 rows) keep every thread.
_SMALL_WORK = 2 * 10**9


def _threads_for(work: float) -> AbstractContextManager[Any]:
    """One BLAS/OpenMP thread for ``work`` multiply-adds below :data:`_SMALL_WORK`; no limit above."""
    if work >= _SMALL_WORK:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _one_thread(func: _F) -> _F:
    """Run ``func`` (a step made of small products) on one BLAS/OpenMP thread; results do not depend on it."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _threads_for(0):
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]


def _ward(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)


def _null_like(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sample with no themes: a Gaussian with the same mean and covariance (principal axes) as ``x``."""
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    return (rng.standard_normal((len(x), len(s))) * (s / np.sqrt(len(x)))) @ vt + mean


@_one_thread
def theme_count_scores(x: np.ndarray, ks: Sequence[int], *, n_null: int = 3, random_state: int = 0
                       ) -> dict[int, float]:
    """For each k, how much better the Ward partition's cosine silhouette is than the silhouette Ward reaches
    on featureless data of the same shape (a Gaussian with the collection's covariance). Silhouette alone
    grows as clusters shrink and has no answer for one theme; its excess over this null does: it is negative
    for every k when the stories share one topic."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(random_state)
    nulls = [_null_like(x, rng) for _ in range(n_null)]
    out = {}
    for k in ks:
        real = silhouette_score(x, _ward(x, k), metric="cosine")
        base = np.mean([silhouette_score(y, _ward(y, k), metric="cosine") for y in nulls])
        out[int(k)] = float(real - base)
    return out


def cluster_small(x: np.ndarray, *, n_themes: int | None, max_themes: int, random_state: int = 0,
                  max_rows_for_k: int = 800) -> np.ndarray:
    """Ward clustering of centred story vectors. Without ``n_themes``, k in [2, min(max_themes, n // 3)] is
    the one whose silhouette most exceeds that of featureless data (:func:`theme_count_scores`); when no k
    beats it, the collection is one theme. k is chosen on at most ``max_rows_for_k`` rows (the first ones:
    callers pass rows in a canonical, content-hashed order). Deterministic given ``random_state``."""
    n = len(x)
    distinct = len(np.unique(np.round(x, 6), axis=0)) if n else 0
    if n < 4 or distinct < 2:  # too few stories to compare groupings, or all the same: one theme
        return np.zeros(n, dtype=int)
    if n_themes is not None:
        return _ward(x, min(n_themes, distinct)) if min(n_themes, distinct) > 1 else np.zeros(n, dtype=int)
    upper = max(2, min(max_themes, n // 3, distinct))
    scores = theme_count_scores(x[:max_rows_for_k], range(2, upper + 1), random_state=random_state)
    k = max(scores, key=lambda kk: (round(scores[kk], 6), -kk))
    return _ward(x, k) if scores[k] > 0 else np.zeros(n, dtype=int)


def _bertopic_embedder():  # noqa: ANN202 - defined lazily: bertopic is imported only when used
    from bertopic.backend import BaseEmbedder

    class PrecomputedEmbedder(BaseEmbedder):
        """Hands BERTopic embeddings we computed; any other request is an error, never a hub download."""

        def embed(self, documents, verbose=False):  # noqa: ANN001, ANN201
            raise RuntimeError("msc_nlp passes precomputed embeddings to BERTopic; it must not embed itself.")

    return PrecomputedEmbedder()



def cluster_bertopic(x: np.ndarray, docs: Sequence[str], *, min_cluster_size: int | None,
                     random_state: int) -> np.ndarray:
    """BERTopic with UMAP(5-d, cosine, min_dist 0) and HDBSCAN scaled to n; -1 = outlier."""
    from .._numba_cache import enable

    enable()  # UMAP's compiled functions come from numba's on-disk cache after the first process
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    n = len(x)
    mcs = min_cluster_size or max(5, int(round(math.sqrt(n))))
    umap = UMAP(n_neighbors=min(15, max(2, n // 5)), n_components=5, min_dist=0.0, metric="cosine",
                random_state=random_state, low_memory=True)
    hdb = HDBSCAN(min_cluster_size=mcs, min_samples=min(5, mcs), metric="euclidean",
                  cluster_selection_method="eom", prediction_data=False)
    model = BERTopic(embedding_model=_bertopic_embedder(), umap_model=umap, hdbscan_model=hdb,
                     vectorizer_model=CountVectorizer(max_features=5000), language="multilingual",
                     calculate_probabilities=False, verbose=False)
    labels, _ = model.fit_transform(list(docs), embeddings=x)
    return np.asarray(labels, dtype=int)


def merge_clusters(x: np.ndarray, labels: np.ndarray, max_themes: int) -> np.ndarray:
    """Merge clusters (not outliers) down to ``max_themes`` by average-linkage on their centroids (cosine):
    themes that say the same thing in different words or languages become one."""
    from sklearn.cluster import AgglomerativeClustering

    ids = sorted(set(labels) - {-1})
    if len(ids) <= max_themes:
        return labels
    centroids = np.stack([x[labels == t].mean(axis=0) for t in ids])
    groups = AgglomerativeClustering(n_clusters=max_themes, metric="cosine", linkage="average").fit_predict(
        centroids)
    mapping = dict(zip(ids, groups))
    return np.array([mapping.get(lab, -1) for lab in labels], dtype=int)


def nearest_neighbours(z: np.ndarray, n_neighbors: int, *, block: int = 2048, max_reference: int = 10_000
                       ) -> np.ndarray:
    """Indices of each row's ``n_neighbors`` most similar rows (dot product of unit rows = cosine; itself
    excluded), looked for among the first ``max_reference`` rows (callers pass a canonical order, so the cost
    grows linearly beyond that many rows); exact, in blocks of ``block`` rows (memory ``block x reference``)."""
    n = len(z)
    ref = min(n, max_reference)
    m = int(min(n_neighbors, ref - 1))
    z32 = np.ascontiguousarray(z, dtype=np.float32)
    out = np.empty((n, max(m, 0)), dtype=np.int64)
    if m < 1:
        return out
    with _threads_for(float(n) * ref * z32.shape[1]):
        for start in range(0, n, block):
            sims = z32[start:start + block] @ z32[:ref].T
            rows = np.arange(len(sims))
            own = start + rows < ref
            sims[rows[own], (start + rows)[own]] = -np.inf  # not its own neighbour
            out[start:start + block] = np.argpartition(-sims, m - 1, axis=1)[:, :m]
    return out


def neighbour_smooth(z: np.ndarray, n_neighbors: int, *, block: int = 2048, max_reference: int = 10_000
                     ) -> np.ndarray:
    """Each row averaged with the mean of its ``n_neighbors`` nearest rows (:func:`nearest_neighbours`), then
    L2-normalised. A one-step neighbourhood smoothing: what a story shares with its neighbours (the topic) is
    kept, what is its own (wording, length) shrinks."""
    top = nearest_neighbours(z, n_neighbors, block=block, max_reference=max_reference)
    if top.shape[1] == 0:
        return np.asarray(z, dtype=np.float64)
    z32 = np.asarray(z, dtype=np.float32)
    out = z32 + z32[top].mean(axis=1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms == 0, 1, norms)).astype(np.float64)


def neighbour_vote(z: np.ndarray, labels: np.ndarray, n_neighbors: int = 5) -> np.ndarray:
    """One round of majority vote: each row takes the label most common among itself and its
    ``n_neighbors`` nearest rows (its own label wins ties). Stories that say the same thing (translations
    above all) then share a theme at the borders between themes."""
    top = nearest_neighbours(z, n_neighbors)
    if top.shape[1] == 0:
        return labels
    n, k = len(labels), int(labels.max()) + 1
    votes = np.zeros((n, k))
    np.add.at(votes, (np.repeat(np.arange(n), top.shape[1]), labels[top].ravel()), 1.0)
    votes[np.arange(n), labels] += 1.001
    return votes.argmax(axis=1)


@_one_thread
def _subclusters(z: np.ndarray, n_sub: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means over-clustering (``n_sub`` small, tight groups) and the Ward tree over their centroids."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=n_sub, n_init=1, random_state=random_state).fit(z)
    return km.labels_.astype(int), linkage(km.cluster_centers_, method="ward")


def _cut(z: np.ndarray, sub: np.ndarray, tree: np.ndarray, k: int) -> np.ndarray:
    """Cut the centroid tree into ``k`` groups, then move every row to its nearest group centroid (cosine):
    one k-means step in the full space, so a row is never bound by a wrong sub-cluster."""
    from scipy.cluster.hierarchy import fcluster

    groups = fcluster(tree, k, criterion="maxclust")[sub]
    ids = np.unique(groups)
    centroids = np.stack([z[groups == g].mean(axis=0) for g in ids])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return (z @ centroids.T).argmax(axis=1)


@_one_thread
def partition_count_scores(z: np.ndarray, ks: Sequence[int], *, n_sub: int, n_neighbors: int = 15,
                           n_null: int = 2, max_rows: int = 600, random_state: int = 0) -> dict[int, float]:
    """:func:`theme_count_scores` for the partition strategy: on the first ``max_rows`` rows (callers pass a
    canonical order), for each k, the cosine silhouette of the k-group cut of the sub-cluster tree minus the
    mean silhouette that the same procedure (smoothing included) reaches on ``n_null`` featureless samples
    (Gaussians with the rows' covariance). Negative for every k when the rows share one topic."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(random_state)
    x = np.asarray(z[:max_rows], dtype=np.float64)
    n_sub = max(2, min(n_sub, len(x) // 5))
    m = min(n_neighbors, max(1, len(x) // 10))
    scores: dict[int, list[float]] = {int(k): [] for k in ks}
    for y in [x] + [_null_like(x, rng) for _ in range(n_null)]:
        y = neighbour_smooth(y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12), m)
        sub, tree = _subclusters(y, n_sub, random_state)
        dist = np.clip(1.0 - y @ y.T, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        for k in scores:
            labels = _cut(y, sub, tree, k)
            scores[k].append(silhouette_score(dist, labels, metric="precomputed") if len(set(labels)) > 1
                             else 0.0)
    return {k: float(v[0] - np.mean(v[1:])) for k, v in scores.items()}


def cluster_partition(z: np.ndarray, *, n_themes: int | None, max_themes: int, random_state: int = 0,
                      n_neighbors: int = 15, n_sub: int = 60, n_vote: int = 5) -> np.ndarray:
    """Themes for larger collections without UMAP: smooth each centred story vector with its nearest
    neighbours (:func:`neighbour_smooth`), over-cluster with k-means into ``n_sub`` groups, build a Ward tree
    over their centroids and cut it into k themes; every story then goes to its nearest theme centroid (no
    outliers), and finally to the theme most of its ``n_vote`` nearest neighbours are in
    (:func:`neighbour_vote`: chosen on SIB-200 train+dev, where it raised cross-lingual consistency from 0.86
    to 0.93 at the same NMI). Without ``n_themes``, k in [2, max_themes] is chosen as in
    :func:`cluster_small` (silhouette excess over featureless data; one theme when no k beats it). Rows are
    expected in a canonical order; deterministic given ``random_state``."""
    n = len(z)
    if n < 4:
        return np.zeros(n, dtype=int)
    z = np.asarray(z, dtype=np.float64)
    n_sub = max(2, min(n_sub, n // 5))
    if n_themes is None:
        upper = max(2, min(max_themes, n_sub))
        scores = partition_count_scores(z, range(2, upper + 1), n_sub=n_sub, n_neighbors=n_neighbors,
                                        random_state=random_state)
        k = max(scores, key=lambda kk: (round(scores[kk], 6), -kk))
        if scores[k] <= 0:
            return np.zeros(n, dtype=int)
    else:
        k = min(n_themes, n_sub)
    if k <= 1:
        return np.zeros(n, dtype=int)
    zs = neighbour_smooth(z, min(n_neighbors, max(1, n // 10)))
    sub, tree = _subclusters(zs, n_sub, random_state)
    return neighbour_vote(zs, _cut(zs, sub, tree, k), n_vote)
