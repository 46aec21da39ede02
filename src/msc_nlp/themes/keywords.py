"""Theme keywords and labels: nouns and noun phrases (spaCy lookup lemmas, no verbs, pronouns or stop words),
scored per language with BERTopic's class-based TF-IDF (:class:`bertopic.vectorizers.ClassTfidfTransformer`).

spaCy ships no trained Dutch or English pipeline we can install here, so the part of speech comes from the
word lists behind spaCy's rule lemmatizer (``spacy-lookups-data``: nouns, verbs, adjectives, adverbs per
language, and their inflected forms). A word known only as a verb, adjective, adverb, pronoun or auxiliary is
left out; a word the lists do not know (mostly Dutch compounds such as ``spaargroep``) stays in.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..text import TEXT_LANGUAGES, fold, stop_words

__all__ = ["theme_terms", "theme_keywords", "merge_keywords", "pick_label", "is_noun"]

_MIN_LENGTH = 3
# Words spaCy's stop lists miss that are never a theme: reciprocal pronouns and the like.
_EXTRA_STOPS = {"nl": {"elkaar", "mekaar", "zichzelf", "iedereen", "iemand", "niemand", "ding", "keer"},
                "en": {"thing", "lot", "way", "time", "year", "day"},
                "fr": {"chose", "fois", "an", "année", "jour"}}
# Links inside a noun phrase: "groupe d'épargne", "comité van ouders", "access to water".
_LINKS = {"fr": {"de", "d'", "du", "des", "à"}, "nl": {"van", "voor"}, "en": {"of"}}
_NOT_NOUN = ("verb", "aux", "adj", "adv", "pron", "det", "adp", "cconj", "sconj")


@cache
def _lexicon(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(noun lemmas, noun forms, other-POS lemmas, other-POS forms) from spaCy's lemmatizer tables."""
    from importlib.resources import files

    try:
        base = files("spacy_lookups_data") / "data"
        index = json.loads(gzip.decompress((base / f"{lang}_lemma_index.json.gz").read_bytes()))
        exc = json.loads(gzip.decompress((base / f"{lang}_lemma_exc.json.gz").read_bytes()))
    except (ImportError, OSError, ValueError):
        return frozenset(), frozenset(), frozenset(), frozenset()
    nouns = frozenset(index.get("noun", ()))
    noun_forms = frozenset(exc.get("noun", {}))
    others = frozenset().union(*(index.get(p, ()) for p in _NOT_NOUN))
    other_forms = frozenset().union(*(exc.get(p, {}) for p in _NOT_NOUN))
    return nouns, noun_forms, others, other_forms


def is_noun(word: str, lemma: str, lang: str) -> bool:
    """Whether a word can be read as a noun: known as one (lemma or inflected form), or unknown to the word
    lists. An English ``-ing``/``-ed`` form of a word that is also a verb counts as the verb."""
    nouns, noun_forms, others, other_forms = _lexicon(lang)
    if word in other_forms and word not in noun_forms and word not in nouns:
        return False  # "came", "went", "été" (auxiliary), "kwamen"
    if lemma in nouns or word in noun_forms or word in nouns:
        if lang == "en" and lemma in others and word != lemma and word.endswith(("ing", "ed")):
            return False
        return True
    return lemma not in others and word not in others


def theme_terms(texts: Sequence[str], languages: Sequence[str]) -> list[list[tuple[str, str]]]:
    """Per text, its candidate label terms as ``(group key, shown form)``: nouns (grouped by Snowball stem,
    shown by lemma) and two-word noun phrases ("savings group", "groupe d'épargne"). Proper names (words
    only ever written with a capital in the collection) are left out: a place is not a theme.

    Texts go through spaCy's tokenizer only; what a word form needs (lemma as spaCy's lookup ``lemmatizer``
    pipe gives it, stem, stop word, noun) is worked out once per language and process (:func:`_words`), not
    once per token."""
    from spacy.attrs import ORTH

    codes = [lang if lang in TEXT_LANGUAGES else "xx" for lang in languages]
    orths: list[list[int]] = [[] for _ in texts]
    by_lang: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        by_lang.setdefault(code, []).append(i)
    info: dict[str, dict[int, _Word]] = {}
    for code, idx in by_lang.items():
        tokenizer = _tokenizer(code if code != "xx" else "en")
        for i, doc in zip(idx, tokenizer.pipe([texts[i] for i in idx], batch_size=256)):
            orths[i] = doc.to_array(ORTH).tolist() if len(doc) else []
        info[code] = _words(code, {o for i in idx for o in orths[i]})
    lower_seen = {w.text for words in info.values() for w in words.values() if w.text[:1].islower()}
    out: list[list[tuple[str, str]]] = []
    for i, code in enumerate(codes):
        words = info[code]
        terms: list[tuple[str, str]] = []
        prev = None  # (stem key, noun?, shown words) of the previous word, when it is a content word
        for orth in orths[i]:
            w = words[orth]
            if w.link and prev is not None:
                prev = (prev[0], prev[1], f"{prev[2]} {w.lower}")
                continue
            if not w.content or (w.capital and w.lower not in lower_seen):
                prev = None
                continue
            if w.noun:
                terms.append((w.key, w.lemma))
            if prev is not None and (prev[1] if code == "fr" else w.noun):  # "groupe d'épargne" / "savings group"
                terms.append((f"{prev[0]} {w.key}", f"{prev[2]} {w.lower}".replace("d' ", "d'")))
            prev = (w.key, w.noun, w.lower)
        out.append(terms)
    return out


