"""Text normalisation and hashed character/word features for the language identifier."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

_NON_LETTER = re.compile(r"[^\w']|[\d_]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_SPACES = re.compile(r"\s+")

CHAR_FEATURES = 2**18
WORD_FEATURES = 2**17


def normalise(text: str) -> str:
    """Lower-case, unify apostrophes, replace digits and punctuation by spaces, collapse spaces."""
    text = text.translate(_APOSTROPHES).lower()
    return _SPACES.sub(" ", _NON_LETTER.sub(" ", text)).strip(" '")


class LanguageFeaturizer:
    """Hashed character 1-4-grams (inside word boundaries) plus hashed whole words, each L2-normalised."""

    def __init__(self) -> None:
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=CHAR_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32)
        self._words = HashingVectorizer(analyzer="word", token_pattern=r"[^ ]+", n_features=WORD_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        norm = [normalise(t) for t in texts]
        return sp.hstack([self._chars.transform(norm), self._words.transform(norm)], format="csr")

    @staticmethod
    def save(path: Path, coef: np.ndarray, intercept: np.ndarray, classes: list[str],
             meta: dict[str, Any]) -> None:
        """Store weights as int8 with one scale per class (a few MB, no pickle)."""
        scale = np.abs(coef).max(axis=1) / 127.0
        q = np.round(coef / scale[:, None]).astype(np.int8)
        header = {"classes": classes, "char_features": CHAR_FEATURES, "word_features": WORD_FEATURES,
                  "format": 1, **meta}
        np.savez_compressed(path, coef_q=q.T.copy(), scale=scale.astype(np.float32),
                            intercept=intercept.astype(np.float32), header=np.array(json.dumps(header)))

    @staticmethod
    def load(path: Path) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, Any]]:
        """Return (weights of shape (n_features, n_classes) as float32, intercept, classes, header)."""
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            weights = z["coef_q"].astype(np.float32)
            weights *= z["scale"][None, :]
            return weights, z["intercept"], list(header["classes"]), header
