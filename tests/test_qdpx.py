"""REFI-QDA export: schema validation, our own reader's round trip, exact offsets, redaction, the CLI."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from _contract import CAPS, contract_result

from msc_nlp.errors import InputError
from msc_nlp.report.qdpx import read_qdpx, schema_path, write_qdpx

etree = pytest.importorskip("lxml.etree")


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(schema_path())))


@pytest.fixture(scope="module")
def result(sample_frame: pd.DataFrame):
    return contract_result(sample_frame)


def _valid(schema, path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        doc = etree.fromstring(z.read("project.qde"))
    assert schema.validate(doc), schema.error_log


def test_schema_is_the_refi_project_schema_with_its_licence() -> None:
    text = schema_path().read_text(encoding="utf-8")
    assert 'targetNamespace="urn:QDA-XML:project:1.0"' in text and "licensed under the MIT license" in text
    notice = (schema_path().parent / "LICENSE").read_text(encoding="utf-8")
    assert "Copyright 2019 REFI" in notice and "Permission is hereby granted" in notice


def test_export_validates_and_round_trips(result, schema, tmp_path: Path) -> None:
    path = result.to_qdpx(tmp_path / "stories.qdpx")
    _valid(schema, path)
    project = read_qdpx(path)
    stories = result.stories
    assert project.sources["name"].tolist() == stories["story_id"].tolist()
    assert project.sources["text"].tolist() == stories["text"].tolist()
    codes = project.codes
    themes = codes[codes["parent"] == "Themes"]["name"].str.split(": ", n=1).str[1]
    assert sorted(themes) == sorted(result.themes["label"])
    assert sorted(codes[codes["parent"] == "5C capabilities"]["name"]) == sorted(CAPS)
    assert not codes[codes["parent"].isna()]["codable"].any()
    sel = project.selections.merge(stories, left_on="source_name", right_on="story_id")
    theme_sel = sel[sel["name"].str.startswith("theme: ")]
    assert len(theme_sel) == len(stories)
    assert (theme_sel["start"] == 0).all() and (theme_sel["end"] == theme_sel["text_y"].str.len()).all()
    assert (theme_sel["code_name"].str.split(": ", n=1).str[1] == theme_sel["theme_label"]).all()
    evidence = sel[sel["name"].str.startswith("evidence: ")]
    assert len(evidence) == int((stories["capability"] != "none").sum())
    assert (evidence["text_x"] == evidence["evidence"]).all()  # offsets select exactly the evidence sentence
    assert (evidence["code_name"] == evidence["capability"]).all()
    variables = pd.DataFrame(project.sources["variables"].tolist())
    assert variables["partner"].tolist() == stories["partner"].tolist()
    assert variables["period"].tolist() == stories["period"].tolist()
    assert variables["cap_relate"].astype(float).round(6).tolist() == stories["cap_relate"].round(6).tolist()


def test_same_result_same_bytes(result, tmp_path: Path) -> None:
    a = write_qdpx(result, tmp_path / "a.qdpx").read_bytes()
    assert a == write_qdpx(result, tmp_path / "b.qdpx").read_bytes()


def _one(text: str, evidence: str, **extra: object):
    frame = pd.DataFrame([{"story_id": "X-1", "text": text, "language_label": "en", "theme": "t",
                           "capability": "relate", "partner": "Umoja Trust", "period": "2025",
                           "region": "Kisumu, Kenya", **extra}])
    result = contract_result(frame)
    result.stories["evidence"] = evidence
    return result


def test_offsets_count_characters_of_the_utf8_source(schema, tmp_path: Path) -> None:
    text = ("Élodie 🌍 a parlé à la coopérative.\r\nNotre équipe   a rencontré\r\nle comité du district "
            "trois fois. Fin.")
    evidence = "Notre équipe a rencontré le comité du district trois fois."  # re-joined by the splitter
    path = write_qdpx(_one(text, evidence), tmp_path / "one.qdpx")
    _valid(schema, path)
    project = read_qdpx(path)
    source = project.sources["text"].iloc[0]
    assert "\r" not in source
    with zipfile.ZipFile(path) as z:
        raw = z.read(next(n for n in z.namelist() if n.startswith("Sources/")))
    assert raw.decode("utf-8") == source and not raw.startswith(b"\xef\xbb\xbf")
    seg = project.selections[project.selections["name"].str.startswith("evidence")].iloc[0]
    assert seg["text"] == "Notre équipe   a rencontré\nle comité du district trois fois."
    assert seg["start"] == source.index("Notre")  # code points: the emoji counts as one
    assert len(source[: seg["start"]].encode("utf-8")) != seg["start"]


def test_redaction_follows_into_segments_and_variables(schema, tmp_path: Path) -> None:
    text = ("Mama Grace Achieng leads the savings group in Kisumu. The board of the Umoja Trust now meets every "
            "month and Grace Achieng reports to it, call 0722 123 456.")
    evidence = ("The board of the Umoja Trust now meets every month and Grace Achieng reports to it, "
                "call 0722 123 456.")
    result = _one(text, evidence, title="Grace Achieng and the board", why_significant="Grace Achieng leads.")
    path = write_qdpx(result, tmp_path / "red.qdpx", redact=True)
    _valid(schema, path)
    with zipfile.ZipFile(path) as z:
        everything = b"".join(z.read(n) for n in z.namelist()).decode("utf-8")
    assert "Achieng" not in everything and "0722" not in everything
    project = read_qdpx(path)
    source = project.sources["text"].iloc[0]
    assert source.startswith("Mama [NAME] leads the savings group in Kisumu.")
    seg = project.selections[project.selections["name"].str.startswith("evidence")].iloc[0]
    assert seg["text"] == "The board of the Umoja Trust now meets every month and [NAME] reports to it, call [PHONE]."
    variables = project.sources["variables"].iloc[0]
    assert variables["partner"] == "Umoja Trust" and variables["region"] == "Kisumu, Kenya"
    assert "[NAME]" in variables["title"]
    plain = read_qdpx(write_qdpx(result, tmp_path / "plain.qdpx"))
    assert plain.selections[plain.selections["name"].str.startswith("evidence")].iloc[0]["text"] == evidence


def test_bad_paths_say_what_to_do(result, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.qdpx"):
        write_qdpx(result, tmp_path / "stories.zip")
    (tmp_path / "broken.qdpx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable REFI-QDA project"):
        read_qdpx(tmp_path / "broken.qdpx")


@pytest.mark.slow
def test_cli_analyze_qdpx_and_partners(sample_frame: pd.DataFrame, schema, tmp_path: Path, no_network: list) -> None:
    """The real pipeline on 16 sample stories: analyze --qdpx-redact, then msc-nlp partners on its output."""
    src = tmp_path / "in.csv"
    sample_frame.groupby("partner").head(2).to_csv(src, index=False)
    from msc_nlp.cli import main

    assert main(["-q", "analyze", str(src), "--out", str(tmp_path / "out"), "--qdpx-redact"]) == 0
    out = tmp_path / "out"
    _valid(schema, out / "stories.qdpx")
    project = read_qdpx(out / "stories.qdpx")
    stories = pd.read_csv(out / "stories.csv")
    assert sorted(project.sources["name"]) == sorted(stories["story_id"])
    assert 'id="partners"' in (out / "report.html").read_text(encoding="utf-8")
    assert main(["-q", "partners", str(out), "--out", str(tmp_path / "p")]) == 0
    profiles = pd.read_csv(tmp_path / "p" / "partner_profiles.csv")
    assert set(profiles["partner"]) == set(stories["partner"])
    assert (tmp_path / "p" / "partner_matches.json").exists()
    assert no_network == []


def test_cli_partners_without_a_partner_column_exits_2(result, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from msc_nlp.cli import main

    plain = contract_result(result.stories.drop(columns=["partner"]))
    plain.save(tmp_path / "plain")
    assert main(["partners", str(tmp_path / "plain"), "--out", str(tmp_path / "p")]) == 2
    assert "partner" in capsys.readouterr().err and not (tmp_path / "p").exists()


def test_plainest_result_exports(schema, tmp_path: Path) -> None:
    """Only the pipeline's own columns (no title, region, partner), an empty story and one without a theme."""
    stories = pd.DataFrame({"story_id": ["1", "2", "3"], "text": ["We formed a network with the county.", "",
                                                                  "Short one here."],
                            "status": ["ok", "empty", "ok"], "language": ["en", "und", "en"],
                            "theme_id": [0, -1, -1], "theme_label": ["networks", "none", "none"],
                            "capability": ["relate", "none", "none"],
                            "evidence": ["We formed a network with the county.", "", ""],
                            **{f"cap_{c}": [0.9 if c == "relate" else 0.1, 0.0, 0.2] for c in CAPS}})
    themes = pd.DataFrame({"theme_id": [0], "label": ["networks"]})
    from msc_nlp.pipeline import AnalysisResult

    path = AnalysisResult(stories, themes, {}).to_qdpx(tmp_path / "plain.qdpx", redact=True)
    _valid(schema, path)
    project = read_qdpx(path)
    assert project.sources["text"].tolist() == stories["text"].tolist()
    n = len(stories.at[0, "text"])  # the evidence is the whole first story
    assert project.selections[["source_name", "start", "end", "code_name"]].values.tolist() == [
        ["1", 0, n, "0: networks"], ["1", 0, n, "relate"]]
