"""Theme benchmark: representations side by side, then msc_nlp's ThemeModel (automatic number of themes) on
SIB-200 and on MSC-like story sets, one-topic collections, BERTopic's defaults, and analyze() timings.

Data and their roles:
- SIB-200 nld/eng/fra (7 topics; the same sentence in three languages): train+dev pooled (2,400 documents) is
  development data; test pooled (612) is held out; all 1,004 x 3 is the figure earlier runs reported.
- ``corpora/sample`` (70 stories, 10 themes) and ``corpora/eval/themes_dev.csv`` (42 stories, 7 themes):
  development data (the number-of-themes criterion and the label rules were chosen on them).
- ``corpora/eval/themes_test.csv`` (119 stories: 7 analysts' themes x 5 stories x nl/en/fr + 14 Swahili,
  Kirundi or mixed): held out, measured once at the end; nothing was chosen with it.

Measures: NMI and ARI vs the gold themes, number of themes, outlier share, cross-lingual consistency (SIB: share
of parallel triples whose three sentences share a theme), identical themes for shuffled input, seconds.
Timings are taken on a shared 2-core machine (other jobs running): compare rows of one run, not absolutes.

    python benchmarks/themes.py [--data PATH] [--cache FILE] [--quick]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, shared_data, write_results  # noqa: E402

MODELS = ("use-multilingual", "e5-small")


def load_sib(data: Path, splits: tuple[str, ...]) -> tuple[list[str], list[str], list[str], int]:
    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["split"] in splits]
    docs = [r[c] for c in ("nld", "eng", "fra") for r in rows]
    langs = [lang for lang in ("nl", "en", "fr") for _ in rows]
    gold = [r["category"] for _ in range(3) for r in rows]
    return docs, langs, gold, len(rows)


def load_csv(path: Path, theme: str = "theme") -> tuple[list[str], list[str], list[str], None]:
    import pandas as pd

    from msc_nlp import detect_language

    frame = pd.read_csv(path)
    docs = frame["text"].tolist()
    return docs, [r.language for r in detect_language(docs)], frame[theme].tolist(), None


def centred(x: np.ndarray, langs: list[str]) -> np.ndarray:
    from msc_nlp.embedding import LanguageCentering

    z = LanguageCentering().fit_transform(x, langs).astype(np.float64)
    z = z - z.mean(axis=0)
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def lexical(docs: list[str], langs: list[str]) -> np.ndarray:
    """TF-IDF of stemmed content words, centred within each language (languages share no words, so without
    centring the lexical part would pull stories apart by language)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from msc_nlp.text import analyse

    tokens = analyse(docs, langs)
    x = TfidfVectorizer(analyzer=lambda toks: [t.stem for t in toks], min_df=2, sublinear_tf=True
                        ).fit_transform(tokens).toarray()
    lang_arr = np.asarray(langs)
    for lang in set(langs):
        x[lang_arr == lang] -= x[lang_arr == lang].mean(axis=0)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def sentence_pooled(docs: list[str], model: str, cache) -> np.ndarray:  # noqa: ANN001
    from msc_nlp.embedding import embed
    from msc_nlp.text import split_sentences

    sents = [split_sentences(d) or [d] for d in docs]
    flat = [s for group in sents for s in group]
    vecs = embed(flat, model, align=False, cache=cache, show_progress=False).astype(np.float64)
    out, start = [], 0
    for group in sents:
        out.append(vecs[start:start + len(group)].mean(axis=0))
        start += len(group)
    x = np.stack(out)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def ward_nmi(x: np.ndarray, gold: list[str]) -> float:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import normalized_mutual_info_score

    k = len(set(gold))
    return float(normalized_mutual_info_score(gold, AgglomerativeClustering(k, linkage="ward").fit_predict(x)))


