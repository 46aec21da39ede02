"""Helpers shared by the benchmarks: where the shared data is, machine facts, writing results."""
from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def shared_data(arg: str | None = None) -> Path:
    """The shared data folder: ``arg``, else ``$MSC_SHARED_DATA``, else ``../shared/data``."""
    path = Path(arg or os.environ.get("MSC_SHARED_DATA") or ROOT.parent / "shared" / "data")
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}: pass --data or set MSC_SHARED_DATA")
    return path


def sentence_pools(data: Path) -> dict[str, list[str]]:
    """Distinct nl/en/fr sentences: SIB-200 (all splits) and the lingua sentence test sets."""
    import csv

    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    pools = {}
    for lang, sib in (("nl", "nld"), ("en", "eng"), ("fr", "fra")):
        lingua = (data / "lingua_testdata" / "raw" / "sentences" / f"{lang}.txt").read_text(encoding="utf-8")
        pools[lang] = list(dict.fromkeys(s.strip() for s in [r[sib] for r in rows] + lingua.splitlines()
                                         if s.strip()))
    return pools


def distinct_stories(data: Path, n: int, *, words: int = 190, seed: int = 0) -> tuple[list[str], dict[str, Any]]:
    """``n`` distinct stories of about ``words`` words, each in one language (nl/en/fr in turn), made of
    sentences that are consumed without replacement from a shuffled pool; only when a language's pool is
    used up is it reshuffled for another round (so a sentence is in as few stories as the pool allows, and
    never twice in one story). Returns the stories and facts about reuse."""
    import numpy as np

    pools = sentence_pools(data)
    rng = np.random.default_rng(seed)
    queues = {lang: [] for lang in pools}
    rounds = {lang: 0 for lang in pools}
    seen: set[str] = set()
    out: list[str] = []
    langs = list(pools)
    while len(out) < n:
        lang = langs[len(out) % len(langs)]
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            if not queues[lang]:
                queues[lang] = [pools[lang][i] for i in rng.permutation(len(pools[lang]))]
                rounds[lang] += 1
            s = queues[lang].pop()
            if s not in parts:
                parts.append(s)
        story = " ".join(parts)
        if story not in seen:
            seen.add(story)
            out.append(story)
    return out, {"stories": n, "distinct_sentences": sum(len(p) for p in pools.values()),
                 "max_uses_per_sentence": max(rounds.values()),
                 "mean_words": float(np.mean([len(s.split()) for s in out]))}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus_available": len(os.sched_getaffinity(0)), "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def markdown_table(rows: list[dict[str, Any]], cols: list[str]) -> list[str]:
    """Rows as a markdown table (floats to 3 decimals, missing cells as a dash)."""
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return out + ["| " + " | ".join(f"{r[c]:.3f}" if isinstance(r.get(c), float) else str(r.get(c, "–"))
                                    for c in cols) + " |" for r in rows]


def write_results(name: str, payload: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"command": " ".join([Path(sys.executable).name] + sys.argv), "machine": machine(), **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nwrote {RESULTS / (name + '.json')} and .md")
