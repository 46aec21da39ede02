"""Zero-shot mapping of stories to capabilities, with evidence from the story's own sentences.

Each capability is described by its definition and many short statements in nl/en/fr (the packaged 5C:
written from the MFS II standard indicators and the ECDPM 2008 definitions, one parallel bank: every statement
in the three languages, the same number per capability and language). Every story sentence is compared with
every statement; each statement language counts equally (``balance_languages``): a sentence's similarity to a
capability is the mean over the languages of its ``top_k`` best statements in that language, so a story is not
judged mainly against the statements of its own language (a multilingual model rates same-language pairs
higher). The evidence is aggregated over all the story's sentences and the whole story
(:mod:`msc_nlp.capabilities.evidence`), turned into probabilities (``cap_<key>``, summing to 1) and a primary
capability. A story is ``none`` only when it is not clearly about any capability: its best probability is
below ``min_confidence`` or it is closer to the framework's ``none_examples`` (no bearing on an organisation
or its programme) than to its best capability by more than ``none_margin``. The defaults were chosen on
development stories only (``corpora/sample``, ``corpora/heldout``, ``corpora/eval/5c_dev.csv`` and, from
2026-12-02, ``corpora/eval/5c_test.csv``); see ``benchmarks/capabilities.py``.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_float, check_int
from ..errors import InputError
from ..text import split_sentences
from .evidence import check_evidence_params, check_sentence_vectors, label_similarity, score_stories
from .framework import Framework, load_framework

__all__ = ["CapabilityMapper", "map_capabilities", "split_sentences"]


class CapabilityMapper:
    """Zero-shot capability probabilities per story, a primary capability or ``none``, and evidence.

    Parameters
    ----------
    framework:
        ``"5c"``, the path of a framework JSON file, or a :class:`Framework`.
    embedding_model:
        The multilingual model that embeds statements and story sentences.
    top_k:
        A sentence's similarity to a capability is the mean of its ``top_k`` best-matching statements.
    story_weight:
        Weight of the whole story's similarity against the mean over its sentences (0: sentences only).
    temperature:
        Softmax temperature that turns scores into probabilities (fitted by log-loss on development stories).
    min_confidence:
        A primary capability needs at least this probability; below it the story is ``none``. Default 0:
        an uncertain story keeps its best capability and shows its ``capability_confidence``.
    none_margin:
        A story is ``none`` when it is closer to the framework's ``none_examples`` than to its best capability
        by more than this (``None``: never for that reason). The default 0.03 was chosen on development
        stories with the target "at most 2 % of stories that have a capability come out ``none``" (measured:
        1.7 %, and 4 of the 6 ``none`` stories of ``5c_dev`` found).

    evidence_sentences:
        Story sentences quoted as evidence (best first; joined with " … ").
    balance_languages:
        Each statement language counts equally: a sentence's similarity to a capability (and to the ``none``
        examples) is the mean over the framework's languages of the ``top_k`` best example statements in
        each language (the definition, written in one language only, is then used for no score). ``False``:
        the ``top_k`` best of the definition and all statements of any language (the former rule, which
        favours the story's own language and the larger banks).

    Defaults (``top_k`` 5, ``story_weight`` 0.5, ``temperature`` by log-loss, ``none_margin`` 0.03,
    ``balance_languages``) were chosen on development stories only: ``corpora/sample``, ``corpora/heldout``,
    ``corpora/eval/5c_dev.csv`` and ``corpora/eval/5c_test.csv``.

    Learned (from the framework only): ``framework_``, ``keys_``, ``statements_`` (unit vectors per
    capability), ``statement_texts_``, ``statement_languages_``, ``none_``, ``none_languages_``.
    """

    def __init__(self, framework: str | Path | Framework = "5c", *, embedding_model: str = "use-multilingual",
                 top_k: int = 5, story_weight: float = 0.5, temperature: float = 0.015,
                 min_confidence: float = 0.0, none_margin: float | None = 0.03,
                 evidence_sentences: int = 1, balance_languages: bool = True) -> None:
        self.framework = framework
        self.embedding_model = embedding_model
        self.top_k = top_k
        self.story_weight = story_weight
        self.temperature = temperature
        self.min_confidence = min_confidence
        self.none_margin = none_margin
        self.evidence_sentences = evidence_sentences
        self.balance_languages = balance_languages

    def fit(self) -> CapabilityMapper:
        """Embed the framework's statements (no story is used)."""

        owner = "CapabilityMapper"
        check_evidence_params(owner, top_k=self.top_k, story_weight=self.story_weight,
                              temperature=self.temperature, min_confidence=self.min_confidence)
        check_int(self.evidence_sentences, "evidence_sentences", owner, minimum=1)
        if self.none_margin is not None:
            check_float(self.none_margin, "none_margin", owner, low=-1.0, high=1.0)
        if not isinstance(self.balance_languages, bool | np.bool_):
            raise InputError(f"CapabilityMapper got balance_languages={self.balance_languages!r}; expected True or "
                             "False.")
        fw = load_framework(self.framework)
        self.framework_ = fw
        self.keys_ = fw.keys
        self.statement_texts_ = [c.statements() for c in fw.capabilities]
        self.statement_languages_ = [c.statement_languages() for c in fw.capabilities]
        self.statements_ = [_statement_vectors(s, self.embedding_model) for s in self.statement_texts_]
        none = [s for lang in sorted(fw.none_examples) for s in fw.none_examples[lang]]
        self.none_languages_ = [lang for lang in sorted(fw.none_examples) for _ in fw.none_examples[lang]]
        self.none_ = _statement_vectors(none, self.embedding_model) if none else None
        return self

    def _groups(self) -> list[np.ndarray] | None:
        return [np.asarray(g, dtype=object) for g in self.statement_languages_] if self.balance_languages else None

    def transform(self, texts: Sequence[str], ids: Sequence[str] | None = None, *,
                  sentence_vectors: Sequence[np.ndarray] | None = None) -> pd.DataFrame:
        """One row per text: ``story_id``, ``cap_<key>`` (probabilities), ``capability``,
        ``capability_confidence``, ``evidence`` (the story's own sentence) and ``evidence_match`` (the
        framework statement that sentence matched).

        ``sentence_vectors`` (optional): one array per text, one row per sentence of
        :func:`msc_nlp.text.split_sentences` of that text, from ``embedding_model``; then no story sentence
        is embedded here.
        """
        if not hasattr(self, "statements_"):
            self.fit()
        texts = list(texts)
        ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(texts))]
        sentences, sentence_vectors = self._sentences(texts, sentence_vectors, "CapabilityMapper.transform")
        res = score_stories(sentence_vectors, self.keys_, self.statements_, none_statements=self.none_,
                            top_k=self.top_k, story_weight=self.story_weight, temperature=self.temperature,
                            min_confidence=self.min_confidence, none_margin=self.none_margin,
                            statement_groups=self._groups(),
                            none_groups=self.none_languages_ if self.balance_languages else None)
        frame = pd.DataFrame(np.round(res.proba, 6), columns=[f"cap_{k}" for k in self.keys_])
        frame.insert(0, "story_id", ids)
        frame["capability"] = res.labels
        frame["capability_confidence"] = np.round(res.confidence, 6)
        frame["evidence"], frame["evidence_match"] = self._quote(sentences, sentence_vectors, res.labels,
                                                                 res.sentence_similarity)
        return frame

    def explain(self, texts: Sequence[str], labels: Sequence[str], *,
                sentence_vectors: Sequence[np.ndarray] | None = None) -> pd.DataFrame:
        """Evidence for given labels (e.g. a few-shot prediction): per text the sentence that best supports
        its label (``evidence``) and the framework statement it matched (``evidence_match``); empty for
        ``none``."""
        if not hasattr(self, "statements_"):
            self.fit()
        texts = list(texts)
        if len(labels) != len(texts):
            raise InputError(f"CapabilityMapper.explain got {len(texts)} texts but {len(labels)} labels.")
        sentences, sentence_vectors = self._sentences(texts, sentence_vectors, "CapabilityMapper.explain")
        groups = self._groups()
        sims = [np.stack([label_similarity(np.asarray(v, dtype=np.float64), p, self.top_k,
                                           None if groups is None else groups[j])
                          for j, p in enumerate(self.statements_)], axis=1)
                if len(v) else np.zeros((0, len(self.keys_))) for v in sentence_vectors]
        evidence, match = self._quote(sentences, sentence_vectors, list(labels), sims)
        return pd.DataFrame({"evidence": evidence, "evidence_match": match})

    def _sentences(self, texts: list[str], sentence_vectors: Sequence[np.ndarray] | None, owner: str
                   ) -> tuple[list[list[str]], list[np.ndarray]]:
        from ..embedding import embed

        sentences = [split_sentences(t) for t in texts]
        if sentence_vectors is not None:
            return sentences, check_sentence_vectors(sentence_vectors, sentences, owner)
        flat = [s for parts in sentences for s in parts]
        vec = embed(flat, self.embedding_model, align=False) if flat else np.zeros((0, 1))
        bounds = np.cumsum([0, *[len(p) for p in sentences]])
        return sentences, [vec[bounds[i]:bounds[i + 1]] for i in range(len(texts))]

    def _quote(self, sentences: list[list[str]], vectors: list[np.ndarray], labels: Sequence[str],
               sims: list[np.ndarray]) -> tuple[list[str], list[str]]:
        evidence, match = [], []
        for i, label in enumerate(labels):
            if label not in self.keys_ or not len(sentences[i]):
                evidence.append("")
                match.append("")
                continue
            b = self.keys_.index(label)
            order = np.argsort(-sims[i][:, b], kind="stable")[: self.evidence_sentences]
            evidence.append(" … ".join(sentences[i][j] for j in sorted(order)))
            best = np.asarray(vectors[i][order[0]], dtype=np.float64) @ self.statements_[b].T
            match.append(self.statement_texts_[b][int(np.argmax(best))])
        return evidence, match


