"""The ``msc-nlp`` command: thin wrappers over the Python API.

Exit codes: 0 ok, 2 bad input (one-line reason on stderr; ``--debug`` shows the traceback), 1 anything else.
"""
from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path

from ._version import __version__
from .errors import MscNlpError

_BALANCE_HELP = ("columns the panel shortlist balances on, comma-separated (e.g. region,gender; default: those of "
                 "region, storyteller_role, language the stories have)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="msc-nlp", description="Most Significant Change story analysis "
                                "(nl/en/fr), offline.")
    p.add_argument("--version", action="version", version=f"msc-nlp {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)
    ana = sub.add_parser("analyze", help="run the whole pipeline and write a report")
    ana.add_argument("input", help="CSV, TSV, XLSX, JSON or JSONL file of stories")
    ana.add_argument("--out", required=True, help="folder for report.html, stories.csv, themes.csv, result.json")
    ana.add_argument("--text-column", help="column with the story text (default: guessed)")
    ana.add_argument("--id-column", help="column with the story id (default: guessed or row numbers)")
    ana.add_argument("--domain-column", help="column with the MSC domain of change (becomes 'domain')")
    ana.add_argument("--sheet", help="sheet of a workbook")
    ana.add_argument("--embedding-model", default="use-multilingual",
                     help="use-multilingual (default) or sentence-transformers:<local folder>")
    ana.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    ana.add_argument("--themes", default="auto", help="number of themes or 'auto' (default)")
    ana.add_argument("--languages", default="nl,en,fr", help="the collection's languages (default nl,en,fr)")
    ana.add_argument("--balance", help=_BALANCE_HELP)
    ana.add_argument("--qdpx", action="store_true", help="also write stories.qdpx (REFI-QDA: NVivo, ATLAS.ti, "
                     "MAXQDA, QualCoder)")
    ana.add_argument("--qdpx-redact", action="store_true", help="redact names, phones and e-mails in stories.qdpx "
                     "(implies --qdpx)")
    part = sub.add_parser("partners", help="5C per partner over periods and peer-learning matches")
    part.add_argument("result", help="folder written by 'msc-nlp analyze --out'")
    part.add_argument("--out", required=True, help="folder for partner_profiles.csv, partner_trends.csv, "
                      "partner_matches.csv and partner_matches.json")
    part.add_argument("--partner-column", default="partner", help="column naming the partner (default partner)")
    part.add_argument("--period-column", default="period", help="column naming the period (default period)")
    part.add_argument("--min-stories", type=int, default=3, help="stories a period needs to read a change (3)")
    part.add_argument("--seed", type=int, default=0)
    pack = sub.add_parser("panel-pack", help="make a panel pack from a saved analysis")
    pack.add_argument("result", help="folder written by 'msc-nlp analyze --out'")
    pack.add_argument("--domain", help="domain of change (default: all stories)")
    pack.add_argument("--out", required=True, help="pack file: .html (printable cards), .xlsx or .csv (sheet)")
    pack.add_argument("--shortlist", type=int, default=12, help="stories on the shortlist (default 12)")
    pack.add_argument("--per-theme", type=int, default=2, help="representative stories per theme (default 2)")
    pack.add_argument("--balance", help=_BALANCE_HELP)
    pack.add_argument("--no-redact", action="store_true", help="do not redact names, phones and e-mails")
    pack.add_argument("--seed", type=int, default=0)
    lang = sub.add_parser("langid", help="detect the language of every story")
    lang.add_argument("input", help="CSV, TSV, XLSX, JSON or JSONL file of stories")
    lang.add_argument("--out", help="folder for languages.csv and languages.html (default: print a summary)")
    lang.add_argument("--text-column", help="column with the story text (default: guessed)")
    lang.add_argument("--id-column", help="column with the story id (default: guessed or row numbers)")
    lang.add_argument("--sheet", help="sheet of a workbook")
    return p


def _langid(args: argparse.Namespace) -> int:
    from .language.detector import detect_language
    from .stories import read_stories

    stories = read_stories(args.input, text=args.text_column, id=args.id_column, sheet=args.sheet)
    frame = stories.to_pandas()
    results = detect_language(stories)
    frame.insert(2, "language", [r.language for r in results])
    frame.insert(3, "language_confidence", [r.confidence for r in results])
    frame.insert(4, "mixed", [r.mixed for r in results])
    frame.insert(5, "languages", [r.languages_text() for r in results])
    frame.insert(6, "language_detail", [r.detail for r in results])
    counts = frame["language"].value_counts()
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
    if not args.quiet:
        print(f"{len(frame)} stories from {args.input}: {summary}; mixed: {int(frame['mixed'].sum())}",
              file=sys.stderr)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "languages.csv", index=False)
        flagged = frame[(frame["language"].isin(["other", "und"])) | frame["mixed"] | (frame["status"] != "ok")]
        cols = ["story_id", "language", "language_confidence", "mixed", "languages", "language_detail", "status"]
        page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Languages - msc_nlp</title>"
                "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>"
                f"<h1>Languages of {html.escape(str(args.input))}</h1><p>{len(frame)} stories. "
                f"{html.escape(summary)}.</p>"
                f"<h2>Stories per language</h2>{counts.rename('stories').to_frame().to_html()}"
                f"<h2>Flagged stories ({len(flagged)}): other language, mixed, empty or very short</h2>"
                f"{flagged[cols].to_html(index=False)}</body></html>")
        (out / "languages.html").write_text(page, encoding="utf-8")
        if not args.quiet:
            print(f"wrote {out / 'languages.csv'} and {out / 'languages.html'}", file=sys.stderr)
    else:
        frame[["story_id", "language", "language_confidence", "mixed", "languages"]].to_csv(sys.stdout,
                                                                                              index=False)
    return 0


