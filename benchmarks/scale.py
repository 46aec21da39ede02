"""Scale benchmark: what one worker does with a large collection, in bounded memory — language detection and
one embedding pass (story and sentence vectors) partition by partition, story vectors streamed into a
memory-mapped .npy file. Reports time per 100,000 stories and peak RSS. Writes
``benchmarks/results/scale.{json,md}``.

Stories are distinct texts built from the 6,014 distinct SIB-200 + lingua sentences (nl/en/fr) by
:func:`_common.distinct_stories`: ``--words`` sets their length. 100,000 distinct stories cannot all have
distinct sentences: sentences are reused across stories (never within one) once the pool is used up; msc_nlp
de-duplicates only identical whole texts, so every story and every sentence in it goes through the model.

    python benchmarks/scale.py [--n 100000] [--words 30] [--partition 2000] [--data PATH]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import distinct_stories, peak_rss_mb, shared_data, write_results  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--words", type=int, default=30)
    ap.add_argument("--partition", type=int, default=2000)
    args = ap.parse_args()
    data = shared_data(args.data)
    texts, facts = distinct_stories(data, args.n, words=args.words)
    from msc_nlp import detect_language
    from msc_nlp.embedding.passes import embed_batches, iter_batches

    detect_language(texts[:10])  # load the models outside the timings
    next(embed_batches(texts[:10]))
    rss0 = peak_rss_mb()
    lang_secs = emb_secs = 0.0
    counts: dict[str, int] = {}
    sentences = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = np.lib.format.open_memmap(Path(tmp) / "embeddings.npy", mode="w+", dtype=np.float32,
                                        shape=(args.n, 512))
        row = 0
        for part in iter_batches(texts, args.partition):  # what one Dask task does with its partition
            t = time.perf_counter()
            for r in detect_language(part):
                counts[r.language] = counts.get(r.language, 0) + 1
            lang_secs += time.perf_counter() - t
            t = time.perf_counter()
            for vectors in embed_batches(part, batch_size=256):
                out[row:row + len(vectors)] = vectors.stories
                row += len(vectors)
                sentences += sum(len(s) for s in vectors.sentences)
            emb_secs += time.perf_counter() - t
        out.flush()
        norms_ok = bool(np.allclose(np.linalg.norm(out[:: max(1, args.n // 1000)], axis=1), 1, atol=1e-4))
    rss = peak_rss_mb()
    per100k = 100_000 / args.n
    md = [f"# Scale: {args.n:,} distinct stories through one worker's path, bounded memory", "",
          f"{args.n:,} stories of {facts['mean_words']:.0f} words on average, every text distinct, from "
          f"{facts['distinct_sentences']:,} distinct sentences (each reused in at most "
          f"{facts['max_uses_per_sentence']} stories, never twice in one); {sentences:,} sentence vectors.", "",
          "| stage | seconds | stories/s | seconds per 100,000 stories |", "|---|---|---|---|",
          f"| language detection (partitions of {args.partition:,}) | {lang_secs:.1f} | {args.n / lang_secs:.0f} | "
          f"{lang_secs * per100k:.0f} |",
          f"| one embedding pass: story + sentence vectors (batches of 256, stories to a memory-mapped .npy) | "
          f"{emb_secs:.1f} | {args.n / emb_secs:.0f} | {emb_secs * per100k:.0f} |", "",
          f"Peak RSS: {rss:.0f} MB ({rss0:.0f} MB with the models loaded, before the stories). Languages: {counts}. "
          f"Unit-length rows: {norms_ok}.",
          "The machine (2 cores) was shared with ~7 other jobs while this ran: seconds are inflated."]
    write_results("scale", {"n": args.n, "facts": facts, "language_seconds": lang_secs,
                            "embedding_seconds": emb_secs, "sentences": sentences, "peak_rss_mb": rss,
                            "rss_models_mb": rss0, "languages": counts}, "\n".join(md))


if __name__ == "__main__":
    main()
