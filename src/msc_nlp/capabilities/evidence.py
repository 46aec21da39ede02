"""Sentence-level evidence for labels described by statements: the machinery shared by the 5C mapper and the
guided-theme assigner.

Every label (a capability, a theme, a domain of change) is described by a few statements or keywords, in any
language, embedded with the same multilingual model as the stories. For each story sentence and label the
similarity is the mean of the sentence's ``top_k`` best-matching statements of that label (with statement
groups, e.g. the statements' languages: the mean over the groups of the ``top_k`` best within each group, so
every group counts equally whatever the sentence's language and however many statements a group has); a
story's score
for a label mixes the mean of those similarities over its sentences (every sentence counts, so one stray
sentence does not decide) with the similarity of the whole story (the mean of its sentence vectors).
Scores become probabilities with a softmax whose ``temperature`` was fitted on development stories, and a
story is left ``none`` when its best probability is below ``min_confidence`` or when it is closer to
explicit ``none`` statements than to its best label by more than ``none_margin``. The evidence of a label is
the story sentence that matches it best, and the statement (or keyword) that sentence matched.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..embedding.base import normalise_rows
from ..errors import InputError

__all__ = ["EvidenceResult", "score_stories", "check_sentence_vectors", "check_evidence_params", "top_mean",
           "label_similarity", "check_groups"]

NONE = "none"


@dataclass(frozen=True)
class EvidenceResult:
    """Per story (rows) and label (columns): ``proba`` (softmax of ``score``), the chosen ``labels`` (a label
    or ``none``), ``confidence`` (best probability), and per story the index of its evidence sentence and of
    the matched statement for the chosen (or, when ``none``, the best) label."""

    score: np.ndarray
    proba: np.ndarray
    labels: list[str]
    confidence: np.ndarray
    evidence_sentence: np.ndarray
    evidence_statement: np.ndarray
    sentence_similarity: list[np.ndarray]


def top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    k = max(1, min(k, sims.shape[-1]))
    return np.sort(sims, axis=-1)[..., -k:].mean(axis=-1)


def label_similarity(x: np.ndarray, statements: np.ndarray, top_k: int,
                     groups: np.ndarray | None = None) -> np.ndarray:
    """Similarity of each row of ``x`` (unit vectors) to one label given by its unit ``statements``: the mean
    of the ``top_k`` best statements, or, with ``groups`` (one group id per statement, e.g. its language),
    the mean over the groups of the ``top_k`` best statements within each group (statements whose group is
    ``""`` are left out)."""
    sims = x @ statements.T
    if groups is None:
        return top_mean(sims, top_k)
    kept = [g for g in np.unique(groups) if g != ""]
    if not kept:
        raise InputError("label_similarity got statement groups that are all empty; give at least one statement a "
                         "group id (e.g. its language).")
    return np.mean([top_mean(sims[..., groups == g], top_k) for g in kept], axis=0)


def check_groups(groups: Sequence[Sequence[str]] | None, sizes: Sequence[int], owner: str
                 ) -> list[np.ndarray] | None:
    """``groups`` (one sequence of group ids per label, one id per statement) as arrays, checked against the
    number of statements per label."""
    if groups is None:
        return None
    if len(groups) != len(sizes):
        raise InputError(f"{owner} got statement groups for {len(groups)} labels but {len(sizes)} statement "
                         "arrays; pass one group id per statement for every label, or None.")
    out = []
    for i, (g, n) in enumerate(zip(groups, sizes)):
        arr = np.asarray([str(x) for x in g], dtype=object)
        if len(arr) != n:
            raise InputError(f"{owner}: label {i} has {n} statements but {len(arr)} group ids; give one group id "
                             "(e.g. the statement's language) per statement.")
        out.append(arr)
    return out


def check_evidence_params(owner: str, *, top_k: int, story_weight: float, temperature: float,
                          min_confidence: float) -> None:
    """Validate the parameters every evidence-based assigner shares (5C mapper, guided themes)."""
    from .._validation import check_float, check_int

    check_int(top_k, "top_k", owner, minimum=1)
    check_float(story_weight, "story_weight", owner, low=0.0, high=1.0)
    check_float(temperature, "temperature", owner, low=1e-6, high=10.0)
    check_float(min_confidence, "min_confidence", owner, low=0.0, high=1.0)


def check_sentence_vectors(sentence_vectors: Sequence[np.ndarray], sentences: Sequence[Sequence[str]],
                           owner: str) -> list[np.ndarray]:
    """``sentence_vectors`` as float arrays, checked row for row against the split sentences."""
    if len(sentence_vectors) != len(sentences):
        raise InputError(f"{owner} got sentence_vectors for {len(sentence_vectors)} stories but {len(sentences)} "
                         "texts; pass one array per story, one row per sentence of msc_nlp.text.split_sentences.")
    out = []
    for i, (vec, parts) in enumerate(zip(sentence_vectors, sentences)):
        arr = np.asarray(vec, dtype=np.float64)
        if len(parts) == 0 and arr.size == 0:  # a story without sentences: any empty array will do
            arr = arr.reshape(0, arr.shape[-1] if arr.ndim == 2 else 0)
        if arr.ndim != 2 or len(arr) != len(parts):
            raise InputError(f"{owner}: sentence_vectors[{i}] has shape {np.shape(vec)} but story {i} has "
                             f"{len(parts)} sentences (msc_nlp.text.split_sentences); they must align row for row.")
        out.append(arr)
    return out


def score_stories(sentence_vectors: Sequence[np.ndarray], label_names: Sequence[str],
                  statements: Sequence[np.ndarray], *, none_statements: np.ndarray | None = None,
                  top_k: int = 5, story_weight: float = 0.5, temperature: float = 0.02,
                  min_confidence: float = 0.0, none_margin: float | None = None,
                  statement_groups: Sequence[Sequence[str]] | None = None,
                  none_groups: Sequence[str] | None = None) -> EvidenceResult:
    """Score stories given as arrays of unit sentence vectors against labels given as arrays of unit
    statement vectors (see the module docstring). ``statement_groups`` (optional): per label one group id per
    statement (e.g. its language); each group then counts equally (``none_groups`` the same for
    ``none_statements``). A story with no sentence gets uniform probabilities, label ``none`` and evidence
    index -1."""
    n_labels = len(label_names)
    if n_labels != len(statements) or n_labels < 1:
        raise InputError(f"score_stories got {n_labels} label names and {len(statements)} statement arrays.")
    protos = [normalise_rows(np.asarray(s, dtype=np.float64)) for s in statements]
    none_p = normalise_rows(np.asarray(none_statements, dtype=np.float64)) if none_statements is not None and len(
        none_statements) else None
    groups = check_groups(statement_groups, [len(p) for p in protos], "score_stories")
    ngroups = None
    if none_p is not None and none_groups is not None:
        ngroups = check_groups([none_groups], [len(none_p)], "score_stories (none statements)")[0]  # type: ignore[index]
    n = len(sentence_vectors)
    score = np.zeros((n, n_labels))
    ev_sent = np.full(n, -1, dtype=int)
    ev_stmt = np.full(n, -1, dtype=int)
    labels: list[str] = []
    per_sentence: list[np.ndarray] = []
    none_score = np.full(n, -np.inf)
    empty = np.zeros(n, dtype=bool)
    for i, vec in enumerate(sentence_vectors):
        if len(vec) == 0:
            empty[i] = True
            per_sentence.append(np.zeros((0, n_labels)))
            continue
        x = normalise_rows(np.asarray(vec, dtype=np.float64))
        whole = normalise_rows(x.mean(axis=0, keepdims=True))
        sims = np.stack([label_similarity(x, p, top_k, None if groups is None else groups[j])
                         for j, p in enumerate(protos)], axis=1)  # (sentences, labels)
        story = np.array([label_similarity(whole, p, top_k, None if groups is None else groups[j])[0]
                          for j, p in enumerate(protos)])
        score[i] = (1 - story_weight) * sims.mean(axis=0) + story_weight * story
        if none_p is not None:
            none_score[i] = (1 - story_weight) * label_similarity(x, none_p, top_k, ngroups).mean() + (
                story_weight * label_similarity(whole, none_p, top_k, ngroups)[0])
        per_sentence.append(sims)
    z = score / temperature
    z -= z.max(axis=1, keepdims=True)
    proba = np.exp(z)
    proba /= proba.sum(axis=1, keepdims=True)
    proba[empty] = 1.0 / n_labels
    best = proba.argmax(axis=1)
    confidence = proba[np.arange(n), best]
    for i in range(n):
        if empty[i]:
            labels.append(NONE)
            continue
        b = int(best[i])
        abstain = confidence[i] < min_confidence or (none_margin is not None and
                                                     none_score[i] > score[i, b] + none_margin)
        labels.append(NONE if abstain else str(label_names[b]))
        s = int(np.argmax(per_sentence[i][:, b]))
        ev_sent[i] = s
        x = normalise_rows(np.asarray(sentence_vectors[i][s:s + 1], dtype=np.float64))
        ev_stmt[i] = int(np.argmax(x @ protos[b].T))
    return EvidenceResult(score, proba, labels, confidence, ev_sent, ev_stmt, per_sentence)
