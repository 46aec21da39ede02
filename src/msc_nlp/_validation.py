"""Small validation helpers with scikit-learn-style messages."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ParameterError


def check_int(value: Any, name: str, owner: str, *, minimum: int | None = None) -> int:
    """Return ``value`` if it is an int >= ``minimum``; raise a ParameterError that names the fix otherwise."""
    ok = isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum)
    if not ok:
        bound = f" >= {minimum}" if minimum is not None else ""
        raise ParameterError(f"The '{name}' parameter of {owner} must be an int{bound}. Got {value!r} instead.")
    return value


def check_float(value: Any, name: str, owner: str, *, low: float, high: float) -> float:
    """Return ``value`` as float if it lies in [low, high]; raise a ParameterError otherwise."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        f = float("nan")
    if not (low <= f <= high) or isinstance(value, bool):
        raise ParameterError(
            f"The '{name}' parameter of {owner} must be a float in [{low}, {high}]. Got {value!r} instead.")
    return f


def check_choice(value: Any, name: str, owner: str, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``; raise a ParameterError listing them otherwise."""
    options = list(choices)
    if value not in options:
        raise ParameterError(
            f"The '{name}' parameter of {owner} must be one of {options}. Got {value!r} instead.")
    return value
