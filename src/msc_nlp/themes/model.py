"""ThemeModel: cross-lingual themes for 30 stories or 30,000, with keywords per language and labels."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._spreadsheet import restore, write_csv
from .._validation import check_choice, check_float, check_int
from ..embedding.align import LanguageCentering
from ..embedding.base import normalise_rows
from ..errors import InputError, ParameterError
from .clustering import cluster_bertopic, cluster_partition, cluster_small, merge_clusters
from .guided import NONE, ThemeAssigner, describe, guide_embeddings
from .keywords import merge_keywords, pick_label, theme_keywords, theme_terms

__all__ = ["ThemeModel", "load_themes"]

_FORMAT = 2
#: c-TF-IDF keywords per theme and language that the label is chosen from.
_CANDIDATES = 15


class ThemeModel:
    """Find themes in a story collection.

    Parameters
    ----------
    n_themes:
        ``"auto"`` (default) or a fixed number of themes.
    strategy:
        ``"auto"``: ``"small"`` below ``small_max`` stories, else ``"partition"``. ``"small"`` is Ward
        clustering of the centred story vectors, k chosen by how far its silhouette exceeds that of
        featureless data of the same shape (one theme when no k does; no outliers); ``"partition"`` (no
        UMAP, no numba: seconds on 10,000 stories) smooths each centred vector with its 15 nearest
        neighbours, over-clusters with k-means, cuts a Ward tree of those centroids into k themes (k chosen by
        the same silhouette-over-null criterion on 600 stories) and moves every story to its nearest theme
        (no outliers); ``"bertopic"`` is BERTopic with UMAP + HDBSCAN scaled to n, clusters merged to at most
        ``max_themes``, outliers then reassigned to the nearest theme (and flagged).
    max_themes:
        Upper bound on the number of themes (automatic k stays within it; BERTopic clusters beyond it are
        merged by centroid similarity).
    min_theme_size:
        HDBSCAN's ``min_cluster_size`` for the ``"bertopic"`` strategy only (default: round(sqrt(n)), at
        least 5).
    align:
        Centre each language's embeddings first (see :class:`~msc_nlp.LanguageCentering`) so that themes
        form across languages.
    n_representatives, top_n_words:
        Stories listed per theme (most central first) and keywords kept per language.
    label_language:
        The language of the theme labels (``"nl"``, ``"en"``, ``"fr"``); default: the collection's most
        frequent of those. A theme with no story in it is labelled in its own main language. Keywords per
        language stay in ``keywords_by_language``.
    seed_themes:
        Optional guidance, ``{name: description or [seed words]}`` (e.g. the MSC domains of change): stories
        close to a seed are pulled towards it before clustering, and each found theme is matched to the
        closest seed (column ``seed``). Themes not covered by a seed still emerge.
    fixed_themes:
        A fixed theme list in the same format: no clustering; each story goes to its theme by
        :class:`~msc_nlp.themes.guided.ThemeAssigner` (sentence evidence), or to ``none`` when no theme is
        clear (nothing is dropped).
    min_similarity:
        Cosine similarity a story (or theme centroid) needs to count as belonging to a seed theme.
    embedding_model:
        The model that embeds seed/fixed theme descriptions; it must be the one the stories were embedded with.
    random_state:
        Seed of every stochastic step (k-means, the null samples, UMAP). Input order never matters: stories
        are put in a canonical order (by text hash and id) before clustering.

    Learned attributes: ``assignments_`` (DataFrame, one row per story in input order: ``story_id``,
    ``theme_id``, ``theme_label``, ``theme_similarity``, ``outlier``), ``themes_`` (DataFrame, one row per
    theme, with ``label_language``), ``centroids_`` (theme centroids, aligned space), ``centering_`` (the
    fitted :class:`~msc_nlp.LanguageCentering`, or None), ``label_language_``, ``strategy_``.
    """

    def __init__(self, *, n_themes: int | str = "auto", strategy: str = "auto", small_max: int = 300,
                 max_themes: int = 12, min_theme_size: int | None = None, align: bool = True,
                 n_representatives: int = 3, top_n_words: int = 10, label_language: str | None = None,
                 seed_themes: Mapping[str, str | Sequence[str]] | None = None,
                 fixed_themes: Mapping[str, str | Sequence[str]] | None = None, min_similarity: float = 0.15,
                 embedding_model: str = "use-multilingual", random_state: int = 0) -> None:
        self.n_themes = n_themes
        self.strategy = strategy
        self.small_max = small_max
        self.max_themes = max_themes
        self.min_theme_size = min_theme_size
        self.align = align
        self.n_representatives = n_representatives
        self.top_n_words = top_n_words
        self.label_language = label_language
        self.seed_themes = seed_themes
        self.fixed_themes = fixed_themes
        self.min_similarity = min_similarity
        self.embedding_model = embedding_model
        self.random_state = random_state

    def _validate(self, n: int) -> None:
        owner = "ThemeModel"
        if self.n_themes != "auto":
            check_int(self.n_themes, "n_themes", owner, minimum=1)
        check_choice(self.strategy, "strategy", owner, ["auto", "small", "partition", "bertopic"])
        check_int(self.max_themes, "max_themes", owner, minimum=1)
        check_int(self.small_max, "small_max", owner, minimum=2)
        check_int(self.n_representatives, "n_representatives", owner, minimum=0)
        check_int(self.top_n_words, "top_n_words", owner, minimum=1)
        check_int(self.random_state, "random_state", owner, minimum=0)
        check_float(self.min_similarity, "min_similarity", owner, low=-1.0, high=1.0)
        if self.label_language is not None:
            check_choice(self.label_language, "label_language", owner, ["nl", "en", "fr"])
        if self.seed_themes is not None and self.fixed_themes is not None:
            raise ParameterError("ThemeModel takes seed_themes (guidance) or fixed_themes (a fixed list), not "
                                 "both. Got both.")
        if self.min_theme_size is not None:
            check_int(self.min_theme_size, "min_theme_size", owner, minimum=2)
        if n < 1:
            raise InputError("ThemeModel needs at least 1 story; got none.")

    def fit(self, texts: Sequence[str], embeddings: np.ndarray, languages: Sequence[str],
            ids: Sequence[str] | None = None) -> ThemeModel:
        """Fit on stories: their texts, embeddings (one row each) and language codes."""
        n = len(texts)
        self._validate(n)
        if len(embeddings) != n or len(languages) != n:
            raise InputError(f"ThemeModel.fit got {n} texts, {len(embeddings)} embeddings and {len(languages)} "
                             "languages; they must match one to one.")
        ids = [str(i) for i in ids] if ids is not None else [f"row-{i + 1}" for i in range(n)]
        order = sorted(range(n), key=lambda i: (hashlib.sha256(texts[i].encode()).hexdigest(), ids[i]))
        x = normalise_rows(np.asarray(embeddings, dtype=np.float64))
        # Means are fitted in the canonical order too: a float sum depends on its order, and UMAP amplifies
        # differences in the last bit.
        centering = LanguageCentering().fit(x[order], [languages[i] for i in order]) if self.align else None
        if centering is not None:
            x = centering.transform(x, list(languages))
        self.centering_ = centering
        known = pd.Series([lang for lang in languages if lang in ("nl", "en", "fr")], dtype=object)
        self.label_language_ = self.label_language or (str(known.value_counts().sort_index().idxmax())
                                                       if len(known) else "en")
        given = self.fixed_themes if self.fixed_themes is not None else self.seed_themes
        names, seeds = self._describe(given, centering) if given is not None else ([], None)
        if self.fixed_themes is not None:
            assigned = ThemeAssigner(self.fixed_themes, embedding_model=self.embedding_model).transform(
                texts, ids)["theme"].tolist()
            self.strategy_ = "fixed"
            self._finish(texts, x, list(languages), ids, np.array([(names + [NONE]).index(a) for a in assigned]),
                         names=[*names, NONE])
            return self
        xs = x[order]
        xc = guide_embeddings(xs, seeds, min_similarity=self.min_similarity) if seeds is not None else xs
        strategy = self.strategy if self.strategy != "auto" else ("small" if n < self.small_max else "partition")
        fixed = None if self.n_themes == "auto" else int(self.n_themes)
        if strategy in ("small", "partition"):
            # Cluster without the collection's common direction: what is left is what sets stories apart.
            z = normalise_rows(xc - xc.mean(axis=0))
            cluster = cluster_small if strategy == "small" else cluster_partition
            labels_sorted = cluster(z, n_themes=fixed, max_themes=fixed or self.max_themes,
                                    random_state=self.random_state)
        else:
            labels_sorted = cluster_bertopic(xc, [texts[i] for i in order], min_cluster_size=self.min_theme_size,
                                             random_state=self.random_state)
            labels_sorted = merge_clusters(xc, labels_sorted, fixed or self.max_themes)
        labels = np.empty(n, dtype=int)
        labels[order] = labels_sorted
        self.strategy_ = strategy
        self._finish(texts, x, list(languages), ids, labels)
        if seeds is not None:
            sims = self.centroids_.astype(np.float64) @ seeds.T
            self.themes_["seed"] = [names[b] if sims[t, b] >= self.min_similarity else ""
                                    for t, b in enumerate(sims.argmax(axis=1))]
        return self

    def _describe(self, themes: Mapping[str, str | Sequence[str]], centering: LanguageCentering | None
                  ) -> tuple[list[str], np.ndarray]:
        """Theme vectors in the stories' (aligned) space: a description is centred like its own language."""
        from ..language.detector import detect_language

        names, vectors = describe(themes, self.embedding_model)
        if centering is None:
            return names, vectors
        joined = [v if isinstance(v, str) else " ".join(map(str, v)) for v in themes.values()]
        return names, centering.transform(vectors, [r.language for r in detect_language(joined)])

    def _finish(self, texts: Sequence[str], x: np.ndarray, languages: list[str], ids: list[str],
                labels: np.ndarray, names: list[str] | None = None) -> None:
        outlier = labels == -1
        if outlier.all():  # HDBSCAN found nothing: one theme rather than losing every story
            labels, outlier = np.zeros(len(labels), dtype=int), np.zeros(len(labels), dtype=bool)
        if names is not None:  # a fixed list keeps its order and names (themes with no story stay out)
            found = [t for t in range(len(names)) if (labels == t).any()]
        else:  # number themes by size (largest first), ties by their smallest member: stable ids
            found = sorted(set(labels[~outlier]), key=lambda t: (-(labels == t).sum(), min(
                ids[i] for i in np.flatnonzero(labels == t))))
        renumber = {old: new for new, old in enumerate(found)}
        theme = np.array([renumber.get(lab, -1) for lab in labels], dtype=int)
        centroids = normalise_rows(np.stack([x[theme == t].mean(axis=0) for t in range(len(found))]))
        sims = x @ centroids.T
        theme[outlier] = sims[outlier].argmax(axis=1)  # reassigned, and flagged in `outlier`
        similarity = sims[np.arange(len(theme)), theme]
        terms = theme_terms(texts, languages)
        per_lang = theme_keywords(terms, theme.tolist(), languages, top_n=max(self.top_n_words, _CANDIDATES))
        labels = self._labels(per_lang, centroids) if names is None else {}
        per_lang = {t: {k: v[:self.top_n_words] for k, v in by.items()} for t, by in per_lang.items()}
        rows = []
        for t in range(len(found)):
            members = np.flatnonzero(theme == t)
            central = members[np.lexsort((np.array(ids)[members], -similarity[members]))]
            merged = merge_keywords(per_lang.get(t, {}), top_n=self.top_n_words)
            langs = pd.Series([languages[i] for i in members]).value_counts()
            label = labels.get(t, "")
            rows.append({
                "theme_id": t,
                "label": names[found[t]] if names is not None else (label or f"theme {t}"),
                "label_language": self.label_language_ if label else "",
                "size": len(members),
                "languages": ", ".join(f"{k}:{v}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))),
                "keywords": merged,
                "keywords_by_language": {k: [w for w, _ in v] for k, v in sorted(per_lang.get(t, {}).items())},
                "representatives": [ids[i] for i in central[:self.n_representatives]],
                "outliers_reassigned": int(outlier[members].sum()),
            })
        self.themes_ = pd.DataFrame(rows)
        labels_by_id = dict(zip(self.themes_["theme_id"], self.themes_["label"]))
        self.assignments_ = pd.DataFrame({"story_id": ids, "theme_id": theme,
                                          "theme_label": [labels_by_id[t] for t in theme],
                                          "theme_similarity": np.round(similarity.astype(np.float64), 6),
                                          "outlier": outlier})
        self.centroids_ = centroids.astype(np.float32)

    def _labels(self, per_lang: dict[int, dict[str, list[tuple[str, float]]]], centroids: np.ndarray
                ) -> dict[int, str]:
        """A label per theme in ``label_language_``, KeyBERT-style (as BERTopic's ``KeyBERTInspired``): the
        theme's c-TF-IDF candidates in that language re-ranked by how much closer the word's embedding is to
        this theme's centroid than to the others'. A theme without a story in that language draws its
        candidates from the whole collection's words in that language, so every label is in one language."""
        from ..embedding import embed

        lang = self.label_language_
        own = {t: [w for w, _ in by.get(lang, [])] for t, by in per_lang.items()}
        pool = list(dict.fromkeys(w for words in own.values() for w in words))
        if not pool:
            return {}
        vectors = normalise_rows(embed(pool, self.embedding_model, align=False).astype(np.float64))
        if self.centering_ is not None:
            vectors = self.centering_.transform(vectors, [lang] * len(pool))
        sims = vectors @ np.asarray(centroids, dtype=np.float64).T
        k = sims.shape[1]
        distinct = sims - (sims.sum(axis=1, keepdims=True) - sims) / max(k - 1, 1) if k > 1 else sims
        row = {w: i for i, w in enumerate(pool)}
        out = {}
        for t in range(k):
            words = own.get(t) or pool
            ranked = sorted(words, key=lambda w: (-round(float(distinct[row[w], t]), 9), w))
            out[t] = pick_label(ranked)
        return out

    def fit_stories(self, stories: Any, embeddings: np.ndarray, languages: Sequence[str]) -> ThemeModel:
        """Fit on a :class:`~msc_nlp.StoryCollection` (ids and texts taken from it)."""
        return self.fit(stories.texts, embeddings, languages, ids=stories.ids)

    def predict(self, embeddings: np.ndarray, languages: Sequence[str] | None = None) -> np.ndarray:
        """Nearest theme for new embeddings. With ``languages`` (one code per row) the raw embeddings are first
        moved by the language centring fitted on the collection, as the fitted stories were; without, they
        must already be aligned (or the model was fitted with ``align=False``)."""
        if not hasattr(self, "centroids_"):
            raise InputError("This ThemeModel is not fitted yet; call fit(...) first.")
        x = normalise_rows(np.asarray(embeddings, dtype=np.float64))
        if languages is not None:
            if len(languages) != len(x):
                raise InputError(f"ThemeModel.predict got {len(x)} embeddings but {len(languages)} languages; "
                                 "pass one language code per row.")
            if getattr(self, "centering_", None) is not None:
                x = self.centering_.transform(x, list(languages))
        return (x @ self.centroids_.T).argmax(axis=1)

    # ------------------------------------------------------------------------------------------ storage
    def save(self, folder: str | Path) -> Path:
        """Write ``themes.json``, ``assignments.csv`` and ``centroids.npz`` (no pickle) into ``folder``."""
        if not hasattr(self, "themes_"):
            raise InputError("This ThemeModel is not fitted yet; nothing to save.")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": _FORMAT, "strategy": self.strategy_, "params": self.get_params(),
                "label_language": self.label_language_,
                "themes": self.themes_.to_dict(orient="records")}
        (out / "themes.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        write_csv(self.assignments_, out / "assignments.csv")
        arrays = {"centroids": self.centroids_}
        centering = getattr(self, "centering_", None)
        if centering is not None:
            arrays["global_mean"] = centering.global_mean_
            arrays.update({f"mean_{lang}": m for lang, m in centering.means_.items()})
        np.savez(out / "centroids.npz", **arrays)
        return out

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("n_themes", "strategy", "small_max", "max_themes", "min_theme_size",
                                              "align", "n_representatives", "top_n_words", "label_language",
                                              "seed_themes", "fixed_themes", "min_similarity", "embedding_model",
                                              "random_state")}


def load_themes(folder: str | Path) -> ThemeModel:
    """Load a :meth:`ThemeModel.save` folder; a missing or altered file gives a clear error."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "themes.json").read_text(encoding="utf-8"))
        assignments = pd.read_csv(folder / "assignments.csv", dtype={"story_id": str}).map(restore)
        with np.load(folder / "centroids.npz", allow_pickle=False) as z:
            centroids = z["centroids"]
            centering = None
            if "global_mean" in z.files:
                centering = LanguageCentering()
                centering.global_mean_ = z["global_mean"]
                centering.means_ = {k[len("mean_"):]: z[k] for k in z.files if k.startswith("mean_")}
        if meta.get("format") != _FORMAT or len(centroids) != len(meta["themes"]):
            raise ValueError("format or theme count does not match")
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{str(folder)!r} is not a readable saved theme model ({exc}). Save it again with "
                         "ThemeModel.save().") from exc
    model = ThemeModel(**meta["params"])
    model.strategy_ = meta["strategy"]
    model.themes_ = pd.DataFrame(meta["themes"])
    model.assignments_ = assignments
    model.centroids_ = centroids
    model.centering_ = centering
    model.label_language_ = meta.get("label_language", "en")
    return model
