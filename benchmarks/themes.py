"""Theme benchmark: msc_nlp's ThemeModel vs BERTopic's defaults on the same embeddings, in one run.

Data: SIB-200 (7 topics) pooling the nld/eng/fra versions of all 1,004 sentences (3,012 documents), and
``corpora/sample`` (our own 10 theme labels). Measures: NMI and ARI vs the gold topics, cross-lingual
consistency (share of parallel triples whose three sentences share a theme; SIB only), NPMI coherence and
topic diversity of the top-10 keywords (as in the BERTopic paper; NPMI over the pooled documents with a
document co-occurrence window), outlier share and time. Writes ``benchmarks/results/themes.{json,md}``.

    python benchmarks/themes.py [--data PATH]
"""
from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, shared_data, write_results  # noqa: E402


def npmi(topics: list[list[str]], docs_tokens: list[set[str]]) -> float:
    """Mean NPMI over word pairs of each topic's top words, document co-occurrence, over the corpus."""
    n = len(docs_tokens)
    index: dict[str, set[int]] = {}
    for d, toks in enumerate(docs_tokens):
        for w in toks:
            index.setdefault(w, set()).add(d)
    scores = []
    for words in topics:
        for a, b in itertools.combinations(words[:10], 2):
            da, db = index.get(a, set()), index.get(b, set())
            joint = len(da & db)
            if not da or not db:
                continue
            if joint == 0:
                scores.append(-1.0)
                continue
            p_ab, p_a, p_b = joint / n, len(da) / n, len(db) / n
            pmi = np.log(p_ab / (p_a * p_b))
            scores.append(float(pmi / -np.log(p_ab)) if p_ab < 1 else 1.0)
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics: list[list[str]]) -> float:
    words = [w for t in topics for w in t[:10]]
    return len(set(words)) / max(1, len(words))


def evaluate(name: str, labels: np.ndarray, topics: list[list[str]], gold: list[str], docs: list[str],
             langs: list[str], secs: float, triples: int | None) -> dict[str, float | str]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from msc_nlp.text import analyse

    tokens = [{t.lemma for t in toks} for toks in analyse(docs, langs)]
    out: dict[str, float | str] = {
        "method": name, "themes": int(len(set(labels) - {-1})), "outliers": float(np.mean(labels == -1)),
        "NMI": normalized_mutual_info_score(gold, labels), "ARI": adjusted_rand_score(gold, labels),
        "NPMI": npmi(topics, tokens), "diversity": diversity(topics), "seconds": secs}
    if triples:
        lab = labels.reshape(3, triples)
        out["cross-lingual consistency"] = float(np.mean((lab[0] == lab[1]) & (lab[1] == lab[2]) & (lab[0] != -1)))
    return out


def run_ours(docs, emb, langs, ids, **params):
    from msc_nlp.themes import ThemeModel

    t = time.perf_counter()
    model = ThemeModel(random_state=0, **params).fit(docs, emb, langs, ids=ids)
    secs = time.perf_counter() - t
    labels = model.assignments_["theme_id"].to_numpy()
    # NPMI and diversity per language: words of different languages never share a document, so a merged
    # trilingual keyword list would be scored as incoherent by construction.
    topics = [words for kw in model.themes_["keywords_by_language"] for words in kw.values()]
    return labels, topics, secs, model


