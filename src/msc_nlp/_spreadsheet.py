"""Writing tables that people open in a spreadsheet, without formula injection.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's CSV-injection list; also
after leading spaces or apostrophes, and their full-width forms ``＝ ＋ － ＠``) is a formula to Excel or
LibreOffice. A survey answer such as ``=1+1`` or a hostile ``=HYPERLINK(...)`` must reach a panel as text:

- CSV: such a cell is written with a leading apostrophe (OWASP's advice) and every text cell is quoted;
  :func:`restore` removes exactly that apostrophe when a sheet is read back, so the round trip is exact.
- XLSX: every text cell is a string cell (openpyxl would otherwise store ``=...`` as a live formula) with
  Excel's "quote prefix" set on the risky ones, so editing the cell keeps it text; values are unchanged.

Plain numbers written as text (``-5``, ``+3.5``) are harmless and left as they are.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

__all__ = ["neutralise", "restore", "is_risky", "flatten", "write_csv", "write_xlsx", "EXCEL_CELL_LIMIT"]

#: Characters a spreadsheet reads as the start of a formula (OWASP, plus full-width forms some spreadsheets
#: normalise).
TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
# A value is risky when, after any apostrophes and whitespace, it starts with a trigger. Counting leading
# apostrophes makes neutralise/restore an exact pair: "'=x" (already an apostrophe) is prefixed again.
_RISKY = re.compile(r"'*\s*[" + re.escape(TRIGGERS) + "]")  # \s: any Unicode space (NEL, NBSP, ideographic...)
# Only spaces around a plain number: a leading tab or carriage return is itself a trigger.
_NUMBER = re.compile(r" *[+-]?\d+([.,]\d+)? *")  # "-5", "+3.5"; rarer forms ("-.1", "1e5") get the apostrophe
#: Excel holds at most this many characters per cell.
EXCEL_CELL_LIMIT = 32_767
_CUT = " […]"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_risky(value: object) -> bool:
    """Whether a spreadsheet could evaluate ``value`` as a formula (only strings can be risky)."""
    return isinstance(value, str) and _RISKY.match(value) is not None and _NUMBER.fullmatch(value) is None


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula; anything else as is."""
    return "'" + value if is_risky(value) else value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise` (for cells read back from a CSV that msc_nlp wrote); anything else as is."""
    if isinstance(value, str) and value.startswith("'") and is_risky(value[1:]):
        return value[1:]
    return value


def flatten(value: Any) -> Any:
    """A list as ``"a; b"``, a dict as JSON text: what a spreadsheet cell can hold."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(flatten(c)) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[col] = out[col].map(lambda v: neutralise(flatten(v)), na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | Path | IO[str]) -> str | Path | IO[str]:
    """Write ``frame`` as UTF-8 CSV (no index), every risky cell neutralised and every text cell quoted."""
    _prepared(frame).to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    return path


def _cell_text(value: str) -> str:
    value = _ILLEGAL_XML.sub("\ufffd", value)  # control characters are not allowed in XLSX at all
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[:EXCEL_CELL_LIMIT - len(_CUT)] + _CUT
    return value


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one worksheet per ``{name: frame}`` with openpyxl. Text is always a string cell (never a
    formula or an error value); risky text also gets Excel's quote prefix; lists/dicts are flattened;
    a text longer than Excel's cell limit is cut and ends with ``[…]``; XML-illegal control characters
    become U+FFFD."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        for c, header in enumerate(frame.columns, start=1):
            _put(ws.cell(row=1, column=c), header)
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for c, value in enumerate(row, start=1):
                _put(ws.cell(row=r, column=c), value)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _put(cell: Any, value: Any) -> None:
    value = flatten(value)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        cell.value = value
        return
    if not isinstance(value, str) and (not hasattr(value, "isoformat") or getattr(value, "tzinfo", None)):
        value = str(value)  # Excel has no time zones
    if isinstance(value, str):
        text = _cell_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl makes "=..." a formula and "#N/A" an error; both stay text here
        if is_risky(text):
            cell.quotePrefix = True
        return
    cell.value = value
