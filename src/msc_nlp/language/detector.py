"""Language identification for story collections: nl / en / fr, ``other`` and ``und``, with mixed stories.

The model (``msc_nlp/data/langid.npz``, built by ``models/build_langid.py``) is a linear classifier over
hashed character 1-4-grams, words and word-list evidence, trained on wordfreq word lists, hunspell
dictionaries (af, sw), langdetect's character profiles and SIB-200's train split for ~35 Latin-script
languages. Two checks follow it: most words in letters nl/en/fr do not use, or (3+ words) mostly words
the assigned language's word list lacks, make a text ``other``. The collection's languages (nl, en, fr by
default) get a prior that grows as a text gets shorter: with one word there is little evidence, and a story
collection is mostly in its own languages. Everything is a pure function of the text: the same text gives
the same result in any batch, order or process.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import logsumexp

from .._validation import check_float, check_int
from ..errors import InputError, ParameterError
from ._features import FeatureCounts, LanguageFeaturizer, normalise, sum_per_text
from .spans import LanguageSpan, language_paths, log_probs, name_like, spans_from_labels, word_offsets

__all__ = ["LanguageResult", "LanguageDetector", "LanguageSpan", "detect_language", "LANGUAGE_CODES"]

#: The codes ``LanguageResult.language`` takes.
LANGUAGE_CODES = ("nl", "en", "fr", "other", "und")

_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_BATCH = 4096  # texts scored at once: bounds memory on large collections
_LEXICON_VOTE_WORDS = 2  # longest text whose language the word lists help choose
# The languages whose word list has real frequencies (wordfreq); Afrikaans and Swahili have spelling
# dictionaries with a flat value, which cannot be weighed against a frequency.
_FREQUENCY_LISTS = ("nl", "en", "fr", "de")
# Close dialects the model tells apart; inside one text they form one language.
_DIALECTS = (("rn", "rw"),)
# A capitalised word after one of these (or at the start) opens a sentence; elsewhere it is likely a name.
_SENTENCE_OPENERS = frozenset('.!?:;"\'\u201c\u201d\u00ab\u00bb(-\u2013\u2014')
# The letters of each target language's orthography (with the accents of loans and names it commonly
# keeps: ä/ö/ü). A word with any other letter (ẹ ọ ṣ, ì ò, ñ, ß, ł, å, combining tone marks...) is not
# written in that language; a text most of whose words are such is ``other`` whatever the model says.
_ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz'äöüéèëï",
    "nl": "abcdefghijklmnopqrstuvwxyz'äöüéèëïáóíúàêç",
    "fr": "abcdefghijklmnopqrstuvwxyz'äöüéèëïàâæçêîôœùûÿ",
}


@dataclass(frozen=True)
class LanguageResult:
    """The language of one text.

    Attributes
    ----------
    language:
        ``nl``, ``en``, ``fr`` (the collection's languages), ``other`` (another language) or ``und`` (no
        usable text: empty, digits or punctuation only).
    confidence:
        Probability of ``language`` under the model, in [0, 1] (0 for ``und``).
    mixed:
        True when a second language holds a real share of the words (``mixed_min_share`` of them, and at
        least ``mixed_min_words``); a loanword or a name does not make a text mixed.
    languages:
        ``{language code: share of the text's words}``, largest first: the languages of the text's spans
        that hold a real share (model codes such as ``nl``, ``en``, ``sw``, ``rn``; ``{}`` for ``und``).
        Shares may add up to a little less than 1: stray words of other languages are left out.
    detail:
        The model's best specific guess (an ISO 639-1 code such as ``de``, ``af``, ``sw``; ``rw``/``rn`` for
        Kinyarwanda/Kirundi; ``non-latin`` for other scripts; ``foreign-letters`` when most words use letters
        that nl/en/fr do not, such as Yoruba's ẹ ọ ṣ; ``unknown-words`` when most words are not in the language's
        word list); equals ``language`` for nl/en/fr.
    spans:
        Stretches of the text in one of ``languages`` (character offsets into the text), in order; words of a
        language without a real share belong to the surrounding span.
    """

    language: str
    confidence: float
    mixed: bool = False
    languages: dict[str, float] = field(default_factory=dict)
    detail: str = ""
    spans: tuple[LanguageSpan, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``spans`` as a list of dicts)."""
        return {"language": self.language, "confidence": self.confidence, "mixed": self.mixed,
                "languages": dict(self.languages), "detail": self.detail,
                "spans": [sp.to_dict() for sp in self.spans]}

    def languages_text(self) -> str:
        """``languages`` as one string, e.g. ``"en:0.62+sw:0.38"`` (as in ``analyze()``'s stories table)."""
        return "+".join(f"{k}:{v:.2f}" for k, v in self.languages.items())


