"""Selection panels: panel packs (with redaction), selection records over levels, reasons, meta-monitoring,
period comparison and verification triage."""
from __future__ import annotations

from .duplicates import DUPLICATE_COLUMNS, anchors, find_duplicates
from .monitoring import compare_periods, meta_monitoring, theme_survival, triage
from .pack import SHEET_COLUMNS, PanelPack, panel_pack
from .reasons import analyse_reasons, reason_core
from .redact import Redactor, redact_texts
from .selection import RECORD_COLUMNS, Selections, read_selection

__all__ = ["panel_pack", "PanelPack", "SHEET_COLUMNS", "Redactor", "redact_texts", "read_selection",
           "Selections", "RECORD_COLUMNS", "meta_monitoring", "theme_survival", "compare_periods",
           "analyse_reasons", "triage", "find_duplicates", "anchors", "DUPLICATE_COLUMNS",
           "reason_core"]
