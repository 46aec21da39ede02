from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from msc_nlp import __version__
from msc_nlp.cli import main


def test_langid_writes_csv_and_html(tmp_path: Path, sample_path: Path, no_network: list) -> None:
    assert main(["-q", "langid", str(sample_path), "--out", str(tmp_path)]) == 0
    out = pd.read_csv(tmp_path / "languages.csv")
    assert len(out) == len(pd.read_csv(sample_path))
    assert {"story_id", "language", "language_confidence", "mixed", "languages"} <= set(out.columns)
    assert "<table" in (tmp_path / "languages.html").read_text(encoding="utf-8")
    assert no_network == []


def test_unusual_columns_mapped_by_flags(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"Nummer": [7, 8], "Getuigenis": ["Het water is schoon en dichtbij de school.",
                                                    "L'eau est propre et proche de l'école."]}).to_csv(src, index=False)
    assert main(["-q", "langid", str(src), "--text-column", "Getuigenis", "--id-column", "Nummer", "--out",
                 str(tmp_path / "o")]) == 0
    out = pd.read_csv(tmp_path / "o" / "languages.csv", dtype=str)
    assert out["story_id"].tolist() == ["7", "8"] and out["language"].tolist() == ["nl", "fr"]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("nummer,opmerking\n1,x\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "msc_nlp.cli", "langid", str(src)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "'nummer'" in lines[0] and "Traceback" not in proc.stderr


def test_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "msc_nlp.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout
