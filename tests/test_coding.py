from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from msc_nlp.capabilities import CapabilityMapper
from msc_nlp.capabilities.coding import apply_team_codes, code_next
from msc_nlp.cli import main
from msc_nlp.errors import InputError


@pytest.fixture(scope="module")
def coded_frame(sample_frame: pd.DataFrame) -> pd.DataFrame:
    df = sample_frame[sample_frame["language_label"].isin(["nl", "en", "fr"])].head(36).reset_index(drop=True)
    # the team coded every other story, with names from both 5C traditions mixed in
    names = {"act_commit": "capability to act and commit", "relate": "C3"}
    df["team_code"] = [names.get(c, c) if i % 2 == 0 else "" for i, c in enumerate(df["capability"])]
    return df


def test_cli_analyze_with_coded_column(tmp_path: Path, coded_frame: pd.DataFrame, no_network: list) -> None:
    src = tmp_path / "coded.csv"
    coded_frame.drop(columns=["capability"]).to_csv(src, index=False)
    assert main(["-q", "analyze", str(src), "--out", str(tmp_path / "out"), "--coded-column", "team_code"]) == 0
    data = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    stories = pd.DataFrame(data["stories"]["data"])
    coded = coded_frame["team_code"] != ""
    assert (stories.loc[coded, "capability_source"] == "team").all()
    assert (stories.loc[coded, "capability"] == coded_frame.loc[coded, "capability"]).all()  # codes kept
    assert (stories.loc[~coded, "capability_source"] == "few-shot").all()
    assert stories.loc[~coded, "capability"].isin(set(coded_frame.loc[coded, "capability"])).all()
    placed = stories[stories["capability"] != "none"]
    assert all(e and e in t for e, t in zip(placed["evidence"], placed["text"]))
    coding = data["manifest"]["coding"]
    assert coding["coded"] == coded.sum() and coding["mode"] == "few-shot"
    cv = coding["cross_validation"]
    assert cv["available"] and 0 <= cv["macro_f1"] <= 1 and -1 <= cv["kappa"] <= 1 and cv["per_capability_f1"]
    assert set(coding["code_next"]) <= set(stories.loc[~coded, "story_id"]) and len(coding["code_next"]) == 10
    assert "Team coding" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert no_network == []


def test_too_few_capabilities_coded_falls_back_to_zero_shot(coded_frame: pd.DataFrame) -> None:
    df = coded_frame.head(8).copy()
    df["team_code"] = ["deliver", "", "", "", "deliver", "", "", ""]
    mapper = CapabilityMapper()
    caps = mapper.transform(df["text"].tolist(), df["story_id"].tolist())
    rows = np.arange(len(df))
    out, summary = apply_team_codes(df, caps, mapper, "team_code", rows=rows, embeddings=np.zeros((8, 4)))
    assert summary["mode"] == "zero-shot" and "at least 2" in summary["why_zero_shot"]
    assert out["capability_source"].tolist() == ["team", *["zero-shot"] * 3, "team", *["zero-shot"] * 3]
    assert (out.loc[out["capability_source"] == "zero-shot", "capability"] == caps["capability"][
        out["capability_source"] == "zero-shot"]).all()
    assert not summary["cross_validation"]["available"]
    unusable = apply_team_codes(df, caps, mapper, "team_code", rows=np.array([0, 1, 2, 3, 5, 6, 7]),
                                embeddings=np.zeros((7, 4)))[0]  # story 4 has no usable text: still kept
    assert unusable.loc[4, "capability"] == "deliver" and unusable.loc[4, "capability_source"] == "team"
    df.loc[1, "team_code"] = "capability to fly"
    with pytest.raises(InputError, match="not capabilities"):
        apply_team_codes(df, caps, mapper, "team_code", rows=rows, embeddings=np.zeros((8, 4)))
    with pytest.raises(InputError, match="no such column"):
        apply_team_codes(df, caps, mapper, "code", rows=rows, embeddings=np.zeros((8, 4)))


def test_code_next_spreads_over_groups() -> None:
    picks = code_next([0.9, 0.8, 0.7, 0.1, 0.5], [0, 1, 2, 3, 4], ["a", "a", "a", "b", "c"], 3)
    assert picks == [0, 4, 3]
