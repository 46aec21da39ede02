"""Reports: a self-contained HTML report (opens offline, plotly.js inlined) of an AnalysisResult."""
from __future__ import annotations

from .html import write_report

__all__ = ["write_report"]
