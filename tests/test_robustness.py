"""Bad input never crashes: property-based tests of ingest and language detection, and odd collections
through the whole pipeline (every input row comes out, with a status)."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msc_nlp import analyze, detect_language, embed, read_selection, read_stories
from msc_nlp.errors import InputError, MscNlpError
from msc_nlp.themes import ThemeModel

CODES = {"nl", "en", "fr", "other", "und"}
cells = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=80))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(cells, cells, cells), max_size=12),
       names=st.lists(st.text(min_size=1, max_size=12), min_size=3, max_size=3, unique=True))
def test_ingest_never_crashes_and_never_drops_a_row(rows: list, names: list[str]) -> None:
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)
    try:
        stories = read_stories(frame, text=names[0], duplicate_ids="suffix")
    except MscNlpError:
        return
    out = stories.to_pandas()
    assert len(out) == len(frame.dropna(how="all"))
    assert out["story_id"].is_unique and out["text"].map(lambda t: isinstance(t, str)).all()
    assert set(out["status"]) <= {"ok", "empty", "too_short"}


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=400))
def test_ingest_of_arbitrary_bytes(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("b") / "stories.csv"
    path.write_bytes(raw)
    try:
        read_stories(path)
    except MscNlpError:
        pass


@settings(max_examples=600, deadline=None)
@given(texts=st.lists(st.text(max_size=200), min_size=1, max_size=8))
def test_language_detection_on_any_text(texts: list[str]) -> None:
    results = detect_language(texts)
    assert len(results) == len(texts)
    for text, r in zip(texts, results):
        assert r.language in CODES and 0.0 <= r.confidence <= 1.0
        assert all(0.0 < share <= 1.0 for share in r.languages.values()) and sum(r.languages.values()) <= 1.0
        assert all(0 <= sp.start < sp.end <= len(text) for sp in r.spans)
    assert detect_language(texts[::-1])[::-1] == results


def _analyze_rows(texts: list[str], **cols: list) -> pd.DataFrame:
    result = analyze(pd.DataFrame({"text": texts, **cols}))
    assert len(result.stories) == len(texts)  # nothing lost
    assert sum(result.manifest["counts"]["status"].values()) == len(texts)
    return result.stories


@pytest.mark.parametrize("name,texts", [
    ("one story", ["De vrouwen van de spaargroep bouwden samen een waterpunt bij de school."]),
    ("identical stories", ["The women built a well next to the school."] * 5),
    ("html and markdown", ["<p>De <b>vrouwen</b> bouwden een <a href='x'>waterpunt</a>.</p>",
                           "**The women** built a [well](http://example.org).", "# Titre\n\nLes femmes ont un puits."]),
    ("emoji and rtl", ["💧💧💧 water!", "مرحبا بكم في القرية الجديدة اليوم", "The women built a well 😀.", "שלום"]),
    ("nul and crlf", ["Het water\x00 is schoon.\r\nDe school ook.", "L'eau est propre.\r\n", ""]),
])
def test_odd_collections_give_a_result(name: str, texts: list[str]) -> None:
    stories = _analyze_rows(texts)
    assert stories["theme_id"].ge(-1).all()
    assert (stories.loc[stories["status"] == "empty", "theme_id"] == -1).all()


@pytest.mark.slow
def test_fifty_thousand_word_story() -> None:
    long = " ".join(["De vrouwen van de spaargroep bouwden samen een waterpunt bij de school."] * 4200)
    stories = _analyze_rows([long, "The women built a well.", "Les femmes ont construit un puits."])
    assert len(long.split()) >= 50_000 and stories.loc[0, "language"] == "nl"


def test_only_empty_stories_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"all 2 stories are empty \(and 1 blank rows skipped\)"):
        analyze(pd.DataFrame({"text": ["", "  ", None]}))  # a row with no value at all is padding, counted


def test_numeric_and_missing_ids_survive(tmp_path: Path) -> None:
    csv = "nr;verhaal\n1;Het water is schoon.\n;De school is open.\n3.0;L'eau est propre.\n"
    (tmp_path / "s.csv").write_text(csv, encoding="utf-8")
    stories = analyze(tmp_path / "s.csv").stories
    assert stories["story_id"].tolist() == ["1", "row-2", "3.0"]  # ids from a file are kept verbatim


@pytest.mark.slow
def test_large_collection_paths_open_no_socket(no_network: list, sample_frame: pd.DataFrame) -> None:
    # distinct texts: exact duplicates are not themed as stories of their own
    frame = pd.concat([sample_frame.assign(story_id=sample_frame["story_id"] + f"-{k}",
                                           text=sample_frame["text"] + f" (copy {k})") for k in range(5)])
    result = analyze(frame)
    assert result.manifest["models"]["theme_strategy"] == "partition" and len(result.stories) == len(frame)
    texts = frame["text"].tolist()
    model = ThemeModel(strategy="bertopic").fit(texts, embed(texts, align=False),
                                                result.stories["language"].tolist())
    assert model.strategy_ == "bertopic"
    assert no_network == []


def test_csv_export_keeps_every_row(tmp_path: Path, sample_path: Path) -> None:
    result = analyze(sample_path)
    result.save(tmp_path)
    assert len(pd.read_csv(tmp_path / "stories.csv")) == len(pd.read_csv(sample_path))
    assert pd.read_csv(io.StringIO((tmp_path / "themes.csv").read_text()))["size"].sum() == len(result.stories)


# --------------------------------------------------------------------------- hostile and extreme inputs (issue 20)
STORIES = ["De vrouwen van de spaargroep bouwden samen een waterpunt bij de school.",
           "The savings group opened a small shop and now pays school fees for twelve children.",
           "Les femmes du groupe d'épargne ont construit un puits près de l'école.",
           "Het comité van ouders beheert nu het geld voor het onderhoud van de pomp.",
           "Farmers in the cooperative sell their maize together and get a better price."]


def _live_formula(cell: object) -> bool:
    return isinstance(cell, str) and cell[:1] in set("=+-@\t\r") and not cell.lstrip("+-").replace(".", "").isdigit()


def test_hostile_cells_never_reach_a_spreadsheet_as_formulas(tmp_path: Path) -> None:
    import csv

    from openpyxl import load_workbook

    hostile = ["=HYPERLINK(\"http://evil.example\",\"Click\") De vrouwen bouwden een waterpunt bij de school.",
               "+cmd|' /C calc'!A0 The savings group opened a shop.", "@SUM(1+1) Les femmes ont un puits.",
               "-2+3 Het comité beheert het geld van de pomp."]
    frame = pd.DataFrame({"story_id": ["=1+1", "+2", "@3", "-4", "5", "6", "7", "8", "9"],
                          "text": hostile + STORIES, "region": ["=A1"] * 9})
    result = analyze(frame)
    out = result.save(tmp_path / "res")
    pack = result.panel_pack(balance=(), redact=False)
    pack.to_excel(tmp_path / "pack.xlsx")
    pack.to_csv(tmp_path / "pack.csv")
    for name in ("res/stories.csv", "res/themes.csv", "pack.csv"):
        with (tmp_path / name).open(newline="", encoding="utf-8") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert cells and not any(_live_formula(c) for c in cells), name
    wb = load_workbook(tmp_path / "pack.xlsx")
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    sheet = pd.read_csv(tmp_path / "pack.csv", dtype=object, keep_default_na=False)
    sheet["selected"], sheet["reason"] = "yes", "=because"
    sheet.to_csv(tmp_path / "filled.csv", index=False)
    records = read_selection(tmp_path / "filled.csv", result.stories["story_id"])
    assert set(records["story_id"]) == set(pack.shortlist) and set(records["reason"]) == {"=because"}
    assert (out / "result.json").is_file()


def test_too_long_story_and_giant_token_are_cut_for_analysis_only() -> None:
    long = " ".join(STORIES * 40)  # ~14,000 characters
    blob = "iVBORw0KGgo" * 20_000  # a 220,000-character "word": a pasted image
    texts = [*STORIES, long, f"{STORIES[0]} Hier is de foto van het nieuwe waterpunt: {blob}"]
    result = analyze(pd.DataFrame({"story_id": [f"s{i}" for i in range(7)], "text": texts}), max_story_chars=2_000)
    rows = result.stories.set_index("story_id")
    assert rows["text"].tolist() == texts  # the full texts stay in the result
    assert rows.loc["s5", "status"] == "too_long" and rows.loc["s5", "theme_id"] >= 0
    assert rows.loc["s5", "language"] == "nl" and rows.loc["s5", "capability"] != ""
    assert any("'s5'" in n and "2,000" in n for n in result.manifest["notes"])
    assert rows.loc["s6", "status"] == "ok" and rows.loc["s6", "language"] == "nl"  # the token does not count
    assert result.manifest["counts"]["clipped_tokens"] == 1 and (rows["status"] == "ok").sum() == 6


@pytest.mark.parametrize("value", [999, 1_000_001, "100000", None])
def test_max_story_chars_is_validated(value: object) -> None:
    from msc_nlp.errors import ParameterError

    with pytest.raises(ParameterError, match="max_story_chars"):
        analyze(pd.DataFrame({"text": STORIES}), max_story_chars=value)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(["a", "é", "=", " ", "\n", "/", "+"]), max_size=400))
def test_clip_tokens_bounds_every_run_and_keeps_the_rest(text: str) -> None:
    from msc_nlp._guards import MAX_TOKEN_CHARS, clip_tokens

    out = clip_tokens(text)
    assert max((len(w) for w in out.split()), default=0) <= MAX_TOKEN_CHARS
    assert out.split() == [w[:MAX_TOKEN_CHARS] for w in text.split()]
    assert (out == text) == all(len(w) <= MAX_TOKEN_CHARS for w in text.split())


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "é"]), max_size=3_000), max_size=4))
def test_feature_texts_are_bounded(texts: list[str]) -> None:
    from msc_nlp._guards import MAX_TOKEN_CHARS, clip_tokens, collection_shape

    shape = collection_shape([f"s{i}" for i in range(len(texts))], texts, max_story_chars=1_000)
    assert len(shape.features) == len(texts) and len(shape.notes) == int(shape.too_long.sum())
    for text, feature, long_ in zip(texts, shape.features, shape.too_long):
        assert len(feature) <= 1_000 and max(map(len, feature.split()), default=0) <= MAX_TOKEN_CHARS
        assert long_ == (len(clip_tokens(text)) > 1_000)
        assert clip_tokens(text).startswith(feature)


def test_duplicates_and_one_word_answers_are_not_themed(tmp_path: Path) -> None:
    from msc_nlp.report import write_report

    texts = [*STORIES, STORIES[0], "yes", "yes", "", STORIES[2], "no"]
    ids = [f"s{i}" for i in range(len(texts))]
    result = analyze(pd.DataFrame({"story_id": ids, "text": texts}))
    rows = result.stories.set_index("story_id")
    assert rows.loc[["s5", "s9"], "status"].tolist() == ["duplicate", "duplicate"]
    assert rows.loc[["s5", "s9", "s7"], "duplicate_of"].tolist() == ["s0", "s2", "s6"]
    assert rows.loc[["s0", "s1", "s6", "s8"], "duplicate_of"].isna().all()
    for dup, twin in (("s5", "s0"), ("s9", "s2")):
        assert rows.loc[dup, ["theme_id", "map_x", "map_y"]].tolist() == rows.loc[twin, ["theme_id", "map_x",
                                                                                         "map_y"]].tolist()
    assert rows.loc[["s6", "s7", "s8", "s10"], "theme_id"].eq(-1).all()
    assert result.manifest["counts"]["themed"] == 5 and result.manifest["counts"]["duplicates"] == 3
    assert result.themes["size"].sum() == 7  # 5 distinct stories and their 2 twins
    write_report(result, tmp_path / "r.html")


def test_only_one_word_answers_say_there_is_nothing_to_theme(tmp_path: Path) -> None:
    from msc_nlp.report import write_report

    words = ["yes", "no", "ja", "nee", "oui", "non", "water", "school"]
    result = analyze(pd.DataFrame({"text": [words[i % 8] for i in range(400)]}))
    assert len(result.stories) == 400 and result.stories["theme_id"].eq(-1).all() and result.themes.empty
    assert result.manifest["models"]["theme_strategy"] == "none"
    assert any("no stories to theme" in n for n in result.manifest["notes"])
    page = write_report(result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "no stories to theme" in page and "No theme map" in page
    result.save(tmp_path / "res")
    assert len(pd.read_csv(tmp_path / "res" / "stories.csv")) == 400


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.sampled_from(["", "a", "a b", "a b c", "x y z", "long story here"]), max_size=30))
def test_final_status_points_every_repeat_at_its_first_twin(texts: list[str]) -> None:
    from msc_nlp._guards import THEMED, final_status
    from msc_nlp.stories import _status

    ids = [f"s{i}" for i in range(len(texts))]
    status, twins = final_status([_status(t) for t in texts], np.zeros(len(texts), bool), texts, ids)
    assert len(status) == len(texts)
    themed = [t for t, s in zip(texts, status) if s in THEMED]
    assert len(themed) == len(set(themed))  # themes are fitted on distinct texts
    for i, (s, twin) in enumerate(zip(status, twins)):
        if twin is not None:
            j = ids.index(twin)
            assert j < i and texts[j] == texts[i] and twins[j] is None
            assert s == ("duplicate" if _status(texts[i]) == "ok" else _status(texts[i]))
        else:
            assert texts[i] == "" or texts.index(texts[i]) == i


def test_a_dependency_error_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    from msc_nlp.errors import AnalysisError
    from msc_nlp.themes import model as theme_model

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("[E088] Text of length 2900000 exceeds maximum of 1000000.")

    monkeypatch.setattr(theme_model, "cluster_small", fail)  # a dependency call inside the theme stage
    with pytest.raises(AnalysisError, match=r"ValueError: \[E088\]") as info:
        analyze(pd.DataFrame({"text": STORIES}))
    assert isinstance(info.value.__cause__, ValueError)
