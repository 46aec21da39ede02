"""Panel reasons grouped into value criteria, across languages."""
from __future__ import annotations

import re

import pandas as pd

from .._validation import check_int
from ..errors import InputError

__all__ = ["analyse_reasons", "reason_core"]

_CHOICE = re.compile(r"\b(?:chose|chosen|choose|selected|select|picked|pick|kozen|gekozen|kiezen|koos|kies|"
                     r"selecteerden|choisie?s?|choisi|retenue?s?|sélectionnée?s?)\b", re.IGNORECASE)
_BECAUSE = re.compile(r"\b(?:because|as|since|for|omdat|want|vanwege|voor|parce\s+qu['’]?e?|car|pour)\b\s*",
                      re.IGNORECASE)


def reason_core(reason: str) -> str:
    """The reason without its framing: "We chose this story because the women now decide..." → "the women
    now decide..." (also *we kozen dit verhaal omdat*, *nous l'avons retenue car*, *selected it for*). Every
    panel writes the framing, so it says nothing about the value behind the choice and would otherwise pull
    reasons of different criteria together."""
    text = str(reason).strip()
    choice = _CHOICE.search(text[:100])
    if choice:
        cause = _BECAUSE.search(text, choice.end(), choice.end() + 60)
        if cause and len(text[cause.end():].split()) >= 3:
            return text[cause.end():].strip()
    return text


def analyse_reasons(records: pd.DataFrame, *, n_criteria: int | str = "auto", max_criteria: int = 8,
                    random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Group the panels' reasons (any language) into value criteria: cross-lingual clustering with keywords,
    which criteria each level/panel uses, and the 5C capability each reason speaks to.

    Reasons are embedded without their framing (:func:`reason_core`) and without per-language centring (short
    reasons do not cluster by language), then clustered with Ward linkage; ``n_criteria="auto"`` picks the
    number of criteria in [3, ``max_criteria``] by cosine silhouette. Measured on reasons in nl/en/fr with
    known criteria: ``benchmarks/results/panel_analytics.md``.

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
                       align=False, n_representatives=2, random_state=random_state)
    model.fit(cores, embed(cores, align=False), langs, ids=ids)
    rec["criterion"] = model.assignments_["theme_label"].to_numpy()
    rec["reason_capability"] = map_capabilities(texts)["capability"].to_numpy()
    usage = pd.crosstab([rec["level"], rec["panel"]], rec["criterion"])
    return {"criteria": model.themes_[["theme_id", "label", "size", "languages", "keywords"]], "reasons": rec,
            "usage": usage}
