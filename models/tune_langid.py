"""Choose ``LanguageDetector``'s ``short_text_prior`` on SIB-200's *dev* split (never a test split).

Dev sentences of nld/eng/fra (targets) and afr/deu/swh/kin/run (must be ``other``) are cut into single
words, word pairs and sentences; balanced accuracy (mean of target and other accuracy) is printed per
prior. Usage: ``python models/tune_langid.py [--model PATH]``.
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


def dev_items() -> dict[str, list[tuple[str, str]]]:
    rng = np.random.default_rng(0)
    items: dict[str, list[tuple[str, str]]] = {"single": [], "pair": [], "sentence": []}
    for folder, label in FOLDERS.items():
        with (shared_data() / "sib200" / folder / "dev.tsv").open(encoding="utf-8") as fh:
            sents = [r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        for s in sents:
            words = [w for w in s.split() if len(w.strip(".,;:!?()\"'")) >= 3]
            if len(words) >= 2:
                i = int(rng.integers(0, len(words) - 1))
                items["pair"].append((f"{words[i]} {words[i + 1]}", label))
                items["single"].append((words[int(rng.integers(len(words)))], label))
            items["sentence"].append((s, label))
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    args = ap.parse_args()
    items = dev_items()
    for prior in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
        det = LanguageDetector(short_text_prior=prior, model_path=args.model)
        cells = []
        for kind, rows in items.items():
            pred = det.predict([t for t, _ in rows])
            gold = np.array([g for _, g in rows])
            ok = np.array(pred) == gold
            tgt, oth = ok[gold != "other"].mean(), ok[gold == "other"].mean()
            cells.append(f"{kind}: target {tgt:.3f} other {oth:.3f}")
        print(f"prior {prior}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
