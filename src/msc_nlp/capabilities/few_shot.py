"""Few-shot capability classifier: a team's own coded stories (any language mix) teach a scikit-learn
``Pipeline`` (``StandardScaler`` + ``LogisticRegression``) on the story embedding plus the zero-shot scores.
Cross-validated; saved as JSON + npz (no pickle)."""
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

_FORMAT = 2


def _pipeline(C: float, random_state: int):  # noqa: ANN202, N803 - sklearn Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler()),
                     ("logreg", LogisticRegression(C=C, class_weight="balanced", max_iter=2000,
                                                   random_state=random_state))])


class CapabilityClassifier:
    """``fit(texts, labels)`` / ``predict(texts)`` / ``predict_proba(texts)`` in scikit-learn's manner.

    Features: the story embedding (``embedding_model``) and the zero-shot ``cap_<key>`` probabilities of
    ``framework``; model: ``Pipeline(StandardScaler, LogisticRegression(class_weight="balanced"))``. Its
    ``predict_proba`` is multiplied by the zero-shot distribution raised to ``zero_shot_weight`` (a prior
    from the framework: with 8 coded stories per capability the two together beat either alone on the
    development stories) and renormalised; ``zero_shot_weight=0`` gives the pipeline's probabilities as
    they are. Labels are capability keys or ``none``. Every method also takes precomputed ``embeddings``
    and ``zero_shot`` output (one row per text) so a pipeline that already has them does not redo them.
    Learned: ``pipeline_``, ``classes_``.
    """

    def __init__(self, framework: str = "5c", *, embedding_model: str = "use-multilingual", C: float = 1.0,
                 zero_shot_weight: float = 1.0, random_state: int = 0) -> None:
        self.framework = framework
        self.embedding_model = embedding_model
        self.C = C
        self.zero_shot_weight = zero_shot_weight
        self.random_state = random_state

    def _features(self, texts: Sequence[str], embeddings: np.ndarray | None = None,
                  zero_shot: pd.DataFrame | None = None) -> tuple[np.ndarray, pd.DataFrame]:
        """Feature matrix and the zero-shot prior (one column per capability key and ``none``)."""
        from ..embedding import embed

        if zero_shot is None:
            zero_shot = CapabilityMapper(self.framework, embedding_model=self.embedding_model).transform(
                list(texts))
        cols = [c for c in zero_shot.columns if c.startswith("cap_")]
        scores = zero_shot[cols].to_numpy(dtype=np.float64)
        if embeddings is None:
            embeddings = embed(list(texts), self.embedding_model, align=False)
        if len(embeddings) != len(texts) or len(scores) != len(texts):
            raise InputError(f"CapabilityClassifier got {len(texts)} texts, {len(embeddings)} embeddings and "
                             f"{len(scores)} zero-shot rows; pass one of each per text.")
        abstained = (zero_shot["capability"].to_numpy() == "none").astype(np.float64)[:, None] if (
            "capability" in zero_shot) else np.zeros((len(texts), 1))
        # The zero-shot distribution over keys + none, smoothed so that no label is ruled out.
        prior = np.hstack([scores * (1 - abstained), abstained]) * 0.9 + 0.1 / (len(cols) + 1)
        prior = pd.DataFrame(prior, columns=[*[c[4:] for c in cols], "none"])
        return np.hstack([np.asarray(embeddings, dtype=np.float64), scores, abstained]), prior

    def _combine(self, proba: np.ndarray, classes: Sequence[str], prior: pd.DataFrame) -> np.ndarray:
        if not self.zero_shot_weight:
            return proba
        weights = prior.reindex(columns=[str(c) for c in classes], fill_value=1.0).to_numpy() ** self.zero_shot_weight
        out = proba * weights
        return out / out.sum(axis=1, keepdims=True)

    def fit(self, texts: Sequence[str], labels: Sequence[str], *, embeddings: np.ndarray | None = None,
            zero_shot: pd.DataFrame | None = None) -> CapabilityClassifier:
        if len(texts) != len(labels):
            raise InputError(f"CapabilityClassifier.fit got {len(texts)} texts but {len(labels)} labels.")
        counts = pd.Series(list(labels)).value_counts()
        if len(counts) < 2:
            raise InputError(f"CapabilityClassifier needs at least 2 different labels; got {counts.to_dict()}.")
        self.pipeline_ = _pipeline(self.C, self.random_state).fit(
            self._features(texts, embeddings, zero_shot)[0], np.asarray([str(v) for v in labels]))
        self.classes_ = [str(c) for c in self.pipeline_.classes_]
        return self

    def predict_proba(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None,
                      zero_shot: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per text, one column per class (``classes_``), rows summing to 1."""
        if not hasattr(self, "pipeline_"):
            raise InputError("This CapabilityClassifier is not fitted yet; call fit(texts, labels) first.")
        x, prior = self._features(texts, embeddings, zero_shot)
        return pd.DataFrame(self._combine(self.pipeline_.predict_proba(x), self.classes_, prior),
                            columns=self.classes_)

    def predict(self, texts: Sequence[str], **features: Any) -> list[str]:
        proba = self.predict_proba(texts, **features)
        return [self.classes_[i] for i in proba.to_numpy().argmax(axis=1)]

    def save(self, folder: str | Path) -> Path:
        """``classifier.json`` (parameters, classes) and ``weights.npz`` in ``folder`` (e.g. ``models/<name>``)."""
        if not hasattr(self, "pipeline_"):
            raise InputError("This CapabilityClassifier is not fitted yet; nothing to save.")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": _FORMAT, "classes": self.classes_, "framework": str(self.framework),
                "embedding_model": self.embedding_model, "C": self.C, "zero_shot_weight": self.zero_shot_weight,
                "random_state": self.random_state}
        (out / "classifier.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        scale, lr = self.pipeline_.named_steps["scale"], self.pipeline_.named_steps["logreg"]
        np.savez(out / "weights.npz", coef=lr.coef_, intercept=lr.intercept_, mean=scale.mean_, scale=scale.scale_,
                 var=scale.var_)
        return out

    @classmethod
    def load(cls, folder: str | Path) -> CapabilityClassifier:
        folder = Path(folder)
        try:
            meta = json.loads((folder / "classifier.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as z:
                arrays = {k: z[k] for k in ("coef", "intercept", "mean", "scale", "var")}
            if meta.get("format") != _FORMAT or arrays["coef"].shape[1] != arrays["mean"].shape[0]:
                raise ValueError("format or shapes do not match")
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{str(folder)!r} is not a readable saved CapabilityClassifier ({exc}). Fit and "
                             "save it again.") from exc
        model = cls(meta["framework"], embedding_model=meta["embedding_model"], C=meta["C"],
                    zero_shot_weight=meta["zero_shot_weight"], random_state=meta["random_state"])
        pipe = _pipeline(model.C, model.random_state)
        scale, lr = pipe.named_steps["scale"], pipe.named_steps["logreg"]
        scale.mean_, scale.scale_, scale.var_ = arrays["mean"], arrays["scale"], arrays["var"]
        scale.n_features_in_, scale.n_samples_seen_ = len(arrays["mean"]), 1
        lr.coef_, lr.intercept_ = arrays["coef"], arrays["intercept"]
        lr.classes_, lr.n_features_in_ = np.asarray(meta["classes"]), len(arrays["mean"])
        model.pipeline_, model.classes_ = pipe, list(meta["classes"])
        return model


def cross_validated_predictions(texts: Sequence[str], labels: Sequence[str], *, n_splits: int = 5,
                                random_state: int = 0, embeddings: np.ndarray | None = None,
                                zero_shot: pd.DataFrame | None = None, return_proba: bool = False,
                                **params: Any) -> list[str] | tuple[list[str], pd.DataFrame]:
    """Out-of-fold predictions (stratified k-fold): how the few-shot classifier does on stories it did not
    see. ``n_splits`` is lowered to the size of the smallest class (at least 2). With ``return_proba`` also
    the out-of-fold probabilities (one column per label)."""
    from sklearn.model_selection import StratifiedKFold

    check_int(n_splits, "n_splits", "cross_validated_predictions", minimum=2)
    labels = np.asarray([str(v) for v in labels])
    classes = sorted(set(labels))
    smallest = int(pd.Series(labels).value_counts().min())
    if smallest < 2:
        raise InputError(f"cross_validated_predictions needs at least 2 stories per label; got "
                         f"{pd.Series(labels).value_counts().to_dict()}.")
    clf = CapabilityClassifier(random_state=random_state, **params)
    x, prior = clf._features(texts, embeddings, zero_shot)
    out = np.empty(len(labels), dtype=object)
    proba = np.zeros((len(labels), len(classes)))
    folds = StratifiedKFold(n_splits=min(n_splits, smallest), shuffle=True, random_state=random_state)
    for train, test in folds.split(x, labels):
        pipe = _pipeline(clf.C, random_state).fit(x[train], labels[train])
        p = clf._combine(pipe.predict_proba(x[test]), pipe.classes_, prior.iloc[test])
        cols = [classes.index(str(c)) for c in pipe.classes_]
        proba[np.ix_(test, cols)] = p
        out[test] = [str(pipe.classes_[i]) for i in p.argmax(axis=1)]
    if return_proba:
        return out.tolist(), pd.DataFrame(proba, columns=classes)
    return out.tolist()