class _Word(NamedTuple):
    """What :func:`theme_terms` needs of a word form in a language. A content word is alphabetic, of 3+ letters
    and no stop word; ``capital``, ``noun`` and ``key`` (``lang:stem``) are only meaningful for one."""

    text: str
    lower: str
    link: bool  # links two words of a noun phrase ("de", "van", "of")
    content: bool
    lemma: str
    capital: bool
    noun: bool
    key: str


_WORDS: dict[str, dict[int, _Word]] = {}  # per language: spaCy orth id -> _Word (a pure function of the form)
_MAX_WORDS = 500_000  # forms kept per language before the memo starts afresh


def _words(code: str, orths: set[int]) -> dict[int, _Word]:
    """:class:`_Word` of each spaCy orth id (word forms the tokenizer added to the vocabulary), memoised."""
    memo = _WORDS.setdefault(code, {})
    todo = [o for o in orths if o not in memo]
    if len(memo) + len(todo) > _MAX_WORDS:
        memo.clear()
        todo = list(orths)
    if todo:
        strings = _tokenizer(code if code != "xx" else "en").vocab.strings
        forms = [strings[o] for o in todo]
        lemmas = _lemmas(code, forms) if code != "xx" else forms
        stem = _cached_stem(code if code != "xx" else "en")
        links = _LINKS.get(code, ())
        extra = _EXTRA_STOPS.get(code, ())
        stops = _all_stop_words()
        for orth, text, found in zip(todo, forms, lemmas):
            lower = text.lower()
            link = lower in links
            if not text.isalpha() or len(text) < _MIN_LENGTH:
                memo[orth] = _Word(text, lower, link, False, lower, False, False, "")
                continue
            lemma = (found or lower).lower()
            if not lemma.isalpha():
                lemma = lower
            if lower in stops or lemma in stops or fold(lemma) in stops or lemma in extra:
                memo[orth] = _Word(text, lower, link, False, lemma, False, False, "")
                continue
            noun = code == "xx" or is_noun(lower, lemma, code)
            memo[orth] = _Word(text, lower, link, True, lemma, text[:1].isupper(), noun, f"{code}:{stem(lower)}")
    return {o: memo[o] for o in orths}


@cache
def _tokenizer(lang: str):  # noqa: ANN202 - spaCy Tokenizer
    from ..text import _pipeline

    return _pipeline(lang).tokenizer


def _lemmas(lang: str, forms: list[str]) -> list[str]:
    """``token.lemma_`` of each word form as the pipeline's ``lemmatizer`` pipe (lookup mode) sets it: the
    language's own lookup method (Dutch looks the lower-cased form up); "" when the language has none."""
    from spacy.tokens import Doc

    from ..text import _pipeline

    nlp = _pipeline(lang)
    if "lemmatizer" not in nlp.pipe_names or not forms:
        return [""] * len(forms)
    lemmatize = nlp.get_pipe("lemmatizer").lemmatize
    return [lemmatize(token)[0] for token in Doc(nlp.vocab, words=forms)]


@cache
def _all_stop_words() -> frozenset[str]:
    return frozenset().union(*(stop_words(lang) for lang in TEXT_LANGUAGES))


