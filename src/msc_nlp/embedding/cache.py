"""On-disk embedding cache: SQLite rows keyed by model id + SHA-256 of the text; raw float32 bytes, no pickle.

Safe to share between runs and processes (SQLite locking); a corrupt or foreign file gives a clear error.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["EmbeddingCache", "model_key"]

_SCHEMA = "CREATE TABLE IF NOT EXISTS embeddings (model TEXT, key TEXT, dim INTEGER, vec BLOB, " \
          "PRIMARY KEY (model, key))"


def model_key(embedder: object) -> str:
    """What the cache files rows under: the model id and its version (``embedder.cache_version``, e.g. a hash
    of the weights, else ``embedder.version``), so an upgraded model never gets another version's vectors."""
    version = getattr(embedder, "cache_version", None) or getattr(embedder, "version", None) or "unversioned"
    return f"{getattr(embedder, 'model_id', type(embedder).__name__)}@{version}"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A cache file (``path``; a folder gets ``embeddings.sqlite`` inside it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _file(self) -> Path:
        if self.path.suffix in ("", ".d") or self.path.is_dir():
            self.path.mkdir(parents=True, exist_ok=True)
            return self.path / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.path

    def _connect(self) -> sqlite3.Connection:
        file = self._file()
        try:
            con = sqlite3.connect(file, timeout=30)
            con.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"The embedding cache {str(file)!r} is not a readable cache file ({exc}). Delete it "
                             "or pass another cache path.") from exc
        return con

    def get(self, model_id: str, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Cached rows for ``texts``: {position: vector}."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._connect() as con:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                rows = con.execute(f"SELECT key, dim, vec FROM embeddings WHERE model=? AND key IN "
                                   f"({','.join('?' * len(part))})", [model_id, *part]).fetchall()
                for key, dim, blob in rows:
                    try:
                        vec = np.frombuffer(blob, dtype=np.float32)
                    except (ValueError, TypeError):
                        vec = np.zeros(0, dtype=np.float32)
                    if vec.shape != (dim,):
                        raise InputError(f"The embedding cache {str(self._file())!r} holds a damaged row. Delete "
                                         "the file to rebuild it.")
                    found[key] = vec
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(model_id, text_key(t), int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors)]
        with self._connect() as con:
            con.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
