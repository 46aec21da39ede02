"""Duplicate stories, also across languages: edited copies and translations.

Two stories are compared on three kinds of evidence: the cosine of their multilingual embeddings, the share of
word sequences they have in common (edited copies in one language), and the language-invariant details a
translation keeps: numbers (also written as words), dates, and names of people and places. A translated copy
is close in meaning *and* shares its rare details; two stories on the same topic are close in meaning only.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..text import TEXT_LANGUAGES, fold, stop_words

__all__ = ["anchors", "find_duplicates", "DUPLICATE_COLUMNS"]

#: Columns of :func:`find_duplicates`.
DUPLICATE_COLUMNS = ["story_id", "other_story", "kind", "languages", "similarity", "alignment", "text_overlap",
                     "evidence", "shared"]

_UNITS = {
    "en": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen",
    "nl": "een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
          "zeventien achttien negentien",
    "fr": "un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize dix-sept "
          "dix-huit dix-neuf",
}
_TENS = {
    "en": "twenty thirty forty fifty sixty seventy eighty ninety",
    "nl": "twintig dertig veertig vijftig zestig zeventig tachtig negentig",
    "fr": "vingt trente quarante cinquante soixante soixante-dix quatre-vingt quatre-vingt-dix",
}
_BIG = {"hundred": 100, "honderd": 100, "cent": 100, "cents": 100, "thousand": 1000, "duizend": 1000,
        "mille": 1000, "million": 10**6, "miljoen": 10**6, "millions": 10**6}
_MONTHS = {
    "en": "january february march april may june july august september october november december",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
}
_WORD_NUMBERS: dict[str, int] = {}
for _lang in _UNITS:
    _WORD_NUMBERS.update({w: i for i, w in enumerate(_UNITS[_lang].split(), start=1)})
    _WORD_NUMBERS.update({w: 10 * i for i, w in enumerate(_TENS[_lang].split(), start=2)})
_WORD_NUMBERS.update({"quatre-vingt": 80, "quatre-vingts": 80, "quatre-vingt-dix": 90, "soixante-dix": 70})
# "one"/"een"/"un" are also articles: a single "1" says nothing.
_ONE = {"one", "een", "un", "une", "één"}
_MONTH_NUMBER = {w: i for lang in _MONTHS for i, w in enumerate(_MONTHS[lang].split(), start=1)}
_NL_COMPOUND = re.compile(r"^(een|twee|drie|vier|vijf|zes|zeven|acht|negen)en(twintig|dertig|veertig|vijftig|"
                          r"zestig|zeventig|tachtig|negentig)$")
_TOKEN = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?%?|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


def _word_number(word: str) -> int | None:
    w = fold(word).replace("’", "'")
    if w in _WORD_NUMBERS:
        return _WORD_NUMBERS[w]
    m = _NL_COMPOUND.match(w)
    if m:
        return _WORD_NUMBERS[m.group(1)] + _WORD_NUMBERS[m.group(2)]
    parts = w.split("-")
    if len(parts) > 1 and all(p in _WORD_NUMBERS or p == "et" for p in parts):  # twenty-four, vingt-et-un
        return sum(_WORD_NUMBERS.get(p, 0) for p in parts)
    return None


def _digits(token: str) -> str:
    percent = token.endswith("%")
    body = token.rstrip("%")
    if re.fullmatch(r"\d+(?:[.,\s]\d{3})+", body):  # 1,200 / 1.200 / 1 200
        body = re.sub(r"[.,\s]", "", body)
    return f"#{body.replace(',', '.')}{'%' if percent else ''}"


def anchors(text: str) -> set[str]:
    """Details of a story that survive translation: numbers (``#24``; number words from two upwards in
    nl/en/fr count as their digits), months (``month:3``), and capitalised words that are not ordinary words
    (``name:nyakach``; accents and case folded). A capitalised word at the start of a sentence counts only
    when it is also capitalised elsewhere in the text."""
    stops = frozenset().union(*(stop_words(lang) for lang in TEXT_LANGUAGES))
    found: set[str] = set()
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    plain = {t for t, _ in tokens if t.islower()}
    capital_inside: set[str] = set()
    initial: list[str] = []
    for k, (tok, start) in enumerate(tokens):
        if tok[0].isdigit():
            found.add(_digits(tok))
            continue
        number = _word_number(tok)
        if number is not None and fold(tok) not in _ONE:
            found.add(f"#{number}")
            continue
        folded = fold(tok)
        if folded in _BIG:
            found.add(f"#{_BIG[folded]}")
            continue
        if folded in _MONTH_NUMBER and (tok[0].isupper() or folded not in stops):
            found.add(f"month:{_MONTH_NUMBER[folded]}")
            continue
        if not tok[0].isupper() or len(tok) < 3 or folded in stops or tok.lower() in plain:
            continue
        sentence_start = k == 0 or bool(_SENTENCE_END.search(text[max(0, start - 12):start]))
        if sentence_start:
            initial.append(folded)
        else:
            capital_inside.add(folded)
    found |= {f"name:{w}" for w in capital_inside}
    found |= {f"name:{w}" for w in initial if w in capital_inside}
    return found


def _readable(anchor: str) -> str:
    kind, _, value = anchor.partition(":") if not anchor.startswith("#") else ("#", "", anchor[1:])
    return {"#": value, "month": f"month {value}", "name": value}.get(kind, anchor)


def _overlap(texts: Sequence[str]) -> np.ndarray:
    """Share of word 3-grams two texts have in common (of the shorter text's), for every pair."""
    from sklearn.feature_extraction.text import CountVectorizer

    def shingles(text: str) -> list[str]:
        words = [fold(w) for w in re.findall(r"[^\W_]+", text)]
        return [" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))] if words else []

    x = CountVectorizer(analyzer=shingles, binary=True).fit_transform(texts)
    inter = (x @ x.T).toarray().astype(float)
    size = np.asarray(x.sum(axis=1)).ravel()
    return inter / np.maximum(1.0, np.minimum.outer(size, size))


def _alignment(vectors: list[np.ndarray], i: int, j: int) -> float:
    """Sentence alignment of two stories: for each sentence, its best match in the other story; the mean of
    both directions. A translation matches sentence for sentence; a story on the same topic does not."""
    m = vectors[i] @ vectors[j].T
    return float(0.5 * (m.max(axis=1).mean() + m.max(axis=0).mean()))


def find_duplicates(texts: Sequence[str], languages: Sequence[str], *, ids: Sequence[str] | None = None,
                    embeddings: np.ndarray | None = None, model: str = "use-multilingual",
                    same_language_overlap: float = 0.5, same_language_similarity: float = 0.9,
                    same_language_alignment: float = 0.8, cross_language_alignment: float = 0.6,
                    evidence_alignment: float = 0.5, min_evidence: float = 0.3,
                    candidate_similarity: float = 0.5) -> pd.DataFrame:
    """Pairs of stories that are copies of each other: ``edited copy`` (same language) or ``translation``.

    Same language: an edited copy shares at least ``same_language_overlap`` of its word 3-grams with the other
    story, or its embedding cosine is at least ``same_language_similarity``, or its sentences align at least
    ``same_language_alignment``. Different languages: the sentence alignment (each sentence's best cosine in
    the other story, averaged both ways) is at least ``cross_language_alignment``; or at least
    ``evidence_alignment`` when the stories share at least ``min_evidence`` of their rare language-invariant
    details (:func:`anchors`, weighted by how rare each is in the collection, at least two shared). Only
    pairs with an embedding cosine of at least ``candidate_similarity`` (or shared 3-grams) are aligned.

    Defaults were calibrated on SIB-200 train/dev parallel sentences (translation recall) and on translated
    and edited copies of ``corpora/sample`` stories (``corpora/dev/duplicates_dev.csv``, hard negatives);
    see ``benchmarks/results/panel_analytics.md``.

    Returns one row per pair (:data:`DUPLICATE_COLUMNS`): ``similarity`` (story cosine), ``alignment``,
    ``text_overlap``, ``evidence`` (weighted share of details in common) and ``shared`` (the details).
    """
    from ..embedding import embed
    from ..text import split_sentences

    n = len(texts)
    if len(languages) != n:
        raise InputError(f"find_duplicates got {n} texts and {len(languages)} languages; pass one language per "
                         "text.")
    ids = [str(i) for i in ids] if ids is not None else [f"row-{i + 1}" for i in range(n)]
    if len(ids) != n:
        raise InputError(f"find_duplicates got {n} texts and {len(ids)} ids; pass one id per text.")
    if n < 2:
        return pd.DataFrame(columns=DUPLICATE_COLUMNS)
    texts = [str(t) for t in texts]
    vec = np.asarray(embeddings if embeddings is not None else embed(texts, model, align=False, show_progress=False),
                     dtype=np.float64)
    if len(vec) != n:
        raise InputError(f"find_duplicates got {n} texts and {len(vec)} embeddings; pass one row per text.")
    vec = vec / np.maximum(1e-12, np.linalg.norm(vec, axis=1, keepdims=True))
    sims = vec @ vec.T
    overlap = _overlap(texts)
    found = [anchors(t) for t in texts]
    df = Counter(a for f in found for a in f)
    idf = {a: float(np.log((n + 1) / (c + 0.5))) for a, c in df.items()}
    cand = np.argwhere(np.triu((sims >= candidate_similarity) | (overlap >= same_language_overlap), 1))
    needed = sorted({k for pair in cand for k in pair})
    sentences = {k: split_sentences(texts[k]) or [texts[k]] for k in needed}
    flat = [s for k in needed for s in sentences[k]]
    sv = embed(flat, model, align=False, show_progress=False) if flat else np.zeros((0, vec.shape[1]))
    vectors: list[np.ndarray] = [np.zeros((0, vec.shape[1]))] * n
    at = 0
    for k in needed:
        vectors[k] = np.asarray(sv[at:at + len(sentences[k])], dtype=np.float64)
        at += len(sentences[k])
    rows = []
    for i, j in cand:
        i, j = int(i), int(j)
        shared = found[i] & found[j]
        union = found[i] | found[j]
        evidence = sum(idf[a] for a in shared) / sum(idf[a] for a in union) if union else 0.0
        align = _alignment(vectors, i, j)
        same = languages[i] == languages[j]
        if same:
            hit = (overlap[i, j] >= same_language_overlap or sims[i, j] >= same_language_similarity
                   or align >= same_language_alignment)
        else:
            hit = align >= cross_language_alignment or (
                align >= evidence_alignment and evidence >= min_evidence and len(shared) >= 2)
        if hit:
            rows.append({"story_id": ids[i], "other_story": ids[j],
                         "kind": "edited copy" if same else "translation",
                         "languages": f"{languages[i]}/{languages[j]}",
                         "similarity": round(float(sims[i, j]), 4), "alignment": round(align, 4),
                         "text_overlap": round(float(overlap[i, j]), 4), "evidence": round(evidence, 4),
                         "shared": ", ".join(sorted((_readable(a) for a in shared), key=str))})
    return pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
