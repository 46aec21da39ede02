"""Numba's on-disk cache for UMAP and pynndescent, so that only the first process on a machine compiles them.

UMAP's numba functions are compiled in every new process (~10 CPU-seconds, more than the fit itself on a few
thousand stories) because most are declared without ``cache=True``. Numba can cache a function that was
declared without it: :func:`enable` turns caching on for the compiled functions of those packages and puts the
cache in msc_nlp's own folder (``$MSC_NLP_CACHE/numba``, default ``~/.cache/msc_nlp/numba``) unless the user
set ``NUMBA_CACHE_DIR``. A function numba cannot cache (a closure, for instance) is simply compiled as before.
"""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

__all__ = ["enable", "cache_dir"]

_MODULES = ("umap", "pynndescent")
_LOCK = threading.Lock()
_done = False


def cache_dir() -> Path:
    """Where compiled functions are kept: ``NUMBA_CACHE_DIR`` if set, else msc_nlp's cache folder."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = os.environ.get("MSC_NLP_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "msc_nlp"
    return Path(base) / "numba"


def enable() -> None:
    """Import UMAP with numba caching on (once per process; never fails: without a writable folder numba
    compiles in memory as usual)."""
    global _done
    with _LOCK:
        if _done:
            return
        _done = True
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        import numba

        if str(numba.config.CACHE_DIR) != str(folder):
            numba.config.CACHE_DIR = str(folder)
        import umap  # noqa: F401 - imports the modules whose functions get cached
        from numba.core.caching import NullCache
        from numba.core.registry import CPUDispatcher

        for name, module in list(sys.modules.items()):
            if module is None or name.split(".")[0] not in _MODULES:
                continue
            for obj in list(vars(module).values()):
                if isinstance(obj, CPUDispatcher) and isinstance(getattr(obj, "_cache", None), NullCache):
                    try:
                        obj.enable_caching()
                    except Exception:  # noqa: BLE001 - numba refuses some functions (closures): compile them
                        pass
