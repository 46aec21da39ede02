"""Meta-monitoring of selection, comparison of reporting periods, reasons analysis and verification triage."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .selection import Selections

__all__ = ["meta_monitoring", "theme_survival", "compare_periods", "analyse_reasons", "triage"]

PROVENANCE = ("region", "storyteller_role", "period", "domain")


def meta_monitoring(stories: pd.DataFrame, selections: Selections, *,
                    by: Sequence[str] = ("region", "storyteller_role", "language", "gender", "theme_label"),
                    alpha: float = 0.05) -> pd.DataFrame:
    """Per level and group: submissions, selections, share of submissions vs share of selections, and
    Fisher's exact test (group vs the rest × selected vs not), suited to small counts; ``flag`` marks
    p < ``alpha``. The submissions of a level are the stories it rated."""
    from scipy.stats import fisher_exact

    cols = [c for c in by if c in stories.columns]
    rows = []
    info = stories.set_index("story_id")
    for level in selections.levels:
        rec = selections.records[selections.records["level"] == level]
        rated = info.loc[rec["story_id"]]
        chosen = rec.set_index("story_id")["selected"].reindex(rated.index).to_numpy(dtype=bool)
        n, k = len(rated), int(chosen.sum())
        for col in cols:
            values = rated[col].fillna("(blank)").astype(str).to_numpy()
            for v in sorted(set(values)):
                g = values == v
                a, b = int((g & chosen).sum()), int((g & ~chosen).sum())
                c, d = int((~g & chosen).sum()), int((~g & ~chosen).sum())
                p = float(fisher_exact([[a, b], [c, d]])[1]) if n else 1.0
                rows.append({"level": level, "column": col, "group": v, "submitted": a + b, "selected": a,
                             "share_submitted": round((a + b) / n, 4) if n else 0.0,
                             "share_selected": round(a / k, 4) if k else 0.0,
                             "selection_rate": round(a / (a + b), 4) if a + b else 0.0,
                             "p_value": round(p, 6), "flag": p < alpha})
    return pd.DataFrame(rows)


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


def analyse_reasons(records: pd.DataFrame, *, random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Group the panels' reasons (any language) into value criteria: cross-lingual clustering with keywords,
    which criteria each level/panel uses, and the 5C capability each reason speaks to."""
    from ..capabilities import map_capabilities
    from ..embedding import embed
    from ..language.detector import detect_language
    from ..themes import ThemeModel

    rec = records[records["reason"].astype(str).str.strip() != ""].reset_index(drop=True)
    if len(rec) < 2:
        raise InputError(f"analyse_reasons needs at least 2 written reasons; got {len(rec)}.")
    texts = rec["reason"].astype(str).tolist()
    langs = [r.language for r in detect_language(texts)]
    ids = [f"{lv}/{p}/{s}" for lv, p, s in zip(rec["level"], rec["panel"], rec["story_id"])]
    model = ThemeModel(max_themes=min(6, max(2, len(rec) // 3)), n_representatives=2,
                       random_state=random_state).fit(texts, embed(texts, align=False), langs, ids=ids)
    rec["criterion"] = model.assignments_["theme_label"].to_numpy()
    rec["reason_capability"] = map_capabilities(texts)["capability"].to_numpy()
    usage = pd.crosstab([rec["level"], rec["panel"]], rec["criterion"])
    return {"criteria": model.themes_[["theme_id", "label", "size", "languages", "keywords"]], "reasons": rec,
            "usage": usage}


def triage(stories: pd.DataFrame, *, embeddings: np.ndarray | None = None, duplicate_similarity: float = 0.9,
           provenance: Sequence[str] = PROVENANCE, short_words: int = 25) -> pd.DataFrame:
    """Stories a panel should verify: near-duplicates (also across languages: cosine of multilingual
    embeddings ≥ ``duplicate_similarity``), missing provenance fields, and empty or very short stories
    (fewer than ``short_words`` words)."""
    from ..embedding import embed

    rows = []
    usable = stories[stories["status"] != "empty"].reset_index(drop=True)
    if len(usable) > 1:
        vec = embeddings if embeddings is not None else embed(usable["text"].tolist(), align=False)
        sims = vec @ vec.T
        np.fill_diagonal(sims, -1)
        for i, j in zip(*np.nonzero(np.triu(sims >= duplicate_similarity))):
            a, b = usable.iloc[i], usable.iloc[j]
            cross = a["language"] != b["language"]
            rows.append({"story_id": a["story_id"], "issue": "near_duplicate", "other_story": b["story_id"],
                         "detail": f"similarity {sims[i, j]:.2f}{' across languages' if cross else ''}"})
    for col in provenance:
        if col in stories.columns:
            for sid in stories.loc[stories[col].isna() | (stories[col].astype(str).str.strip() == ""), "story_id"]:
                rows.append({"story_id": sid, "issue": "missing_provenance", "other_story": "", "detail": col})
    for sid, status, text in zip(stories["story_id"], stories["status"], stories["text"]):
        words = len(str(text).split())
        if status == "empty":
            rows.append({"story_id": sid, "issue": "empty", "other_story": "", "detail": ""})
        elif words < short_words:
            rows.append({"story_id": sid, "issue": "very_short", "other_story": "", "detail": f"{words} words"})
    return pd.DataFrame(rows, columns=["story_id", "issue", "other_story", "detail"])
