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
    only ever written with a capital in the collection) are left out: a place is not a theme."""
    from ..text import _pipeline

    docs: dict[int, object] = {}
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        by_lang.setdefault(lang if lang in TEXT_LANGUAGES else "xx", []).append(i)
    lower_seen: set[str] = set()
    for lang, idx in by_lang.items():
        nlp = _pipeline(lang if lang != "xx" else "en")
        for i, doc in zip(idx, nlp.pipe([texts[i] for i in idx], batch_size=64)):
            docs[i] = doc
            lower_seen.update(t.text for t in doc if t.text[:1].islower())
    stops = frozenset().union(*(stop_words(lang) for lang in TEXT_LANGUAGES))
    out: list[list[tuple[str, str]]] = []
    for i, lang in enumerate(languages):
        code = lang if lang in TEXT_LANGUAGES else "xx"
        stem = _cached_stem(code if code != "xx" else "en")
        extra = _EXTRA_STOPS.get(code, set())
        links = _LINKS.get(code, set())
        terms: list[tuple[str, str]] = []
        prev = None  # (token index, stem, lemma, noun?) of the last content word
        for tok in docs[i]:
            lower = tok.text.lower()
            if lower in links and prev is not None and prev[0] == tok.i - 1:
                prev = (tok.i, prev[1], prev[2], prev[3], f"{prev[4]} {lower}")
                continue
            if not tok.is_alpha or len(tok.text) < _MIN_LENGTH:
                prev = None
                continue
            lemma = (tok.lemma_ or lower).lower() if code != "xx" else lower
            if not lemma.isalpha():
                lemma = lower
            if (lower in stops or lemma in stops or fold(lemma) in stops or lemma in extra
                    or (tok.text[:1].isupper() and lower not in lower_seen)):
                prev = None
                continue
            noun = code == "xx" or is_noun(lower, lemma, code)
            key = f"{code}:{stem(lower)}"
            if noun:
                terms.append((key, lemma))
            if prev is not None and prev[0] == tok.i - 1:
                head_ok = prev[3] if code == "fr" else noun  # "groupe d'épargne" vs "savings group"
                if head_ok:
                    joined = f"{prev[4]} {lower}".replace("d' ", "d'")
                    terms.append((f"{prev[1]} {key}", joined))
            prev = (tok.i, key, lemma, noun, lower)
        out.append(terms)
    return out


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
        forms: dict[str, Counter[str]] = {}
        rows, col_idx = [], []
        weights = []
        for i in idx:
            in_story: Counter[int] = Counter()
            for key, form in terms[i]:
                in_story[cols.setdefault(key, len(cols))] += 1
                forms.setdefault(key, Counter())[form] += 1
            rows += [row_of[themes[i]]] * len(in_story)
            col_idx += sorted(in_story)
            weights += [1 + 0.5 * np.log(in_story[c]) for c in sorted(in_story)]
        if not cols:
            continue
        counts = sp.csr_matrix((weights, (rows, col_idx)), shape=(len(theme_ids), len(cols)))
        stories = sp.csr_matrix((np.ones(len(rows)), (rows, col_idx)), shape=counts.shape).toarray()
        if counts.shape[1] > 1:
            scores = ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(counts).toarray()
        else:  # one term in the language: nothing to weigh (and ClassTfidfTransformer fails on one column)
            scores = counts.toarray()
        dense = stories
        names = [""] * len(cols)
        phrase = np.zeros(len(cols), dtype=bool)
        for key, col in cols.items():
            names[col] = min(forms[key].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
            phrase[col] = " " in key
        for r, theme in enumerate(theme_ids):
            ok = (dense[r] > 0) & (~phrase | (dense[r] >= 2))
            order = np.lexsort((np.array(names), -dense[r], -np.round(scores[r], 9)))
            out[theme][lang] = [(names[c], round(float(scores[r, c]), 6)) for c in order if ok[c]][:top_n]
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
    """The language's Snowball ``stemWord``, memoised: a collection repeats its words many times, and pure-Python
    stemming was a third of the time spent on theme keywords."""
    from ..text import _stemmer

    return lru_cache(maxsize=200_000)(_stemmer(lang).stemWord)
