"""Meta-monitoring of selection, comparison of reporting periods, reasons analysis and verification triage."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .duplicates import find_duplicates
from .selection import Selections

__all__ = ["meta_monitoring", "theme_survival", "compare_periods", "triage"]

PROVENANCE = ("region", "storyteller_role", "period", "domain")


#: Verdicts of :func:`meta_monitoring`.
TOO_FEW = "too few stories to tell"


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _rate_difference(a: int, n1: int, c: int, n2: int, z: float) -> tuple[float, float, float]:
    """Difference of two proportions a/n1 - c/n2 with Newcombe's hybrid score interval (Wilson limits)."""
    p1, p2 = a / n1, c / n2
    (l1, u1), (l2, u2) = _wilson(a, n1, z), _wilson(c, n2, z)
    d = p1 - p2
    return d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def meta_monitoring(stories: pd.DataFrame, selections: Selections, *,
                    by: Sequence[str] = ("region", "storyteller_role", "language", "gender", "theme_label"),
                    alpha: float = 0.05, min_group: int = 5) -> pd.DataFrame:
    """Does a level select some groups of stories more often than others?

    For every level, column of ``by`` and group, two comparisons: with the stories the level **rated**
    (``compared_with="rated"``) and with the **whole collection** (``"collection"``: the level's selection
    against every story; left out where the level rated the whole collection). For the first level, when it
    rated only part of the collection (e.g. the machine shortlist), also what it was given against the whole
    collection (``chosen="rated"``; otherwise ``chosen="selected"``), so the shortlist's own bias shows. Each
    gives the selection rate of the group and of the
    rest, their difference with a ``1 - alpha`` interval (Newcombe's hybrid score method) and Fisher's exact
    test (two-sided). P-values are corrected for the number of tests in the table (Benjamini–Hochberg,
    ``p_adjusted``); ``flag`` is ``p_adjusted < alpha``. A group, or the rest, with fewer than ``min_group``
    stories gets the verdict "too few stories to tell" and no test.

    The older columns stay: ``submitted`` (stories of the group compared), ``selected`` (of them, chosen),
    ``share_submitted``, ``share_selected``, ``selection_rate``.
    """
    from scipy.stats import false_discovery_control, fisher_exact, norm

    from .._validation import check_float, check_int

    check_float(alpha, "alpha", "meta_monitoring", low=1e-6, high=0.5)
    check_int(min_group, "min_group", "meta_monitoring", minimum=1)
    z = float(norm.ppf(1 - alpha / 2))
    cols = [c for c in by if c in stories.columns]
    info = stories.set_index("story_id")
    everything = info.index
    rows = []
    for level in selections.levels:
        rec = selections.records[selections.records["level"] == level]
        rated_ids = set(rec["story_id"])
        chosen_ids = set(rec.loc[rec["selected"], "story_id"])
        bases = [("rated", "selected", pd.Index(rec["story_id"]), chosen_ids)]
        if rated_ids != set(everything):
            bases.append(("collection", "selected", everything, chosen_ids))
            if level == selections.levels[0]:  # what the first level was given, e.g. the machine shortlist
                bases.append(("collection", "rated", everything, rated_ids))
        for base, what, members, picked in bases:
            part = info.loc[members]
            chosen = part.index.isin(list(picked))
            n, k = len(part), int(chosen.sum())
            for col in cols:
                values = part[col].fillna("(blank)").astype(str).to_numpy()
                for v in sorted(set(values)):
                    g = values == v
                    a, b = int((g & chosen).sum()), int((g & ~chosen).sum())
                    c, d = int((~g & chosen).sum()), int((~g & ~chosen).sum())
                    row = {"level": level, "compared_with": base, "chosen": what, "column": col, "group": v,
                           "submitted": a + b, "selected": a, "share_submitted": round((a + b) / n, 4) if n else 0.0,
                           "share_selected": round(a / k, 4) if k else 0.0,
                           "selection_rate": round(a / (a + b), 4) if a + b else 0.0,
                           "rate_rest": round(c / (c + d), 4) if c + d else 0.0,
                           "rate_difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}
                    if min(a + b, c + d) >= min_group:
                        diff, low, high = _rate_difference(a, a + b, c, c + d, z)
                        row.update(rate_difference=round(diff, 4), ci_low=round(low, 4), ci_high=round(high, 4),
                                   p_value=float(fisher_exact([[a, b], [c, d]])[1]))
                    rows.append(row)
    columns = ["level", "compared_with", "chosen", "column", "group", "submitted", "selected", "share_submitted",
               "share_selected", "selection_rate", "rate_rest", "rate_difference", "ci_low", "ci_high", "p_value",
               "p_adjusted", "flag", "verdict"]
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in ("p_adjusted", "flag", "verdict")])
    tested = out["p_value"].notna().to_numpy()
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = false_discovery_control(out.loc[tested, "p_value"].to_numpy(), method="bh")
    out["flag"] = (out["p_adjusted"] < alpha).to_numpy(dtype=bool)
    out["verdict"] = np.select(
        [~tested, out["flag"] & (out["rate_difference"] > 0), out["flag"]],
        [TOO_FEW, out["chosen"] + " more often", out["chosen"] + " less often"], "no clear difference")
    out["p_value"] = out["p_value"].round(6)
    out["p_adjusted"] = out["p_adjusted"].round(6)
    return out[columns]


