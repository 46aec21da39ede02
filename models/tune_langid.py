"""Choose ``LanguageDetector``'s ``short_text_prior`` and ``lexicon_weight`` on SIB-200's *dev* split (never a
test split).

Dev sentences of nld/eng/fra (targets) and afr/deu/swh/kin/run (must be ``other``) are cut into single
words, word pairs and sentences; balanced accuracy (mean of target and other accuracy) is printed per
setting. Usage: ``python models/tune_langid.py [--model PATH] [--priors 0 1.5] [--lexicon-weights 0 2]``.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "models"))

from build_langid import shared_data  # noqa: E402

from msc_nlp.language.detector import LanguageDetector  # noqa: E402

FOLDERS = {"nld_Latn": "nl", "eng_Latn": "en", "fra_Latn": "fr", "afr_Latn": "other", "deu_Latn": "other",
           "swh_Latn": "other", "kin_Latn": "other", "run_Latn": "other"}


def dev_items(per_sentence: int = 3) -> dict[str, list[tuple[str, str, str]]]:
    """(text, expected label, language) per length class, cut from SIB-200 dev sentences as lingua cuts its
    test set: single words of at least 5 letters, word pairs of at least 10 characters."""
    rng = np.random.default_rng(0)
    items: dict[str, list[tuple[str, str, str]]] = {"single": [], "pair": [], "sentence": []}
    for folder, label in FOLDERS.items():
        with (shared_data() / "sib200" / folder / "dev.tsv").open(encoding="utf-8") as fh:
            sents = [r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        for s in sents:
            words = [w.strip(".,;:!?()\"'") for w in s.split()]
            singles = [w for w in words if len(w) >= 5 and w.isalpha()]
            pairs = [f"{a} {b}" for a, b in zip(words, words[1:]) if a.isalpha() and b.isalpha() and len(a + b) >= 9]
            for w in rng.permutation(singles)[:per_sentence]:
                items["single"].append((str(w), label, folder[:3]))
            for p in rng.permutation(pairs)[:per_sentence]:
                items["pair"].append((str(p), label, folder[:3]))
            items["sentence"].append((s, label, folder[:3]))
    return items


def evaluate(det: LanguageDetector, items: dict[str, list[tuple[str, str, str]]]) -> dict[str, dict[str, float]]:
    """Accuracy per length class and language (plus pooled 'target' and 'other')."""
    out: dict[str, dict[str, float]] = {}
    for kind, rows in items.items():
        pred = np.array(det.predict([t for t, _, _ in rows]))
        gold = np.array([g for _, g, _ in rows])
        lang = np.array([x for _, _, x in rows])
        ok = pred == gold
        cell = {x: float(ok[lang == x].mean()) for x in sorted(set(lang))}
        cell["target"] = float(ok[gold != "other"].mean())
        cell["other"] = float(ok[gold == "other"].mean())
        out[kind] = cell
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    ap.add_argument("--priors", type=float, nargs="+", default=[0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    ap.add_argument("--lexicon-weights", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0, 3.0, 4.0])
    args = ap.parse_args()
    items = dev_items()
    for prior in args.priors:
        for weight in args.lexicon_weights:
            det = LanguageDetector(short_text_prior=prior, lexicon_weight=weight, model_path=args.model)
            res = evaluate(det, items)
            print(f"prior {prior} lexicon_weight {weight}: " + " | ".join(
                f"{kind}: " + " ".join(f"{k} {v:.3f}" for k, v in cell.items()) for kind, cell in res.items()
                if kind != "sentence"), flush=True)


if __name__ == "__main__":
    main()
