"""Helpers shared by the benchmarks: where the shared data is, machine facts, writing results."""
from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def shared_data(arg: str | None = None) -> Path:
    """The shared data folder: ``arg``, else ``$MSC_SHARED_DATA``, else ``../shared/data``."""
    path = Path(arg or os.environ.get("MSC_SHARED_DATA") or ROOT.parent / "shared" / "data")
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}: pass --data or set MSC_SHARED_DATA")
    return path


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus_available": len(os.sched_getaffinity(0)), "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def write_results(name: str, payload: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"command": " ".join([Path(sys.executable).name] + sys.argv), "machine": machine(), **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nwrote {RESULTS / (name + '.json')} and .md")
