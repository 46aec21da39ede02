"""The team's own 5C coding in the main path: coded stories keep their code, the others get the few-shot
prediction learnt from the coded ones (zero-shot when fewer than two capabilities are coded), with the
cross-validated agreement on the coded stories and the stories worth coding next."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .agreement import agreement
from .few_shot import CapabilityClassifier, cross_validated_predictions
from .zero_shot import CapabilityMapper

__all__ = ["apply_team_codes", "read_codes", "code_next"]

#: Values of ``capability_source``.
SOURCES = ("team", "few-shot", "zero-shot")


def read_codes(values: Sequence[Any], mapper: CapabilityMapper, column: str) -> list[str | None]:
    """A capability key (or ``none``) per value; ``None`` for a blank cell. Names in either 5C tradition and
    aliases are accepted ("capability to relate", "C3")."""
    if not hasattr(mapper, "framework_"):
        mapper.fit()
    out: list[str | None] = []
    bad: set[str] = set()
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
            out.append(None)
        elif str(v).strip().lower() == "none":
            out.append("none")
        else:
            try:
                out.append(mapper.framework_.resolve(str(v)))
            except InputError:
                bad.add(str(v))
                out.append(None)
    if bad:
        raise InputError(f"The coded column {column!r} holds values that are not capabilities: {sorted(bad)[:10]}. "
                         f"Expected one of {mapper.keys_ + ['none']} (or a 5C name/alias), or a blank cell.")
    return out


def code_next(uncertainty: Sequence[float], candidates: Sequence[int], groups: Sequence[str], n: int
              ) -> list[int]:
    """``n`` of the ``candidates`` (row positions), most uncertain first, spread over ``groups`` (e.g.
    theme and language): each pick comes from the group picked least so far."""
    order = sorted(candidates, key=lambda i: (-uncertainty[i], i))
    taken: dict[str, int] = {}
    picks: list[int] = []
    remaining = list(order)
    while remaining and len(picks) < n:
        least = min(taken.get(groups[i], 0) for i in remaining)
        pick = next(i for i in remaining if taken.get(groups[i], 0) == least)
        picks.append(pick)
        taken[groups[pick]] = taken.get(groups[pick], 0) + 1
        remaining.remove(pick)
    return picks


def apply_team_codes(frame: pd.DataFrame, caps: pd.DataFrame, mapper: CapabilityMapper, column: str, *,
                     rows: np.ndarray, embeddings: np.ndarray, random_state: int = 0, n_next: int = 10
                     ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Combine the team's codes in ``frame[column]`` with machine suggestions.

    ``caps``: the zero-shot output for every row of ``frame`` (from ``mapper``); ``rows``: positions of the
    stories with text and ``embeddings`` their story vectors. Returns the updated ``caps`` (``capability``,
    ``capability_confidence``, ``evidence``, ``evidence_match``, ``capability_source``) and a summary for
    the manifest: counts, the cross-validated agreement on the coded stories and the ids worth coding next.
    """
    if column not in frame.columns:
        raise InputError(f"analyze got coded={column!r} but the stories have no such column. Columns: "
                         f"{list(frame.columns)}.")
    codes = read_codes(frame[column].tolist(), mapper, column)
    zero = caps.copy()  # the zero-shot output stays the classifier's input
    caps = caps.copy()
    caps["capability_source"] = "zero-shot"
    usable = np.zeros(len(frame), dtype=bool)
    usable[rows] = True
    coded = np.array([c is not None for c in codes])
    train = np.flatnonzero(coded & usable)
    predict = np.flatnonzero(~coded & usable)
    position = {r: k for k, r in enumerate(rows)}
    texts = frame["text"].tolist()
    labels = [codes[i] for i in train]
    n_caps = len({lab for lab in labels if lab != "none"})
    summary: dict[str, Any] = {"column": column, "coded": int(coded.sum()), "suggested": int(len(predict)),
                               "codes": pd.Series([c for c in codes if c is not None], dtype=object)
                               .value_counts().to_dict()}
    uncertainty = 1.0 - caps["capability_confidence"].to_numpy(dtype=float)
    if n_caps >= 2 and len(predict):
        clf = CapabilityClassifier(mapper.framework, embedding_model=mapper.embedding_model,
                                   random_state=random_state)
        clf.fit([texts[i] for i in train], labels, embeddings=embeddings[[position[i] for i in train]],
                zero_shot=zero.iloc[train])
        proba = clf.predict_proba([texts[i] for i in predict], embeddings=embeddings[[position[i] for i in predict]],
                                  zero_shot=zero.iloc[predict])
        best = proba.to_numpy().argmax(axis=1)
        predicted = [clf.classes_[b] for b in best]
        why = mapper.explain([texts[i] for i in predict], predicted)
        caps.loc[caps.index[predict], "capability"] = predicted
        caps.loc[caps.index[predict], "capability_confidence"] = np.round(proba.to_numpy().max(axis=1), 6)
        caps.loc[caps.index[predict], "evidence"] = why["evidence"].to_numpy()
        caps.loc[caps.index[predict], "evidence_match"] = why["evidence_match"].to_numpy()
        caps.loc[caps.index[predict], "capability_source"] = "few-shot"
        uncertainty[predict] = 1.0 - proba.to_numpy().max(axis=1)
        summary["mode"] = "few-shot"
    else:
        summary["mode"] = "zero-shot"
        summary["why_zero_shot"] = (f"{n_caps} capabilit{'y' if n_caps == 1 else 'ies'} coded; the few-shot "
                                    "classifier needs at least 2" if n_caps < 2 else "no uncoded story")
    team = np.flatnonzero(coded)  # every team code is kept, also on a story without usable text
    why_team = mapper.explain([texts[i] for i in team], [codes[i] for i in team])
    caps.loc[caps.index[team], "capability"] = [codes[i] for i in team]
    caps.loc[caps.index[team], "capability_confidence"] = 1.0
    caps.loc[caps.index[team], "evidence"] = why_team["evidence"].to_numpy()
    caps.loc[caps.index[team], "evidence_match"] = why_team["evidence_match"].to_numpy()
    caps.loc[caps.index[team], "capability_source"] = "team"
    summary["cross_validation"] = _cross_validate(texts, train, labels, embeddings[[position[i] for i in train]],
                                                  zero.iloc[train], mapper, random_state)
    spread = [frame[c].astype(str).to_numpy() for c in ("theme_id", "language") if c in frame]
    groups = ["|".join(col[i] for col in spread) for i in range(len(frame))]
    picks = code_next(uncertainty.tolist(), predict.tolist(), groups, n_next)
    summary["code_next"] = [str(frame["story_id"].iat[i]) for i in picks]
    return caps, summary


