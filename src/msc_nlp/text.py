"""Tokens, lemmas and stop words for nl/en/fr with spaCy blank pipelines (no trained model needed).

spaCy's lookup lemmatizer (``spacy-lookups-data``) gives lemmas; its Dutch table lacks most plurals, so
words are also grouped by their Snowball stem and each group is shown by its most frequent lemma
("waterpunten" and "waterpunt" become one keyword).
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Token", "analyse", "stop_words", "TEXT_LANGUAGES", "fold", "split_sentences"]

#: Languages with a lemmatizer and stop words.
TEXT_LANGUAGES = ("nl", "en", "fr")
_SNOWBALL = {"nl": "dutch", "en": "english", "fr": "french"}
_LOCK = threading.Lock()
_MIN_LENGTH = 3


@dataclass(frozen=True)
class Token:
    """A content word: ``lemma`` (lower case) and ``stem`` (its grouping key)."""

    lemma: str
    stem: str


def fold(word: str) -> str:
    """Lower case without accents, for comparing words across languages."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


@cache
def _pipeline(lang: str):  # noqa: ANN202 - spaCy Language
    import spacy

    with _LOCK:
        nlp = spacy.blank(lang)
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except (ValueError, OSError, ImportError):  # no lookup table for this language: tokens only
            nlp = spacy.blank(lang)
    return nlp


@cache
def _stemmer(lang: str):  # noqa: ANN202
    import snowballstemmer

    return snowballstemmer.stemmer(_SNOWBALL.get(lang, "english"))


@cache
def _extra_stop_words() -> dict[str, frozenset[str]]:
    """Stop words of story languages spaCy has none for (Swahili, Kirundi): package data built by
    ``models/build_stopwords.py`` from stopwords-iso and SIB-200's train split."""
    ref = resources.files("msc_nlp") / "data" / "stopwords_extra.json"
    return {k: frozenset(v) for k, v in json.loads(ref.read_text(encoding="utf-8"))["stop_words"].items()}


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang`` (lower case, also without accents); for ``sw`` and ``rn``, the
    package's own lists."""
    if lang in _extra_stop_words():
        return _extra_stop_words()[lang]
    import spacy

    words = spacy.blank(lang).Defaults.stop_words
    return frozenset(words) | frozenset(fold(w) for w in words)


def analyse(texts: Sequence[str], languages: Sequence[str], *, extra_stop_words: Iterable[str] = ()
            ) -> list[list[Token]]:
    """Content words of each text: no stop words (of nl/en/fr and of Swahili and Kirundi, so quotes in
    another language do not leak function words), no numbers or punctuation, at least 3 letters.
    Texts in a language outside nl/en/fr are tokenised with the English rules and no lemmatizer."""
    all_stops = frozenset().union(*(stop_words(lang) for lang in TEXT_LANGUAGES + tuple(_extra_stop_words()))) | {
        fold(w) for w in extra_stop_words}
    out: list[list[Token]] = []
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        by_lang.setdefault(lang if lang in TEXT_LANGUAGES else "xx", []).append(i)
    result: dict[int, list[Token]] = {}
    for lang, idx in by_lang.items():
        nlp = _pipeline(lang if lang != "xx" else "en")
        stem = _stemmer(lang if lang != "xx" else "en").stemWord
        lemmatise = lang != "xx"
        for i, doc in zip(idx, nlp.pipe([texts[i] for i in idx], batch_size=64)):
            tokens = []
            for tok in doc:
                if not tok.is_alpha or len(tok.text) < _MIN_LENGTH:
                    continue
                lower = tok.text.lower()
                lemma = (tok.lemma_ or lower).lower() if lemmatise else lower
                if not lemma.isalpha():  # the lookup table maps some words to digits ("second" -> "2")
                    lemma = lower
                if lower in all_stops or lemma in all_stops or fold(lemma) in all_stops:
                    continue
                tokens.append(Token(lemma, f"{lang}:{stem(lower)}"))
            result[i] = tokens
    out = [result[i] for i in range(len(texts))]
    return out


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def split_sentences(text: str, *, min_words: int = 3) -> list[str]:
    """Sentences of at least ``min_words`` words (a shorter one is joined to its neighbour)."""
    out: list[str] = []
    for part in (p.strip() for p in _SENTENCE.split(text)):
        if not part:
            continue
        if out and len(part.split()) < min_words:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    if len(out) > 1 and len(out[0].split()) < min_words:  # a short opening joins the next sentence
        out[:2] = [f"{out[0]} {out[1]}"]
    return out or ([text.strip()] if text.strip() else [])
