"""Text normalisation and features for the language identifier.

Three blocks, each scaled to comparable size:

* hashed character 1-4-grams inside word boundaries (L2-normalised),
* hashed whole words (L2-normalised),
* lexicon evidence per lexicon language: the mean Zipf frequency of the text's words in that language's
  word list (0 for an unknown word) and the share of words it knows. Word lists are stored as sorted CRC-32
  hashes with one byte of Zipf frequency each, so a 300,000-word list costs ~1.5 MB and is looked up with
  ``numpy.searchsorted`` for a whole batch at once.
"""
from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
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
ZIPF_SCALE = 10.0  # Zipf frequency (0-8) is stored as round(zipf * 10) in a uint8
ZIPF_MAX = 8.0


def normalise(text: str) -> str:
    """Lower-case, unify apostrophes, replace digits and punctuation by spaces, collapse spaces."""
    text = text.translate(_APOSTROPHES).lower()
    return _SPACES.sub(" ", _NON_LETTER.sub(" ", text)).strip(" '")


def word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


class Lexicon:
    """A word list as sorted hashes plus quantised Zipf frequencies."""

    def __init__(self, hashes: np.ndarray, zipf_q: np.ndarray) -> None:
        order = np.argsort(hashes, kind="stable")
        self.hashes = np.asarray(hashes, dtype=np.uint32)[order]
        self.zipf_q = np.asarray(zipf_q, dtype=np.uint8)[order]

    @classmethod
    def from_frequencies(cls, zipf: Mapping[str, float]) -> Lexicon:
        merged: dict[int, float] = {}
        for word, z in zipf.items():
            w = normalise(word)
            if w and " " not in w:
                h = word_hash(w)
                merged[h] = max(merged.get(h, 0.0), z)
        hashes = np.fromiter(merged.keys(), dtype=np.uint32, count=len(merged))
        zq = np.clip(np.round(np.fromiter(merged.values(), dtype=np.float64) * ZIPF_SCALE), 1, 255)
        return cls(hashes, zq.astype(np.uint8))

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Zipf frequency of each hashed word (0.0 when unknown)."""
        if len(self.hashes) == 0:
            return np.zeros(len(hashes))
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = self.hashes[pos] == hashes
        return np.where(found, self.zipf_q[pos] / ZIPF_SCALE, 0.0)


class LanguageFeaturizer:
    """Turns texts into the sparse feature rows the language model was trained on."""

    def __init__(self, lexicons: Mapping[str, Lexicon] | None = None) -> None:
        self.lexicons = dict(lexicons or {})
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=CHAR_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32)
        self._words = HashingVectorizer(analyzer="word", token_pattern=r"[^ ]+", n_features=WORD_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32)

    @property
    def n_features(self) -> int:
        return CHAR_FEATURES + WORD_FEATURES + 2 * len(self.lexicons)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        norm = [normalise(t) for t in texts]
        blocks = [self._chars.transform(norm), self._words.transform(norm)]
        if self.lexicons:
            blocks.append(sp.csr_matrix(self._lexicon_block(norm)))
        return sp.hstack(blocks, format="csr")

    def _lexicon_block(self, norm: Sequence[str]) -> np.ndarray:
        tokens = [t.split() for t in norm]
        counts = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
        flat = np.fromiter((word_hash(w) for t in tokens for w in t), dtype=np.uint32, count=int(counts.sum()))
        owners = np.repeat(np.arange(len(tokens)), counts)
        denom = np.maximum(counts, 1)
        out = np.zeros((len(tokens), 2 * len(self.lexicons)), dtype=np.float32)
        for j, lex in enumerate(self.lexicons.values()):
            z = lex.lookup(flat)
            out[:, 2 * j] = np.bincount(owners, weights=z / ZIPF_MAX, minlength=len(tokens)) / denom
            out[:, 2 * j + 1] = np.bincount(owners, weights=(z > 0), minlength=len(tokens)) / denom
        return out

    # ------------------------------------------------------------------------------------------ storage
    def save(self, path: Path, coef: np.ndarray, intercept: np.ndarray, classes: list[str],
             meta: dict[str, Any]) -> None:
        """Store weights as int8 with one scale per class, and the lexicons (a few MB, no pickle)."""
        scale = np.abs(coef).max(axis=1) / 127.0
        q = np.round(coef / scale[:, None]).astype(np.int8)
        header = {"classes": classes, "char_features": CHAR_FEATURES, "word_features": WORD_FEATURES,
                  "lexicons": list(self.lexicons), "format": 2, **meta}
        arrays = {f"lex_{k}_hash": v.hashes for k, v in self.lexicons.items()}
        arrays.update({f"lex_{k}_zipf": v.zipf_q for k, v in self.lexicons.items()})
        np.savez_compressed(path, coef_q=q.T.copy(), scale=scale.astype(np.float32),
                            intercept=intercept.astype(np.float32), header=np.array(json.dumps(header)), **arrays)

    @staticmethod
    def load(path: Path) -> tuple[np.ndarray, np.ndarray, list[str], LanguageFeaturizer]:
        """Return (weights of shape (n_features, n_classes) as float32, intercept, classes, featurizer)."""
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            weights = z["coef_q"].astype(np.float32)
            weights *= z["scale"][None, :]
            lexicons = {k: Lexicon(z[f"lex_{k}_hash"], z[f"lex_{k}_zipf"]) for k in header.get("lexicons", [])}
            featurizer = LanguageFeaturizer(lexicons)
            if weights.shape[0] != featurizer.n_features:
                raise ValueError(f"{path} holds weights for {weights.shape[0]} features, its header describes "
                                 f"{featurizer.n_features}.")
            return weights, z["intercept"], list(header["classes"]), featurizer