def representation_study(sets: dict, emb: dict, cache) -> list[dict]:  # noqa: ANN001
    rows = []
    for name, (docs, langs, gold, _) in sets.items():
        lex = lexical(docs, langs)
        reps = {m: centred(emb[name, m], langs) for m in MODELS}
        row = {"data": name, "n": len(docs), "gold themes": len(set(gold))}
        row["USE story"] = ward_nmi(reps["use-multilingual"], gold)
        if "SIB" not in name:  # SIB items are single sentences: pooling sentences changes nothing
            row["USE sentence-pooled"] = ward_nmi(centred(sentence_pooled(docs, "use-multilingual", cache), langs),
                                                  gold)
        row["e5-small story"] = ward_nmi(reps["e5-small"], gold)
        for m, short in (("use-multilingual", "USE"), ("e5-small", "e5")):
            row[f"{short} + lexical (0.1)"] = ward_nmi(np.hstack([np.sqrt(0.9) * reps[m], np.sqrt(0.1) * lex]), gold)
        row["USE ⊕ e5"] = ward_nmi(np.hstack([reps["use-multilingual"], reps["e5-small"]]), gold)
        rows.append(row)
        print(row, flush=True)
    return rows


def run_model(docs, emb, langs, gold, triples, model_name, **params) -> tuple[dict, object]:  # noqa: ANN001
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from msc_nlp.themes import ThemeModel

    ids = [f"d{i}" for i in range(len(docs))]
    t = time.perf_counter()
    model = ThemeModel(embedding_model=model_name, random_state=0, **params).fit(docs, emb, langs, ids=ids)
    secs = time.perf_counter() - t
    labels = model.assignments_["theme_id"].to_numpy()
    out = {"themes": int(len(model.themes_)), "outliers": float(model.assignments_["outlier"].mean()),
           "NMI": float(normalized_mutual_info_score(gold, labels)), "ARI": float(adjusted_rand_score(gold, labels)),
           "seconds": secs}
    if triples:
        lab = labels.reshape(3, triples)
        out["cross-lingual consistency"] = float(np.mean((lab[0] == lab[1]) & (lab[1] == lab[2])))
    order = np.random.default_rng(1).permutation(len(docs))
    again = ThemeModel(embedding_model=model_name, random_state=0, **params).fit(
        [docs[i] for i in order], emb[order], [langs[i] for i in order], ids=[ids[i] for i in order])
    out["shuffled identical"] = bool((again.assignments_["theme_id"].to_numpy() == labels[order]).all())
    return out, model


def bertopic_defaults(docs: list[str], emb: np.ndarray, gold: list[str]) -> dict:
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from sklearn.metrics import normalized_mutual_info_score

    class Precomputed(BaseEmbedder):
        def embed(self, documents, verbose=False):  # noqa: ANN001, ANN201
            raise RuntimeError("embeddings are precomputed")

    t = time.perf_counter()
    labels, _ = BERTopic(embedding_model=Precomputed(), language="multilingual").fit_transform(docs, embeddings=emb)
    labels = np.asarray(labels)
    return {"themes": int(len(set(labels) - {-1})), "outliers": float(np.mean(labels == -1)),
            "NMI": float(normalized_mutual_info_score(gold, labels)), "seconds": time.perf_counter() - t}


def one_topic(sets: dict, emb: dict) -> list[dict]:
    """Every gold theme of the development story sets with at least 5 stories, alone (at most 10 stories)."""
    from msc_nlp.themes import ThemeModel

    rows = []
    for name in ("corpora/sample", "themes_dev"):
        docs, langs, gold, _ = sets[name]
        for theme in sorted(set(gold)):
            idx = [i for i, g in enumerate(gold) if g == theme][:10]
            if len(idx) < 5:
                continue
            row = {"data": name, "theme": theme, "stories": len(idx)}
            for m in MODELS:
                model = ThemeModel(embedding_model=m).fit([docs[i] for i in idx], emb[name, m][idx],
                                                          [langs[i] for i in idx])
                row[m] = int(len(model.themes_))
            rows.append(row)
    return rows


