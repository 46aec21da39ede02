"""One pass or two: what each way of getting story and sentence vectors costs in time and in quality.

``embed_with_sentences(context=...)``: ``sentence`` (one pass, each sentence read on its own; the story pools
the same token features), ``story`` (one pass, the story read as a whole; a sentence pools its share), and
``two-pass`` (stories and sentences embedded separately: both exact, the tokens go through the model twice).
Story vectors feed the themes, sentence vectors the 5C mapper, so each mode is scored on both, on
development data only:

* themes (NMI/ARI of ThemeModel vs gold): 360 stories of 3 SIB-200 *train+dev* sentences of one topic (the gold
  label) and 2 of other topics, nl/en/fr, and ``corpora/sample`` (10 theme labels);
* 5C (macro-F1 of the zero-shot mapper's primary capability): ``corpora/sample``, ``corpora/heldout`` and
  ``corpora/eval/5c_dev.csv``.

Time: CPU seconds of this process (both BLAS threads counted; steadier than wall time on a shared machine) and
wall seconds, for embedding every text of the above, each mode run twice in alternation after a warm-up.
Writes ``benchmarks/results/passes.{json,md}``.

    python benchmarks/passes.py [--data PATH]
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, shared_data, write_results  # noqa: E402


def sib_topic_stories(data: Path, n_per_language: int = 120, topic: int = 3, other: int = 2) -> pd.DataFrame:
    """Stories of ``topic`` SIB-200 train/dev sentences of one topic (the gold label) and ``other`` sentences of
    other topics, shuffled, in one language each (nl/en/fr): stories that are mostly, not only, about one thing."""
    rows = []
    for lang, code in (("nld_Latn", "nl"), ("eng_Latn", "en"), ("fra_Latn", "fr")):
        for split in ("train", "dev"):
            with (data / "sib200" / lang / f"{split}.tsv").open(encoding="utf-8") as fh:
                rows += [{**r, "lang": code} for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    frame = pd.DataFrame(rows)
    rng = np.random.default_rng(1)
    out = []
    for lang, group in frame.groupby("lang"):
        topics = sorted(group["category"].unique())
        for k in range(n_per_language):
            gold = topics[k % len(topics)]
            mine = group[group["category"] == gold]["text"].tolist()
            rest = group[group["category"] != gold]["text"].tolist()
            parts = [mine[i].strip() for i in rng.choice(len(mine), topic, replace=False)]
            parts += [rest[i].strip() for i in rng.choice(len(rest), other, replace=False)]
            rng.shuffle(parts)
            out.append({"story_id": f"{lang}-{k}", "language": lang, "theme": gold, "text": " ".join(parts)})
    return pd.DataFrame(out)


def tokens_through_model(texts: list[str]) -> dict[str, int]:
    """Tokens the model reads per mode (the work, whatever the machine's load): a sentence read on its own
    carries its own <s> </s>."""
    from msc_nlp.embedding import get_embedder
    from msc_nlp.text import split_sentences

    tok = get_embedder()._load()._tokenizer

    def count(s: str) -> int:
        return len(tok.encode(s, out_type=int, add_bos=True, add_eos=True))

    story = sum(count(t) for t in texts)
    sentence = sum(count(s) for t in texts for s in split_sentences(t))
    return {"sentence": sentence, "story": story, "two-pass": story + sentence}


def theme_noise(theme_sets: dict, exact: dict, detect_language, theme_model, nmi, draws: int = 5  # noqa: ANN001
                ) -> dict[str, list[float]]:
    """Themes NMI of one mode's story vectors after float-rounding-sized perturbations: the noise floor."""
    rng = np.random.default_rng(0)
    out: dict[str, list[float]] = {}
    for name, (df, gold_col) in theme_sets.items():
        texts = df["text"].tolist()
        langs = [r.language for r in detect_language(texts)]
        emb = np.stack([exact[t][0] for t in texts])
        for _ in range(draws):
            noisy = emb + rng.normal(0, 1e-6, emb.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            model = theme_model(random_state=0).fit(texts, noisy, langs, ids=df["story_id"].tolist())
            out.setdefault(name, []).append(float(nmi(df[gold_col], model.assignments_["theme_id"].to_numpy())))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    args = ap.parse_args()
    data = shared_data(args.data)
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from msc_nlp import detect_language
    from msc_nlp.capabilities import CapabilityMapper, agreement
    from msc_nlp.embedding import embed_with_sentences
    from msc_nlp.embedding.passes import CONTEXTS
    from msc_nlp.themes import ThemeModel

    sib = sib_topic_stories(data)
    sample = pd.read_csv(ROOT / "corpora" / "sample" / "stories.csv")
    heldout = pd.read_csv(ROOT / "corpora" / "heldout" / "stories.csv")
    dev5c = pd.read_csv(ROOT / "corpora" / "eval" / "5c_dev.csv")
    theme_sets = {"SIB-200 mixed-topic stories": (sib, "theme"), "corpora/sample": (sample, "theme")}
    cap_sets = {"corpora/sample": sample, "corpora/heldout": heldout, "corpora/eval/5c_dev": dev5c}
    every_text = list(dict.fromkeys(t for df in [sib, sample, heldout, dev5c] for t in df["text"]))
    words = int(sum(len(t.split()) for t in every_text))
    load_before = os.getloadavg()
    embed_with_sentences(every_text[:20])  # load the model outside the timings

    timing: dict[str, list[tuple[float, float]]] = {c: [] for c in CONTEXTS}
    vectors = {}
    for _ in range(1):
        for context in CONTEXTS:
            t, c = time.perf_counter(), time.process_time()
            out = embed_with_sentences(every_text, context=context, batch_size=256)
            timing[context].append((time.process_time() - c, time.perf_counter() - t))
            vectors[context] = dict(zip(every_text, zip(out.stories, out.sentences)))
    load_after = os.getloadavg()

    mapper = CapabilityMapper().fit()
    exact = vectors["two-pass"]  # both levels as embedding each alone gives them
    results = []
    exact_caps: dict[str, np.ndarray] = {}
    for context in ("two-pass", *[c for c in CONTEXTS if c != "two-pass"]):
        row: dict[str, object] = {"context": context,
                                  "cpu_seconds": float(np.median([x[0] for x in timing[context]])),
                                  "wall_seconds": float(np.median([x[1] for x in timing[context]]))}
        story_cos = np.array([vectors[context][t][0] @ exact[t][0] for t in every_text])
        sentence_cos = np.concatenate([(vectors[context][t][1] * exact[t][1]).sum(axis=1) for t in every_text])
        row["story cos mean"], row["story cos min"] = float(story_cos.mean()), float(story_cos.min())
        row["sentence cos mean"], row["sentence cos min"] = float(sentence_cos.mean()), float(sentence_cos.min())
        for name, (df, gold_col) in theme_sets.items():
            texts = df["text"].tolist()
            langs = [r.language for r in detect_language(texts)]
            emb = np.stack([vectors[context][t][0] for t in texts])
            model = ThemeModel(random_state=0).fit(texts, emb, langs, ids=df["story_id"].tolist())
            pred = model.assignments_["theme_id"].to_numpy()
            row[f"themes NMI {name}"] = float(normalized_mutual_info_score(df[gold_col], pred))
            row[f"themes ARI {name}"] = float(adjusted_rand_score(df[gold_col], pred))
        for name, df in cap_sets.items():
            texts = df["text"].tolist()
            caps = mapper.transform(texts, df["story_id"].tolist(),
                                    sentence_vectors=[vectors[context][t][1] for t in texts])
            row[f"5C macro-F1 {name}"] = float(agreement(df["capability"], caps["capability"])["macro_f1"])
            primary = caps["capability"].to_numpy()
            exact_caps.setdefault(name, primary)
            row[f"5C changed vs two-pass {name}"] = int((primary != exact_caps[name]).sum())
        results.append(row)
        print(row, flush=True)

    noise = {c: theme_noise(theme_sets, vectors[c], detect_language, ThemeModel, normalized_mutual_info_score)
             for c in CONTEXTS}
    results.sort(key=lambda r: CONTEXTS.index(str(r["context"])))
    tokens = tokens_through_model(every_text)
    for row in results:
        row["tokens"] = tokens[str(row["context"])]
    base = {k: v for k, v in results[CONTEXTS.index("two-pass")].items() if k != "context"}
    cols = [k for k in results[0] if k != "context"]
    md = ["# One embedding pass or two (development data only)", "",
          f"{len(every_text)} distinct texts, {words} words: SIB-200 train+dev mixed-topic stories ({len(sib)} "
          "stories: 3 sentences of the gold topic + 2 of others, nl/en/fr), corpora/sample (70), corpora/heldout "
          f"(30), corpora/eval/5c_dev.csv ({len(dev5c)}).", "",
          "| context | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for r in results:
        md.append(f"| {r['context']} | " + " | ".join(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c])
                                                     for c in cols) + " |")
    md += ["", "Seconds: embedding every text above into story and sentence vectors (one run per mode, after a "
           "warm-up); CPU seconds count both BLAS threads. Load average (1/5/15 min) before the timings "
           f"{' / '.join(f'{x:.1f}' for x in load_before)}, after {' / '.join(f'{x:.1f}' for x in load_after)} "
           "on 2 cores: compare the rows, not the absolute seconds.",
           "story cos / sentence cos: cosine of each mode's story vectors to embed()'s (the story read whole, "
           "long stories in chunks) and of its sentence vectors to each sentence embedded alone (two-pass rows "
           "are those by definition).",
           "Cost relative to two passes (CPU): " + ", ".join(
               f"{r['context']} {r['cpu_seconds'] / base['cpu_seconds']:.2f}x" for r in results) + "; tokens through "
           "the model (the work, whatever the load): " + ", ".join(
               f"{r['context']} {r['tokens'] / base['tokens']:.2f}x" for r in results) + "."]
    md += ["Noise: themes NMI of each mode's story vectors with rounding-sized noise added (N(0, 1e-6) per "
           "coordinate, re-normalised; 5 draws), min-max: " + "; ".join(
               f"{c}: " + ", ".join(f"{name} {min(v):.3f}-{max(v):.3f}" for name, v in bands.items())
               for c, bands in noise.items()) + ". Story vectors that agree to float rounding (cosine 1.000) can "
           "land in other themes: a themes difference inside these bands is noise.",
           "5C changed vs two-pass: stories whose primary capability differs from the two-pass mapping."]
    write_results("passes", {"results": results, "texts": len(every_text), "words": words, "theme_noise": noise,
                             "load_average_before": load_before, "load_average_after": load_after}, "\n".join(md))


if __name__ == "__main__":
    main()
