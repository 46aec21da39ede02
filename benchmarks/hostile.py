"""Hostile and extreme inputs (issue 20), each case in a fresh Python process: time, peak RSS, statuses.

Cases (the "Done when" list of issue 20, plus a plain baseline run in the same session for a ratio):

- ``baseline``: the 20 first stories of corpora/sample plus one more ordinary story (21 stories).
- ``formula``: 21 stories, 8 of them (text, id and region) starting with ``= + - @``, tab or full-width ``＝``;
  analyse, save, write the panel pack as XLSX and CSV, read a filled-in CSV sheet back. Counts live formulas
  in every file and checks the read_selection round trip.
- ``giant``: the 20 stories plus one 2.9 M-character story (SIB-200 Dutch sentences in a seeded random order,
  so its chunks are distinct); bar: every row present, the giant one with a status, < 120 s.
- ``token``: the 20 stories plus one holding a 200,000-character base64 token; bar: peak RSS < 1.5 GB.
- ``oneword``: 5,000 one-word answers, 8 distinct words; bar: < 60 s in a fresh process and the manifest and
  report say there is nothing to theme.

``seconds`` is the child's wall time from start to exit (imports and model loading included);
``analyze_seconds`` is the analyze() call alone. Writes ``benchmarks/results/hostile.{json,md}``.

    python benchmarks/hostile.py [--data PATH] [--cases giant,token]
"""
from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, peak_rss_mb, shared_data, write_results  # noqa: E402

CASES = ("baseline", "formula", "giant", "token", "oneword")
BARS = {"giant": ("seconds", 120.0), "token": ("peak_rss_mb", 1536.0), "oneword": ("seconds", 60.0)}
TRIGGERS = ["=", "+", "-", "@", "\t=", "\uff1d", "=HYPERLINK(\"http://evil.example\",\"x\") ", "+cmd|' /C calc'!A0 "]


def _sample() -> list[str]:
    with (ROOT / "corpora" / "sample" / "stories.csv").open(encoding="utf-8") as fh:
        return [r["text"] for r in csv.DictReader(fh)][:21]


