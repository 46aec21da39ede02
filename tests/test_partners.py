"""Partner view: 5C profiles per partner and period, trend notes, peer-learning matches, report section, CLI."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _contract import CAPS, contract_result

from msc_nlp.errors import InputError, MissingColumnError, ParameterError
from msc_nlp.partners import MATCH_COLUMNS, PROFILE_COLUMNS, matches, profiles, trend_notes


@pytest.fixture(scope="module")
def result(sample_frame: pd.DataFrame):
    return contract_result(sample_frame)


@pytest.fixture(scope="module")
def table(result) -> pd.DataFrame:
    return profiles(result, n_boot=300, random_state=0)


def test_sample_corpus_names_partners_consistent_with_regions(sample_frame: pd.DataFrame) -> None:
    assert sample_frame["partner"].notna().all()
    countries = sample_frame.groupby("partner")["region"].apply(
        lambda r: {v.split(",")[-1].strip() for v in r})
    same = {"DR Congo": "RD Congo", "Nederland": "Netherlands", "Pays-Bas": "Netherlands"}
    assert all(len({same.get(c, c) for c in cs}) == 1 for cs in countries)  # a partner works in one country


def test_profiles_count_the_stories_behind_every_figure(result, table: pd.DataFrame) -> None:
    stories = result.stories
    cells = stories.groupby(["partner", "period"]).size()
    assert list(table.columns) == list(PROFILE_COLUMNS)
    assert len(table) == len(cells) * len(CAPS)
    for row in table.itertuples():
        cell = stories[(stories["partner"] == row.partner) & (stories["period"] == row.period)]
        assert row.n_stories == len(cell) == len(row.story_ids)
        assert sorted(row.story_ids) == sorted(cell["story_id"])
        with_cap = cell[cell["capability"] == row.capability]
        assert sorted(row.primary_ids) == sorted(with_cap["story_id"]) and row.n_primary == len(with_cap)
        assert row.share == pytest.approx(len(with_cap) / len(cell), abs=1e-4)
        assert row.mean_score == pytest.approx(cell[f"cap_{row.capability}"].mean(), abs=1e-4)
        assert row.share_low <= row.share + 1e-9 and row.share <= row.share_high + 1e-9
        assert row.score_low <= row.mean_score + 1e-9 <= row.score_high + 2e-9
        for sid, sentence in zip(with_cap["story_id"], with_cap["evidence"]):
            assert any(q.startswith(f"{sid} (") and q.endswith(sentence) for q in row.evidence)


def test_changes_follow_the_partners_own_previous_period(table: pd.DataFrame) -> None:
    for _key, rows in table.groupby(["partner", "capability"]):
        rows = rows.sort_values("period")
        assert pd.isna(rows["previous_period"].iloc[0]) and np.isnan(rows["share_change"].iloc[0])
        for before, now in zip(rows.iloc[:-1].itertuples(), rows.iloc[1:].itertuples()):
            assert now.previous_period == before.period
            assert now.share_change == pytest.approx(now.share - before.share, abs=1e-4)
            assert now.evidence_before == before.evidence
            assert now.enough_stories == (now.n_stories >= 3 and before.n_stories >= 3)


def test_bootstrap_is_seeded_per_partner_and_period(result, table: pd.DataFrame) -> None:
    assert profiles(result, n_boot=300, random_state=0).equals(table)
    one = sorted(table["partner"].unique())[0]
    alone = profiles(result.stories[result.stories["partner"] == one], n_boot=300, random_state=0)
    assert alone.reset_index(drop=True).equals(table[table["partner"] == one].reset_index(drop=True))
    other = profiles(result, n_boot=300, random_state=1)
    assert other["share"].equals(table["share"])


def test_trend_notes_flag_partners_with_too_few_stories(table: pd.DataFrame, result) -> None:
    notes = trend_notes(table, min_stories=3).set_index("partner")
    counts = result.stories.groupby(["partner", "period"]).size()
    for partner, row in notes.iterrows():
        enough = int((counts.loc[partner] >= 3).sum())
        assert row["readable"] == (enough >= 2)
        assert row["n_stories"] == counts.loc[partner].sum()
        assert ("Too few" in row["note"] or "one period" in row["note"]) == (not row["readable"])
    assert notes["readable"].any() and not notes["readable"].all()


def test_numeric_periods_sort_by_value_and_an_explicit_order_wins(result) -> None:
    stories = result.stories.assign(period=result.stories["period"].map({"2024-H1": 9, "2024-H2": 10, "2025-H1": 11}))
    numeric = profiles(stories, n_boot=0)
    firsts = numeric.groupby("partner")["period"].first()
    assert set(firsts) <= {"9", "10"} and "11" not in set(numeric["previous_period"].dropna())
    order = ["2025-H1", "2024-H2", "2024-H1"]
    reverse = profiles(result, n_boot=0, periods=order)
    for row in reverse.dropna(subset=["previous_period"]).itertuples():
        assert order.index(row.previous_period) < order.index(row.period)
    with pytest.raises(InputError, match="lacks periods"):
        profiles(result, periods=["2024-H1"])


def test_profiles_need_partner_and_period_columns(result) -> None:
    with pytest.raises(MissingColumnError, match="partner=<column name>"):
        profiles(result.stories.drop(columns="partner"))
    with pytest.raises(MissingColumnError, match="'quarter'"):
        profiles(result, period="quarter")
    with pytest.raises(ParameterError, match="min_stories"):
        profiles(result, min_stories=0)


def test_matches_on_the_sample_follow_their_rules(result) -> None:
    stories = result.stories
    pairs = matches(result)
    assert list(pairs.columns) == list(MATCH_COLUMNS) and len(pairs) > 0
    assert pairs.equals(matches(result))
    assert pairs["gap"].is_monotonic_decreasing
    last = sorted(stories["period"].unique())[-1]
    for row in pairs.itertuples():
        column = "capability" if row.on == "capability" else "theme_label"
        a = stories[(stories["partner"] == row.offers) & (stories["period"] == last)]
        b = stories[(stories["partner"] == row.learns) & (stories["period"] == last)]
        hits = int((a[column] == row.key).sum())
        assert hits >= 2 and hits / len(a) >= 0.3 and row.offers_primary == hits
        assert len(b) >= 3 and row.learns_share == pytest.approx((b[column] == row.key).mean(), abs=1e-4)
        assert row.learns_share <= 0.1 or row.learns_change <= -0.2
        theirs = [set(stories.loc[stories["partner"] == p, "theme_label"]) for p in (row.offers, row.learns)]
        assert row.shared_themes and set(row.shared_themes) <= theirs[0] & theirs[1]
        assert row.offers in row.explanation and row.learns in row.explanation
        texts = stories.set_index("story_id")
        for side, partner in ((row.offers_evidence, row.offers), (row.learns_evidence, row.learns)):
            assert side
            for story in side:
                assert texts.at[story["story_id"], "partner"] == partner
                assert story["language"] == texts.at[story["story_id"], "language"]
                assert story["sentence"] and story["sentence"] in texts.at[story["story_id"], "text"]
        assert all(s["shows"] for s in row.offers_evidence)
    json.loads(pairs.to_json(orient="records"))


def _planted() -> pd.DataFrame:
    """A: relate in most recent stories; B: relate before, none now; C: strong too but no shared theme."""
    rows = []
    def add(partner, period, cap, theme, n):  # noqa: ANN001, ANN202
        for _ in range(n):
            k = len(rows)
            rows.append({"story_id": f"S{k}", "text": f"Story {k} tells what changed. It is long enough here.",
                         "language": "en", "theme_id": theme, "theme_label": f"t{theme}", "capability": cap,
                         "evidence": "It is long enough here." if cap != "none" else "", "partner": partner,
                         "period": period, **{f"cap_{c}": 0.8 if c == cap else 0.1 for c in CAPS}})
    add("A", "2024", "deliver", 0, 3)
    add("A", "2025", "relate", 0, 3)
    add("A", "2025", "none", 1, 1)
    add("B", "2024", "relate", 0, 2)
    add("B", "2024", "none", 1, 2)
    add("B", "2025", "deliver", 1, 4)
    add("C", "2025", "none", 2, 4)
    return pd.DataFrame(rows)


def test_a_planted_decline_is_matched_and_explained() -> None:
    pairs = matches(_planted(), on="capability")
    pair = pairs[(pairs["key"] == "relate")]
    assert pair[["offers", "learns"]].values.tolist() == [["A", "B"]]
    row = pair.iloc[0]
    assert row["learns_change"] == pytest.approx(-0.5) and row["shared_themes"] == ["t0", "t1"]
    assert "down from 2 of 4" in row["explanation"]
    assert {s["story_id"] for s in row["learns_evidence"] if s["shows"]} and \
        all(s["period"] in ("2024", "2025") for s in row["learns_evidence"])
    assert "C" not in set(pairs["learns"]) | set(pairs["offers"])  # C shares no theme with anyone
    strict = matches(_planted(), on="capability", min_shared_themes=3)
    assert strict.empty


def test_partner_section_in_the_report_is_escaped(result, tmp_path: Path) -> None:
    from msc_nlp.report import write_report

    stories = result.stories.copy()
    stories.loc[stories["partner"] == stories["partner"].iloc[0], "partner"] = "<b>Mama & Co</b>"
    result.stories, original = stories, result.stories
    try:
        page = write_report(result, tmp_path / "report.html").read_text(encoding="utf-8")
    finally:
        result.stories = original
    assert 'id="partners"' in page and 'id="fig-partners"' in page and 'id="partner-table"' in page
    assert "&lt;b&gt;Mama &amp; Co&lt;/b&gt;" in page and "<b>Mama & Co</b>" not in page
    assert "Too few stories to read a trend" in page
    plain = contract_result(result.stories.drop(columns="partner"))
    assert 'id="partners"' not in write_report(plain, tmp_path / "plain.html").read_text(encoding="utf-8")
