"""Selection-panel benchmark: shortlist coverage on corpora/sample, and redaction on stories the redactor was
not written for (``tests/data/redaction_heldout.json``). Writes ``benchmarks/results/panels.{json,md}``.

    python benchmarks/panels.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, write_results  # noqa: E402


def measure(path: Path) -> dict:
    from msc_nlp.panels import redact_texts

    data = json.loads(path.read_text(encoding="utf-8"))["stories"]
    redacted, log = redact_texts([s["text"] for s in data], languages=[s["lang"] for s in data])
    names = [(n, r) for s, r in zip(data, redacted) for n in s["names"]]
    phones = [(p, r) for s, r in zip(data, redacted) for p in s["phones"] + s.get("emails", [])]
    places = [(p, r) for s, r in zip(data, redacted) for p in s["places"]]
    return {"stories": len(data), "names": len(names), "names_removed": sum(n not in r for n, r in names) / len(names),
            "missed": [n for n, r in names if n in r],
            "phones_emails_removed": sum(p not in r for p, r in phones) / len(phones),
            "places_kept": sum(p in r for p, r in places) / len(places), "redactions": int(len(log))}


def main() -> None:
    from msc_nlp import analyze
    from msc_nlp.panels import panel_pack

    result = analyze(ROOT / "corpora" / "sample" / "stories.csv", random_state=0)
    pack = panel_pack(result, shortlist=12)
    short = pack.stories.set_index("story_id").loc[pack.shortlist]
    coverage = {"themes_in_collection": int(len(result.themes)),
                "themes_on_shortlist": int(short["theme_id"].nunique()),
                "languages_on_shortlist": sorted(short["language"].unique()),
                "capabilities_on_shortlist": sorted(short["capability"].unique())}
    red = {name: measure(ROOT / "tests" / "data" / f"{name}.json") for name in
           ("redaction_heldout", "redaction_heldout_2")}
    md = ["# Selection panels", "", "## Shortlist of 12 (corpora/sample)", "",
          f"{coverage['themes_on_shortlist']} of {coverage['themes_in_collection']} themes; languages "
          f"{coverage['languages_on_shortlist']}; capabilities {coverage['capabilities_on_shortlist']}.", "",
          "## Redaction of names, phones and e-mails (nl/en/fr stories)", "",
          "| set | stories | names | names removed | phones + e-mails removed | places kept | missed |",
          "|---|---|---|---|---|---|---|"]
    md += [f"| {k} | {v['stories']} | {v['names']} | {v['names_removed']:.3f} | {v['phones_emails_removed']:.3f} | "
           f"{v['places_kept']:.3f} | {', '.join(v['missed'])} |" for k, v in red.items()]
    md += ["", "`redaction_heldout_2` is the clean figure: written after the rules were final, measured once. On "
           "`redaction_heldout` the first measurement was 0.896; two general rules were added after seeing its "
           "misses (a name once is a name everywhere in a story; particles inside names such as 'de Vries'), so "
           "its figure above is no longer a held-out one. Known over-redaction: capitalised places outside the "
           "built-in list and the collection's regions (e.g. 'South Sudan') and organisation names (pass "
           "them in keep=/places=)."]
    write_results("panels", {"shortlist": coverage, "redaction": red}, "\n".join(md))


if __name__ == "__main__":
    main()
