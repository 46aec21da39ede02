"""Guided themes: seed themes that steer clustering, assignment to a fixed list of themes or domains of
change, and the audit of the domains the storytellers chose.

Themes and domains are given as ``{name: description}``: a line ("clean water, wells, latrines"), a list
of keywords, or a few example sentences or stories, in any language. Descriptions are embedded with the same
multilingual model as the stories, so a list written in English also serves Dutch and French stories.
Assignment uses the evidence machinery of the 5C mapper (:mod:`msc_nlp.capabilities.evidence`): every
story sentence is compared with every description item, the evidence is aggregated over the story,
probabilities come from a softmax whose temperature was fitted on development data, and a story is ``none``
only when its best theme's probability is below ``min_confidence``. Each assignment names the story
sentence and the description item that matched.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..capabilities.evidence import check_evidence_params, check_sentence_vectors, score_stories
from ..embedding.base import normalise_rows
from ..errors import InputError
from ..text import split_sentences

__all__ = ["describe", "description_items", "guide_embeddings", "ThemeAssigner", "assign_themes",
           "audit_domains", "NONE"]

#: The label of a story that fits none of the given themes or domains.
NONE = "none"
_ITEM_SEPARATORS = re.compile(r"\s*[,;/·|]\s*|\s+-\s+")


def _check_themes(themes: Mapping[str, str | Sequence[str]]) -> None:
    if not themes:
        raise InputError("No themes given: pass a dict like {'water': 'clean water, wells, sanitation'}.")
    for name, spec in themes.items():
        items = [spec] if isinstance(spec, str) else [str(s) for s in spec]
        if not items or not all(s.strip() for s in items):
            raise InputError(f"Theme {name!r} has an empty description; give a phrase or a list of seed words.")


def description_items(spec: str | Sequence[str]) -> list[str]:
    """What a description is matched by: a line gives itself and each of its comma/semicolon-separated
    keywords; a list gives each entry, and the sentences of an entry that is a whole example story."""
    if isinstance(spec, str):
        parts = [p.strip() for p in _ITEM_SEPARATORS.split(spec) if p.strip()]
        return list(dict.fromkeys([spec.strip(), *parts]))
    items: list[str] = []
    for entry in (str(s).strip() for s in spec):
        items.append(entry)
        sentences = split_sentences(entry)
        if len(sentences) > 1:
            items += sentences
    return list(dict.fromkeys(items))


def describe(themes: Mapping[str, str | Sequence[str]], model: str = "use-multilingual") -> tuple[list[str],
                                                                                                 np.ndarray]:
    """Names and unit vectors of themes given as ``{name: description}`` or ``{name: [seed words or
    example sentences]}`` (a list is embedded item by item and averaged)."""
    from ..embedding import embed

    _check_themes(themes)
    names, vectors = [], []
    for name, spec in themes.items():
        items = [spec] if isinstance(spec, str) else [str(s) for s in spec]
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


class ThemeAssigner:
    """Assign stories to given themes or domains of change, with evidence; ``none`` when none is clear.

    Parameters
    ----------
    themes:
        ``{name: description}``; a description is a line of keywords, a list of keywords or example
        sentences/stories, in any language.
    embedding_model:
        The multilingual model for descriptions and story sentences.
    top_k:
        A sentence's similarity to a theme is the mean of its ``top_k`` best-matching description items.
    story_weight:
        Weight of the whole story against the mean over its sentences.
    temperature:
        Softmax temperature (fitted by log-loss on development data; see ``benchmarks/guided.py``).
    min_confidence:
        A theme needs at least this probability; below it the story is ``none``. The default 0.3 was chosen
        on ``corpora/eval/themes_dev.csv`` (7 themes, one English line each, nl/en/fr stories that all belong
        to a theme) with the target "at most 5 % ``none``" (measured: 2.4 %).

    Defaults (``top_k`` 3, ``story_weight`` 0: sentences only, ``temperature`` 0.015 by log-loss) were
    chosen on development data only: ``themes_dev.csv`` and SIB-200's train/dev splits.

    Learned: ``names_``, ``items_`` (description items per theme), ``vectors_`` (their unit vectors).
    """

    def __init__(self, themes: Mapping[str, str | Sequence[str]], *, embedding_model: str = "use-multilingual",
                 top_k: int = 3, story_weight: float = 0.0, temperature: float = 0.015,
                 min_confidence: float = 0.3) -> None:
        self.themes = themes
        self.embedding_model = embedding_model
        self.top_k = top_k
        self.story_weight = story_weight
        self.temperature = temperature
        self.min_confidence = min_confidence

    def fit(self) -> ThemeAssigner:
        """Embed the description items (no story is used)."""
        from ..embedding import embed

        owner = "ThemeAssigner"
        check_evidence_params(owner, top_k=self.top_k, story_weight=self.story_weight,
                              temperature=self.temperature, min_confidence=self.min_confidence)
        _check_themes(self.themes)
        if NONE in self.themes:
            raise InputError(f"'{NONE}' is reserved for stories that fit no theme; rename that theme.")
        self.names_ = [str(k) for k in self.themes]
        self.items_ = [description_items(v) for v in self.themes.values()]
        self.vectors_ = [embed(items, self.embedding_model, align=False) for items in self.items_]
        return self

    def transform(self, texts: Sequence[str], ids: Sequence[str] | None = None, *,
                  sentence_vectors: Sequence[np.ndarray] | None = None) -> pd.DataFrame:
        """One row per text: ``story_id``, ``theme`` (a name or ``none``), ``theme_confidence`` (its
        probability), ``theme_evidence`` (the story sentence that matched best) and ``theme_match`` (the
        description item it matched).

        ``sentence_vectors`` (optional): one array per text, one row per sentence of
        :func:`msc_nlp.text.split_sentences`, from ``embedding_model``; then no sentence is embedded here.
        """
        from ..embedding import embed

        if not hasattr(self, "vectors_"):
            self.fit()
        texts = list(texts)
        ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(texts))]
        sentences = [split_sentences(t) for t in texts]
        if sentence_vectors is None:
            flat = [s for parts in sentences for s in parts]
            vec = embed(flat, self.embedding_model, align=False) if flat else np.zeros((0, 1))
            bounds = np.cumsum([0, *[len(p) for p in sentences]])
            sentence_vectors = [vec[bounds[i]:bounds[i + 1]] for i in range(len(texts))]
        else:
            sentence_vectors = check_sentence_vectors(sentence_vectors, sentences, "ThemeAssigner.transform")
        res = score_stories(sentence_vectors, self.names_, self.vectors_, top_k=self.top_k,
                            story_weight=self.story_weight, temperature=self.temperature,
                            min_confidence=self.min_confidence)
        rows = []
        for i, label in enumerate(res.labels):
            best = int(res.proba[i].argmax())
            has = res.evidence_sentence[i] >= 0
            rows.append({"story_id": ids[i], "theme": label, "theme_confidence": round(float(res.confidence[i]), 6),
                         "theme_evidence": sentences[i][res.evidence_sentence[i]] if has else "",
                         "theme_match": self.items_[best][res.evidence_statement[i]] if has else ""})
        self.proba_ = pd.DataFrame(np.round(res.proba, 6), columns=self.names_)
        return pd.DataFrame(rows, columns=["story_id", "theme", "theme_confidence", "theme_evidence",
                                           "theme_match"])


def assign_themes(texts: Sequence[str], themes: Mapping[str, str | Sequence[str]], *,
                  ids: Sequence[str] | None = None, sentence_vectors: Sequence[np.ndarray] | None = None,
                  **params: object) -> pd.DataFrame:
    """:meth:`ThemeAssigner.transform` in one call (``params`` go to :class:`ThemeAssigner`)."""
    return ThemeAssigner(themes, **params).transform(texts, ids, sentence_vectors=sentence_vectors)


def audit_domains(texts: Sequence[str], domains: Mapping[str, str | Sequence[str]], *,
                  ids: Sequence[str] | None = None, stated: Sequence[str] | None = None,
                  sentence_vectors: Sequence[np.ndarray] | None = None, **params: object
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the domains of change the storytellers chose before a panel selects.

    Returns ``(per_story, summary)``. ``per_story``: ``story_id``, ``best_domain`` (or ``none``),
    ``domain_confidence``, ``domain_evidence`` (the story's sentence) and ``domain_match`` (the description
    item it matched); with ``stated`` domains also ``stated_domain`` and ``fits_other`` (the story fits
    another described domain better). ``summary``, one row per domain: ``stated`` (stories that chose it),
    ``best_fit`` (stories that fit it best), ``fits_other`` (stated stories that fit another domain better)
    and ``moves_to`` (where those go, e.g. ``"policy: 3, none: 1"``). ``params`` go to :class:`ThemeAssigner`.
    """
    out = assign_themes(texts, domains, ids=ids, sentence_vectors=sentence_vectors, **params)
    per_story = out.rename(columns={"theme": "best_domain", "theme_confidence": "domain_confidence",
                                    "theme_evidence": "domain_evidence", "theme_match": "domain_match"})
    names = [str(k) for k in domains]
    summary = per_story["best_domain"].value_counts().rename("best_fit").to_frame()
    if stated is not None:
        if len(stated) != len(per_story):
            raise InputError(f"audit_domains got {len(per_story)} stories but {len(stated)} stated domains.")
        stated = ["" if pd.isna(s) else str(s) for s in stated]
        per_story["stated_domain"] = stated
        per_story["fits_other"] = [s in names and b != s for s, b in zip(stated, per_story["best_domain"])]
        summary = summary.join(per_story["stated_domain"].value_counts().rename("stated"), how="outer")
        moved = per_story[per_story["fits_other"]]
        summary["fits_other"] = moved["stated_domain"].value_counts()
        summary["moves_to"] = pd.Series({d: ", ".join(f"{k}: {v}" for k, v in g["best_domain"].value_counts()
                                                     .sort_index().items()) for d, g in moved.groupby("stated_domain")},
                                        dtype=object)
    order = [*names, NONE, *sorted(k for k in summary.index if k not in names and k != NONE)]
    summary = summary.reindex([k for k in order if k in summary.index])
    for col in ("best_fit", "stated", "fits_other"):
        if col in summary:
            summary[col] = summary[col].fillna(0).astype(int)
    if "moves_to" in summary:
        summary["moves_to"] = summary["moves_to"].fillna("")
    return per_story, summary.rename_axis("domain").reset_index()