def theme_keywords(terms: Sequence[list[tuple[str, str]]], themes: Sequence[int], languages: Sequence[str], *,
                   top_n: int = 10) -> dict[int, dict[str, list[tuple[str, float]]]]:
    """{theme: {language: [(keyword, score), ...]}}: BERTopic's c-TF-IDF per language over a theme × term
    matrix in which a story counts a term 1 + log(uses)/2 times (keywords are what many stories share, yet a
    word a story keeps coming back to says more than one it mentions once). Per language, so that a language
    with few stories keeps its own words. A noun phrase must occur in two stories of the theme. Ties go to
    the term more stories use, then alphabetical order."""
    from bertopic.vectorizers import ClassTfidfTransformer

    out: dict[int, dict[str, list[tuple[str, float]]]] = {t: {} for t in sorted(set(themes))}
    langs = np.asarray(languages)
    for lang in sorted(set(languages)):
        idx = np.flatnonzero(langs == lang)
        theme_ids = sorted({themes[i] for i in idx})
        row_of = {t: r for r, t in enumerate(theme_ids)}
        cols: dict[str, int] = {}
        forms: list[Counter[str]] = []  # per column: its shown forms and how often each was used
        rows, col_idx, uses = [], [], []
        for i in idx:
            in_story: Counter[int] = Counter()
            for key, form in terms[i]:
                col = cols.get(key)
                if col is None:
                    col = cols[key] = len(cols)
                    forms.append(Counter())
                in_story[col] += 1
                forms[col][form] += 1
            present = sorted(in_story)
            rows += [row_of[themes[i]]] * len(present)
            col_idx += present
            uses += [in_story[c] for c in present]
        if not cols:
            continue
        weight = {u: 1 + 0.5 * np.log(u) for u in set(uses)}
        counts = sp.csr_matrix(([weight[u] for u in uses], (rows, col_idx)), shape=(len(theme_ids), len(cols)))
        stories = sp.csr_matrix((np.ones(len(rows)), (rows, col_idx)), shape=counts.shape).toarray()
        if counts.shape[1] > 1:
            scores = ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(counts).toarray()
        else:  # one term in the language: nothing to weigh (and ClassTfidfTransformer fails on one column)
            scores = counts.toarray()
        dense = stories
        names = [min(f.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0] for f in forms]
        phrase = np.array([" " in key for key in cols], dtype=bool)
        name_array = np.array(names)
        for r, theme in enumerate(theme_ids):
            ok = (dense[r] > 0) & (~phrase | (dense[r] >= 2))
            order = np.lexsort((name_array, -dense[r], -np.round(scores[r], 9)))
            order = order[ok[order]][:top_n]
            out[theme][lang] = [(names[c], round(float(scores[r, c]), 6)) for c in order]
    return out


def merge_keywords(per_language: dict[str, list[tuple[str, float]]], *, top_n: int = 10) -> list[str]:
    """Interleave the languages' keyword lists by rank (scores are not comparable across languages) and drop
    repeats, compared without case and accents (``école`` and ``ecole``, or ``water`` in nl and en)."""
    merged: list[str] = []
    seen: set[str] = set()
    langs = sorted(per_language, key=lambda lang: (-len(per_language[lang]), lang))
    depth = max((len(v) for v in per_language.values()), default=0)
    for rank in range(depth):
        for lang in langs:
            if rank < len(per_language[lang]):
                word = per_language[lang][rank][0]
                if fold(word) not in seen:
                    seen.add(fold(word))
                    merged.append(word)
    return merged[:top_n]


def pick_label(words: Sequence[str], *, n: int = 3) -> str:
    """The first ``n`` of ``words`` joined by `` · ``, skipping a word already inside a chosen phrase and a
    phrase made of chosen words ("savings group" then not "savings") and a word that starts like a chosen
    one."""
    chosen: list[str] = []
    for word in words:
        parts = set(word.replace("'", " ").split())
        if any(parts <= set(c.replace("'", " ").split()) or set(c.replace("'", " ").split()) <= parts
               or fold(word)[:5] == fold(c)[:5] for c in chosen):  # "director", then not "direction"
            continue
        chosen.append(word)
        if len(chosen) == n:
            break
    return " · ".join(chosen)


@cache
def _cached_stem(lang: str) -> Callable[[str], str]:
    """The language's Snowball ``stemWord`` (PyStemmer's C code when installed), memoised: a collection repeats its
    words many times."""
    from ..text import _stemmer

    return lru_cache(maxsize=200_000)(_stemmer(lang).stemWord)
