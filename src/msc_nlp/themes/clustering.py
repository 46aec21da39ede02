"""Clustering strategies: agglomerative with automatic k for small collections, BERTopic (UMAP + HDBSCAN with
parameters scaled to n) for large ones. Both return one integer label per row; -1 marks HDBSCAN outliers."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["cluster_small", "cluster_bertopic", "merge_clusters"]


def cluster_small(x: np.ndarray, *, n_themes: int | None, max_themes: int, min_themes: int = 3) -> np.ndarray:
    """Ward clustering; without ``n_themes`` the k in [min_themes, min(max_themes, sqrt(n))] with the best
    cosine silhouette.
    Deterministic (no random step)."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    n = len(x)
    distinct = len(np.unique(np.round(x, 6), axis=0)) if n else 0
    if n < 3 or distinct < 2:  # too few stories to compare groupings, or all the same: one theme
        return np.zeros(n, dtype=int)
    if n_themes is not None:
        return AgglomerativeClustering(n_clusters=min(n_themes, distinct), linkage="ward").fit_predict(x)
    # At most ~sqrt(n) themes: silhouette keeps rising as clusters shrink, and a panel cannot use 12 themes
    # of 3 stories.
    upper = max(2, min(max_themes, n // 3, distinct, n - 1, max(min_themes, int(math.sqrt(n)))))
    lower = min(min_themes, upper)
    best, best_score = None, -2.0
    for k in range(lower, upper + 1):
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(x, labels, metric="cosine")
        if score > best_score + 1e-9:
            best, best_score = labels, score
    return best if best is not None else np.zeros(n, dtype=int)


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
