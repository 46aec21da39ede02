from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample" / "stories.csv"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Block every socket connection; the returned list records attempts (it must stay empty)."""
    attempts: list[tuple] = []

    def refuse(self: socket.socket, address: object, *args: object) -> None:
        attempts.append((self.family, address))
        raise OSError(f"msc_nlp tests: network access blocked ({address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(socket.socket(), a[0] if a else None))
    return attempts
