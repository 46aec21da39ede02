from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from msc_nlp import Selections, analyze, read_selection
from msc_nlp.cli import main
from msc_nlp.errors import InputError
from msc_nlp.panels import (
    analyse_reasons,
    compare_periods,
    meta_monitoring,
    panel_pack,
    theme_survival,
    triage,
)

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def result(sample_path: Path):
    return analyze(sample_path, random_state=0)


@pytest.fixture(scope="module")
def two_levels(result, tmp_path_factory) -> tuple[Selections, Path]:
    """A made-up selection over two levels: a country panel picks 5 of the 12 shortlisted, head office 2."""
    folder = tmp_path_factory.mktemp("sel")
    sheet = result.panel_pack().sheet(level="country", panel="Kenya").astype(object)
    picked = sheet.index[:5]
    sheet.loc[picked, "selected"] = ["ja", "yes", "oui", "x", "1"]
    sheet.loc[picked, "votes"] = ["4", "3", "3", "2", "5"]
    sheet.loc[picked, "reason"] = [
        "De vrouwen zijn economisch onafhankelijk geworden.", "Women became economically independent.",
        "La communauté gère elle-même l'eau potable.", "The community now manages its own clean water.",
        "Het laat zien hoe leiderschap de organisatie sterker maakt."]
    path = folder / "country.xlsx"
    with pd.ExcelWriter(path) as xw:
        sheet.to_excel(xw, sheet_name="selection", index=False)
    records = read_selection(path, result.stories["story_id"])
    selections = Selections().add("country", records)
    second = records[records["selected"]].copy()
    second["selected"] = [True, False, False, True, False]
    second.loc[~second["selected"], "reason"] = ""
    selections.add("head office", second)
    return selections, path


def test_shortlist_covers_themes_and_languages(result) -> None:
    pack = panel_pack(result, shortlist=12)
    short = pack.stories.set_index("story_id").loc[pack.shortlist]
    assert len(pack.shortlist) == 12 and len(set(pack.shortlist)) == 12
    assert short["theme_id"].nunique() >= min(6, len(result.themes))
    assert {"nl", "en", "fr"} <= set(short["language"])
    assert panel_pack(result, shortlist=12).shortlist == pack.shortlist  # deterministic


def test_pack_per_domain_has_representatives_and_unexpected(result, tmp_path: Path) -> None:
    pack = panel_pack(result, "organisational capacity", per_theme=1)
    assert set(pack.stories["domain"]) == {"organisational capacity"}
    roles = pack.stories.groupby("theme_id")["role"].apply(set)
    assert all("representative" in r for r in roles)
    assert (pack.stories["role"] == "unexpected").any()
    html = pack.to_html(tmp_path / "pack.html").read_text(encoding="utf-8")
    assert html.count('class="card"') >= len(pack.shortlist) and "<script" not in html
    sheet = pd.read_excel(pack.to_excel(tmp_path / "pack.xlsx"), sheet_name=None)
    assert set(sheet) == {"selection", "themes", "about"}  # the review list of redactions is not in it
    assert list(sheet["selection"].columns)[-3:] == ["selected", "votes", "reason"]
    with pytest.raises(InputError, match="Domains in the collection"):
        panel_pack(result, "health")


def test_selection_round_trip_and_meta_monitoring(result, two_levels) -> None:
    selections, _ = two_levels
    assert selections.levels == ["country", "head office"]
    assert len(selections.selected("country")) == 5 and len(selections.selected("head office")) == 2
    mm = meta_monitoring(result.stories, selections)
    assert set(mm["level"]) == {"country", "head office"}
    assert {"region", "storyteller_role", "language", "theme_label"} <= set(mm["column"])
    tested = mm.dropna(subset=["p_value"])
    assert tested["p_value"].between(0, 1).all() and mm["flag"].dtype == bool
    assert (tested["p_adjusted"] >= tested["p_value"]).all()
    assert (mm.loc[mm["p_value"].isna(), "verdict"] == "too few stories to tell").all()
    lang = mm[(mm["level"] == "country") & (mm["column"] == "language") & (mm["compared_with"] == "rated")]
    assert lang["submitted"].sum() == 12 and lang["selected"].sum() == 5
    whole = mm[(mm["level"] == "country") & (mm["column"] == "language") & (mm["compared_with"] == "collection")]
    picked, given = whole[whole["chosen"] == "selected"], whole[whole["chosen"] == "rated"]
    assert picked["submitted"].sum() == len(result.stories) and picked["selected"].sum() == 5
    assert given["selected"].sum() == 12  # the shortlist the country panel rated, against the collection
    survival = theme_survival(result.stories, selections)
    assert survival["selected_head office"].sum() == 2 and survival["submitted"].sum() == len(result.stories)


