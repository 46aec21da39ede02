"""Bad input never crashes: property-based tests of ingest and language detection, and odd collections
through the whole pipeline (every input row comes out, with a status)."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msc_nlp import analyze, detect_language, read_stories
from msc_nlp.errors import InputError, MscNlpError

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
def test_bertopic_path_opens_no_socket(no_network: list, sample_frame: pd.DataFrame) -> None:
    frame = pd.concat([sample_frame.assign(story_id=sample_frame["story_id"] + f"-{k}") for k in range(5)])
    result = analyze(frame)
    assert result.manifest["models"]["theme_strategy"] == "bertopic" and len(result.stories) == len(frame)
    assert no_network == []


def test_csv_export_keeps_every_row(tmp_path: Path, sample_path: Path) -> None:
    result = analyze(sample_path)
    result.save(tmp_path)
    assert len(pd.read_csv(tmp_path / "stories.csv")) == len(pd.read_csv(sample_path))
    assert pd.read_csv(io.StringIO((tmp_path / "themes.csv").read_text()))["size"].sum() == len(result.stories)
