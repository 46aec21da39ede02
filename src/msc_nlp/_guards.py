"""Hostile and extreme inputs: size limits for feature extraction, exact duplicates, collections with nothing
to theme, and dependency errors wrapped in msc_nlp's own.

Bounds (also in the README, section "Hostile and extreme inputs"):

- A run of more than :data:`MAX_TOKEN_CHARS` non-space characters (a pasted base64 image, a broken export) is
  cut to that length for language detection, spaCy, the embedding tokenizer and the 5C mapper. Together with
  chunking in :func:`~msc_nlp.embed` (stories of 300+ words go in chunks of 120 words), one unit handed to the
  embedding model holds at most 300 words x 50 characters, which keeps its memory bounded (~0.3 GB worst case
  for USE, whose memory grows with the tokens of one unit).
- Only the first ``max_story_chars`` characters of a story (after that cut) are analysed; a longer story gets
  status ``too_long`` and a note naming it and the limit. Its row and full text stay in the result.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .errors import AnalysisError, MscNlpError

__all__ = ["MAX_STORY_CHARS", "MAX_TOKEN_CHARS", "SPACY_MAX_CHARS", "THEMED", "clip_tokens", "Shape",
           "collection_shape", "final_status", "copy_from_twins", "as_unfitted_without_themes", "no_themes_note",
           "wraps_dependency_errors"]

#: Default of ``analyze(max_story_chars=...)``: about 15,000 words, 30 pages; MSC stories are 1-2 pages.
MAX_STORY_CHARS = 100_000
#: Longest run of non-space characters kept for feature extraction (longer than any word or ordinary URL path).
MAX_TOKEN_CHARS = 50
#: spaCy refuses longer texts (E088); ``max_story_chars`` may not exceed it.
SPACY_MAX_CHARS = 1_000_000
_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")
#: Statuses whose stories are themed (unsupported languages too, with a warning); ``empty``, ``too_short`` and
#: ``duplicate`` stories are not.
THEMED = ("ok", "too_long", "undetected_language", "unsupported_language")


def clip_tokens(text: str) -> str:
    """``text`` with every run of more than :data:`MAX_TOKEN_CHARS` non-space characters cut to that length."""
    return _LONG_TOKEN.sub(lambda m: m.group()[:MAX_TOKEN_CHARS], text)


def _head(text: str, limit: int) -> str:
    """The first ``limit`` characters, ending at a space when there is one in the last tenth."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit - limit // 10, limit)
    return text[:cut if cut > 0 else limit]


@dataclass
class Shape:
    """What :func:`collection_shape` found: ``features`` (the text to analyse per story), ``too_long``
    (flags), ``clipped`` (stories with a token cut), ``notes`` (messages for the manifest and report)."""

    features: list[str]
    too_long: np.ndarray
    clipped: int
    notes: list[str]


def collection_shape(ids: Sequence[str], texts: Sequence[str], *, max_story_chars: int) -> Shape:
    """The feature texts of a collection: pathological tokens cut, each story cut to ``max_story_chars``."""
    features, too_long, notes, clipped = [], np.zeros(len(texts), dtype=bool), [], 0
    for i, (sid, text) in enumerate(zip(ids, texts)):
        short = clip_tokens(text)
        clipped += short != text
        if len(short) > max_story_chars:
            too_long[i] = True
            notes.append(f"Story {sid!r} has {len(text):,} characters, more than max_story_chars="
                         f"{max_story_chars:,}: only its first {max_story_chars:,} were analysed (status "
                         "too_long). Split it into stories, or raise max_story_chars.")
            short = _head(short, max_story_chars)
        features.append(short)
    return Shape(features, too_long, clipped, notes)


def final_status(status: Sequence[str], too_long: np.ndarray, texts: Sequence[str], ids: Sequence[str]
                 ) -> tuple[list[str], list[str | None]]:
    """Statuses with ``too_long`` and ``duplicate`` added, and ``duplicate_of``: the id of the first story with
    the same text (for every repeat of a non-empty text; a repeated ``too_short`` answer keeps its status)."""
    first: dict[str, str] = {}
    out, twins = [], []
    for s, long_, text, sid in zip(status, too_long, texts, ids):
        twin = first.get(text) if s != "empty" else None
        if s != "empty" and twin is None:
            first[text] = sid
        if long_ and s in ("ok", "undetected_language"):
            s = "too_long"
        if twin is not None and s in THEMED:
            s = "duplicate"
        out.append(s)
        twins.append(twin)
    return out, twins


def no_themes_note(status_counts: dict[str, int]) -> str:
    """The sentence a report shows when nothing was themed."""
    parts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(status_counts.items()))
    return (f"The collection holds no stories to theme ({parts}): themes are found only among distinct stories "
            "with at least 3 words, so no theme map was made.")


F = TypeVar("F", bound=Callable[..., Any])


def wraps_dependency_errors(func: F) -> F:
    """Let msc_nlp's own errors through; wrap anything else a dependency raises in an :class:`AnalysisError`
    that says where it happened (the original stays attached as ``__cause__``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MscNlpError:
            raise
        except Exception as exc:
            raise AnalysisError(f"{func.__name__} failed: {_where(exc)} raised {type(exc).__name__}: "
                                f"{' '.join(str(exc).split())[:500]} This input is not handled yet; please report "
                                "it (with the run's parameters, not the stories). The original error is "
                                "attached.") from exc

    return wrapper  # type: ignore[return-value]


def _where(exc: BaseException) -> str:
    """'<library> (called from msc_nlp.<module>)' for the deepest frame of the traceback."""
    tb, ours, deepest = exc.__traceback__, None, None
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "?")
        deepest = module
        if module.startswith("msc_nlp"):
            ours = module
        tb = tb.tb_next
    library = (deepest or "?").split(".")[0]
    return f"{library} (called from {ours})" if ours and library != "msc_nlp" else str(ours or deepest)


def copy_from_twins(frame: Any, twins: Sequence[str | None], columns: Sequence[str]) -> None:
    """Give each ``duplicate`` row its twin's values in ``columns`` (in place)."""
    rows = [(i, t) for i, (t, s) in enumerate(zip(twins, frame["status"])) if t is not None and s == "duplicate"]
    if not rows:
        return
    position = {sid: i for i, sid in enumerate(frame["story_id"])}
    mine = [i for i, _ in rows]
    theirs = [position[t] for _, t in rows]
    for col in columns:
        values = frame[col].to_numpy(copy=True)
        values[mine] = values[theirs]
        frame[col] = pd.array(values, dtype=frame[col].dtype)


def as_unfitted_without_themes(model: Any) -> None:
    """Set a ThemeModel's learned attributes for a collection with nothing to theme (no themes, strategy
    ``none``), so the rest of the pipeline runs unchanged."""
    model.strategy_ = "none"
    model.themes_ = pd.DataFrame({"theme_id": pd.Series(dtype="int64"), "label": pd.Series(dtype=object),
                                  "size": pd.Series(dtype="int64"), "languages": pd.Series(dtype=object),
                                  "keywords": pd.Series(dtype=object),
                                  "keywords_by_language": pd.Series(dtype=object),
                                  "representatives": pd.Series(dtype=object),
                                  "outliers_reassigned": pd.Series(dtype="int64")})
    model.assignments_ = pd.DataFrame({"story_id": pd.Series(dtype=object), "theme_id": pd.Series(dtype="int64"),
                                       "theme_label": pd.Series(dtype=object),
                                       "theme_similarity": pd.Series(dtype="float64"),
                                       "outlier": pd.Series(dtype=bool)})
    model.centroids_ = np.zeros((0, 0), dtype=np.float32)