def run_bertopic_default(docs, emb):
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder

    class Precomputed(BaseEmbedder):
        def embed(self, documents, verbose=False):  # noqa: ANN001, ANN201
            raise RuntimeError("embeddings are precomputed")

    t = time.perf_counter()
    model = BERTopic(embedding_model=Precomputed(), language="multilingual")
    labels, _ = model.fit_transform(docs, embeddings=emb)
    secs = time.perf_counter() - t
    topics = [[w for w, _ in model.get_topic(k)] for k in sorted(set(labels) - {-1})]
    return np.asarray(labels), topics, secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    args = ap.parse_args()
    data = shared_data(args.data)
    import pandas as pd

    from msc_nlp import detect_language, embed

    results = []
    with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    docs = [r[c] for c in ("nld", "eng", "fra") for r in rows]
    langs = [lang for lang in ("nl", "en", "fr") for _ in rows]
    gold = [r["category"] for _ in range(3) for r in rows]
    ids = [f"{lang}-{r['index_id']}" for lang in ("nl", "en", "fr") for r in rows]
    emb = embed(docs, align=False)
    labels, topics, secs, _ = run_ours(docs, emb, langs, ids)
    results.append({"data": "SIB-200 pooled", **evaluate("msc_nlp ThemeModel", labels, topics, gold, docs, langs,
                                                          secs, len(rows))})
    order = np.random.default_rng(1).permutation(len(docs))
    labels2, *_ = run_ours([docs[i] for i in order], emb[order], [langs[i] for i in order],
                           [ids[i] for i in order])
    from sklearn.metrics import adjusted_rand_score

    shuffle_ari = adjusted_rand_score(labels[order], labels2)
    labels, topics, secs = run_bertopic_default(docs, emb)
    results.append({"data": "SIB-200 pooled", **evaluate("BERTopic defaults", labels, topics, gold, docs, langs,
                                                          secs, len(rows))})

    sample = pd.read_csv(ROOT / "corpora" / "sample" / "stories.csv")
    s_docs, s_gold, s_ids = sample["text"].tolist(), sample["theme"].tolist(), sample["story_id"].tolist()
    s_langs = [r.language for r in detect_language(s_docs)]
    s_emb = embed(s_docs, align=False)
    labels, topics, secs, _ = run_ours(s_docs, s_emb, s_langs, s_ids)
    results.append({"data": "corpora/sample", **evaluate("msc_nlp ThemeModel", labels, topics, s_gold, s_docs,
                                                          s_langs, secs, None)})
    sub = sorted(int(i) for i in np.random.default_rng(0).choice(len(s_docs), 40, replace=False))
    labels, topics, secs, model = run_ours([s_docs[i] for i in sub], s_emb[sub], [s_langs[i] for i in sub],
                                           [s_ids[i] for i in sub])
    kw_ok = all(set(k) >= {s_langs[sub[i]] for i in np.flatnonzero(labels == t) if s_langs[sub[i]] != "und"}
                for t, k in zip(model.themes_["theme_id"], model.themes_["keywords_by_language"]))
    results.append({"data": "corpora/sample, 40-story subset", **evaluate(
        "msc_nlp ThemeModel", labels, topics, [s_gold[i] for i in sub], [s_docs[i] for i in sub],
        [s_langs[i] for i in sub], secs, None), "keywords_in_each_language": kw_ok})
    try:
        labels, topics, secs = run_bertopic_default(s_docs, s_emb)
        results.append({"data": "corpora/sample", **evaluate("BERTopic defaults", labels, topics, s_gold, s_docs,
                                                              s_langs, secs, None)})
    except Exception as exc:  # BERTopic's defaults can fail outright on 70 documents
        results.append({"data": "corpora/sample", "method": "BERTopic defaults", "error": repr(exc)})

    cols = ["data", "method", "themes", "outliers", "NMI", "ARI", "cross-lingual consistency", "NPMI", "diversity",
            "seconds"]
    md = ["# Themes", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        md.append("| " + " | ".join(f"{r[c]:.3f}" if isinstance(r.get(c), float) else str(r.get(c, "–"))
                                    for c in cols) + " |")
    md += ["", f"Shuffled SIB input, same random_state: ARI between the two partitions = {shuffle_ari:.4f}.",
           f"40-story subset: every theme has keywords in each of its languages: {kw_ok}.",
           "", "Embeddings: use-multilingual, computed once and given to both methods; msc_nlp aligns languages "
           "(per-language centering) itself, BERTopic gets the raw embeddings. NPMI (document co-occurrence over "
           "all documents) and diversity are computed on msc_nlp's top-10 keywords per theme *per language* "
           "and on BERTopic's top-10 words per topic."]
    write_results("themes", {"results": results, "shuffle_ari": shuffle_ari}, "\n".join(md))


if __name__ == "__main__":
    main()
