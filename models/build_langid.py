"""Build msc_nlp's language-identification model (``src/msc_nlp/data/langid.npz``).

The model is a multinomial logistic regression over hashed character n-grams and words. It is trained only
on resources allowed by the design card, never on a benchmark's test split:

* ``wordfreq`` word-frequency lists (nl, en, fr and the Latin-script confusers it has),
* ``langdetect``'s own character n-gram profiles (pseudo-text sampled from them for languages that
  wordfreq lacks: Afrikaans, Swahili, Somali, ...),
* spaCy's stop-word lists for languages neither of those has (Yoruba, Setswana, Luganda, Luxembourgish),
* Debian's hunspell dictionaries for Afrikaans and Swahili, expanded to word forms by ``unmunch``
  (``apt-get install hunspell-af hunspell-sw hunspell-tools``; LGPL-2.1 / GPL word lists: the model keeps
  only CRC-32 hashes of the words),
* SIB-200's *train* split for nld/eng/fra/afr/deu/swh/kin/run (``MSC_SHARED_DATA`` or ``../shared/data``).

The lexicon features are the mean Zipf frequency of a text's words in the nl/en/fr/de wordfreq lists and in
the Afrikaans and Swahili hunspell lists (which have no frequencies: a flat Zipf value, raised for words
frequent in SIB-200's train split). Training texts get a few out-of-vocabulary words (rare words of other
languages, as names and loans are in real text), so the model does not learn that every word of a target
language is in its word list.

Run ``python models/build_langid.py`` from the repository root (needs the ``bench`` extra: wordfreq,
langdetect; and the Debian packages above). The output is deterministic for a given seed, package
versions and dictionaries.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from msc_nlp.language._features import LanguageFeaturizer, Lexicon  # noqa: E402

TARGETS = ["nl", "en", "fr"]
# Word lists shipped with the model as lexicon features: the targets and their closest large neighbour,
# plus hunspell lists for the closest neighbour of Dutch (Afrikaans) and for Swahili.
LEXICON_LANGS = ["nl", "en", "fr", "de"]
HUNSPELL_LANGS = {"af": "af_ZA", "sw": "sw_TZ"}
HUNSPELL_DIR = Path("/usr/share/hunspell")
HUNSPELL_FLAT_ZIPF = 3.0
LEXICON_SIZE = 320_000
OOV_RATE = 0.06
# Latin-script languages with a wordfreq list: realistic neighbours of nl/en/fr in a story collection.
WORDFREQ_OTHERS = ["de", "es", "it", "pt", "ca", "sv", "da", "nb", "pl", "cs", "sk", "sl", "sh", "fi",
                   "hu", "ro", "tr", "id", "ms", "fil", "lv", "lt", "is", "vi"]
# Languages only langdetect knows (character profiles): sampled pseudo-text.
PROFILE_OTHERS = ["af", "sw", "so", "cy", "et", "sq", "hr"]
# Languages with only a spaCy stop-word list: random sequences of their stop words.
STOPWORD_OTHERS = ["yo", "tn", "lg", "lb", "af"]
SIB_LANGS = {"nld_Latn": "nl", "eng_Latn": "en", "fra_Latn": "fr", "afr_Latn": "af", "deu_Latn": "de",
             "swh_Latn": "sw", "kin_Latn": "rw", "run_Latn": "rn"}


def shared_data() -> Path:
    return Path(os.environ.get("MSC_SHARED_DATA", ROOT.parent / "shared" / "data"))


def oov_pool(rng: np.random.Generator, size: int = 200_000) -> np.ndarray:
    """Rare words of many languages: stand-ins for the names and loans real text is full of."""
    import wordfreq

    pool = []
    for lang in WORDFREQ_OTHERS + TARGETS:
        words = [w for w in list(wordfreq.get_frequency_dict(lang, wordlist="best"))[30_000:]
                 if w.isalpha() and len(w) >= 4]
        pool += list(rng.choice(np.array(words, dtype=object), size=min(len(words), size // 20), replace=False))
    return np.array(pool, dtype=object)


def with_oov(words: np.ndarray, rng: np.random.Generator, pool: np.ndarray | None, rate: float) -> np.ndarray:
    """``words`` with a share ``rate`` replaced by words from ``pool`` (unchanged when ``pool`` is None)."""
    if pool is None or rate <= 0:
        return words
    swap = rng.random(len(words)) < rate
    words = words.copy()
    words[swap] = rng.choice(pool, size=int(swap.sum()))
    return words


def list_texts(words: list[str], rng: np.random.Generator, n_words: int, n_pairs: int, n_sents: int,
               freqs: np.ndarray | None = None, pool: np.ndarray | None = None, oov_rate: float = 0.0) -> list[str]:
    """Single words and pairs sampled with frequency ** 0.5, pseudo-sentences with frequency (uniform when
    ``freqs`` is None); pairs and sentences get out-of-vocabulary words from ``pool``."""
    words_arr = np.array(words, dtype=object)
    f = np.ones(len(words)) if freqs is None else freqs
    flat = np.cumsum(f ** 0.5)
    natural = np.cumsum(f)

    def sample(cum: np.ndarray, n: int) -> np.ndarray:
        return words_arr[np.searchsorted(cum, rng.random(n) * cum[-1])]

    texts: list[str] = list(sample(flat, n_words))
    pairs = with_oov(sample(flat, 2 * n_pairs), rng, pool, oov_rate)
    texts += [f"{a} {b}" for a, b in zip(pairs[::2], pairs[1::2])]
    lengths = rng.integers(4, 25, size=n_sents)
    sent_pool = iter(with_oov(sample(natural, int(lengths.sum())), rng, pool, oov_rate))
    texts += [" ".join(next(sent_pool) for _ in range(k)) for k in lengths]
    return texts


def wordfreq_texts(lang: str, rng: np.random.Generator, n_words: int, n_pairs: int, n_sents: int,
                   pool: np.ndarray | None = None, oov_rate: float = 0.0) -> list[str]:
    import wordfreq

    freqs = wordfreq.get_frequency_dict(lang, wordlist="best")
    words = [w for w in freqs if any(c.isalpha() for c in w)][:200_000]
    return list_texts(words, rng, n_words, n_pairs, n_sents, np.array([freqs[w] for w in words]), pool, oov_rate)


def hunspell_words(lang: str) -> list[str]:
    """Every word form of a Debian hunspell dictionary (``unmunch``), sorted."""
    import subprocess

    name = HUNSPELL_LANGS[lang]
    out = subprocess.run(["unmunch", str(HUNSPELL_DIR / f"{name}.dic"), str(HUNSPELL_DIR / f"{name}.aff")],
                         capture_output=True, check=True).stdout.decode("utf-8", errors="replace")
    return sorted({w.strip().lower() for w in out.splitlines() if w.strip() and any(c.isalpha() for c in w)})


def sib_counts(lang: str) -> dict[str, int]:
    import collections
    import csv

    folder = {v: k for k, v in SIB_LANGS.items()}[lang]
    with (shared_data() / "sib200" / folder / "train.tsv").open(encoding="utf-8") as fh:
        rows = [row["text"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    from msc_nlp.language._features import normalise

    return collections.Counter(w for t in rows for w in normalise(t).split())


def hunspell_lexicon(lang: str, words: list[str]) -> Lexicon:
    """A flat Zipf value for every word form; words frequent in SIB-200's train split get their own."""
    zipf = dict.fromkeys(words, HUNSPELL_FLAT_ZIPF)
    counts = sib_counts(lang)
    total = sum(counts.values())
    for w, c in counts.items():
        if c >= 3:
            zipf[w] = max(zipf.get(w, 0.0), float(np.log10(c / total) + 9))
    return Lexicon.from_frequencies(zipf)


