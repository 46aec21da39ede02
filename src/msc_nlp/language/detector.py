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
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from .._validation import check_float, check_int
from ..errors import InputError, ParameterError
from ._features import FeatureCounts, LanguageFeaturizer, normalise, sum_per_text

__all__ = ["LanguageResult", "LanguageDetector", "detect_language", "LANGUAGE_CODES"]

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
_SEGMENT_SPLIT = re.compile(r"(?<=[.!?;:])\s+|\n+")
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
        True when segments of the text are confidently in different languages.
    languages:
        The languages of the text's segments, largest share first (just ``(language,)`` when not mixed).
    detail:
        The model's best specific guess (an ISO 639-1 code such as ``de``, ``af``, ``sw``; ``rw``/``rn`` for
        Kinyarwanda/Kirundi; ``non-latin`` for other scripts; ``foreign-letters`` when most words use letters
        that nl/en/fr do not, such as Yoruba's ẹ ọ ṣ; ``unknown-words`` when most words are not in the language's
        word list); equals ``language`` for nl/en/fr.
    """

    language: str
    confidence: float
    mixed: bool = False
    languages: tuple[str, ...] = ()
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = asdict(self)
        d["languages"] = list(self.languages)
        return d


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
        Segments (sentences) shorter than this are merged with their neighbour before checking for a mix.
    mixed_min_share:
        A second language must cover at least this share of the words for a text to count as mixed.
    model_path:
        Another model file in the format of ``models/build_langid.py`` (default: the packaged one).
    """

    def __init__(self, languages: Sequence[str] = ("nl", "en", "fr"), *, short_text_prior: float = 1.5,
                 lexicon_weight: float = 2.0, min_confidence: float = 0.3, min_coverage: float = 0.5,
                 mixed_min_words: int = 4, mixed_min_share: float = 0.2,
                 model_path: str | Path | None = None) -> None:
        self.languages = tuple(languages)
        self.short_text_prior = short_text_prior
        self.lexicon_weight = lexicon_weight
        self.min_confidence = min_confidence
        self.min_coverage = min_coverage
        self.mixed_min_words = mixed_min_words
        self.mixed_min_share = mixed_min_share
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

    def _classify(self, texts: Sequence[str], features: sp.csr_matrix | None = None
                  ) -> list[tuple[str, float, str, int]]:
        """(language, confidence, detail, n_words) per text, no mixed-language analysis. ``features``: the
        texts' feature rows when the caller already has them."""
        model = self._model()
        normed = [normalise(t) for t in texts]
        n_words = np.array([len(t.split()) for t in normed])
        out: list[tuple[str, float, str, int] | None] = [None] * len(texts)
        todo = []
        for i, (raw, norm) in enumerate(zip(texts, normed)):
            if not norm:
                out[i] = ("und", 0.0, "und", 0)
                continue
            if _NON_LATIN.search(raw) and len(_LATIN.findall(raw)) < 0.5 * len(_LETTER.findall(raw)):
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

    def _segments(self, text: str) -> list[str]:
        parts = [p for p in _SEGMENT_SPLIT.split(text) if p and p.strip()]
        merged: list[str] = []
        for p in parts:
            if merged and len(normalise(merged[-1]).split()) < self.mixed_min_words:
                merged[-1] = f"{merged[-1]} {p}"
            else:
                merged.append(p)
        if len(merged) > 1 and len(normalise(merged[-1]).split()) < self.mixed_min_words:
            last = merged.pop()
            merged[-1] = f"{merged[-1]} {last}"
        return merged

    # --------------------------------------------------------------------------------------------- public
    def detect(self, texts: Iterable[str]) -> list[LanguageResult]:
        """One :class:`LanguageResult` per text, in order."""
        texts = _as_texts(texts)
        featurizer = self._model()[4]
        results: list[LanguageResult] = []
        for start in range(0, len(texts), _BATCH):
            results += self._detect_batch(texts[start:start + _BATCH], featurizer)
        return results

    def _detect_batch(self, texts: list[str], featurizer: LanguageFeaturizer) -> list[LanguageResult]:
        # Long texts are featurised sentence by sentence once; their whole-text features are the sums.
        seg_owner: list[int] = []
        seg_texts: list[str] = []
        plain: list[int] = []
        for i, t in enumerate(texts):
            segs = self._segments(t) if len(normalise(t).split()) >= 2 * self.mixed_min_words else []
            if len(segs) > 1:
                seg_owner += [i] * len(segs)
                seg_texts += segs
            else:
                plain.append(i)
        units = FeatureCounts.stack([featurizer.counts([texts[i] for i in plain]), featurizer.counts(seg_texts)])
        owner_of_unit = np.array(plain + seg_owner, dtype=np.int64)
        groups = sp.csr_matrix((np.ones(len(owner_of_unit)), (owner_of_unit, np.arange(len(owner_of_unit)))),
                               shape=(len(texts), len(owner_of_unit)))
        whole = self._classify(texts, featurizer.finish(units.combine(groups)))
        seg_rows = np.arange(len(plain), len(owner_of_unit))
        seg_results = self._classify(seg_texts, featurizer.finish(units.combine(
            sp.csr_matrix((np.ones(len(seg_rows)), (np.arange(len(seg_rows)), seg_rows)),
                          shape=(len(seg_rows), len(owner_of_unit)))))) if seg_texts else []
        shares: dict[int, dict[str, int]] = {}
        for owner, (lang, conf, _detail, words) in zip(seg_owner, seg_results):
            if lang in ("und",) or conf < self.min_confidence:
                continue
            shares.setdefault(owner, {}).setdefault(lang, 0)
            shares[owner][lang] += words
        results = []
        for i, (lang, conf, detail, _words) in enumerate(whole):
            langs: tuple[str, ...] = (lang,)
            mixed = False
            if i in shares:
                total = sum(shares[i].values())
                major = sorted((w, k) for k, w in shares[i].items() if w >= self.mixed_min_share * total)
                ordered = tuple(k for _, k in sorted(major, key=lambda x: (-x[0], x[1])))
                if len(ordered) > 1:
                    mixed, langs = True, ordered
            results.append(LanguageResult(lang, round(conf, 6), mixed, langs, detail))
        return results

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