def theme_survival(stories: pd.DataFrame, selections: Selections) -> pd.DataFrame:
    """Stories per theme: submitted, then selected at each level (which themes survive level to level)."""
    label = stories.set_index("story_id")["theme_label"]
    table = label.value_counts().rename("submitted").to_frame()
    for level in selections.levels:
        table[f"selected_{level}"] = label.loc[selections.selected(level)].value_counts()
    return table.fillna(0).astype(int).rename_axis("theme").reset_index()


def compare_periods(stories: pd.DataFrame, *, period: str = "period") -> dict[str, pd.DataFrame]:
    """Theme and 5C shares per reporting period, and themes new or vanished from one period to the next."""
    if period not in stories.columns:
        raise InputError(f"No {period!r} column to compare reporting periods; columns: {list(stories.columns)}.")
    placed = stories[stories["theme_id"] >= 0]
    themes = pd.crosstab(placed["theme_label"], placed[period], normalize="columns").round(4)
    caps = pd.crosstab(placed["capability"], placed[period], normalize="columns").round(4)
    periods = sorted(placed[period].dropna().astype(str).unique())
    changes = []
    present = {p: set(placed.loc[placed[period].astype(str) == p, "theme_label"]) for p in periods}
    for before, after in zip(periods, periods[1:]):
        changes += [{"from": before, "to": after, "theme": t, "change": "new"} for t in sorted(present[after] -
                                                                                                present[before])]
        changes += [{"from": before, "to": after, "theme": t, "change": "vanished"}
                    for t in sorted(present[before] - present[after])]
    return {"themes": themes, "capabilities": caps, "changes": pd.DataFrame(changes,
                                                                             columns=["from", "to", "theme", "change"])}


def triage(stories: pd.DataFrame, *, embeddings: np.ndarray | None = None,
           provenance: Sequence[str] = PROVENANCE, short_words: int = 25, **duplicates: float) -> pd.DataFrame:
    """Stories a panel should verify: duplicates (``edited copy`` in one language, ``translation`` across
    languages; see :func:`~msc_nlp.panels.find_duplicates`, whose thresholds can be passed as keywords),
    missing provenance fields, and empty or very short stories (fewer than ``short_words`` words).

    Columns: ``story_id``, ``issue`` (``near_duplicate``, ``missing_provenance``, ``empty``, ``very_short``),
    ``other_story``, ``kind`` (of a duplicate) and ``detail`` (the evidence). ``embeddings``: one row per
    story (or per non-empty story), not centred per language (``embed(..., align=False)``)."""
    rows = []
    keep = (stories["status"] != "empty").to_numpy() if "status" in stories else np.ones(len(stories), bool)
    usable = stories[keep].reset_index(drop=True)
    if len(usable) > 1:
        vec = None if embeddings is None else np.asarray(embeddings)
        if vec is not None and len(vec) == len(stories):
            vec = vec[keep]
        langs = usable["language"].astype(str).tolist() if "language" in usable else ["und"] * len(usable)
        pairs = find_duplicates(usable["text"].astype(str).tolist(), langs, ids=usable["story_id"].tolist(),
                                embeddings=vec, **duplicates)
        for p in pairs.itertuples(index=False):
            detail = (f"{p.kind} ({p.languages}): sentence alignment {p.alignment:.2f}, similarity "
                      f"{p.similarity:.2f}, shared wording {p.text_overlap:.0%}")
            detail += f"; shared details: {p.shared}" if p.shared else ""
            rows.append({"story_id": p.story_id, "issue": "near_duplicate", "other_story": p.other_story,
                         "kind": p.kind, "detail": detail})
    for col in provenance:
        if col in stories.columns:
            for sid in stories.loc[stories[col].isna() | (stories[col].astype(str).str.strip() == ""), "story_id"]:
                rows.append({"story_id": sid, "issue": "missing_provenance", "other_story": "", "kind": "",
                             "detail": col})
    status = stories["status"] if "status" in stories else pd.Series([""] * len(stories), index=stories.index)
    for sid, st, text in zip(stories["story_id"], status, stories["text"]):
        words = len(str(text).split())
        if st == "empty":
            rows.append({"story_id": sid, "issue": "empty", "other_story": "", "kind": "", "detail": ""})
        elif words < short_words:
            rows.append({"story_id": sid, "issue": "very_short", "other_story": "", "kind": "",
                         "detail": f"{words} words"})
    return pd.DataFrame(rows, columns=["story_id", "issue", "other_story", "kind", "detail"])
