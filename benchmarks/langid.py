"""Language-identification benchmark: msc_nlp vs plain langdetect vs lingua, measured in one run.

Data: lingua's test set (``lingua_testdata``: nl/en/fr and af/de/sw/so/zu/yo; single words, word pairs,
sentences) and SIB-200's *test* split for afr/deu/swh/kin/run (as ``other``). Targets are nl/en/fr; every
other language must come out ``other``. Writes ``benchmarks/results/langid.{json,md}``.

    python benchmarks/langid.py [--data PATH] [--skip-lingua] [--limit N]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb, shared_data, write_results  # noqa: E402

TARGETS = {"nl", "en", "fr"}


def load(data: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """(language, length class, expected label, text) rows."""
    rows: list[tuple[str, str, str, str]] = []
    with (data / "lingua_testdata" / "lingua_langid_testdata.tsv").open(encoding="utf-8") as fh:
        per: dict[tuple[str, str], int] = defaultdict(int)
        for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (r["lang"], r["length_class"])
            if limit and per[key] >= limit:
                continue
            per[key] += 1
            rows.append((r["lang"], r["length_class"], r["target_class"], r["text"]))
    for folder in ("afr_Latn", "deu_Latn", "swh_Latn", "kin_Latn", "run_Latn"):
        with (data / "sib200" / folder / "test.tsv").open(encoding="utf-8") as fh:
            for r in list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:limit]:
                rows.append((f"sib-{folder[:3]}", "sentences", "other", r["text"]))
    return rows


def to_label(code: str | None) -> str:
    return code if code in TARGETS else "other"


def run_msc(texts: list[str]) -> tuple[list[str], float]:
    from msc_nlp import LanguageDetector

    det = LanguageDetector()
    det.predict(texts[:10])  # load the model outside the timing
    t = time.perf_counter()
    out = det.predict(texts)
    return out, time.perf_counter() - t


def run_langdetect(texts: list[str]) -> tuple[list[str], float]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    out = []
    t = time.perf_counter()
    for s in texts:
        try:
            out.append(to_label(detect(s)))
        except LangDetectException:
            out.append("und")
    return out, time.perf_counter() - t


def run_lingua(texts: list[str]) -> tuple[list[str], float]:
    from lingua import LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
    t = time.perf_counter()
    res = det.detect_languages_in_parallel_of(texts)
    out = [to_label(r.iso_code_639_1.name.lower()) if r is not None else "und" for r in res]
    return out, time.perf_counter() - t


def ambiguous_share(rows: list[tuple[str, str, str, str]]) -> dict[str, float]:
    """Per language x short length class: the share of items every word of which is common (Zipf >= 3) in
    nl, en or fr (other than the item's own label) and 10x more frequent there than in its own language's
    wordfreq list (when it has one): "united states" labelled Yoruba, "absoluut geen" labelled Afrikaans.
    Such an item is right only for a detector that calls ordinary nl/en/fr words something else, unless it
    knows the other language's own word frequencies (no Afrikaans or Yoruba frequency list is at hand)."""
    from wordfreq import zipf_frequency

    own_list = {"nl", "en", "fr", "de"}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lang, length, expected, text in rows:
        if length == "sentences" or lang.startswith("sib-"):
            continue
        words = text.lower().split()
        hit = any(all(zipf_frequency(w, t) >= 3.0 and zipf_frequency(w, t) > 1.0 + (
            zipf_frequency(w, lang) if lang in own_list else 0.0) for w in words)
            for t in sorted(TARGETS - {expected}))
        for key in (f"{lang}|{length}", f"{'target' if expected in TARGETS else 'other'}|{length}"):
            found[key][0] += hit
            found[key][1] += 1
    return {k: v[0] / v[1] for k, v in sorted(found.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--limit", type=int, help="at most N texts per language x length class")
    ap.add_argument("--skip-lingua", action="store_true")
    ap.add_argument("--skip-langdetect", action="store_true")
    args = ap.parse_args()
    rows = load(shared_data(args.data), args.limit)
    texts = [r[3] for r in rows]
    tools = {"msc_nlp": run_msc}
    if not args.skip_langdetect:
        tools["langdetect"] = run_langdetect
    if not args.skip_lingua:
        tools["lingua-high (75 langs)"] = run_lingua
    acc: dict[str, dict[str, float]] = {}
    speed: dict[str, float] = {}
    rss: dict[str, float] = {}
    for name, fn in tools.items():
        preds, secs = fn(texts)
        speed[name] = len(texts) / secs
        rss[name] = peak_rss_mb()
        hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (lang, length, expected, _), p in zip(rows, preds):
            for key in (f"{lang}|{length}", f"{'target' if expected in TARGETS else 'other'}|{length}"):
                hits[key][0] += p == expected
                hits[key][1] += 1
        acc[name] = {k: v[0] / v[1] for k, v in sorted(hits.items())}
        print(f"{name}: {speed[name]:.0f} texts/s, peak RSS {rss[name]:.0f} MB", flush=True)
    keys = sorted(acc["msc_nlp"])
    names = list(tools)
    md = ["# Language identification (targets nl/en/fr; everything else must be `other`)", "",
          f"{len(texts)} texts. Accuracy per language x length class:", "",
          "| language / length | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    md += [f"| {k} | " + " | ".join(f"{acc[n][k] * 100:.1f} %" for n in names) + " |" for k in keys]
    md += ["", "| tool | texts/s | peak RSS of the process after it ran (MB) |", "|---|---|---|"]
    md += [f"| {n} | {speed[n]:.0f} | {rss[n]:.0f} |" for n in names]
    md += ["", "RSS is cumulative in one process (tools run in the order listed); msc_nlp runs first."]
    ambiguous = ambiguous_share(rows)
    md += ["", "Items made of another of nl/en/fr's ordinary words: every word common there (Zipf >= 3) and 10x "
           "more frequent there than in the item's own wordfreq list, if it has one (Afrikaans shares such words "
           "with Dutch; in the Yoruba set they are English phrases and names such as 'united states'):", "",
           "| language / length | share |", "|---|---|"]
    md += [f"| {k} | {v * 100:.1f} % |" for k, v in ambiguous.items()]
    write_results("langid", {"n_texts": len(texts), "accuracy": acc, "texts_per_second": speed,
                             "peak_rss_mb": rss, "ambiguous_share": ambiguous}, "\n".join(md))


if __name__ == "__main__":
    main()
