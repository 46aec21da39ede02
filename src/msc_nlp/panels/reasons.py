"""Panel reasons grouped into value criteria, across languages."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from .._validation import check_int
from ..errors import InputError

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
                    random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Group the panels' reasons (any language) into value criteria: cross-lingual clustering with keywords,
    which criteria each level/panel uses, and the 5C capability each reason speaks to.

    Reasons are embedded without their framing (:func:`reason_core`) and without per-language centring (short
    reasons do not cluster by language), then clustered with Ward linkage; ``n_criteria="auto"`` picks the
    number of criteria in [3, ``max_criteria``] by cosine silhouette. With ``criteria`` (the programme's own
    values, ``{name: description or [example phrases]}``, any of nl/en/fr), each reason goes instead to the
    criterion whose description it is most similar to, or to ``none`` below ``min_similarity``. Measured on
    reasons in nl/en/fr with known criteria: ``benchmarks/results/panel_analytics.md``.

    Returns ``criteria`` (one row per criterion: label, size, languages, keywords), ``reasons`` (the records
    with ``criterion`` and ``reason_capability``) and ``usage`` (reasons per level/panel and criterion).
    """
    from ..capabilities import map_capabilities
    from ..embedding import embed
    from ..language.detector import detect_language
    from ..themes import ThemeModel

    check_int(max_criteria, "max_criteria", "analyse_reasons", minimum=2)
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
    model = ThemeModel(n_themes=n_criteria, strategy="small", small_max=10**9, max_themes=max_criteria,
                       align=False, n_representatives=2, fixed_themes=criteria, min_similarity=min_similarity,
                       random_state=random_state)
    model.fit(cores, embed(cores, align=False), langs, ids=ids)
    rec["criterion"] = model.assignments_["theme_label"].to_numpy()
    rec["reason_capability"] = map_capabilities(texts)["capability"].to_numpy()
    usage = pd.crosstab([rec["level"], rec["panel"]], rec["criterion"])
    return {"criteria": model.themes_[["theme_id", "label", "size", "languages", "keywords"]], "reasons": rec,
            "usage": usage}