def profile_texts(lang: str, rng: np.random.Generator, n: int) -> list[str]:
    """Sample text from langdetect's 1-3-gram profile with a character trigram Markov chain."""
    import langdetect

    prof = json.loads((Path(langdetect.__file__).parent / "profiles" / lang).read_text(encoding="utf-8"))
    tri: dict[str, dict[str, int]] = {}
    for g, c in prof["freq"].items():
        if len(g) == 3:
            g = g.lower()
            tri.setdefault(g[:2], {}).setdefault(g[2], 0)
            tri[g[:2]][g[2]] += c
    starts = [k for k in tri if k[0] == " " and k[1].isalpha()]
    start_w = np.array([sum(tri[k].values()) for k in starts], dtype=float)
    start_w /= start_w.sum()
    tables = {k: (list(v), np.array(list(v.values()), dtype=float) / sum(v.values())) for k, v in tri.items()}
    out = []
    for _ in range(n):
        length = int(rng.choice([8, 20, 60, 150]))
        s = starts[rng.choice(len(starts), p=start_w)]
        while len(s) < length:
            ctx = s[-2:]
            if ctx not in tables:
                s += " " + starts[rng.choice(len(starts), p=start_w)][1]
                continue
            chars, p = tables[ctx]
            s += chars[rng.choice(len(chars), p=p)]
        out.append(s.strip())
    return out