@lru_cache(maxsize=2)
def _load_model(path: str | None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], LanguageFeaturizer]:
    if path is None:
        ref = resources.files("msc_nlp") / "data" / "langid.npz"
        with resources.as_file(ref) as p:
            weights, intercept, classes, featurizer = LanguageFeaturizer.load(Path(p))
    else:
        weights, intercept, classes, featurizer = LanguageFeaturizer.load(Path(path))
    return weights, intercept, tuple(classes), featurizer


class LanguageDetector:
    """Detect the language of texts among the collection's ``languages``; anything else is ``other``.

    Parameters
    ----------
    languages:
        The languages a story may be assigned to (a subset of the model's languages; default nl, en, fr).
    short_text_prior:
        Log-odds added to each of ``languages`` for a one-word text; it falls off as 1/words, so a sentence
        is decided by its own evidence. 0 disables the prior.
    lexicon_weight:
        For a text of one or two words the model gives to Dutch, English, French or German: weight of their
        frequency word lists' vote on *which* of them (log-odds per Zipf point of difference, so "forest",
        common in English and rare in French web text, is English, and "milch gekocht" is German, so
        ``other``). It moves probability only among those languages. 0 disables it.
    min_confidence:
        A text whose best language is one of ``languages`` but with probability below this is ``other``
        when it has at least ``mixed_min_words`` words (an unknown language spreads its probability).
    min_coverage:
        A text of three or more words assigned to one of ``languages`` is ``other`` when fewer than this share
        of its words are in that language's word list (nl/en/fr text is mostly ordinary words even with
        names in it; text in an unknown language borrows a few). 0 disables the check.
    mixed_min_words:
        A second language must hold at least this many words for a text to count as mixed; texts shorter than
        twice this are not split into spans.
    mixed_min_share:
        ... and at least this share of the text's words.
    switch_cost:
        Spans: the cost, in log-probability, of each change of language along the words. Higher: fewer and
        longer spans; a lone loanword never pays for itself.
    name_weight:
        Spans: weight of the evidence of a capitalised word inside a sentence (most often a name, which says
        little about the language around it), between 0 and 1.
    main_bias:
        Spans: log-odds per word in favour of the whole text's language, so words common to two languages
        ("de", "en" in Dutch and French) stay with the text's language unless their neighbours say otherwise.
    model_path:
        Another model file in the format of ``models/build_langid.py`` (default: the packaged one).
    """

    def __init__(self, languages: Sequence[str] = ("nl", "en", "fr"), *, short_text_prior: float = 1.5,
                 lexicon_weight: float = 2.0, min_confidence: float = 0.3, min_coverage: float = 0.5,
                 mixed_min_words: int = 4, mixed_min_share: float = 0.06, switch_cost: float = 2.0,
                 name_weight: float = 0.25, main_bias: float = 1.0, model_path: str | Path | None = None) -> None:
        self.languages = tuple(languages)
        self.short_text_prior = short_text_prior
        self.lexicon_weight = lexicon_weight
        self.min_confidence = min_confidence
        self.min_coverage = min_coverage
        self.mixed_min_words = mixed_min_words
        self.mixed_min_share = mixed_min_share
        self.switch_cost = switch_cost
        self.name_weight = name_weight
        self.main_bias = main_bias
        self.model_path = model_path

    # ------------------------------------------------------------------------------------------ internals
    def _model(self) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray, LanguageFeaturizer]:
        owner = "LanguageDetector"
        check_float(self.short_text_prior, "short_text_prior", owner, low=0.0, high=20.0)
        check_float(self.lexicon_weight, "lexicon_weight", owner, low=0.0, high=20.0)
        check_float(self.min_confidence, "min_confidence", owner, low=0.0, high=1.0)
        check_float(self.min_coverage, "min_coverage", owner, low=0.0, high=1.0)
        check_int(self.mixed_min_words, "mixed_min_words", owner, minimum=1)
        check_float(self.mixed_min_share, "mixed_min_share", owner, low=0.0, high=0.5)
        check_float(self.switch_cost, "switch_cost", owner, low=0.0, high=100.0)
        check_float(self.name_weight, "name_weight", owner, low=0.0, high=1.0)
        check_float(self.main_bias, "main_bias", owner, low=0.0, high=100.0)
        weights, intercept, classes, featurizer = _load_model(
            None if self.model_path is None else str(self.model_path))
        unknown = [lang for lang in self.languages if lang not in classes]
        if not self.languages or unknown or len(set(self.languages)) != len(self.languages):
            raise ParameterError(f"The 'languages' parameter of LanguageDetector must be distinct codes the "
                                 f"model knows ({sorted(classes)}). Got {list(self.languages)} instead.")
        is_target = np.array([c in self.languages for c in classes])
        return weights, intercept, classes, is_target, featurizer

    def _alphabet(self) -> frozenset[str] | None:
        """The target languages' letters, or None when a target language has no alphabet on record."""
        if any(lang not in _ALPHABETS for lang in self.languages):
            return None
        return frozenset().union(*(_ALPHABETS[lang] for lang in self.languages))

    def _classify(self, texts: Sequence[str], features: sp.csr_matrix | None = None,
                  normed: Sequence[str] | None = None) -> list[tuple[str, float, str, int]]:
        """(language, confidence, detail, n_words) per text, no mixed-language analysis. ``features`` and
        ``normed``: the texts' feature rows and normalised forms when the caller already has them."""
        model = self._model()
        normed = [normalise(t) for t in texts] if normed is None else normed
        n_words = np.array([len(t.split()) for t in normed])
        out: list[tuple[str, float, str, int] | None] = [None] * len(texts)
        todo = []
        for i, (raw, norm) in enumerate(zip(texts, normed)):
            if not norm:
                out[i] = ("und", 0.0, "und", 0)
                continue
            if not raw.isascii() and _NON_LATIN.search(raw):  # else every letter is Latin
                letters = len(_LETTER.findall(raw))
            else:
                letters = 0
            if letters and len(_LATIN.findall(raw)) < 0.5 * letters:
                out[i] = ("other", 1.0, "non-latin", int(n_words[i]))
                continue
            todo.append(i)
        for start in range(0, len(todo), _BATCH):
            self._score_batch(model, texts, todo[start:start + _BATCH], n_words, out, features)
        self._check_letters(normed, out)
        self._check_coverage(model[4], normed, out)
        return [o for o in out if o is not None]

    def _check_letters(self, normed: Sequence[str], out: list[tuple[str, float, str, int] | None]) -> None:
        """Texts assigned to a target language, at least half of whose words have a letter outside the
        target languages' alphabets, become ``other`` (in place)."""
        alphabet = self._alphabet()
        if alphabet is None:
            return
        for i, o in enumerate(out):
            if o is not None and o[0] in self.languages:
                foreign = sum(1 for w in normed[i].split() if not alphabet.issuperset(w))
                if foreign >= 0.5 * o[3]:
                    out[i] = ("other", 1.0 - o[1], "foreign-letters", o[3])

    def _check_coverage(self, featurizer: LanguageFeaturizer, normed: Sequence[str],
                        out: list[tuple[str, float, str, int] | None]) -> None:
        """Texts of 3+ words assigned to a target language whose words are mostly not in its word list
        become ``other`` (in place)."""
        if self.min_coverage <= 0:
            return
        for lang in self.languages:
            lexicon = featurizer.lexicons.get(lang)
            rows = [i for i, o in enumerate(out) if o is not None and o[0] == lang and o[3] >= 3]
            if lexicon is None or not rows:
                continue
            tokens = [normed[i].split() for i in rows]
            known = sum_per_text(tokens, lexicon, known=True)
            for row, i in enumerate(rows):
                if known[row] < self.min_coverage * len(tokens[row]):
                    _lang, conf, _detail, words = out[i]  # type: ignore[misc]
                    out[i] = ("other", 1.0 - conf, "unknown-words", words)

    def _score_batch(self, model: tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray, LanguageFeaturizer],
                     texts: Sequence[str], todo: list[int], n_words: np.ndarray,
                     out: list[tuple[str, float, str, int] | None], features: sp.csr_matrix | None) -> None:
        weights, intercept, classes, is_target, featurizer = model
        if todo:
            x = features[todo] if features is not None else featurizer.transform([texts[i] for i in todo])
            scores = x @ weights + intercept
            prior = self.short_text_prior / np.maximum(n_words[todo], 1)
            scores = scores + prior[:, None] * is_target[None, :]
            self._vote_lexicons(featurizer, classes, is_target, [texts[i] for i in todo], n_words[todo], scores)
            scores -= scores.max(axis=1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=1, keepdims=True)
            best = probs.argmax(axis=1)
            for row, i in enumerate(todo):
                code = classes[best[row]]
                conf = float(probs[row, best[row]])
                if is_target[best[row]]:
                    if conf < self.min_confidence and n_words[i] >= self.mixed_min_words:
                        out[i] = ("other", float(1.0 - conf), code, int(n_words[i]))
                    else:
                        out[i] = (code, conf, code, int(n_words[i]))
                else:
                    out[i] = ("other", float(probs[row, ~is_target].sum()), code, int(n_words[i]))

    def _vote_lexicons(self, featurizer: LanguageFeaturizer, classes: tuple[str, ...], is_target: np.ndarray,
                       texts: Sequence[str], n_words: np.ndarray, scores: np.ndarray) -> None:
        """For texts of one or two words whose best class has a frequency word list (nl, en, fr, de),
        shift probability among those classes by how common the words are in each list (scores in place).
        Character n-grams cannot tell a cognate or a loan ("structure", "forest") from a native word; word
        frequency can."""
        if self.lexicon_weight <= 0:
            return
        voters = [j for j, c in enumerate(classes) if c in _FREQUENCY_LISTS and c in featurizer.lexicons]
        if len(voters) < 2:
            return
        rows = np.flatnonzero((n_words <= _LEXICON_VOTE_WORDS) & np.isin(scores.argmax(axis=1), voters))
        if len(rows) == 0:
            return
        tokens = [normalise(texts[r]).split() for r in rows]
        zipf = np.column_stack([sum_per_text(tokens, featurizer.lexicons[classes[j]]) for j in voters])
        # Only the split among the voters moves; their total probability stays the same.
        block = np.ix_(rows, voters)
        before = scores[block]
        after = before + self.lexicon_weight * np.log(10.0) * (zipf - zipf.max(axis=1, keepdims=True))
        after += (logsumexp(before, axis=1) - logsumexp(after, axis=1))[:, None]
        # A split can leave no voter above the best other class; the text stays with a voter then.
        rest = scores[rows].copy()
        rest[:, voters] = -np.inf
        after += np.maximum(rest.max(axis=1) - after.max(axis=1) + 1e-6, 0.0)[:, None]
        scores[block] = after

    # --------------------------------------------------------------------------------------------- public
    def detect(self, texts: Iterable[str]) -> list[LanguageResult]:
        """One :class:`LanguageResult` per text, in order."""
        texts = _as_texts(texts)
        model = self._model()
        results: list[LanguageResult] = []
        for start in range(0, len(texts), _BATCH):
            results += self._detect_batch(texts[start:start + _BATCH], model)
        return results

    def _detect_batch(self, texts: list[str], model: tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray,
                                                          LanguageFeaturizer]) -> list[LanguageResult]:
        weights, intercept, classes, _is_target, featurizer = model
        # Every distinct word is featurised once: a text's features are the sums of its words' (character
        # n-grams stay inside words), and each word's own scores give the evidence for the spans.
        offsets = [word_offsets(t) for t in texts]
        lengths = np.array([len(offs) for offs in offsets], dtype=np.int64)
        # Sorted, so that a text's words are summed in the same order in any batch (float sums are not associative).
        codes, vocab = pd.factorize(pd.Series([w for offs in offsets for _s, _e, w in offs], dtype=object), sort=True)
        ids = np.split(codes.astype(np.int64), np.cumsum(lengths)[:-1]) if len(texts) else []
        counts = featurizer.counts(list(vocab))
        # float32 throughout: the model's weights are float32, and a float64 product would copy them.
        bag = sp.csr_matrix((np.ones(len(codes), dtype=np.float32), codes,
                             np.concatenate([[0], np.cumsum(lengths)])), shape=(len(texts), len(vocab)))
        bag.sum_duplicates()
        normed = [" ".join(w for _s, _e, w in offs) for offs in offsets]
        whole = self._classify(texts, featurizer.finish(counts.combine(bag)), normed)
        long = [i for i, (lang, _c, detail, _n) in enumerate(whole)
                if lengths[i] >= 2 * self.mixed_min_words and lang != "und" and detail != "non-latin"]
        paths = self._paths(texts, offsets, ids, [(i, whole[i][2]) for i in long], counts, model)
        results = []
        for i, (lang, conf, detail, _words) in enumerate(whole):
            if i in paths:
                shares, spans = self._spans(offsets[i], paths[i])
            else:
                code = lang if lang in self.languages else detail if detail in classes else "other"
                shares = {} if lang == "und" else {code: 1.0}
                spans = [] if not offsets[i] else [LanguageSpan(offsets[i][0][0], offsets[i][-1][1], code,
                                                                len(offsets[i]))]
            results.append(LanguageResult(lang, round(conf, 6), len(shares) > 1, shares, detail, tuple(spans)))
        return results

    def _paths(self, texts: list[str], offsets: list[list[tuple[int, int, str]]], ids: list[np.ndarray],
               long: list[tuple[int, str]], counts: FeatureCounts,
               model: tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray, LanguageFeaturizer]
               ) -> dict[int, list[str]]:
        """Language per word of the ``long`` texts ((index, whole-text guess) pairs): Viterbi over each word's
        own evidence, the whole text's language favoured by ``main_bias`` per word."""
        weights, intercept, classes, _is_target, featurizer = model
        if not long:
            return {}
        used = np.unique(np.concatenate([ids[i] for i, _ in long]))
        pick = sp.csr_matrix((np.ones(len(used), dtype=np.float32), (np.arange(len(used)), used)),
                             shape=(len(used), len(counts.tokens)))
        word_lp = log_probs(featurizer.finish(counts.combine(pick)), weights, intercept)
        # Dialects the model tells apart but a passage may mix (Kirundi/Kinyarwanda) are one state; the
        # member with more evidence over the text names it.
        joint = word_lp.copy()
        groups = [[classes.index(c) for c in group if c in classes] for group in _DIALECTS]
        for cols in groups:
            if len(cols) > 1:
                joint[:, cols] = logsumexp(word_lp[:, cols], axis=1, keepdims=True)
        row_of = np.full(len(counts.tokens), -1, dtype=np.int64)
        row_of[used] = np.arange(len(used))
        emissions = []
        for i, guess in long:
            e = joint[row_of[ids[i]]]
            e[name_like(texts[i], offsets[i], _SENTENCE_OPENERS)] *= self.name_weight
            if guess in classes:
                e[:, classes.index(guess)] += self.main_bias
            emissions.append(e)
        paths = language_paths(emissions, self.switch_cost)
        # A dialect group's words are named by the model on all of them together, as one text.
        todo = [(k, cols, np.isin(path, cols)) for k, path in enumerate(paths) for cols in groups if len(cols) > 1]
        todo = [t for t in todo if t[2].any()]
        if todo:
            rows = np.concatenate([np.full(int(inside.sum()), r) for r, (_k, _c, inside) in enumerate(todo)])
            cols_ = np.concatenate([ids[long[k][0]][inside] for k, _c, inside in todo])
            bag = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols_)),
                                shape=(len(todo), len(counts.tokens)))
            scores = np.asarray(featurizer.finish(counts.combine(bag)) @ weights) + intercept
            for r, (k, cols, inside) in enumerate(todo):
                paths[k][inside] = cols[int(scores[r, cols].argmax())]
        return {i: [classes[c] for c in path] for (i, _guess), path in zip(long, paths)}

    def _spans(self, offsets: list[tuple[int, int, str]], labels: list[str]
               ) -> tuple[dict[str, float], list[LanguageSpan]]:
        """Shares of the languages that hold a real part of the words, and the spans, stray words of other
        languages joined to the span before them (or after, at the start)."""
        n = len(labels)
        tally: dict[str, int] = {}
        for lab in labels:
            tally[lab] = tally.get(lab, 0) + 1
        ranked = sorted(tally, key=lambda k: (-tally[k], k))
        kept = [k for k in ranked if tally[k] >= max(self.mixed_min_words, self.mixed_min_share * n)] or ranked[:1]
        fixed: list[str] = []
        for lab in labels:
            fixed.append(lab if lab in kept else (fixed[-1] if fixed else ""))
        first = next(lab for lab in fixed if lab)
        fixed = [lab or first for lab in fixed]
        shares = {k: round(tally[k] / n, 3) for k in kept}
        return shares, spans_from_labels(offsets, fixed)

    def predict(self, texts: Iterable[str]) -> list[str]:
        """Just the language codes (``nl``/``en``/``fr``/``other``/``und``), without mixed analysis."""
        return [r[0] for r in self._classify(_as_texts(texts))]


def _as_texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError("detect_language expects a list of texts, got one string. Wrap it: "
                         "detect_language([text]).")
    out = []
    for i, t in enumerate(texts):
        if t is None or (isinstance(t, float) and t != t):
            out.append("")
        elif not isinstance(t, str):
            raise InputError(f"detect_language expects strings; item {i} is a {type(t).__name__} ({t!r}). "
                             "Convert it with str() or pass a StoryCollection.")
        else:
            out.append(t)
    return out


def detect_language(texts: Iterable[str] | Any, **params: Any) -> list[LanguageResult]:
    """Detect the language of each text (or of each story of a :class:`~msc_nlp.StoryCollection`).

    ``params`` are :class:`LanguageDetector`'s. Returns one :class:`LanguageResult` per text, in order.

    >>> [r.language for r in detect_language(["Het water is schoon.", "The well is clean."])]
    ['nl', 'en']
    """
    from ..stories import StoryCollection

    if isinstance(texts, StoryCollection):
        texts = texts.texts
    return LanguageDetector(**params).detect(texts)
