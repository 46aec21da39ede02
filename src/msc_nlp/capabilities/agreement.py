"""How far to trust the machine on a team's own data: agreement between human and machine labels, and
theme-level capability profiles."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import InputError

__all__ = ["agreement", "theme_profile"]


def agreement(human: Sequence[str], machine: Sequence[str]) -> dict[str, Any]:
    """Cohen's kappa, macro-F1, per-capability precision/recall/F1 and the confusion table (rows: human)."""
    from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support

    human, machine = [str(h) for h in human], [str(m) for m in machine]
    if len(human) != len(machine) or not human:
        raise InputError(f"agreement needs two equally long, non-empty label lists; got {len(human)} and "
                         f"{len(machine)}.")
    labels = sorted(set(human) | set(machine))
    p, r, f, s = precision_recall_fscore_support(human, machine, labels=labels, zero_division=0)
    per = pd.DataFrame({"capability": labels, "precision": p, "recall": r, "f1": f, "support": s})
    confusion = pd.crosstab(pd.Series(human, name="human"), pd.Series(machine, name="machine")).reindex(
        index=labels, columns=labels, fill_value=0)
    return {"n": len(human), "kappa": float(cohen_kappa_score(human, machine)),
            "macro_f1": float(f1_score(human, machine, average="macro", labels=labels, zero_division=0)),
            "per_capability": per, "confusion": confusion}


def theme_profile(stories: pd.DataFrame, *, min_score: float = 0.25) -> pd.DataFrame:
    """Per theme: mean ``cap_<key>`` scores, share of stories per primary capability (``share_<key>``,
    ``share_none``) and the theme's primary capability (highest mean score, ``none`` below ``min_score``)."""
    caps = [c for c in stories.columns if c.startswith("cap_")]
    if not caps or "theme_id" not in stories or "capability" not in stories:
        raise InputError("theme_profile needs theme_id, capability and cap_<key> columns (from analyze()).")
    placed = stories[stories["theme_id"] >= 0]
    means = placed.groupby("theme_id")[caps].mean()
    keys = [c[4:] for c in caps]
    shares = pd.crosstab(placed["theme_id"], placed["capability"], normalize="index").reindex(
        columns=[*keys, "none"], fill_value=0.0).add_prefix("share_")
    profile = means.join(shares).round(4)
    best = means.to_numpy().argmax(axis=1)
    profile["capability"] = [keys[b] if means.to_numpy()[i, b] >= min_score else "none"
                             for i, b in enumerate(best)]
    return profile.reset_index()
