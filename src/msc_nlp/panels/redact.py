"""Privacy before sharing: redact personal names, phone numbers and e-mail addresses in nl/en/fr stories.

Names are found without a trained model (none is available offline for Dutch and English); see
:class:`Redactor` for the rules. Every redaction is listed so a person can review it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["Redactor", "redact_texts"]

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{2,4}\)?[\s.-]?){2,4}\d{2,4}(?![\w])")
_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’-]*[\w]|[A-ZÀ-ÖØ-Þ]")
_SENTENCE_START = re.compile(r"(^|[.!?:;\"“«»\n]\s*|[-–—]\s+)$")
#: Places kept as they are (besides the collection's own ``region`` values).
PLACES = frozenset("""Kenya Kenia Burundi Congo RDC DRC Rwanda Uganda Oeganda Tanzania Tanzanie Nederland Netherlands
Pays-Bas Holland Belgique België Belgium Europe Europa Afrika Africa Afrique Nairobi Kisumu Mombasa Nakuru Eldoret
Turkana Lodwar Kakuma Kakamega Siaya Homa Bay Kisii Marsabit Tana River Gitega Ngozi Bujumbura Muramvya Bururi
Kirundo Makamba Bukavu Goma Uvira Kalehe Kinshasa Kivu Sud-Kivu Nord-Kivu Kampala Arusha Kigoma Utrecht Amsterdam
Rotterdam Den Haag Nyakach Kigali Lake Victoria Victoriameer""".split())
_ARTICLES = frozenset("the a an de het een le la les l un une des du".split())
_TITLES = frozenset("mr mrs ms miss dr mama mzee baba mevrouw meneer mw dhr madame monsieur mme mlle m sister "
                    "brother soeur frère father pastor pasteur abbé".split())


@dataclass(frozen=True)
class Redaction:
    story_id: str
    kind: str
    original: str
    start: int


#: Capitalised words that are not names (calendar, languages, nationalities) in nl/en/fr.
ORDINARY = frozenset("""I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June
July August September October November December English Dutch French German Swahili Kirundi Kinyarwanda Lingala
Kenyan Burundian Congolese African European Christmas Easter God Bible Mass Ramadan Muslim Christian Catholic
Protestant Covid COVID Internet Facebook WhatsApp""".split())


def _is_stop_word(word: str) -> bool:
    from ..text import TEXT_LANGUAGES, stop_words

    return any(word.lower() in stop_words(lang) for lang in TEXT_LANGUAGES)


class Redactor:
    """Finds and replaces names (``[NAME]``), phone numbers (``[PHONE]``) and e-mail addresses (``[EMAIL]``).

    A capitalised word inside a sentence is taken for a name (Dutch, English and French do not capitalise
    common nouns there) unless it is an acronym, a place, or an ordinary capitalised word (days, months,
    languages); at the start of a sentence it is a name when it is rare as an ordinary word (Zipf frequency
    below ``rare_zipf`` in the nl/en/fr/de word lists), follows a title (Mr, Mama, Madame...) or starts a
    run of names. This errs on the side of privacy: organisation names may be redacted too; pass them in
    ``keep``. ``places`` adds place names to keep (the collection's ``region`` values are added by packs).
    """

    def __init__(self, *, keep: Iterable[str] = (), places: Iterable[str] = (), rare_zipf: float = 3.5) -> None:
        self.keep = frozenset(keep)
        self.places = frozenset(places)
        self.rare_zipf = rare_zipf

    def _zipf(self, word: str) -> float:
        """How common the word is (hyphenated: its least common part, e.g. "Twenty-four")."""
        import numpy as np

        from ..language._features import word_hash
        from ..language.detector import _load_model

        parts = [p for p in re.split(r"[-'’]", word.lower()) if p] or [word.lower()]
        h = np.array([word_hash(p) for p in parts], dtype=np.uint32)
        # Only word lists with real frequencies (others carry a flat placeholder Zipf value).
        lexicons = [lex for code, lex in _load_model(None)[3].lexicons.items() if code in ("nl", "en", "fr", "de")]
        return float(np.max(np.stack([lex.lookup(h) for lex in lexicons]), axis=0).min())

    def _protected(self, word: str) -> bool:
        parts = {word, *re.split(r"[-'’]", word)}
        return bool(parts & (PLACES | self.places | self.keep | ORDINARY)) or any(
            w in (PLACES | self.places | self.keep) for w in (word.rstrip("'’s"),))

    def redact(self, text: str, story_id: str = "", language: str = "nl") -> tuple[str, list[Redaction]]:
        """Redact one text. For a ``language`` outside nl/en/fr the word lists cannot tell names from words at
        the start of a sentence, so only capitalised words inside sentences and after titles are redacted."""
        found: list[tuple[int, int, str]] = []
        for m in _EMAIL.finditer(text):
            found.append((m.start(), m.end(), "EMAIL"))
        for m in _PHONE.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if digits >= 8 and not any(s < m.end() and m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), "PHONE"))
        words = [m for m in _WORD.finditer(text) if not any(s <= m.start() < e for s, e, _ in found)]
        flagged: list[bool] = []
        initial: list[bool] = []
        for m in words:
            word = m.group()
            before = text[:m.start()]
            prev = re.findall(r"([\w.]+)\s*$", before)
            after_title = bool(prev) and prev[0].rstrip(".").lower() in _TITLES
            at_start = bool(_SENTENCE_START.search(before))
            initial.append(at_start)
            if self._protected(word) or (word.isupper() and len(word) > 1) or word.lower() in _TITLES:
                flagged.append(False)
            elif after_title:
                flagged.append(True)
            elif not at_start:  # "the Board", "de Raad", "la Coopérative": an article means no person
                flagged.append(not (bool(prev) and prev[0].lower() in _ARTICLES))
            else:
                flagged.append(language in ("nl", "en", "fr") and self._zipf(word) < self.rare_zipf)
        for i in range(len(words) - 1):  # "Grace Achieng ..." at the start of a sentence: a full name
            nxt = words[i + 1]
            if initial[i] and not flagged[i] and flagged[i + 1] and text[words[i].end():nxt.start()] == " " \
                    and not self._protected(words[i].group()) and words[i].group().lower() not in _TITLES \
                    and not _is_stop_word(words[i].group()):
                flagged[i] = True
        for i in range(len(words) - 1):  # "Joost de Vries", "Jean van der Berg": particles inside a name
            gap = text[words[i].end():words[i + 1].start()]
            if flagged[i] and re.fullmatch(r"\s+(?:(?:de|van|der|den|ter|le|la|du)\s+)+", gap):
                flagged[i + 1] = True
        names = {m.group() for m, f in zip(words, flagged) if f}
        flagged = [f or m.group() in names for m, f in zip(words, flagged)]  # a name once is a name everywhere
        found += [(m.start(), m.end(), "NAME") for m, f in zip(words, flagged) if f]
        found.sort()
        merged: list[tuple[int, int, str]] = []
        for s, e, kind in found:  # "Jeanine Nshimirimana" becomes one [NAME]
            if merged and kind == "NAME" == merged[-1][2] and text[merged[-1][1]:s].strip() == "":
                merged[-1] = (merged[-1][0], e, kind)
            else:
                merged.append((s, e, kind))
        out, pos, log = [], 0, []
        for s, e, kind in merged:
            out.append(text[pos:s])
            out.append(f"[{kind}]")
            log.append(Redaction(story_id, kind.lower(), text[s:e], s))
            pos = e
        out.append(text[pos:])
        return "".join(out), log


def redact_texts(texts: Sequence[str], ids: Sequence[str] | None = None, languages: Sequence[str] | None = None,
                 **params: object) -> tuple[list[str], pd.DataFrame]:
    """Redact every text; returns (redacted texts, a review table: story_id, kind, original, start)."""
    redactor = Redactor(**params)  # type: ignore[arg-type]
    ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(texts))]
    languages = list(languages) if languages is not None else ["nl"] * len(texts)
    out, rows = [], []
    for sid, text, lang in zip(ids, texts, languages):
        red, log = redactor.redact(text, sid, lang)
        out.append(red)
        rows += [r.__dict__ for r in log]
    return out, pd.DataFrame(rows, columns=["story_id", "kind", "original", "start"])
