"""Every entry point on the plainest exports (text only; id + text; an Excel sheet with a title row), what a
panel receives (no names, phones or e-mails in any panel file) and escaping of markup in every page."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from msc_nlp import analyze
from msc_nlp.cli import main
from msc_nlp.errors import InputError
from msc_nlp.report import write_report

HERE = Path(__file__).resolve().parent
PRIVACY = HERE / "data" / "privacy_export.csv"


@pytest.fixture(scope="module")
def texts(sample_frame: pd.DataFrame) -> list[str]:
    """Twelve stories of the sample corpus, four per language."""
    return [t for lang in ("NL", "EN", "FR") for t in
            sample_frame[sample_frame["story_id"].str.startswith(lang)]["text"].head(4)]


@pytest.fixture(scope="module")
def exports(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    pd.DataFrame({"Story": texts}).to_csv(folder / "text_only.csv", index=False)
    pd.DataFrame({"ID": [f"S{i:02d}" for i in range(len(texts))], "Verhaal": texts}).to_csv(
        folder / "id_text.csv", index=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Most Significant Change stories, 2024 round"])
    ws.append([])
    ws.append(["Story"])
    for t in texts:
        ws.append([t])
    wb.save(folder / "titled.xlsx")
    return {"text_only": folder / "text_only.csv", "id_text": folder / "id_text.csv",
            "titled": folder / "titled.xlsx"}


def _panel_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".xlsx", ".csv")
            and not p.name.endswith(".redactions.csv") and p.parent.name == "packs"]


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        return "\n".join(df.to_csv(index=False) for df in pd.read_excel(path, sheet_name=None).values())
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["text_only", "id_text", "titled"])
def test_cli_analyze_writes_every_file_on_a_plain_export(name: str, exports: dict[str, Path], texts: list[str],
                                                        tmp_path: Path, no_network: list) -> None:
    out = tmp_path / "out"
    assert main(["-q", "analyze", str(exports[name]), "--out", str(out)]) == 0
    for f in ["report.html", "stories.csv", "themes.csv", "result.json", "packs/all.html", "packs/all.xlsx",
              "packs/all.redactions.csv"]:
        assert (out / f).stat().st_size > 0, f
    stories = pd.read_csv(out / "stories.csv")
    assert stories["text"].tolist() == texts  # the title row of the workbook is not a story
    assert stories["story_id"].tolist() == ([f"S{i:02d}" for i in range(12)] if name == "id_text"
                                            else [f"row-{i}" for i in range(1, 13)])
    assert len(pd.read_csv(out / "themes.csv")) == json.loads((out / "result.json").read_text())[
        "manifest"]["counts"]["themes"]
    html = (out / "packs" / "all.html").read_text(encoding="utf-8")
    assert "balanced on: language." in html
    sheets = pd.read_excel(out / "packs" / "all.xlsx", sheet_name=None)
    assert set(sheets) == {"selection", "themes", "about"} and len(sheets["selection"]) == 12
    assert 'href="packs/all.html"' in (out / "report.html").read_text(encoding="utf-8")
    assert list(pd.read_csv(out / "packs" / "all.redactions.csv").columns) == ["story_id", "field", "kind",
                                                                              "original", "start"]
    assert no_network == []


def test_cli_langid_and_panel_pack_on_plain_exports(exports: dict[str, Path], tmp_path: Path) -> None:
    for name, path in exports.items():
        assert main(["-q", "langid", str(path), "--out", str(tmp_path / name)]) == 0
        langs = pd.read_csv(tmp_path / name / "languages.csv")
        assert len(langs) == 12 and set(langs["language"]) == {"nl", "en", "fr"}
        assert (tmp_path / name / "languages.html").stat().st_size > 0
    assert main(["-q", "analyze", str(exports["titled"]), "--out", str(tmp_path / "res")]) == 0
    for suffix in (".html", ".xlsx", ".csv"):
        out = tmp_path / "pk" / f"pack{suffix}"
        assert main(["-q", "panel-pack", str(tmp_path / "res"), "--out", str(out), "--shortlist", "6"]) == 0
        assert out.stat().st_size > 0 and (tmp_path / "pk" / "pack.redactions.csv").exists()
    assert len(pd.read_csv(tmp_path / "pk" / "pack.csv")) == 6
    assert main(["-q", "panel-pack", str(tmp_path / "res"), "--out", str(tmp_path / "p.csv"), "--balance",
                 "language"]) == 0


def test_explicit_balance_on_a_missing_column_names_the_columns_there(exports: dict[str, Path], tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture) -> None:
    assert main(["analyze", str(exports["id_text"]), "--out", str(tmp_path / "o"), "--balance",
                 "region,gender"]) == 2
    err = capsys.readouterr().err
    assert "['region', 'gender']" in err and "'Verhaal'" not in err and "'text'" in err
    assert not (tmp_path / "o").exists()  # refused before the analysis


def test_analyze_and_panel_pack_api_on_id_and_text(texts: list[str]) -> None:
    result = analyze(pd.DataFrame({"id": range(12), "text": texts}))
    pack = result.panel_pack(shortlist=6)
    assert pack.balanced_on == ["language"] and len(pack.shortlist) == 6
    assert set(pack.stories.loc[pack.stories["shortlisted"], "language"]) == {"nl", "en", "fr"}
    with pytest.raises(InputError, match=r"\['region'\].*'story_id'") as info:
        result.panel_pack(balance=["language", "region"])
    assert "'text'" in str(info.value)
    with_region = result.stories.assign(Region=["Kisumu", "Gitega", "Utrecht"] * 4)
    from msc_nlp import AnalysisResult

    pack = AnalysisResult(with_region, result.themes, result.manifest).panel_pack(shortlist=6)
    assert pack.balanced_on == ["region", "language"]  # "Region" of the export, found case-blind
    assert pack.stories["region"].notna().all()


def test_panel_files_carry_no_names_phones_or_emails(tmp_path: Path) -> None:
    truth = json.loads(PRIVACY.with_suffix(".json").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    assert main(["-q", "analyze", str(PRIVACY), "--out", str(out), "--balance", "region,gender"]) == 0
    for suffix in (".html", ".xlsx", ".csv"):
        assert main(["-q", "panel-pack", str(out), "--out", str(out / "packs" / f"again{suffix}")]) == 0
    files = _panel_files(out)
    assert {p.suffix for p in files} == {".html", ".xlsx", ".csv"}
    for path in files:
        text = _text_of(path)
        leaks = [s for s in truth["remove"] if s in text]
        assert leaks == [], (path.name, leaks)
    html = (out / "packs" / "all.html").read_text(encoding="utf-8")
    assert all(place in html for place in truth["keep"])
    assert "[NAME]" in html and "[PHONE]" in html and "[EMAIL]" in html
    assert "balanced on: region, gender." in html
    review = pd.read_csv(out / "packs" / "all.redactions.csv")
    assert {"text", "title", "why_significant"} <= set(review["field"])
    assert {"Wanjiru", "0712 345 678"} <= set(" ".join(review["original"]).split(", ")) | set(review["original"])


def test_markup_is_shown_as_text_in_report_and_pack(texts: list[str], tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    frame = pd.DataFrame({"id": [f"<i>{i}</i>" for i in range(12)],
                          "title": [f"{evil} & <b>bold</b>"] * 12,
                          "text": [t + " a < b & c > d" for t in texts],
                          "region": ["<img src=x onerror=alert(2)>"] * 12})
    result = analyze(frame, fixed_themes={"<em>water</em> & schools": "water school children",
                                          "savings <u>groups</u>": "savings loans women",
                                          "governance": "board plan organisation"})
    pages = {"report": write_report(result, tmp_path / "report.html"),
             "pack": result.panel_pack(shortlist=6, balance=["region"]).to_html(tmp_path / "pack.html")}
    for name, path in pages.items():
        page = path.read_text(encoding="utf-8")
        for raw in (evil, "<i>0</i>", "<b>bold</b>", "<em>water</em>", "<img src=x", " a < b & c > d"):
            assert raw not in page, (name, raw)
        assert "&lt;em&gt;water&lt;/em&gt; &amp; schools" in page, name
        assert "&lt;i&gt;" in page, name
    pack = pages["pack"].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pack and "a &lt; b &amp; c &gt; d" in pack
    assert "&lt;img src=x onerror=alert(2)&gt;" in pack
