from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from msc_nlp import read_stories
from msc_nlp.errors import (
    DuplicateIdError,
    EmptyInputError,
    InputError,
    MissingColumnError,
    ParameterError,
    UnreadableFileError,
)


def test_sample_corpus_reads_with_all_columns(sample_path: Path) -> None:
    stories = read_stories(sample_path)
    frame = stories.to_pandas()
    assert len(stories) == len(pd.read_csv(sample_path)) >= 60
    for col in ["story_id", "text", "status", "title", "domain", "storyteller_role", "region", "period",
                "why_significant", "theme", "capability"]:
        assert col in frame.columns
    assert frame["story_id"].is_unique
    assert stories.column_map["text"] == "text"


def test_sample_corpus_has_the_promised_mix(sample_frame: pd.DataFrame) -> None:
    counts = sample_frame["language_label"].value_counts()
    assert counts["nl"] >= 20 and counts["en"] >= 20 and counts["fr"] >= 20 and counts["other"] >= 3
    words = sample_frame["text"].str.split().str.len()
    assert words.max() >= 250 and words.quantile(0.1) <= 40
    assert set(sample_frame["capability"]) <= {"act_commit", "deliver", "relate", "adapt_renew", "coherence",
                                               "none"}


@pytest.mark.parametrize("text_name,id_name", [("verhaal", "nr"), ("récit", "identifiant"),
                                                ("Story", "ID"), ("story_text", "story_id")])
def test_aliases_are_recognised(text_name: str, id_name: str) -> None:
    df = pd.DataFrame({id_name: [1, 2], text_name: ["Een verhaal over water.", "A story"], "extra": ["a", "b"]})
    frame = read_stories(df).to_pandas()
    assert frame["story_id"].tolist() == ["1", "2"]
    assert frame["text"].tolist() == ["Een verhaal over water.", "A story"]
    assert frame["extra"].tolist() == ["a", "b"]


def test_explicit_mapping_and_rename() -> None:
    df = pd.DataFrame({"Code": ["a", "b"], "Getuigenis": ["x y z", "p q r"], "Domein": ["d1", "d2"]})
    stories = read_stories(df, text="Getuigenis", id="Code", domain="Domein")
    frame = stories.to_pandas()
    assert frame[["story_id", "text", "domain"]].values.tolist() == [["a", "x y z", "d1"], ["b", "p q r", "d2"]]
    assert stories.column_map == {"domain": "Domein", "text": "Getuigenis", "story_id": "Code"}


def test_text_column_with_an_id_like_name_is_not_also_the_id() -> None:
    # Found by hypothesis: text= naming the column that id detection would also pick.
    df = pd.DataFrame({"verhaal_id": ["Het water is schoon.", "De school is open."], "x": [1, 2]})
    frame = read_stories(df, text="verhaal_id").to_pandas()
    assert frame["text"].tolist() == ["Het water is schoon.", "De school is open."]
    assert frame["story_id"].tolist() == ["row-1", "row-2"]
    with pytest.raises(InputError, match="both name column 'verhaal_id'"):
        read_stories(df, text="verhaal_id", id="verhaal_id")


def test_missing_text_column_lists_the_columns() -> None:
    df = pd.DataFrame({"nummer": [1], "opmerking": ["x"]})
    with pytest.raises(MissingColumnError) as err:
        read_stories(df)
    msg = str(err.value)
    assert "'nummer'" in msg and "'opmerking'" in msg and "text=" in msg


def test_unknown_explicit_column() -> None:
    with pytest.raises(MissingColumnError, match="Columns seen"):
        read_stories(pd.DataFrame({"text": ["a"]}), text="story_body")


def test_duplicate_ids_raise_or_suffix() -> None:
    df = pd.DataFrame({"id": ["a", "a", "b", "a"], "text": ["one", "two", "three", "four"]})
    with pytest.raises(DuplicateIdError, match="'a' ×3"):
        read_stories(df)
    frame = read_stories(df, duplicate_ids="suffix").to_pandas()
    assert frame["story_id"].tolist() == ["a", "a~2", "b", "a~3"]
    with pytest.raises(ParameterError, match="duplicate_ids"):
        read_stories(df, duplicate_ids="drop")


def test_empty_and_blank_stories_are_kept_and_flagged() -> None:
    df = pd.DataFrame({"id": [1, 2, 3, 4], "text": ["Het water is schoon en dichtbij.", "   ", None, "Kort."]})
    frame = read_stories(df).to_pandas()
    assert len(frame) == 4
    assert frame["status"].tolist() == ["ok", "empty", "empty", "too_short"]
    assert frame["text"].tolist()[2] == ""