def test_selection_errors(result, two_levels, tmp_path: Path) -> None:
    _, path = two_levels
    sheet = pd.read_excel(path, sheet_name="selection", dtype=object)
    bad = sheet.copy()
    bad.loc[0, "story_id"] = "NL-99"
    with pytest.raises(InputError, match=r"not in the collection: \['NL-99'\]"):
        read_selection(bad, result.stories["story_id"])
    bad = sheet.copy()
    bad.loc[0, "reason"] = None
    with pytest.raises(InputError, match="no reason"):
        read_selection(bad, result.stories["story_id"])
    bad = sheet.copy()
    bad.loc[0, "selected"] = "maybe"
    with pytest.raises(InputError, match="expected yes/no"):
        read_selection(bad, result.stories["story_id"])
    records = read_selection(sheet, result.stories["story_id"])
    outside = records.copy()
    outside.loc[outside.index[-1], "story_id"] = next(s for s in result.stories["story_id"]
                                                      if s not in set(records["story_id"]))
    with pytest.raises(InputError, match="did not select"):
        Selections().add("country", records).add("head office", outside)


def test_reasons_are_grouped_across_languages(two_levels) -> None:
    selections, _ = two_levels
    out = analyse_reasons(selections.records)
    reasons = out["reasons"].groupby("reason")["criterion"].first()
    assert reasons["De vrouwen zijn economisch onafhankelijk geworden."] == \
        reasons["Women became economically independent."]
    assert reasons["La communauté gère elle-même l'eau potable."] == \
        reasons["The community now manages its own clean water."]
    assert {"criteria", "usage"} <= set(out) and "reason_capability" in out["reasons"]


def test_periods_and_triage(result) -> None:
    periods = compare_periods(result.stories)
    assert set(periods["themes"].columns) == set(result.stories["period"])
    assert (periods["themes"].sum() - 1).abs().max() < 1e-3  # shares are rounded to 4 decimals
    stories = result.stories.copy()
    dup = stories.iloc[[0]].assign(story_id="DUP-1", region=None)
    translated = stories[stories["story_id"] == "EN-02"].assign(story_id="DUP-2", language="en")
    t = triage(pd.concat([stories, dup, translated], ignore_index=True))
    near = t[t["issue"] == "near_duplicate"]
    assert {"DUP-1", "DUP-2"} <= set(near["story_id"]) | set(near["other_story"])
    assert set(near["kind"]) == {"edited copy"}
    assert ((t["story_id"] == "DUP-1") & (t["issue"] == "missing_provenance")).any()
    assert set(t.loc[t["issue"] == "very_short", "story_id"]) >= {"NL-13", "EN-10", "FR-10"}


DEV_SETS = [HERE / "data" / "redaction_heldout.json", HERE / "data" / "redaction_heldout_2.json",
            HERE.parent / "corpora" / "eval" / "redaction_dev.json", HERE.parent / "corpora" / "eval" /
            "redaction_test.json", HERE.parent / "corpora" / "eval" / "redaction_test_2.json"]


@pytest.mark.parametrize("path", DEV_SETS, ids=lambda p: p.stem)
def test_redaction_on_the_development_sets(path: Path) -> None:
    """No name, phone or e-mail left; of places, organisations and dates, nine in ten kept on the sets the rules
    were first written on, 85 % on the two former test sets (sets the rules were written on; the held-out figure
    is in benchmarks/results/panels.md)."""
    from msc_nlp.panels import Redactor

    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [{"language": s["lang"], "text": s["text"], "remove": s["names"] + s["phones"] + s.get("emails", []),
                 "keep": s["places"]} for s in data["stories"]]
    redactor = Redactor()
    kept = total = 0
    for s in data:
        fields = {f: s[f] for f in ("title", "text", "why_significant") if s.get(f)}
        out = " ".join(redactor.redact_fields(fields, s.get("id", ""), s["language"])[0].values())
        assert [x for x in s["remove"] if x in out] == []
        kept += sum(x in out for x in s["keep"])
        total += len(s["keep"])
    assert kept / total >= (0.85 if path.stem.startswith("redaction_test") else 0.9)


def test_cli_panel_pack(result, tmp_path: Path) -> None:
    result.save(tmp_path / "res")
    assert main(["-q", "panel-pack", str(tmp_path / "res"), "--domain", "lives of people", "--out",
                 str(tmp_path / "pack.html")]) == 0
    assert main(["-q", "panel-pack", str(tmp_path / "res"), "--out", str(tmp_path / "pack.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "pack.csv")) == 12
    assert main(["-q", "panel-pack", str(tmp_path / "res"), "--out", str(tmp_path / "pack.pdf")]) == 2
