"""Guided themes: seed themes that steer clustering, fixed theme lists, and the audit of domains of change.

Theme and domain descriptions are embedded with the same multilingual model as the stories, so a list
written in English also finds Dutch and French stories.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..embedding.base import normalise_rows
from ..errors import InputError

__all__ = ["describe", "guide_embeddings", "assign_to_themes", "audit_domains", "NONE"]

#: The label of a story that fits none of the given themes or domains.
NONE = "none"


def describe(themes: Mapping[str, str | Sequence[str]], model: str = "use-multilingual") -> tuple[list[str],
                                                                                                 np.ndarray]:
    """Names and unit vectors of themes given as ``{name: description}`` or ``{name: [seed words or
    example sentences]}`` (a list is embedded item by item and averaged)."""
    from ..embedding import embed

    if not themes:
        raise InputError("No themes given: pass a dict like {'water': 'clean water, wells, sanitation'}.")
    names, vectors = [], []
    for name, spec in themes.items():
        items = [spec] if isinstance(spec, str) else [str(s) for s in spec]
        if not items or not all(s.strip() for s in items):
            raise InputError(f"Theme {name!r} has an empty description; give a phrase or a list of seed words.")
        vectors.append(embed(items, model, align=False).mean(axis=0))
        names.append(str(name))
    return names, normalise_rows(np.stack(vectors))


def guide_embeddings(x: np.ndarray, seeds: np.ndarray, *, min_similarity: float, weight: float = 0.25
                     ) -> np.ndarray:
    """BERTopic-style guidance: a story close to a seed theme (cosine >= ``min_similarity``) is pulled
    towards it (its vector becomes (1 - weight) * story + weight * seed), so stories of a seed theme are
    clustered together even where their wording differs."""
    sims = x @ seeds.T
    best = sims.argmax(axis=1)
    pulled = sims[np.arange(len(x)), best] >= min_similarity
    out = np.array(x, dtype=np.float64, copy=True)
    out[pulled] = (1 - weight) * out[pulled] + weight * seeds[best[pulled]]
    return normalise_rows(out)


def assign_to_themes(x: np.ndarray, names: Sequence[str], vectors: np.ndarray, *, min_similarity: float
                     ) -> tuple[list[str], np.ndarray]:
    """Each row's most similar theme, or :data:`NONE` below ``min_similarity``; returns (labels, similarity)."""
    sims = x @ vectors.T
    best = sims.argmax(axis=1)
    score = sims[np.arange(len(x)), best]
    labels = [names[b] if s >= min_similarity else NONE for b, s in zip(best, score)]
    return labels, score


def audit_domains(embeddings: np.ndarray, domains: Mapping[str, str | Sequence[str]], *,
                  ids: Sequence[str] | None = None, stated: Sequence[str] | None = None,
                  min_similarity: float = 0.1, model: str = "use-multilingual") -> tuple[pd.DataFrame,
                                                                                      pd.DataFrame]:
    """How stories distribute over the domains of change, and what falls in none.

    Returns ``(per_story, summary)``: per story its best-fitting domain (or ``none``), the similarity and,
    when ``stated`` domains are given (e.g. the collection's ``domain`` column), whether they agree; the
    summary counts stories per domain (stated vs best fit).
    """
    names, vectors = describe(domains, model)
    x = normalise_rows(np.asarray(embeddings, dtype=np.float64))
    labels, score = assign_to_themes(x, names, vectors, min_similarity=min_similarity)
    n = len(x)
    per_story = pd.DataFrame({"story_id": list(ids) if ids is not None else [f"row-{i + 1}" for i in range(n)],
                              "best_domain": labels, "domain_similarity": np.round(score, 6)})
    summary = per_story["best_domain"].value_counts().rename("best_fit").to_frame()
    if stated is not None:
        if len(stated) != n:
            raise InputError(f"audit_domains got {n} embeddings but {len(stated)} stated domains.")
        per_story["stated_domain"] = list(stated)
        per_story["agrees"] = per_story["stated_domain"] == per_story["best_domain"]
        summary = summary.join(per_story["stated_domain"].value_counts().rename("stated"), how="outer")
    summary = summary.fillna(0).astype(int).reindex([*names, NONE, *[k for k in summary.index
                                                                     if k not in names and k != NONE]])
    return per_story, summary.dropna().astype(int).rename_axis("domain").reset_index()