def analyze_timings() -> list[dict]:
    """analyze() on 300 stories (development stories repeated with a marker so that all texts differ) with the
    default model and with "auto", and on the 70-story sample with "auto" (which picks e5-small there)."""
    import pandas as pd

    from msc_nlp import analyze

    base = pd.concat([pd.read_csv(ROOT / "corpora" / "sample" / "stories.csv")[["text"]],
                      pd.read_csv(ROOT / "corpora" / "heldout" / "stories.csv")[["text"]],
                      pd.read_csv(ROOT / "corpora" / "eval" / "themes_dev.csv")[["text"]]], ignore_index=True)
    texts = [f"{base['text'][i % len(base)]} ({i // len(base) + 1})" for i in range(300)]
    rows = []
    for label, frame, model in (("300 stories", pd.DataFrame({"text": texts}), "use-multilingual"),
                                ("300 stories", pd.DataFrame({"text": texts}), "auto"),
                                ("corpora/sample (70)", pd.read_csv(ROOT / "corpora" / "sample" / "stories.csv"),
                                 "auto")):
        t = time.perf_counter()
        result = analyze(frame, embedding_model=model, show_progress=False)
        rows.append({"data": label, "embedding_model": model, "used": result.manifest["models"]["embedding"],
                     "themes": int(len(result.themes)), "seconds": time.perf_counter() - t,
                     "stages": result.manifest["timings_seconds"]})
        print(rows[-1], flush=True)
    return rows


def fit_timings(sib: tuple, emb: np.ndarray) -> list[dict]:
    """ThemeModel.fit (default USE settings) on 1,000 and 10,000 SIB-like stories: the pooled SIB-200 texts and
    vectors repeated (a marker makes every text distinct; repeats get a little noise), in one process after a
    warm-up fit."""
    import os

    from msc_nlp.themes import ThemeModel

    docs, langs, _, _ = sib
    rows = []
    for n in (300, 1000, 10000):
        idx = np.arange(n) % len(docs)
        noise = np.random.default_rng(0).normal(scale=0.01, size=(n, emb.shape[1])) * (idx != np.arange(n))[:, None]
        t = time.perf_counter()
        model = ThemeModel().fit([f"{docs[i]} ({j // len(docs)})" for j, i in enumerate(idx)], emb[idx] + noise,
                                 [langs[i] for i in idx])
        rows.append({"stories": n, "strategy": model.strategy_, "themes": int(len(model.themes_)),
                     "seconds": time.perf_counter() - t, "load average": os.getloadavg()[0]})
        print(rows[-1], flush=True)
    return rows[1:] if rows[0]["stories"] == 300 else rows  # the first fit warms up (models, spaCy)


