"""Text normalisation and features for the language identifier.

Three blocks, each scaled to comparable size:

* hashed character 1-4-grams inside word boundaries (L2-normalised),
* hashed whole words (L2-normalised),
* lexicon evidence per lexicon language: the mean Zipf frequency of the text's words in that language's
  word list (0 for an unknown word), and optionally the share of words it knows. Word lists are stored as sorted CRC-32
  hashes with one byte of Zipf frequency each, so a 300,000-word list costs ~1.5 MB and is looked up with
  ``numpy.searchsorted`` for a whole batch at once.
"""
from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

# Combining marks (U+0300-U+036F) stay inside words: Yoruba tones such as "ẹ̀" have no precomposed form.
_NON_LETTER = re.compile(r"[^\w'\u0300-\u036f]|[\d_]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_SPACES = re.compile(r"\s+")

CHAR_FEATURES = 2**18
WORD_FEATURES = 2**17
ZIPF_SCALE = 10.0  # Zipf frequency (0-8) is stored as round(zipf * 10) in a uint8
ZIPF_MAX = 8.0


@lru_cache(maxsize=1 << 16)  # a story is normalised for its features, its checks and its segments: once
def normalise(text: str) -> str:
    """NFC, lower-case, unify apostrophes, replace digits and punctuation by spaces, collapse spaces."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()
    return _SPACES.sub(" ", _NON_LETTER.sub(" ", text)).strip(" '")


@lru_cache(maxsize=1 << 18)  # words repeat (Zipf): each distinct word is hashed once per process
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

    def lookup_words(self, words: Sequence[str], hashes: np.ndarray | None = None) -> np.ndarray:
        """Zipf frequency of each (normalised) word; a word with an apostrophe that the list lacks as a whole
        ("j'étais", "l'école") counts as its longest part, as word lists split elisions off. ``hashes``: the
        words' :func:`word_hash` values when the caller already has them."""
        if hashes is None:
            hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint32, count=len(words))
        z = self.lookup(hashes)
        elided = [i for i, w in enumerate(words) if "'" in w and z[i] == 0]
        if elided:
            parts = [max(words[i].split("'"), key=len) for i in elided]
            z[elided] = self.lookup(np.fromiter((word_hash(w) for w in parts), dtype=np.uint32, count=len(parts)))
        return z

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Zipf frequency of each hashed word (0.0 when unknown)."""
        if len(self.hashes) == 0:
            return np.zeros(len(hashes))
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = self.hashes[pos] == hashes
        return np.where(found, self.zipf_q[pos] / ZIPF_SCALE, 0.0)


def sum_per_text(tokens: Sequence[Sequence[str]], lexicon: Lexicon, known: bool = False) -> np.ndarray:
    """Per text (a list of normalised words): the sum of its words' Zipf frequencies in ``lexicon``, or with
    ``known`` the number of its words the lexicon lists. One batched lookup for all texts."""
    counts = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for t in tokens for w in t), dtype=np.int64,
                      count=int(counts.sum()))
    zipf = lexicon.lookup_words(list(vocab))[ids] if vocab else np.zeros(0)  # each distinct word looked up once
    weights = (zipf > 0).astype(np.float64) if known else zipf
    return np.bincount(np.repeat(np.arange(len(tokens)), counts), weights=weights, minlength=len(tokens))


@dataclass
class FeatureCounts:
    """Unnormalised features of a batch: they add up across pieces of a text (sentences), so a text's
    features can be made from its sentences' without featurising it twice."""

    chars: sp.csr_matrix
    words: sp.csr_matrix
    lexicon: np.ndarray  # (n, stats * lexicons): per lexicon, sums of Zipf/8 (and of known-word indicators)
    tokens: np.ndarray  # (n,) number of words

    def combine(self, groups: sp.csr_matrix) -> FeatureCounts:
        """Rows summed by ``groups`` (an (n_groups, n) 0/1 matrix)."""
        return FeatureCounts((groups @ self.chars).tocsr(), (groups @ self.words).tocsr(),
                             np.asarray(groups @ self.lexicon), np.asarray(groups @ self.tokens))

    @staticmethod
    def stack(parts: Sequence[FeatureCounts]) -> FeatureCounts:
        return FeatureCounts(sp.vstack([p.chars for p in parts], format="csr"),
                             sp.vstack([p.words for p in parts], format="csr"),
                             np.vstack([p.lexicon for p in parts]), np.concatenate([p.tokens for p in parts]))


