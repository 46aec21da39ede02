"""Few-shot capability classifier: a team's own coded stories (any language mix) teach a logistic regression
on the story embedding plus the zero-shot scores. Cross-validated; saved as JSON + npz (no pickle)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_int
from ..errors import InputError
from .zero_shot import CapabilityMapper

__all__ = ["CapabilityClassifier", "cross_validated_predictions"]

_FORMAT = 1


class CapabilityClassifier:
    """``fit(texts, labels)`` / ``predict(texts)`` / ``predict_proba(texts)`` in scikit-learn's manner.

    Features: the story embedding (``embedding_model``) and the zero-shot ``cap_<key>`` scores of
    ``framework``; model: multinomial logistic regression (probabilities from log-loss, classes balanced).
    Labels are capability keys or ``none``. Learned: ``classes_``, ``coef_``, ``intercept_``, ``mean_``,
    ``scale_``.
    """

    def __init__(self, framework: str = "5c", *, embedding_model: str = "use-multilingual", C: float = 1.0,
                 random_state: int = 0) -> None:
        self.framework = framework
        self.embedding_model = embedding_model
        self.C = C
        self.random_state = random_state

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        from ..embedding import embed

        zero = CapabilityMapper(self.framework, embedding_model=self.embedding_model).transform(list(texts))
        scores = zero[[c for c in zero.columns if c.startswith("cap_")]].to_numpy()
        return np.hstack([embed(list(texts), self.embedding_model, align=False), scores])

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> CapabilityClassifier:
        from sklearn.linear_model import LogisticRegression

        if len(texts) != len(labels):
            raise InputError(f"CapabilityClassifier.fit got {len(texts)} texts but {len(labels)} labels.")
        counts = pd.Series(list(labels)).value_counts()
        if len(counts) < 2:
            raise InputError(f"CapabilityClassifier needs at least 2 different labels; got {counts.to_dict()}.")
        x = self._features(texts)
        self.mean_, self.scale_ = x.mean(axis=0), x.std(axis=0) + 1e-6
        lr = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state)
        lr.fit((x - self.mean_) / self.scale_, np.asarray(labels))
        self.classes_, self.coef_, self.intercept_ = [str(c) for c in lr.classes_], lr.coef_, lr.intercept_
        return self

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        if not hasattr(self, "coef_"):
            raise InputError("This CapabilityClassifier is not fitted yet; call fit(texts, labels) first.")
        z = ((self._features(texts) - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        if z.shape[1] == 1:  # binary: sklearn keeps one row of weights
            z = np.hstack([-z, z])
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return pd.DataFrame(p / p.sum(axis=1, keepdims=True), columns=self.classes_)

    def predict(self, texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.classes_[i] for i in proba.to_numpy().argmax(axis=1)]

    def save(self, folder: str | Path) -> Path:
        """``classifier.json`` (parameters, classes) and ``weights.npz`` in ``folder`` (e.g. ``models/<name>``)."""
        if not hasattr(self, "coef_"):
            raise InputError("This CapabilityClassifier is not fitted yet; nothing to save.")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": _FORMAT, "classes": self.classes_, "framework": str(self.framework),
                "embedding_model": self.embedding_model, "C": self.C, "random_state": self.random_state}
        (out / "classifier.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        np.savez(out / "weights.npz", coef=self.coef_, intercept=self.intercept_, mean=self.mean_, scale=self.scale_)
        return out

    @classmethod
    def load(cls, folder: str | Path) -> CapabilityClassifier:
        folder = Path(folder)
        try:
            meta = json.loads((folder / "classifier.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as z:
                arrays = {k: z[k] for k in ("coef", "intercept", "mean", "scale")}
            if meta.get("format") != _FORMAT or arrays["coef"].shape[1] != arrays["mean"].shape[0]:
                raise ValueError("format or shapes do not match")
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{str(folder)!r} is not a readable saved CapabilityClassifier ({exc}).") from exc
        model = cls(meta["framework"], embedding_model=meta["embedding_model"], C=meta["C"],
                    random_state=meta["random_state"])
        model.classes_ = meta["classes"]
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.mean_, model.scale_ = arrays["mean"], arrays["scale"]
        return model


def cross_validated_predictions(texts: Sequence[str], labels: Sequence[str], *, n_splits: int = 5,
                                random_state: int = 0, **params: Any) -> list[str]:
    """Out-of-fold predictions (stratified k-fold): how the few-shot classifier does on stories it did not
    see. Classes with fewer than ``n_splits`` stories still appear in the folds they can."""
    from sklearn.model_selection import StratifiedKFold

    check_int(n_splits, "n_splits", "cross_validated_predictions", minimum=2)
    labels = np.asarray(labels)
    out = np.empty(len(labels), dtype=object)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for train, test in folds.split(np.zeros(len(labels)), labels):
        model = CapabilityClassifier(random_state=random_state, **params).fit([texts[i] for i in train],
                                                                              labels[train])
        out[test] = model.predict([texts[i] for i in test])
    return out.tolist()
