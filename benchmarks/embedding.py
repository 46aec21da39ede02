"""Embedding benchmark: speed and memory of the default model, cross-lingual retrieval on SIB-200, and
whether alignment and chunking of long stories help. Writes ``benchmarks/results/embedding.{json,md}``.

    python benchmarks/embedding.py [--data PATH] [--sizes 1000 10000]

Speed runs in a fresh subprocess per size so that each peak RSS is that run's own.
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


def sib_parallel(data: Path) -> dict[str, list[str]]:
    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {"nl": [r["nld"] for r in rows], "en": [r["eng"] for r in rows], "fr": [r["fra"] for r in rows],
            "topic": [r["category"] for r in rows]}


def top1(a: np.ndarray, b: np.ndarray) -> float:
    return float(((a @ b.T).argmax(axis=1) == np.arange(len(a))).mean())


def retrieval(par: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    from msc_nlp.embedding import LanguageCentering, embed

    vec = {lang: embed(par[lang], align=False) for lang in ("nl", "en", "fr")}
    allv = np.vstack([vec["nl"], vec["en"], vec["fr"]])
    langs = ["nl"] * len(vec["nl"]) + ["en"] * len(vec["en"]) + ["fr"] * len(vec["fr"])
    aligned = LanguageCentering().fit_transform(allv, langs)
    n = len(vec["nl"])
    avec = {"nl": aligned[:n], "en": aligned[n:2 * n], "fr": aligned[2 * n:]}
    out = {}
    for name, v in (("without alignment", vec), ("with alignment", avec)):
        out[name] = {f"{s}->{t}": top1(v[s], v[t]) for s, t in (("en", "nl"), ("en", "fr"), ("nl", "fr"),
                                                                ("nl", "en"), ("fr", "en"), ("fr", "nl"))}
    return out


def long_stories(par: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Parallel ~400-word 'stories' (24 consecutive SIB sentences): retrieval en<->nl/fr with and without
    chunking; plus retrieval of one of a story's middle sentences among all stories."""
    from msc_nlp.embedding import embed

    size = 24
    k = len(par["en"]) // size
    docs = {lang: [" ".join(par[lang][i * size:(i + 1) * size]) for i in range(k)] for lang in ("nl", "en", "fr")}
    words = float(np.mean([len(d.split()) for d in docs["en"]]))
    out = {"mean words per story": {"en": words}}
    probe_idx = [i * size + size - 3 for i in range(k)]  # a sentence near the end of each story
    for name, lw in (("no chunking", 10**6), ("chunked (default)", 300)):
        v = {lang: embed(docs[lang], align=False, long_story_words=lw) for lang in docs}
        probes = embed([par["nl"][i] for i in probe_idx], align=False)
        out[name] = {"en->nl": top1(v["en"], v["nl"]), "en->fr": top1(v["en"], v["fr"]),
                     "late sentence (nl) -> its story (en)": top1(probes, v["en"])}
    return out


def speed_child(n: int, data: str) -> None:
    """Run in a subprocess: embed n ~150-word stories built from SIB sentences; print JSON."""
    from msc_nlp.embedding import embed, get_embedder

    par = sib_parallel(Path(data))
    pool = par["nl"] + par["en"] + par["fr"]
    rng = np.random.default_rng(0)
    stories = []
    for _ in range(n):
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < 150:
            parts.append(pool[int(rng.integers(len(pool)))])
        stories.append(" ".join(parts))
    model = get_embedder()
    model.embed(["warm up"])
    tokens = float(np.mean([len(model._load()._sp.encode(s, out_type=int, add_bos=True, add_eos=True))
                            for s in stories[:300]]))
    t = time.perf_counter()
    a = embed(stories, align=False, batch_size=256)
    secs = time.perf_counter() - t
    b = embed(stories[:200], align=False, batch_size=7)
    print(json.dumps({"n": n, "seconds": secs, "stories_per_second": n / secs, "peak_rss_mb": peak_rss_mb(),
                      "mean_words": float(np.mean([len(s.split()) for s in stories])),
                      "max_abs_diff_batch_256_vs_7": float(np.abs(a[:200] - b).max()),
                      "mean_tokens": tokens, **flop_ceiling(tokens)}))


def flop_ceiling(tokens_per_story: float) -> dict[str, float]:
    """USE's forward pass costs ~3.4 MFLOP per token (512->768 projection and three CNN branches of
    n*256->256 GEMMs twice, n = 2, 3, 5); at this machine's measured BLAS peak that bounds stories/s."""
    from threadpoolctl import threadpool_limits

    from msc_nlp.embedding.use import available_cpus

    a = np.random.default_rng(0).random((4096, 1280), dtype=np.float32)
    b = np.random.default_rng(1).random((1280, 256), dtype=np.float32)
    with threadpool_limits(available_cpus()):
        a @ b
        t = time.perf_counter()
        for _ in range(20):
            a @ b
        gflops = 20 * 2 * 4096 * 1280 * 256 / (time.perf_counter() - t) / 1e9
    per_token = 2 * (512 * 768 + sum(n * 256 * 256 * 2 for n in (2, 3, 5)))
    return {"blas_gflops": gflops, "ceiling_stories_per_second": gflops * 1e9 / (per_token * tokens_per_story)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--speed-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = shared_data(args.data)
    if args.speed_child:
        speed_child(args.speed_child, str(data))
        return
    par = sib_parallel(data)
    ret = retrieval(par)
    longs = long_stories(par)
    speed = []
    for n in args.sizes:
        proc = subprocess.run([sys.executable, __file__, "--data", str(data), "--speed-child", str(n)],
                              capture_output=True, text=True, check=True)
        speed.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    md = ["# Embeddings (default model `use-multilingual`)", "",
          "## SIB-200 cross-lingual retrieval (1,004 parallel sentences, top-1 accuracy)", "",
          "| direction | " + " | ".join(ret) + " |", "|---|" + "---|" * len(ret)]
    md += [f"| {d} | " + " | ".join(f"{ret[k][d]:.3f}" for k in ret) + " |" for d in ret["with alignment"]]
    md += ["", "## Long stories (24 consecutive SIB sentences each, top-1 retrieval)", "",
           f"Mean length {longs['mean words per story']['en']:.0f} words.", "",
           "| task | no chunking | chunked (default) |", "|---|---|---|"]
    md += [f"| {t} | {longs['no chunking'][t]:.3f} | {longs['chunked (default)'][t]:.3f} |"
           for t in longs["no chunking"]]
    md += ["", "## Speed and memory (stories of ~150 words, fresh process each)", "",
           "| stories | mean words | mean tokens | seconds | stories/s | FLOP ceiling (stories/s) | peak RSS (MB) "
           "| max |diff| batch 256 vs 7 |", "|---|---|---|---|---|---|---|---|"]
    md += [f"| {s['n']} | {s['mean_words']:.0f} | {s['mean_tokens']:.0f} | {s['seconds']:.1f} | "
           f"{s['stories_per_second']:.0f} | {s['ceiling_stories_per_second']:.0f} | {s['peak_rss_mb']:.0f} | "
           f"{s['max_abs_diff_batch_256_vs_7']:.2e} |" for s in speed]
    md += ["", "FLOP ceiling: USE costs ~3.4 MFLOP per token; dividing this machine's measured float32 GEMM "
           "throughput by the FLOPs of a mean story bounds the stories/s any implementation of this model "
           "can reach here (with everything but the matrix products free)."]
    write_results("embedding", {"retrieval": ret, "long_stories": longs, "speed": speed}, "\n".join(md))


if __name__ == "__main__":
    main()
