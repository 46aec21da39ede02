"""Zero-shot mapping of stories to capabilities, sentence by sentence, with evidence.

Each sentence is compared with each capability's definition and example statements (nl/en/fr, embedded with
the same multilingual model); a story scores what its best sentence scores. Similarities become [0, 1]
scores with a logistic whose centre and width come from the framework itself (how similar a capability's
own statements are to each other vs to the other capabilities' statements), so no story was used to set
them. A story is ``none`` when no capability is clear: its best score is below ``min_score``, or its
sentences are closer to the framework's ``none_examples`` (people's lives, not organisational capacity).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_float
from ..text import split_sentences
from .framework import Framework, load_framework

__all__ = ["CapabilityMapper", "map_capabilities", "split_sentences"]

def _top_mean(sims: np.ndarray, k: int = 2) -> np.ndarray:
    """Mean of the k largest values along the last axis."""
    k = min(k, sims.shape[-1])
    return np.sort(sims, axis=-1)[..., -k:].mean(axis=-1)


class CapabilityMapper:
    """Zero-shot capability scores per story (multi-label), a primary capability or ``none``, and evidence.

    Parameters: ``framework`` (``"5c"``, a path or a :class:`Framework`), ``embedding_model``, ``min_score``
    (a primary capability needs at least this score), ``none_margin`` (how much closer to the none examples a
    story must be to abstain), ``evidence_sentences`` (sentences quoted per story).
    Learned (from the framework only): ``center_``, ``width_``, ``keys_``.
    """

    def __init__(self, framework: str | Path | Framework = "5c", *, embedding_model: str = "use-multilingual",
                 min_score: float = 0.25, none_margin: float = 0.0, evidence_sentences: int = 1) -> None:
        self.framework = framework
        self.embedding_model = embedding_model
        self.min_score = min_score
        self.none_margin = none_margin
        self.evidence_sentences = evidence_sentences

    def fit(self) -> CapabilityMapper:
        """Embed the framework's statements and derive the similarity→score scale from them."""
        from ..embedding import embed

        check_float(self.min_score, "min_score", "CapabilityMapper", low=0.0, high=1.0)
        fw = load_framework(self.framework)
        self.framework_ = fw
        self.keys_ = fw.keys
        self.statements_ = [embed(c.statements(), self.embedding_model, align=False) for c in fw.capabilities]
        none = [s for lang in sorted(fw.none_examples) for s in fw.none_examples[lang]]
        self.none_ = embed(none, self.embedding_model, align=False) if none else None
        within, between = [], []
        for i, vi in enumerate(self.statements_):
            for j, vj in enumerate(self.statements_):
                sims = vi @ vj.T
                if i == j:
                    sims = sims[~np.eye(len(vi), dtype=bool)].reshape(len(vi), len(vi) - 1) if len(vi) > 1 else sims
                    within.append(_top_mean(sims))
                else:
                    between.append(_top_mean(sims))
        w, b = float(np.mean(np.concatenate(within))), float(np.mean(np.concatenate(between)))
        self.center_ = (w + b) / 2
        self.width_ = max((w - b) / 4, 1e-3)
        return self

    def _score(self, sims: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(sims - self.center_) / self.width_))

    def transform(self, texts: Sequence[str], ids: Sequence[str] | None = None, *,
                  sentence_vectors: Sequence[np.ndarray] | None = None) -> pd.DataFrame:
        """One row per text: ``story_id``, ``cap_<key>`` per capability, ``capability``, ``evidence``.

        ``sentence_vectors``: optional, one float32 array per text with one row per sentence of
        :func:`~msc_nlp.text.split_sentences` (e.g. from :func:`~msc_nlp.embedding.embed_with_sentences`);
        the mapper then embeds no sentence itself."""
        from ..embedding import embed
        from ..errors import InputError

        if not hasattr(self, "center_"):
            self.fit()
        ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(texts))]
        sentences: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            parts = split_sentences(text)
            sentences += parts
            owner += [i] * len(parts)
        owner_arr = np.array(owner, dtype=int)
        keys = self.keys_
        rows: list[dict[str, Any]] = []
        if sentence_vectors is not None:
            counts = np.bincount(owner_arr, minlength=len(texts)) if sentences else np.zeros(len(texts), int)
            if len(sentence_vectors) != len(texts) or any(len(v) != c for v, c in zip(sentence_vectors, counts)):
                raise InputError(f"CapabilityMapper.transform got sentence_vectors for {len(sentence_vectors)} "
                                 f"texts ({[len(v) for v in sentence_vectors][:5]}... rows); expected one array "
                                 f"per text ({len(texts)}) with one row per sentence of split_sentences(text) "
                                 f"({counts[:5].tolist()}...). Embed with embed_with_sentences().")
        if sentences:
            vec = (np.concatenate([np.asarray(v, dtype=np.float32) for v in sentence_vectors if len(v)])
                   if sentence_vectors is not None else embed(sentences, self.embedding_model, align=False))
            sent_sims = np.stack([_top_mean(vec @ s.T) for s in self.statements_], axis=1)  # (sentences, caps)
            none_sims = _top_mean(vec @ self.none_.T) if self.none_ is not None else np.full(len(vec), -1.0)
        for i in range(len(texts)):
            mine = np.flatnonzero(owner_arr == i) if sentences else np.array([], dtype=int)
            row: dict[str, Any] = {"story_id": ids[i]}
            if len(mine) == 0:
                row.update({f"cap_{k}": 0.0 for k in keys})
                row.update(capability="none", evidence="")
                rows.append(row)
                continue
            sims = sent_sims[mine]
            best_sentence = sims.argmax(axis=0)
            story_sims = sims.max(axis=0)
            scores = self._score(story_sims)
            row.update({f"cap_{k}": round(float(s), 6) for k, s in zip(keys, scores)})
            top = int(np.argmax(scores))
            none_best = float(none_sims[mine].max())
            if scores[top] < self.min_score or none_best > story_sims[top] + self.none_margin:
                row.update(capability="none", evidence="")
            else:
                order = np.argsort(-sims[:, top], kind="stable")[: self.evidence_sentences]
                row.update(capability=keys[top], evidence=" … ".join(sentences[mine[j]] for j in sorted(order)))
                assert best_sentence[top] in order
            rows.append(row)
        return pd.DataFrame(rows, columns=["story_id", *[f"cap_{k}" for k in keys], "capability", "evidence"])


def map_capabilities(stories_or_texts: Any, *, framework: str | Path | Framework = "5c",
                     embedding_model: str = "use-multilingual", **params: Any) -> pd.DataFrame:
    """Map stories (a :class:`~msc_nlp.StoryCollection` or a list of texts) to capabilities, zero-shot.

    Returns a DataFrame with ``story_id``, ``cap_<key>`` scores in [0, 1] (multi-label), ``capability`` (the
    primary key, or ``none``) and ``evidence`` (the story's own sentence that carried the primary score).
    ``params`` go to :class:`CapabilityMapper`.
    """
    from ..stories import StoryCollection

    mapper = CapabilityMapper(framework, embedding_model=embedding_model, **params)
    if isinstance(stories_or_texts, StoryCollection):
        return mapper.transform(stories_or_texts.texts, stories_or_texts.ids)
    if isinstance(stories_or_texts, str):
        from ..errors import InputError

        raise InputError("map_capabilities expects a list of texts or a StoryCollection, got one string.")
    return mapper.transform(list(stories_or_texts))
