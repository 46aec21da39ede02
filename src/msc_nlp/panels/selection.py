"""Selection records: read a filled-in panel sheet back, validate it, and chain levels (field → country → ...)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._spreadsheet import restore
from ..errors import InputError

__all__ = ["read_selection", "Selections", "RECORD_COLUMNS"]

#: Columns of a validated selection record.
RECORD_COLUMNS = ["level", "panel", "story_id", "selected", "votes", "reason"]
_YES = {"yes", "y", "ja", "j", "oui", "o", "x", "1", "true", "selected", "✓", "☑"}
_NO = {"no", "n", "nee", "non", "0", "false", ""}


def _as_bool(value: object, row: int, path: str) -> bool:
    text = "" if pd.isna(value) else str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InputError(f"Row {row} of {path}: 'selected' is {value!r}; expected yes/no (also ja/nee, oui/non, x, "
                     "1/0) or blank.")


def read_selection(path: str | Path | pd.DataFrame, known_ids: Iterable[str], *, level: str | None = None,
                   panel: str | None = None, require_reason: bool = True) -> pd.DataFrame:
    """Read a panel's filled-in sheet (XLSX sheet ``selection``, CSV, or a DataFrame) and validate it.

    ``known_ids``: the story ids of the collection (e.g. ``result.stories["story_id"]``); an unknown id is an
    error. A selected story without a reason is an error when ``require_reason`` (MSC asks panels to say
    why). ``level``/``panel`` fill blank cells. Returns a DataFrame with :data:`RECORD_COLUMNS`.
    """
    label = "<DataFrame>" if isinstance(path, pd.DataFrame) else str(path)
    if isinstance(path, pd.DataFrame):
        sheet = path.copy()
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"No such selection sheet: {label!r}.")
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            sheets = pd.read_excel(p, sheet_name=None, dtype=object, keep_default_na=False)  # "#N/A" is a reason
            sheet = sheets.get("selection", next(iter(sheets.values())))
        else:
            sheet = pd.read_csv(p, dtype=object, keep_default_na=False)
            sheet = sheet.rename(columns=restore).map(restore)  # undo write_csv's formula neutralisation
    missing = [c for c in ("story_id", "selected") if c not in sheet.columns]
    if missing:
        raise InputError(f"{label} has no column(s) {missing}. Columns seen: {list(sheet.columns)}. Use the sheet "
                         "made by PanelPack.to_excel / to_csv.")
    known = {str(i) for i in known_ids}
    records = []
    unknown = []
    no_reason = []
    for n, row in enumerate(sheet.to_dict(orient="records"), start=2):
        sid = str(row["story_id"]).strip()
        if sid not in known:
            unknown.append(sid)
            continue
        selected = _as_bool(row.get("selected"), n, label)
        reason = "" if pd.isna(row.get("reason", "")) else str(row.get("reason", "")).strip()
        if selected and require_reason and not reason:
            no_reason.append(sid)
        votes_raw = row.get("votes", "")
        try:
            votes = int(float(votes_raw)) if str(votes_raw).strip() not in ("", "nan", "None") else 0
        except ValueError as exc:
            raise InputError(f"Row {n} of {label}: votes {votes_raw!r} is not a number.") from exc
        records.append({"level": str(row.get("level") or level or ""), "panel": str(row.get("panel") or panel or ""),
                        "story_id": sid, "selected": selected, "votes": votes, "reason": reason})
    if unknown:
        raise InputError(f"{label} names {len(unknown)} story id(s) not in the collection: {unknown[:5]}. Check "
                         "for typos or a sheet from another collection.")
    if no_reason:
        raise InputError(f"{label}: {len(no_reason)} selected stor{'y has' if len(no_reason) == 1 else 'ies have'} "
                         f"no reason ({no_reason[:5]}). Panels record why a story is the most significant; fill "
                         "in 'reason' (or pass require_reason=False).")
    out = pd.DataFrame(records, columns=RECORD_COLUMNS)
    dup = out["story_id"][out["story_id"].duplicated()].tolist()
    if dup:
        raise InputError(f"{label} lists story id(s) {dup[:5]} more than once.")
    return out


@dataclass
class Selections:
    """Selections at successive levels; what a level selected is what the next level may choose from."""

    levels: list[str] = field(default_factory=list)
    records: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RECORD_COLUMNS))

    def add(self, level: str, records: pd.DataFrame) -> Selections:
        """Add one level's records (from :func:`read_selection`); stories must come from the previous level's
        selection."""
        if level in self.levels:
            raise InputError(f"Level {level!r} was already added; levels so far: {self.levels}.")
        if self.levels:
            allowed = set(self.selected(self.levels[-1]))
            outside = sorted(set(records["story_id"]) - allowed)
            if outside:
                raise InputError(f"Level {level!r} rates stories that level {self.levels[-1]!r} did not select: "
                                 f"{outside[:5]}. A level chooses among the previous level's selection.")
        recs = records.assign(level=level)
        self.records = recs if self.records.empty else pd.concat([self.records, recs], ignore_index=True)
        self.levels.append(level)
        return self

    def selected(self, level: str) -> list[str]:
        r = self.records
        return r.loc[(r["level"] == level) & r["selected"], "story_id"].tolist()
