"""Mixed-language benchmark: code-switched stories with known spans, single-language controls, and speed.

Built stories (``_codeswitch_data.py``): SIB-200 *test* sentences (nl/en/fr/sw/rn) and lingua's test
sentences (nl/en/fr/sw), put together as quotations, alternating sentences, switches inside sentences,
word-level inserts and English terms in Dutch/French, plus single-language controls (a third with a name or
a loanword). A mixed story counts as found when it is flagged ``mixed`` and ``languages`` names both its
languages. ``--heldout`` adds the held-out set ``corpora/eval/codeswitch_test.csv`` (written by a
fresh-context writer; never used to choose anything). Speed: short texts (lingua's test items) and
150-word stories through ``detect``; ``--baseline-src DIR`` times another checkout's detector (its
``src`` folder) in a subprocess, back to back with this one.

    python benchmarks/codeswitch.py [--data PATH] [--split test|dev] [--heldout] [--baseline-src DIR]

Writes ``benchmarks/results/codeswitch.{json,md}`` (``codeswitch_dev`` with ``--split dev``).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _codeswitch_data import Story, build  # noqa: E402
from _common import ROOT, shared_data, write_results  # noqa: E402


def word_accuracy(story: Story, spans: list[dict]) -> tuple[int, int]:
    """(words whose span language is right, words) over the story's whitespace words."""
    good = total = 0
    for start, end, lang in story.word_labels():
        letter = next((k for k in range(start, end) if story.text[k].isalpha()), None)
        if letter is None:
            continue
        got = next((s["language"] for s in spans if s["start"] <= letter < s["end"]), None)
        good += got == lang
        total += 1
    return good, total


def speed_texts(data: Path) -> tuple[list[str], list[str]]:
    """Short texts (lingua's test items, all lengths) and 1,000 150-word stories (SIB-200 test sentences, cut
    into ~110 stories and repeated)."""
    with (data / "lingua_testdata" / "lingua_langid_testdata.tsv").open(encoding="utf-8") as fh:
        short = [r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    words: list[str] = []
    for folder in ("nld_Latn", "eng_Latn", "fra_Latn", "swh_Latn"):
        with (data / "sib200" / folder / "test.tsv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                words += r["text"].split()
    long = [" ".join(words[k:k + 150]) for k in range(0, len(words) - 150, 150)]
    return short, (long * (1000 // len(long) + 1))[:1000]


def time_detector(data: Path, repeats: int = 3) -> dict[str, float]:
    """Texts per second through ``LanguageDetector().detect`` (best of ``repeats``)."""
    from msc_nlp import LanguageDetector

    det = LanguageDetector()
    short, long = speed_texts(data)
    det.detect(short[:50] + long[:5])  # load the model outside the timing
    out = {}
    for name, texts in (("short_texts", short), ("stories_150_words", long)):
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            det.detect(texts)
            best = min(best, time.perf_counter() - t)
        out[name] = len(texts) / best
    return out


def heldout(path: Path) -> dict[str, dict[str, float]]:
    import pandas as pd

    from msc_nlp import detect_language

    frame = pd.read_csv(path)
    results = detect_language(frame["text"].tolist())
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, row), r in zip(frame.iterrows(), results):
        truth = set(str(row["languages"]).split("+"))
        mixed = str(row["mixed"]).lower() == "true"
        ok = (r.mixed and truth <= set(r.languages)) if mixed else not r.mixed
        for key in (row["kind"], "all mixed" if mixed else "all single (flagged mixed = 1 - this)"):
            hits[key][0] += ok
            hits[key][1] += 1
    return {k: {"right": v[0] / v[1], "n": v[1]} for k, v in sorted(hits.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--split", default="test", choices=["test", "dev"])
    ap.add_argument("--per-kind", type=int, default=60)
    ap.add_argument("--heldout", action="store_true", help="also measure corpora/eval/codeswitch_test.csv")
    ap.add_argument("--baseline-src", help="another checkout's src folder, timed back to back with this one")
    ap.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = shared_data(args.data)
    if args.speed_only:
        print(json.dumps(time_detector(data)))
        return
    from msc_nlp import detect_language

    stories = build(data, args.split, per_kind=args.per_kind)
    results = detect_language([s.text for s in stories])
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    words: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s, r in zip(stories, results):
        ok = (r.mixed and set(s.languages) <= set(r.languages)) if s.kind != "control" else not r.mixed
        for key in (s.kind, f"{s.kind} {'+'.join(s.languages)}"):
            found[key][0] += ok
            found[key][1] += 1
        good, total = word_accuracy(s, [sp.to_dict() for sp in r.spans])
        words[s.kind][0] += good
        words[s.kind][1] += total
    by_kind = {k: {"right": v[0] / v[1], "n": v[1]} for k, v in sorted(found.items())}
    word_acc = {k: v[0] / v[1] for k, v in sorted(words.items())}

    speeds: dict[str, dict[str, float]] = {}
    runs = [("msc_nlp (this checkout)", None)]
    if args.baseline_src:
        runs = [("baseline", args.baseline_src)] + runs + [("baseline", args.baseline_src)]
    for name, src in runs:  # baseline, this, baseline: back to back on a shared machine
        env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()) if src else str(ROOT / "src"))
        out = subprocess.run([sys.executable, __file__, "--speed-only", "--data", str(data)], env=env,
                             capture_output=True, text=True, check=True).stdout
        got = json.loads(out.strip().splitlines()[-1])
        speeds[name] = {k: max(v, speeds.get(name, {}).get(k, 0.0)) for k, v in got.items()}
        print(name, got, flush=True)

    md = [f"# Mixed-language stories (SIB-200 {args.split} + lingua sentences; benchmarks/_codeswitch_data.py)",
          "", "Right = mixed stories flagged `mixed` with both languages in `languages`; controls not flagged.", "",
          "| kind | right | stories | words in the right span |", "|---|---|---|---|"]
    md += [f"| {k} | {v['right'] * 100:.1f} % | {v['n']} | "
           f"{word_acc[k] * 100:.1f} % |" if k in word_acc else f"| {k} | {v['right'] * 100:.1f} % | {v['n']} | |"
           for k, v in by_kind.items()]
    payload = {"split": args.split, "by_kind": by_kind, "word_accuracy": word_acc, "texts_per_second": speeds}
    if args.heldout:
        held = heldout(ROOT / "corpora" / "eval" / "codeswitch_test.csv")
        payload["heldout"] = held
        md += ["", "## Held out: corpora/eval/codeswitch_test.csv (measured once, nothing chosen with it)", "",
               "| kind | right | stories |", "|---|---|---|"]
        md += [f"| {k} | {v['right'] * 100:.1f} % | {v['n']} |" for k, v in held.items()]
    md += ["", "## Speed through `LanguageDetector().detect` (texts/s, best of 3; baseline run before and after)",
           "", "| detector | short texts | 150-word stories |", "|---|---|---|"]
    md += [f"| {n} | {v['short_texts']:.0f} | {v['stories_150_words']:.0f} |" for n, v in speeds.items()]
    md += ["", "Speeds depend on what else the machine runs: compare the rows of one run (baseline = the detector "
           "before this change)."]
    write_results("codeswitch" if args.split == "test" else "codeswitch_dev", payload, "\n".join(md))


if __name__ == "__main__":
    main()