def map_capabilities(stories_or_texts: Any, *, framework: str | Path | Framework = "5c",
                     embedding_model: str = "use-multilingual", **params: Any) -> pd.DataFrame:
    """Map stories (a :class:`~msc_nlp.StoryCollection` or a list of texts) to capabilities, zero-shot.

    Returns a DataFrame with ``story_id``, ``cap_<key>`` probabilities, ``capability`` (the primary key, or
    ``none``), ``capability_confidence``, ``evidence`` (the story's own sentence that carried the primary
    capability) and ``evidence_match`` (the framework statement it matched). ``params`` go to
    :class:`CapabilityMapper`.
    """
    from ..stories import StoryCollection

    mapper = CapabilityMapper(framework, embedding_model=embedding_model, **params)
    if isinstance(stories_or_texts, StoryCollection):
        return mapper.transform(stories_or_texts.texts, stories_or_texts.ids)
    if isinstance(stories_or_texts, str):
        from ..errors import InputError

        raise InputError("map_capabilities expects a list of texts or a StoryCollection, got one string.")
    return mapper.transform(list(stories_or_texts))


def _statement_vectors(texts: Sequence[str], model: Any) -> np.ndarray:
    """A framework's statement vectors, embedded once per process and model name (analyze() builds a new
    mapper on every call; the statements are the same each time). Embedder objects are not memoised."""
    from ..embedding import embed

    if isinstance(model, str):
        return _memo_statement_vectors(tuple(texts), model)
    return embed(list(texts), model, align=False)


@lru_cache(maxsize=32)
def _memo_statement_vectors(texts: tuple[str, ...], model: str) -> np.ndarray:
    from ..embedding import embed

    vectors = embed(list(texts), model, align=False)
    vectors.setflags(write=False)
    return vectors