def test_missing_ids_are_generated_not_dropped() -> None:
    frame = read_stories(pd.DataFrame({"text": ["a b c", "d e f"]})).to_pandas()
    assert frame["story_id"].tolist() == ["row-1", "row-2"]
    frame = read_stories(pd.DataFrame({"id": ["x", None], "text": ["a b c", "d e f"]})).to_pandas()
    assert frame["story_id"].tolist() == ["x", "row-2"]


def test_csv_encodings_bom_crlf_and_semicolons(tmp_path: Path) -> None:
    text = "id;verhaal\r\n1;Één café in Gitega\r\n2;Ça va très bien\r\n"
    for enc, name in [("utf-8", "u8.csv"), ("utf-8-sig", "bom.csv"), ("cp1252", "win.csv"), ("utf-16", "u16.csv")]:
        path = tmp_path / name
        path.write_bytes(text.encode(enc))
        frame = read_stories(path).to_pandas()
        assert frame["text"].tolist() == ["Één café in Gitega", "Ça va très bien"], enc
        assert frame["story_id"].tolist() == ["1", "2"]


def test_tsv_xlsx_json_jsonl(tmp_path: Path) -> None:
    df = pd.DataFrame({"story_id": ["s1", "s2"], "text": ["Een verhaal.", "Un récit."], "region": ["A", "B"]})
    df.to_csv(tmp_path / "s.tsv", sep="\t", index=False)
    df.to_excel(tmp_path / "s.xlsx", index=False)
    (tmp_path / "s.json").write_text(df.to_json(orient="records"), encoding="utf-8")
    (tmp_path / "w.json").write_text(json.dumps({"stories": df.to_dict("records")}), encoding="utf-8")
    (tmp_path / "s.jsonl").write_text(df.to_json(orient="records", lines=True), encoding="utf-8")
    for name in ["s.tsv", "s.xlsx", "s.json", "w.json", "s.jsonl"]:
        frame = read_stories(tmp_path / name).to_pandas()
        assert frame[["story_id", "text", "region"]].values.tolist() == df.values.tolist(), name


def test_xlsx_with_title_row_and_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"Notes": ["nothing here"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.DataFrame([["MSC verhalen 2024", None], ["Nr", "Verhaal"], [1, "Water bij de school."],
                      [2, "De spaargroep groeit."]]).to_excel(xw, sheet_name="Verhalen", index=False, header=False)
    frame = read_stories(path).to_pandas()
    assert frame["text"].tolist() == ["Water bij de school.", "De spaargroep groeit."]
    assert frame["story_id"].tolist() == ["1", "2"]
    with pytest.raises(InputError, match="No sheet"):
        read_stories(path, sheet="Missing")


@pytest.mark.parametrize("content,error,match", [
    (b"", EmptyInputError, "empty"),
    (b"   \n\n", EmptyInputError, "empty"),
    (b"id,text\n", EmptyInputError, "no stories"),
    (b"%PDF-1.4 binary", UnreadableFileError, "PDF"),
    (bytes(range(256)) * 40, UnreadableFileError, "binary"),
    (b"id,text\n1,caf\x81\x8d\x8f\x90\x9d\n", UnreadableFileError, "UTF-8"),
])
def test_bad_files_get_clear_errors(tmp_path: Path, content: bytes, error: type, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(error, match=match):
        read_stories(path)


def test_json_that_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"title": "stories", "count": 3}')
    with pytest.raises(InputError, match="not a list of stories"):
        read_stories(path)
    path.write_text('"just a string"')
    with pytest.raises(InputError, match="JSON str"):
        read_stories(path)


def test_unsupported_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file"):
        read_stories(tmp_path / "nope.csv")
    (tmp_path / "x.docx").write_bytes(b"PK\x03\x04zip")
    with pytest.raises(UnreadableFileError, match="ZIP"):
        read_stories(tmp_path / "x.docx")
    with pytest.raises(InputError, match="DataFrame"):
        read_stories(42)  # type: ignore[arg-type]


def test_nul_bytes_and_emoji_survive(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id,text\n1,Water \x00is schoon 💧 مرحبا\n".encode())
    assert read_stories(path).texts == ["Water is schoon 💧 مرحبا"]
