"""Language spans inside a text: which stretches of words are in which language.

Every word is scored on its own by the language model (log-probability of each language given the word); a
Viterbi pass then finds the sequence of languages that best explains the words when each change of language
costs ``switch_cost``. A quotation or a switch inside a sentence is a run of words whose evidence for another
language outweighs the cost of switching in and out; a lone loanword or name does not pay for itself. The
shares of the text's words per language follow from the spans.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from ._features import _APOSTROPHES, normalise

__all__ = ["LanguageSpan", "word_offsets", "language_paths", "spans_from_labels"]

# A word: letters and combining marks (what the model's normalisation keeps; the rest splits words), with
# apostrophes inside it ("l'école", "y'ishure").
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+(?:'(?:[^\W\d_]|[\u0300-\u036f])+)*")
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # the same without combining marks: 3x faster
_COMBINING = re.compile(r"[\u0300-\u036f]")
_CHUNK = 256  # stories decoded at once: bounds the (stories x words x languages) arrays


@dataclass(frozen=True)
class LanguageSpan:
    """A stretch of a text in one language: ``text[start:end]``, ``words`` words, language code ``language``
    (a model code such as ``nl``, ``en``, ``sw``, ``rn``)."""

    start: int
    end: int
    language: str
    words: int

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "language": self.language, "words": self.words}


def word_offsets(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of ``text``: character offsets into ``text`` itself, and the word as
    the model's normalisation writes it (lower case; apostrophes only inside words)."""
    low = text.translate(_APOSTROPHES).lower()
    if len(low) == len(text) and unicodedata.is_normalized("NFC", text):
        pattern = _WORD if _COMBINING.search(low) else _PLAIN_WORD
        return [(m.start(), m.end(), m.group()) for m in pattern.finditer(low)]
    # Lower-casing or NFC would shift the offsets: normalise word by word.
    return [(m.start(), m.end(), w) for m in _WORD.finditer(text.translate(_APOSTROPHES))
            for w in normalise(m.group()).split()]


def name_like(text: str, offsets: Sequence[tuple[int, int, str]], openers: frozenset[str]) -> np.ndarray:
    """Per word: capitalised and not at the start of a sentence (after one of ``openers`` or the text's start)."""
    out = np.zeros(len(offsets), dtype=bool)
    for k in [k for k, (start, _e, _w) in enumerate(offsets) if text[start].isupper()]:
        j = offsets[k][0] - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        out[k] = j >= 0 and text[j] not in openers
    return out


def log_probs(features: Any, weights: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Log-probability of each language for each row of model features (one row per word)."""
    scores = np.asarray(features @ weights) + intercept
    scores -= logsumexp(scores, axis=1, keepdims=True)
    return scores.astype(np.float32)


def language_paths(emissions: Sequence[np.ndarray], switch_cost: float) -> list[np.ndarray]:
    """Most likely language index per word for each text, given per-word log-probabilities (words x
    languages) and a cost (in log-probability) for each change of language. Texts are decoded together."""
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(emissions)
    order = sorted(range(len(emissions)), key=lambda i: len(emissions[i]))
    for start in range(0, len(order), _CHUNK):
        idx = [i for i in order[start:start + _CHUNK] if len(emissions[i])]
        if not idx:
            continue
        n_lang = emissions[idx[0]].shape[1]
        length = max(len(emissions[i]) for i in idx)
        # Padding after a text's end scores 0 for every language, so its best path just stays put there.
        e = np.zeros((len(idx), length, n_lang), dtype=np.float32)
        for row, i in enumerate(idx):
            e[row, :len(emissions[i])] = emissions[i]
        back = np.empty((len(idx), length, n_lang), dtype=np.int16)
        delta = e[:, 0].copy()
        rows = np.arange(len(idx))
        stay_idx = np.arange(n_lang, dtype=np.int16)[None, :]
        for t in range(1, length):
            best = delta.argmax(axis=1)
            switch = delta[rows, best][:, None] - switch_cost
            moved = switch > delta
            back[:, t] = np.where(moved, best[:, None].astype(np.int16), stay_idx)
            delta = np.where(moved, switch, delta) + e[:, t]
        state = delta.argmax(axis=1)
        path = np.empty((len(idx), length), dtype=np.int64)
        for t in range(length - 1, -1, -1):
            path[:, t] = state
            if t:
                state = back[rows, t, state]
        for row, i in enumerate(idx):
            out[i] = path[row, :len(emissions[i])]
    return out


def spans_from_labels(offsets: Sequence[tuple[int, int, str]], labels: Sequence[str]) -> list[LanguageSpan]:
    """Runs of one language along a text's words (``labels``: one per word), with character offsets."""
    spans: list[LanguageSpan] = []
    run_start = 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[run_start]:
            spans.append(LanguageSpan(offsets[run_start][0], offsets[k - 1][1], labels[run_start], k - run_start))
            run_start = k
    return spans
