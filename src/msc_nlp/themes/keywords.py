"""Theme keywords: class-based TF-IDF (BERTopic's c-TF-IDF) per language on lemmas, merged across languages."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..text import Token, fold

__all__ = ["theme_keywords", "merge_keywords"]


def theme_keywords(tokens: Sequence[list[Token]], themes: Sequence[int], languages: Sequence[str], *,
                   top_n: int = 10) -> dict[int, dict[str, list[tuple[str, float]]]]:
    """{theme: {language: [(keyword, score), ...]}}: class-based TF-IDF computed per language, where tf is the
    share of the theme's stories using the word and idf favours words few themes use. Ties (common in small
    themes) go to the word used more often in the theme. Computing it per language lets a language with few
    stories keep its own words. Words are grouped by stem and shown by their most frequent lemma."""
    out: dict[int, dict[str, list[tuple[str, float]]]] = {t: {} for t in sorted(set(themes))}
    langs = np.asarray(languages)
    for lang in sorted(set(languages)):
        idx = np.flatnonzero(langs == lang)
        theme_ids = sorted({themes[i] for i in idx})
        stems: dict[str, int] = {}
        forms: dict[str, Counter[str]] = {}
        rows, cols = [], []
        raw_rows, raw_cols = [], []
        row_of = {t: r for r, t in enumerate(theme_ids)}
        sizes = np.array([sum(themes[i] == t for i in idx) for t in theme_ids], dtype=float)
        for i in idx:
            in_story: set[int] = set()
            for tok in tokens[i]:
                col = stems.setdefault(tok.stem, len(stems))
                forms.setdefault(tok.stem, Counter())[tok.lemma] += 1
                in_story.add(col)
                raw_rows.append(row_of[themes[i]])
                raw_cols.append(col)
            # Each story counts a word once: keywords are what many stories share, not one story's refrain.
            rows += [row_of[themes[i]]] * len(in_story)
            cols += sorted(in_story)
        if not stems:
            continue
        shape = (len(theme_ids), len(stems))
        counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape).toarray()
        raw = sp.csr_matrix((np.ones(len(raw_rows)), (raw_rows, raw_cols)), shape=shape).toarray()
        tf = counts / np.maximum(sizes[:, None], 1)  # share of the theme's stories that use the word
        idf = np.log(1 + len(theme_ids) / np.maximum((counts > 0).sum(axis=0), 1))  # rarer across themes
        scores = tf * idf
        names = [""] * len(stems)
        for stem, col in stems.items():
            names[col] = min(forms[stem].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
        for r, theme in enumerate(theme_ids):
            order = np.lexsort((np.array(names), -raw[r], -np.round(scores[r], 9)))
            out[theme][lang] = [(names[c], round(float(scores[r, c]), 6)) for c in order[:top_n]
                                if counts[r, c] > 0]
    return out


def merge_keywords(per_language: dict[str, list[tuple[str, float]]], *, top_n: int = 10) -> list[str]:
    """Interleave the languages' keyword lists by rank (scores are not comparable across languages) and drop
    repeats, compared without case and accents (``école`` and ``ecole``, or ``water`` in nl and en)."""
    merged: list[str] = []
    seen: set[str] = set()
    langs = sorted(per_language, key=lambda lang: (-len(per_language[lang]), lang))
    depth = max((len(v) for v in per_language.values()), default=0)
    for rank in range(depth):
        for lang in langs:
            if rank < len(per_language[lang]):
                word = per_language[lang][rank][0]
                if fold(word) not in seen:
                    seen.add(fold(word))
                    merged.append(word)
    return merged[:top_n]
