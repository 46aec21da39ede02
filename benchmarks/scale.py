"""Scale benchmark: 100,000 short stories (~20 words, from SIB-200 sentences) through language detection and
embedding in bounded memory — detection in batches, embeddings streamed batch by batch into a memory-mapped
.npy file. Reports time and peak RSS. Writes ``benchmarks/results/scale.{json,md}``.

    python benchmarks/scale.py [--n 100000] [--data PATH]
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb, shared_data, write_results  # noqa: E402


def stories(data: Path, n: int):  # noqa: ANN201 - a generator: the collection is never held in memory
    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    pool = [r[c] for r in rows for c in ("nld", "eng", "fra")]
    rng = np.random.default_rng(0)
    for _ in range(n):
        yield pool[int(rng.integers(len(pool)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    data = shared_data(args.data)
    from msc_nlp import LanguageDetector
    from msc_nlp.embedding import embed_stream

    detector = LanguageDetector()
    rss0 = peak_rss_mb()
    t = time.perf_counter()
    counts: dict[str, int] = {}
    batch: list[str] = []
    for text in stories(data, args.n):
        batch.append(text)
        if len(batch) == 10_000:
            for lang in detector.predict(batch):
                counts[lang] = counts.get(lang, 0) + 1
            batch = []
    for lang in detector.predict(batch):
        counts[lang] = counts.get(lang, 0) + 1
    lang_secs, lang_rss = time.perf_counter() - t, peak_rss_mb()

    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = np.lib.format.open_memmap(Path(tmp) / "embeddings.npy", mode="w+", dtype=np.float32,
                                        shape=(args.n, 512))
        row = 0
        for vectors in embed_stream(stories(data, args.n), batch_size=2048):
            out[row:row + len(vectors)] = vectors
            row += len(vectors)
        out.flush()
        norms_ok = bool(np.allclose(np.linalg.norm(out[:: max(1, args.n // 1000)], axis=1), 1, atol=1e-4))
    emb_secs, emb_rss = time.perf_counter() - t, peak_rss_mb()
    words = float(np.mean([len(s.split()) for s in stories(data, 2000)]))
    md = ["# Scale: 100,000 short stories in bounded memory", "",
          f"{args.n} stories of {words:.0f} words on average (SIB-200 sentences, nl/en/fr).", "",
          "| stage | seconds | stories/s | peak RSS after (MB) |", "|---|---|---|---|",
          f"| language detection (batches of 10,000) | {lang_secs:.1f} | {args.n / lang_secs:.0f} | {lang_rss:.0f} |",
          f"| embedding (streamed, batches of 2,048, to a memory-mapped .npy) | {emb_secs:.1f} | "
          f"{args.n / emb_secs:.0f} | {emb_rss:.0f} |", "",
          f"RSS before either stage: {rss0:.0f} MB. Languages: {counts}. Unit-length rows: {norms_ok}."]
    write_results("scale", {"n": args.n, "language_seconds": lang_secs, "embedding_seconds": emb_secs,
                            "peak_rss_mb_language": lang_rss, "peak_rss_mb_embedding": emb_rss,
                            "languages": counts, "mean_words": words}, "\n".join(md))


if __name__ == "__main__":
    main()