def table(rows: list[dict], cols: list[str]) -> list[str]:
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(f"{r[c]:.3f}" if isinstance(r.get(c), float) else str(r.get(c, "–"))
                                    for c in cols) + " |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--cache", help="embedding cache file (e5-small takes minutes on SIB-200)")
    ap.add_argument("--quick", action="store_true", help="skip the analyze() timings and BERTopic")
    args = ap.parse_args()
    data = shared_data(args.data)
    from msc_nlp.embedding import embed

    eval_dir = ROOT / "corpora" / "eval"
    sets = {"SIB-200 train+dev pooled (dev)": load_sib(data, ("train", "dev")),
            "SIB-200 test pooled (held out)": load_sib(data, ("test",)),
            "SIB-200 all pooled": load_sib(data, ("train", "dev", "test")),
            "corpora/sample": load_csv(ROOT / "corpora" / "sample" / "stories.csv"),
            "themes_dev": load_csv(eval_dir / "themes_dev.csv"),
            "themes_test (held out)": load_csv(eval_dir / "themes_test.csv")}
    docs, langs, gold, _ = sets["themes_test (held out)"]
    keep = [i for i, lang in enumerate(langs) if lang in ("nl", "en", "fr")]
    sets["themes_test nl/en/fr only (held out)"] = ([docs[i] for i in keep], [langs[i] for i in keep],
                                                    [gold[i] for i in keep], None)
    emb, embed_secs = {}, {}
    for name, (docs, _, _, _) in sets.items():
        for m in MODELS:
            t = time.perf_counter()
            emb[name, m] = embed(docs, m, align=False, cache=args.cache, show_progress=False).astype(np.float64)
            embed_secs[name, m] = time.perf_counter() - t

    study = representation_study({k: v for k, v in sets.items() if k != "SIB-200 all pooled"}, emb, args.cache)
    results = []
    for name, (docs, langs, gold, triples) in sets.items():
        for m in MODELS:
            row, model = run_model(docs, emb[name, m], langs, gold, triples, m)
            results.append({"data": name, "embedding": m, **row})
            print(results[-1], flush=True)
            if name.startswith("themes_test (") and m == "e5-small":
                test_labels = model.themes_[["theme_id", "label", "size", "languages"]].to_dict(orient="records")
    ones = one_topic(sets, emb)
    timings = fit_timings(sets["SIB-200 all pooled"], emb["SIB-200 all pooled", "use-multilingual"])
    extra = {}
    if not args.quick:
        name = "SIB-200 test pooled (held out)"
        extra["bertopic"] = {"data": name, **bertopic_defaults(sets[name][0], emb[name, "use-multilingual"],
                                                               sets[name][2])}
        extra["analyze"] = analyze_timings()

    study_cols = ["data", "n", "gold themes", "USE story", "USE sentence-pooled", "e5-small story",
                  "USE + lexical (0.1)", "e5 + lexical (0.1)", "USE ⊕ e5"]
    res_cols = ["data", "embedding", "themes", "outliers", "NMI", "ARI", "cross-lingual consistency",
                "shuffled identical", "seconds"]
    md = ["# Themes", "", "Timings on a shared 2-core machine (several other jobs running): compare within a run.",
          "", "## 1. Representations side by side", "",
          "NMI of Ward clustering with the true number of themes on language-centred vectors (so only the "
          "representation differs). Lexical = TF-IDF of stemmed content words centred within each language, "
          "weight 0.1 (squared) beside the embedding.", "", *table(study, study_cols), "",
          "## 2. ThemeModel with the automatic number of themes", "",
          "Below 300 stories: Ward on the centred vectors; k in 2..min(12, n/3) with the largest excess of "
          "cosine silhouette over featureless Gaussian data of the same covariance (3 draws); one theme when no "
          "k beats it. From 300 stories (the SIB-200 rows): the partition strategy (no UMAP): each centred "
          "vector averaged with its 15 nearest neighbours, k-means into 60 sub-clusters, a Ward tree over their "
          "centroids cut into k themes (k in 2..12 by the same silhouette-over-null criterion on 600 stories), "
          "every story moved to its nearest theme centroid, then to the majority theme of itself and its 5 nearest "
          "neighbours (no outliers).", "",
          *table(results, res_cols), "",
          "Embedding seconds (this run, cache: " + ("on" if args.cache else "off") + "): "
          + "; ".join(f"{n} / {m}: {s:.1f}" for (n, m), s in embed_secs.items()), "",
          "## 3. One-topic collections (at most 10 stories of one gold theme): themes found", "",
          *table(ones, ["data", "theme", "stories", *MODELS]), "",
          "## ThemeModel.fit on SIB-like collections (USE vectors, warm process)", "",
          *table(timings, ["stories", "strategy", "themes", "seconds", "load average"]), ""]
    if "bertopic" in extra:
        md += ["## 4. BERTopic defaults (same USE embeddings, not language-centred)", "",
               *table([extra["bertopic"]], ["data", "themes", "outliers", "NMI", "seconds"]), "",
               "## 5. analyze() end to end", "",
               *table(extra["analyze"], ["data", "embedding_model", "used", "themes", "seconds"]), ""]
    md += ["## Theme labels on the held-out set (e5-small)", "",
           *table(test_labels, ["theme_id", "label", "size", "languages"])]
    write_results("themes", {"representations": study, "results": results, "one_topic": ones,
                             "fit_timings": timings, **extra,
                             "test_labels": test_labels,
                             "embed_seconds": {f"{n} / {m}": s for (n, m), s in embed_secs.items()}},
                  "\n".join(md))


if __name__ == "__main__":
    main()