def _frame(case: str, data: Path) -> Any:
    import pandas as pd

    texts = _sample()
    ids = [f"s{i:02d}" for i in range(len(texts))]
    region = [""] * len(texts)
    if case == "formula":
        for k, trig in enumerate(TRIGGERS):
            texts[k] = f"{trig}{texts[k]}"
            ids[k] = f"{trig.strip() or '='}{k}"
            region[k] = f"{trig}A{k}"
    elif case == "giant":
        with (data / "sib200" / "sib200_parallel_nld_eng_fra.tsv").open(encoding="utf-8") as fh:
            pool = [r["nld"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        rng, parts, size = random.Random(0), [], 0
        while size < 2_900_000:
            s = rng.choice(pool)
            parts.append(s)
            size += len(s) + 1
        texts[-1] = " ".join(parts)[:2_900_000]
    elif case == "token":
        texts[-1] = "Hier is de foto van het waterpunt: " + base64.b64encode(random.Random(0).randbytes(150_000)
                                                                          ).decode()[:200_000]
    elif case == "oneword":
        words = ["yes", "no", "ja", "nee", "oui", "non", "water", "school"]
        texts = [words[i % len(words)] for i in range(5_000)]
        ids, region = [f"a{i}" for i in range(len(texts))], [""] * len(texts)
    return pd.DataFrame({"story_id": ids, "text": texts, "region": region})


def _live_cells(folder: Path) -> int:
    """Cells that a spreadsheet would evaluate, over every CSV and XLSX file in ``folder``."""
    from openpyxl import load_workbook

    from msc_nlp._spreadsheet import is_risky

    live = 0
    for path in folder.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            live += sum(is_risky(c) and not c.startswith("'") for row in csv.reader(fh) for c in row)
    for path in folder.rglob("*.xlsx"):
        wb = load_workbook(path)
        live += sum(c.data_type == "f" or (is_risky(c.value) and not c.quotePrefix)
                    for ws in wb for row in ws.iter_rows() for c in row)
    return live


def run_case(case: str, data: Path) -> dict[str, Any]:
    """One case in this process (the child side)."""
    start = time.perf_counter()
    import pandas as pd

    from msc_nlp import analyze, read_selection
    from msc_nlp._spreadsheet import restore, write_csv
    from msc_nlp.report import write_report

    frame = _frame(case, data)
    t = time.perf_counter()
    result = analyze(frame)
    out: dict[str, Any] = {"analyze_seconds": round(time.perf_counter() - t, 2)}
    stories = result.stories
    out.update(rows_in=len(frame), rows_out=len(stories), status=stories["status"].value_counts().to_dict(),
               themes=int(len(result.themes)), notes=result.manifest.get("notes", []),
               max_chars=int(frame["text"].str.len().max()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = result.save(Path(tmp) / "result")
        report = write_report(result, folder / "report.html").read_text(encoding="utf-8")
        out["report_says_nothing_to_theme"] = "no stories to theme" in report
        if case == "formula":
            pack = result.panel_pack(balance=(), redact=False)
            pack.to_excel(folder / "pack.xlsx")
            pack.to_csv(folder / "pack.csv")
            out["live_formula_cells"] = _live_cells(folder)
            sheet = pd.read_csv(folder / "pack.csv", dtype=object, keep_default_na=False)
            wanted = [restore(i) for i in sheet["story_id"]]
            sheet["selected"], sheet["reason"] = "yes", [f"{TRIGGERS[k % 8]}reason {k}" for k in range(len(sheet))]
            write_csv(sheet.assign(story_id=wanted), folder / "filled.csv")
            rec = read_selection(folder / "filled.csv", stories["story_id"])
            out["selection_round_trip_exact"] = (rec["story_id"].tolist() == wanted and rec["reason"].tolist()
                                                 == [f"{TRIGGERS[k % 8]}reason {k}".strip() for k in range(len(sheet))])
    out["seconds_in_child"] = round(time.perf_counter() - start, 2)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = shared_data(args.data)
    if args.child:
        print(json.dumps(run_case(args.child, data)))
        return
    results: dict[str, Any] = {}
    load_before = os.getloadavg()
    for case in args.cases.split(","):
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--child", case, "--data", str(data)], capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        seconds = round(time.perf_counter() - t, 2)
        if proc.returncode != 0:
            results[case] = {"error": proc.stderr[-2000:], "seconds": seconds}
            print(f"{case}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        results[case] = {"seconds": seconds, **json.loads(proc.stdout.strip().splitlines()[-1])}
        bar = BARS.get(case)
        if bar:
            results[case]["bar"] = f"{bar[0]} < {bar[1]:g}"
            results[case]["met"] = results[case][bar[0]] < bar[1]
        print(case, results[case], file=sys.stderr)
    base = results.get("baseline", {}).get("seconds")
    lines = ["# Hostile and extreme inputs (issue 20)", "",
             "Each case in a fresh Python process (`seconds`: the whole child process, imports and model loading "
             "included; `analyze`: the analyze() call). Measured on a shared 2-core machine under heavy contention "
             "from other jobs: absolute seconds are pessimistic; the ratio to the plain baseline run in the same "
             "session is the steadier figure. Load average (1/5/15 min) before: "
             f"{' / '.join(f'{x:.1f}' for x in load_before)}, after: "
             f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}.", "",
             "| case | rows in/out | status counts | themes | seconds | × baseline | analyze s | peak RSS MB | bar "
             "| met |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for case, r in results.items():
        if "error" in r:
            lines.append(f"| {case} | failed | | | {r['seconds']} | | | | | no |")
            continue
        ratio = f"{r['seconds'] / base:.2f}" if base else ""
        status = ", ".join(f"{k} {v}" for k, v in sorted(r["status"].items()))
        lines.append(f"| {case} | {r['rows_in']}/{r['rows_out']} | {status} | {r['themes']} | {r['seconds']} | "
                     f"{ratio} | {r['analyze_seconds']} | {r['peak_rss_mb']} | {r.get('bar', '')} | "
                     f"{'yes' if r.get('met', True) else 'NO'} |")
    if "formula" in results and "live_formula_cells" in results["formula"]:
        f = results["formula"]
        lines += ["", f"Formula case: {f['live_formula_cells']} live formula cells in stories.csv, themes.csv, "
                      f"pack.xlsx, pack.csv; read_selection round trip exact: {f['selection_round_trip_exact']}."]
    for case in ("giant", "oneword"):
        if results.get(case, {}).get("notes"):
            lines += ["", f"{case} notes: " + " / ".join(results[case]["notes"])]
    write_results("hostile", {"cases": results, "load_average_before": load_before,
                              "load_average_after": os.getloadavg()}, "\n".join(lines))


if __name__ == "__main__":
    main()