class LanguageFeaturizer:
    """Turns texts into the sparse feature rows the language model was trained on."""

    def __init__(self, lexicons: Mapping[str, Lexicon] | None = None,
                 lexicon_stats: Sequence[str] = ("zipf", "known")) -> None:
        self.lexicons = dict(lexicons or {})
        unknown = set(lexicon_stats) - {"zipf", "known"}
        if unknown:
            raise ValueError(f"Unknown lexicon statistics {sorted(unknown)}; expected 'zipf' and/or 'known'.")
        self.lexicon_stats = tuple(lexicon_stats)
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=CHAR_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32, norm=None)
        self._words = HashingVectorizer(analyzer="word", token_pattern=r"[^ ]+", n_features=WORD_FEATURES,
                                        alternate_sign=False, lowercase=False, dtype=np.float32, norm=None)

    @property
    def n_features(self) -> int:
        return CHAR_FEATURES + WORD_FEATURES + len(self.lexicon_stats) * len(self.lexicons)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.finish(self.counts(texts))

    def counts(self, texts: Sequence[str]) -> FeatureCounts:
        if len(texts) == 0:
            return FeatureCounts(sp.csr_matrix((0, CHAR_FEATURES), dtype=np.float32),
                                 sp.csr_matrix((0, WORD_FEATURES), dtype=np.float32),
                                 np.zeros((0, len(self.lexicon_stats) * len(self.lexicons))), np.zeros(0))
        norm = [normalise(t) for t in texts]
        # Every feature is a sum over the text's words (char n-grams stay inside words), so each distinct word
        # is featurised once and a text's rows are its word counts times the words' rows.
        tokens = [t.split() for t in norm]
        vocab = sorted(set(chain.from_iterable(tokens)))  # sorted: a row's sums run in an order of its own words
        index = {w: j for j, w in enumerate(vocab)}
        counts = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
        cols = np.fromiter((index[w] for t in tokens for w in t), dtype=np.int64, count=int(counts.sum()))
        rows = np.repeat(np.arange(len(tokens)), counts)
        per_text = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab)))
        per_text.sum_duplicates()
        if not vocab:
            return FeatureCounts(sp.csr_matrix((len(texts), CHAR_FEATURES), dtype=np.float32),
                                 sp.csr_matrix((len(texts), WORD_FEATURES), dtype=np.float32),
                                 np.zeros((len(texts), len(self.lexicon_stats) * len(self.lexicons))),
                                 counts.astype(np.float64))
        lexicon = np.asarray(per_text.astype(np.float64) @ self._lexicon_rows(vocab))
        return FeatureCounts((per_text @ self._chars.transform(vocab)).tocsr(),
                             (per_text @ self._words.transform(vocab)).tocsr(), lexicon, counts.astype(np.float64))

    def _lexicon_rows(self, words: Sequence[str]) -> np.ndarray:
        """Per word: its lexicon statistics (Zipf/8 and/or known) in each lexicon."""
        k = len(self.lexicon_stats)
        out = np.zeros((len(words), k * len(self.lexicons)), dtype=np.float64)
        hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint32, count=len(words))
        for j, lex in enumerate(self.lexicons.values()):
            z = lex.lookup_words(words, hashes)
            for m, stat in enumerate(self.lexicon_stats):
                out[:, k * j + m] = z / ZIPF_MAX if stat == "zipf" else (z > 0).astype(np.float64)
        return out

    def finish(self, c: FeatureCounts) -> sp.csr_matrix:
        """Each block L2-normalised (lexicon block: means per word), as the model was trained."""
        from sklearn.preprocessing import normalize

        blocks = [normalize(c.chars, copy=True), normalize(c.words, copy=True)]
        if self.lexicons:
            blocks.append(sp.csr_matrix((c.lexicon / np.maximum(c.tokens, 1)[:, None]).astype(np.float32)))
        return sp.hstack(blocks, format="csr")

    # ------------------------------------------------------------------------------------------ storage
    def save(self, path: Path, coef: np.ndarray, intercept: np.ndarray, classes: list[str],
             meta: dict[str, Any]) -> None:
        """Store weights as int8 with one scale per class, and the lexicons (a few MB, no pickle)."""
        scale = np.abs(coef).max(axis=1) / 127.0
        q = np.round(coef / scale[:, None]).astype(np.int8)
        header = {"classes": classes, "char_features": CHAR_FEATURES, "word_features": WORD_FEATURES,
                  "lexicons": list(self.lexicons), "lexicon_stats": list(self.lexicon_stats), "format": 3, **meta}
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
            featurizer = LanguageFeaturizer(lexicons, header.get("lexicon_stats", ("zipf", "known")))
            if weights.shape[0] != featurizer.n_features:
                raise ValueError(f"{path} holds weights for {weights.shape[0]} features, its header describes "
                                 f"{featurizer.n_features}.")
            return weights, z["intercept"], list(header["classes"]), featurizer