def sib_texts(folder: str, rng: np.random.Generator) -> list[str]:
    """Train-split sentences, every word pair in them, and random pairs/words from their vocabulary."""
    import csv

    path = shared_data() / "sib200" / folder / "train.tsv"
    with path.open(encoding="utf-8") as fh:
        sents = [row["text"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    texts = list(sents)
    vocab: list[str] = []
    for s in sents:
        words = s.split()
        vocab += words
        texts += [" ".join(words[i:i + 2]) for i in range(0, len(words) - 1, 2)]
    vocab_arr = np.array(vocab, dtype=object)
    texts += list(rng.choice(vocab_arr, size=len(vocab) // 2))
    pairs = rng.choice(vocab_arr, size=(len(vocab) // 2, 2))
    texts += [f"{a} {b}" for a, b in pairs]
    return texts


def stopword_texts(lang: str, rng: np.random.Generator, n: int) -> list[str]:
    import importlib

    words = np.array(sorted(importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS), dtype=object)
    return [" ".join(rng.choice(words, size=int(k))) for k in rng.integers(1, 9, size=n)]


def build(seed: int, scale: float, oov_rate: float = OOV_RATE) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    labels: list[str] = []

    def add(lang: str, items: list[str]) -> None:
        texts.extend(items)
        labels.extend([lang] * len(items))

    pool = oov_pool(rng) if oov_rate > 0 else None
    for lang in TARGETS:
        add(lang, wordfreq_texts(lang, rng, int(60_000 * scale), int(30_000 * scale), int(15_000 * scale), pool,
                                 oov_rate))
    for lang in WORDFREQ_OTHERS:
        add(lang, wordfreq_texts(lang, rng, int(6_000 * scale), int(4_000 * scale), int(3_000 * scale), pool,
                                 oov_rate))
    for lang in HUNSPELL_LANGS:
        add(lang, list_texts(hunspell_words(lang), rng, int(10_000 * scale), int(6_000 * scale), 0))
    for lang in PROFILE_OTHERS:
        add(lang, profile_texts(lang, rng, int(8_000 * scale)))
    for lang in STOPWORD_OTHERS:
        add(lang, stopword_texts(lang, rng, int(3_000 * scale)))
    for folder, lang in SIB_LANGS.items():
        add(lang, sib_texts(folder, rng))
    return texts, labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--oov-rate", type=float, default=OOV_RATE, help="share of words replaced by rare foreign ones")
    ap.add_argument("--lexicon-stats", default="zipf,known", help="comma-separated: zipf, known")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "msc_nlp" / "data" / "langid.npz")
    args = ap.parse_args()
    from sklearn.linear_model import SGDClassifier

    t0 = time.time()
    texts, labels = build(args.seed, args.scale, args.oov_rate)
    print(f"{len(texts)} training texts in {time.time() - t0:.1f}s", flush=True)
    import wordfreq

    lexicons = {}
    for lang in LEXICON_LANGS:
        freqs = wordfreq.get_frequency_dict(lang, wordlist="best")
        top = list(freqs.items())[:LEXICON_SIZE]
        lexicons[lang] = Lexicon.from_frequencies({w: float(np.log10(f) + 9) for w, f in top})
    for lang in HUNSPELL_LANGS:
        lexicons[lang] = hunspell_lexicon(lang, hunspell_words(lang))
    feat = LanguageFeaturizer(lexicons, lexicon_stats=args.lexicon_stats.split(","))
    X = feat.transform(texts)
    print(f"features {X.shape} in {time.time() - t0:.1f}s", flush=True)
    clf = SGDClassifier(loss="log_loss", alpha=2e-7, max_iter=15, tol=None, random_state=args.seed,
                        n_jobs=len(os.sched_getaffinity(0)))
    clf.fit(X, np.array(labels))
    print(f"trained in {time.time() - t0:.1f}s", flush=True)
    feat.save(args.out, clf.coef_, clf.intercept_, list(clf.classes_),
              meta={"seed": args.seed, "scale": args.scale, "n_train": len(texts)})
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
