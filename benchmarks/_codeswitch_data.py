"""Code-switched stories with known spans, built from single-language sentences (for benchmarks/codeswitch.py).

Sources: SIB-200 (nld/eng/fra/swh/run; its ``dev`` split for tuning, ``test`` for the benchmark; the
language model was trained on its ``train`` split) and, for the test build only, lingua's test sentences
(nl/en/fr/sw). Every story is a list of pieces ``(text, language)`` so the true language of each word is
known. Kinds, each with a main language and a second one:

* ``quote``: 3-5 sentences in the main language, one of them a quotation in the second (``... zei: "..."``);
* ``alternating``: sentences alternate between the two languages;
* ``intra``: each sentence starts in one language and ends in the other (a switch inside the sentence);
* ``inserts``: main-language sentences with 1-3-word chunks of the second language put in, ~30 % of words;
* ``terms``: Dutch or French sentences in which ~15 % of the words are single English words (a management
  note full of English terms);
* ``control``: one language only (nl/en/fr); a third carry a loanword or two (single English words in
  nl/fr) or a person's or place's name from East Africa.
"""
from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SIB = {"nl": "nld_Latn", "en": "eng_Latn", "fr": "fra_Latn", "sw": "swh_Latn", "rn": "run_Latn"}
LINGUA = ("nl", "en", "fr", "sw")
# (main, second): the pairs a Dutch NGO's collection meets.
PAIRS = [("nl", "en"), ("nl", "fr"), ("nl", "sw"), ("fr", "rn"), ("fr", "sw"), ("en", "sw"), ("sw", "en"),
         ("en", "fr"), ("fr", "en"), ("rn", "fr")]
SAYS = {"nl": "zei", "en": "said", "fr": "a dit", "sw": "alisema", "rn": "yavuze"}
PEOPLE = {"nl": "De voorzitster", "en": "The chairwoman", "fr": "La présidente", "sw": "Mwenyekiti",
          "rn": "Umukuru"}
NAMES = ["Wanjiru", "Otieno", "Kisumu", "Nyakabiga", "Ndayishimiye", "Achieng", "Bujumbura", "Mama Amina",
         "Gitega", "Kakamega", "Ngozi", "Baraka Mwangi"]
LOANWORDS = ["workshop", "meeting", "feedback", "team", "training", "coach", "laptop", "deadline", "manager",
             "budget", "follow-up", "cash"]
_WORD = re.compile(r"\S+")


@dataclass
class Story:
    kind: str
    main: str
    pieces: list[tuple[str, str]]  # (text, language), joined with single spaces

    @property
    def text(self) -> str:
        return " ".join(p for p, _ in self.pieces)

    @property
    def languages(self) -> tuple[str, ...]:
        """Main language first, then the other one (if any)."""
        return (self.main,) + tuple(sorted({lang for _, lang in self.pieces} - {self.main}))

    def word_labels(self) -> list[tuple[int, int, str]]:
        """(start, end, language) of each whitespace-separated word of ``text``."""
        out, pos = [], 0
        for p, lang in self.pieces:
            for m in _WORD.finditer(p):
                out.append((pos + m.start(), pos + m.end(), lang))
            pos += len(p) + 1
        return out


def _read(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {r["index_id"]: r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def sentences(data: Path, split: str) -> dict[str, list[str]]:
    """Sentences per language: SIB-200 ``split`` (and lingua's test sentences when ``split`` is test)."""
    out = {lang: list(_read(data / "sib200" / folder / f"{split}.tsv").values()) for lang, folder in SIB.items()}
    if split == "test":
        with (data / "lingua_testdata" / "lingua_langid_testdata.tsv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if r["lang"] in LINGUA and r["length_class"] == "sentences" and len(r["text"].split()) >= 6:
                    out[r["lang"]].append(r["text"])
    return out


def build(data: Path, split: str, *, per_kind: int = 60, seed: int = 0) -> list[Story]:
    """``per_kind`` stories of each mixed kind (spread over PAIRS) and 2 x ``per_kind`` controls."""
    rng = random.Random(seed)
    pool = sentences(data, split)

    def sent(lang: str, max_words: int = 30) -> str:
        while True:
            s = rng.choice(pool[lang]).strip()
            if 5 <= len(s.split()) <= max_words:
                return s

    def stories() -> Iterator[Story]:
        for k in range(per_kind):
            main, second = PAIRS[k % len(PAIRS)]
            n = rng.randint(3, 5)
            body = [(sent(main), main) for _ in range(n)]
            at = rng.randint(1, n - 1)
            quote = sent(second, 20).rstrip(".")
            body[at:at] = [(f'{PEOPLE[main]} {SAYS[main]}:', main), (f'"{quote}."', second)]
            yield Story("quote", main, body)
        for k in range(per_kind):
            main, second = PAIRS[k % len(PAIRS)]
            yield Story("alternating", main, [(sent(lang), lang) for lang in (main, second) * rng.randint(2, 3)])
        for k in range(per_kind):
            main, second = PAIRS[k % len(PAIRS)]
            body = []
            for _ in range(rng.randint(3, 4)):
                a, b = sent(main).split(), sent(second).split()
                cut_a, cut_b = rng.randint(3, max(3, len(a) - 2)), rng.randint(2, max(2, len(b) - 3))
                body += [(" ".join(a[:cut_a]), main), (" ".join(b[cut_b:]), second)]
            yield Story("intra", main, body)
        for k in range(per_kind):
            main, second = PAIRS[k % len(PAIRS)]
            body = []
            for _ in range(rng.randint(3, 5)):
                words, foreign = sent(main).split(), sent(second).split()
                chunk: list[str] = []
                for w in words:
                    if rng.random() < 0.15:
                        if chunk:
                            body.append((" ".join(chunk), main))
                            chunk = []
                        j = rng.randrange(len(foreign))
                        body.append((" ".join(foreign[j:j + rng.randint(1, 3)]).strip('.,;:"'), second))
                    chunk.append(w)
                body.append((" ".join(chunk), main))
            yield Story("inserts", main, [(p, lang) for p, lang in body if p])
        for k in range(per_kind):
            main = ("nl", "fr")[k % 2]
            body = []
            for _ in range(rng.randint(3, 5)):
                english = [w for w in sent("en").split() if len(w) >= 6 and w.isalpha() and w.islower()]
                chunk = []
                for w in sent(main).split():
                    if english and rng.random() < 0.15:
                        if chunk:
                            body.append((" ".join(chunk), main))
                            chunk = []
                        body.append((english.pop(), "en"))
                    else:
                        chunk.append(w)
                body.append((" ".join(chunk), main))
            yield Story("terms", main, [(p, lang) for p, lang in body if p])
        for k in range(2 * per_kind):
            main = ("nl", "en", "fr")[k % 3]
            body = [(sent(main), main) for _ in range(rng.randint(3, 6))]
            if k % 3 == 0:  # names or loanwords, which stay in the main language
                words = body[0][0].split()
                extra = rng.choice(NAMES) if rng.random() < 0.5 or main == "en" else rng.choice(LOANWORDS)
                words.insert(rng.randint(1, len(words) - 1), extra)
                body[0] = (" ".join(words), main)
            yield Story("control", main, body)

    return list(stories())