def _cross_validate(texts: list[str], train: np.ndarray, labels: list[str], embeddings: np.ndarray,
                    zero_shot: pd.DataFrame, mapper: CapabilityMapper, random_state: int) -> dict[str, Any]:
    counts = pd.Series(labels, dtype=object).value_counts()
    kept = counts[counts >= 2]
    if len(kept) < 2:
        return {"available": False, "why": "cross-validation needs at least 2 labels with at least 2 coded "
                                           f"stories each; coded: {counts.to_dict()}"}
    keep = np.array([lab in kept.index for lab in labels])
    sub = [lab for lab, k in zip(labels, keep) if k]
    pred = cross_validated_predictions([texts[i] for i in train[keep]], sub, n_splits=5, random_state=random_state,
                                       embeddings=embeddings[keep], zero_shot=zero_shot[keep],
                                       framework=mapper.framework, embedding_model=mapper.embedding_model)
    agree = agreement(sub, pred)
    per = agree["per_capability"].set_index("capability")["f1"].round(4).to_dict()
    return {"available": True, "n": agree["n"], "folds": int(min(5, kept.min())),
            "macro_f1": round(agree["macro_f1"], 4), "kappa": round(agree["kappa"], 4), "per_capability_f1": per,
            "left_out": {str(k): int(v) for k, v in counts[counts < 2].items()}}