def _write_packs(result, folder: Path, balance: str | None = None) -> dict[str, Path]:  # noqa: ANN001
    """One printable panel pack per domain of change (all stories when there is no domain column), its sheet,
    and beside them the analyst's review list of redactions (``<domain>.redactions.csv``)."""
    import re

    from .panels import panel_pack

    stories = result.stories
    domains = sorted(stories["domain"].dropna().astype(str).unique()) if "domain" in stories else []
    written = {}
    for domain in domains or [None]:
        usable = stories if domain is None else stories[stories["domain"].astype(str) == domain]
        if not (usable["theme_id"] >= 0).any():
            continue
        slug = re.sub(r"[^\w-]+", "-", (domain or "all").lower()).strip("-") or "domain"
        pack = panel_pack(result, domain, shortlist=min(12, int((usable["theme_id"] >= 0).sum())),
                          balance=balance)
        written[domain or "all stories"] = pack.to_html(folder / f"{slug}.html")
        pack.to_excel(folder / f"{slug}.xlsx")
        pack.save_redactions(folder / f"{slug}.redactions.csv")
    return written


def _analyze(args: argparse.Namespace) -> int:
    from .errors import ParameterError
    from .panels.pack import resolve_balance
    from .pipeline import analyze
    from .report import write_report
    from .stories import read_stories

    rename = {"domain": args.domain_column} if args.domain_column else {}
    stories = read_stories(args.input, text=args.text_column, id=args.id_column, sheet=args.sheet, **rename)
    if args.balance is not None:  # fail before the analysis, not after it
        resolve_balance(args.balance, [*stories.frame.columns, "language", "theme_label", "capability"])
    if args.themes != "auto" and not args.themes.isdigit():
        raise ParameterError(f"--themes must be a number or 'auto'. Got {args.themes!r}.")
    n_themes = int(args.themes) if args.themes != "auto" else "auto"
    if not args.quiet:
        print(f"analysing {len(stories)} stories from {args.input} ...", file=sys.stderr)
    result = analyze(stories, embedding_model=args.embedding_model, random_state=args.seed, n_themes=n_themes,
                     show_progress=False if args.quiet else None, languages=tuple(args.languages.split(",")))
    for warning in [] if args.quiet else result.manifest.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    out = result.save(args.out)
    packs = _write_packs(result, out / "packs", args.balance)
    report = write_report(result, out / "report.html", title=f"MSC stories: {Path(args.input).name}",
                          packs={d: str(p.relative_to(out)) for d, p in packs.items()})
    if args.qdpx or args.qdpx_redact:
        result.to_qdpx(out / "stories.qdpx", redact=args.qdpx_redact, project_name=Path(args.input).stem)
    if not args.quiet:
        counts = result.manifest["counts"]
        print(f"{len(result.stories)} stories, languages {counts['language']}, {counts['themes']} themes; "
              f"wrote {report}, stories.csv, themes.csv, result.json in {out}; panel packs in {out / 'packs'} "
              "(the *.redactions.csv files there list what was removed: for the analyst, not the panel)",
              file=sys.stderr)
    return 0


def _panel_pack(args: argparse.Namespace) -> int:
    from .errors import ParameterError
    from .panels import panel_pack
    from .pipeline import load_result

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".xlsx", ".csv"):
        raise ParameterError(f"--out must end in .html, .xlsx or .csv. Got {args.out!r}.")
    pack = panel_pack(load_result(args.result), args.domain, per_theme=args.per_theme, shortlist=args.shortlist,
                      random_state=args.seed, redact=not args.no_redact, balance=args.balance)
    written = {".html": pack.to_html, ".xlsx": pack.to_excel, ".csv": pack.to_csv}[out.suffix.lower()](out)
    review = pack.save_redactions(out.with_name(f"{out.stem}.redactions.csv")) if not args.no_redact else None
    if not args.quiet:
        print(f"panel pack for {args.domain or 'all domains'}: {len(pack.themes)} themes, {len(pack.shortlist)} "
              f"shortlisted (balanced on {', '.join(pack.balanced_on) or 'nothing'}), {len(pack.redactions)} "
              f"redactions; wrote {written}" + (f" and, for the analyst only, {review}" if review else ""),
              file=sys.stderr)
    return 0


def _partners(args: argparse.Namespace) -> int:
    from .partners import flat_table, matches, profiles, trend_notes
    from .pipeline import load_result

    result = load_result(args.result)
    table = profiles(result, args.partner_column, args.period_column, min_stories=args.min_stories,
                     random_state=args.seed)
    pairs = matches(result, args.partner_column, args.period_column, min_stories=args.min_stories)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    flat_table(table).to_csv(out / "partner_profiles.csv", index=False)
    flat_table(trend_notes(table, min_stories=args.min_stories)).to_csv(out / "partner_trends.csv", index=False)
    flat_table(pairs).to_csv(out / "partner_matches.csv", index=False)
    (out / "partner_matches.json").write_text(pairs.to_json(orient="records", force_ascii=False, indent=1),
                                              encoding="utf-8")
    if not args.quiet:
        print(f"{table['partner'].nunique()} partners over {table['period'].nunique()} periods; {len(pairs)} "
              f"peer-learning matches; wrote partner_profiles.csv, partner_trends.csv, partner_matches.csv/.json "
              f"in {out}", file=sys.stderr)
        for r in pairs.head(5).itertuples():
            print(f"- {r.explanation}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return {"langid": _langid, "analyze": _analyze, "panel-pack": _panel_pack,
                "partners": _partners}[args.command](args)
    except MscNlpError as exc:
        if args.debug:
            raise
        print(f"msc-nlp: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
