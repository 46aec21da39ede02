"""Partner view: the 5C profile of each partner organisation per reporting period, and peer-learning matches.

Works on the result contract only (``result.stories`` with ``story_id``, ``text``, ``language``, ``theme_id``,
``theme_label``, ``capability``, ``cap_<key>``, ``evidence`` and the input's partner and period columns), so it
follows whatever mapper or theme model produced those columns.

A story counts for a capability in two ways: its *primary* capability (``capability``; the share of a
partner's stories with that primary capability) and its *score* (``cap_<key>`` in [0, 1]; the mean over the
partner's stories). Every figure carries the ids of the stories behind it, and a bootstrap interval (stories
resampled with replacement) that shows how little a handful of stories can say.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_float, check_int
from .errors import InputError, MissingColumnError

__all__ = ["profiles", "matches", "trend_notes", "flat_table", "PROFILE_COLUMNS", "MATCH_COLUMNS"]

#: Columns of :func:`profiles`, one row per partner × period × capability.
PROFILE_COLUMNS = ("partner", "period", "capability", "n_stories", "n_primary", "share", "share_low",
                   "share_high", "mean_score", "score_low", "score_high", "previous_period", "share_change",
                   "score_change", "enough_stories", "story_ids", "primary_ids", "evidence", "evidence_before")
#: Columns of :func:`matches`, one row per proposed pair.
MATCH_COLUMNS = ("offers", "learns", "on", "key", "offers_share", "offers_primary", "offers_stories",
                 "learns_share", "learns_change", "learns_primary", "learns_stories", "shared_themes", "gap",
                 "explanation", "offers_evidence", "learns_evidence")


def _stories(result: Any) -> pd.DataFrame:
    stories = getattr(result, "stories", result)
    if not isinstance(stories, pd.DataFrame):
        raise InputError(f"Expected an AnalysisResult or its stories DataFrame. Got {type(result).__name__}.")
    return stories


def _frame(result: Any, partner: str, period: str, owner: str) -> tuple[pd.DataFrame, list[str]]:
    stories = _stories(result)
    for col, name in ((partner, "partner"), (period, "period")):
        if col not in stories.columns:
            raise MissingColumnError(
                f"{owner} needs a {name} column; {col!r} is not among the story columns {list(stories.columns)}. "
                f"Pass {name}=<column name> (e.g. the column that names the partner organisation or the "
                "reporting period).")
    caps = [c[4:] for c in stories.columns if c.startswith("cap_")]
    missing = [c for c in ("story_id", "capability") if c not in stories.columns]
    if not caps or missing:
        raise MissingColumnError(f"{owner} needs the 5C columns of an analysis (story_id, capability, cap_<key>). "
                                 f"Got {list(stories.columns)}. Run msc_nlp.analyze() first.")
    keep = stories[partner].notna() & stories[period].notna()
    if "status" in stories.columns:
        keep &= stories["status"].ne("empty")
    frame = stories[keep].copy()
    frame["_partner"] = frame[partner].astype(str)
    frame["_period"] = frame[period].astype(str)
    frame["_evidence"] = frame["evidence"].fillna("").astype(str) if "evidence" in frame else ""
    return frame, caps


def _period_order(frame: pd.DataFrame, periods: Sequence[str] | None) -> list[str]:
    present = sorted(frame["_period"].unique())
    if periods is None:
        numbers = pd.to_numeric(pd.Series(present), errors="coerce")
        return present if numbers.isna().any() else [p for _, p in sorted(zip(numbers, present))]
    order = [str(p) for p in periods]
    unknown = sorted(set(present) - set(order))
    if unknown:
        raise InputError(f"The 'periods' order {order} lacks periods found in the stories: {unknown}. List every "
                         "period, oldest first, or leave periods=None to sort them as text.")
    return [p for p in order if p in present]


def _quote(row: pd.Series) -> str:
    return f"{row['story_id']} ({row.get('language', '?')}): {row['_evidence']}"


def profiles(result: Any, partner: str = "partner", period: str = "period", *, periods: Sequence[str] | None = None,
             n_boot: int = 1000, confidence: float = 0.9, min_stories: int = 3,
             random_state: int = 0) -> pd.DataFrame:
    """The 5C profile per partner and reporting period (one row per partner × period × capability).

    ``share``: the share of the partner's stories in that period whose primary capability it is
    (``n_primary`` of ``n_stories``); ``mean_score``: the mean ``cap_<key>`` score of those stories. ``*_low``/
    ``*_high``: a percentile bootstrap interval (``n_boot`` resamples of the stories, ``confidence`` level,
    seeded by ``random_state`` and the partner/period, so adding a partner does not move another's interval).
    ``share_change``/``score_change``: the change since the partner's previous period with stories
    (``previous_period``; empty for its first). ``evidence``: the evidence sentences of this period's stories with
    this primary capability (``"id (lang): sentence"``); ``evidence_before``: the same for the previous period,
    so a rise or a fall can be read in the stories. ``enough_stories``: at least ``min_stories`` stories in this
    period and the previous one (otherwise a change says little). ``story_ids``: every story behind the row;
    ``primary_ids``: those with this primary capability.
    ``periods``: their order, oldest first (default: numbers by value, else sorted as text, right for
    ``2024-H1`` or ``2024-03``). Stories without a partner or a period, and empty stories, are left out.
    """
    owner = "profiles"
    check_int(n_boot, "n_boot", owner, minimum=0)
    check_int(min_stories, "min_stories", owner, minimum=1)
    check_float(confidence, "confidence", owner, low=0.0, high=1.0)
    frame, caps = _frame(result, partner, period, owner)
    order = _period_order(frame, periods)
    alpha = (1 - confidence) / 2
    rows: list[dict[str, Any]] = []
    for name in sorted(frame["_partner"].unique()):
        mine = frame[frame["_partner"] == name]
        previous: dict[str, Any] | None = None
        for per in [p for p in order if p in set(mine["_period"])]:
            cell = mine[mine["_period"] == per]
            n = len(cell)
            primary = np.stack([(cell["capability"] == c).to_numpy(dtype=float) for c in caps], axis=1)
            scores = cell[[f"cap_{c}" for c in caps]].to_numpy(dtype=float)
            if n_boot and n:
                seed = [random_state, zlib.crc32(f"{name}\x1f{per}".encode())]
                idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
                boot_share, boot_score = primary[idx].mean(axis=1), scores[idx].mean(axis=1)
                share_ci = np.quantile(boot_share, [alpha, 1 - alpha], axis=0)
                score_ci = np.quantile(boot_score, [alpha, 1 - alpha], axis=0)
            else:
                share_ci = score_ci = np.full((2, len(caps)), np.nan)
            current: dict[str, Any] = {"period": per, "n": n}
            for k, cap in enumerate(caps):
                share, score = float(primary[:, k].mean()), float(scores[:, k].mean())
                quotes = [_quote(r) for _, r in cell[cell["capability"] == cap].iterrows()]
                current[cap] = (share, score, quotes)
                before = previous[cap] if previous else None
                rows.append({
                    "partner": name, "period": per, "capability": cap, "n_stories": n,
                    "n_primary": int(primary[:, k].sum()), "share": round(share, 4),
                    "share_low": round(float(share_ci[0, k]), 4), "share_high": round(float(share_ci[1, k]), 4),
                    "mean_score": round(score, 4), "score_low": round(float(score_ci[0, k]), 4),
                    "score_high": round(float(score_ci[1, k]), 4),
                    "previous_period": previous["period"] if previous else None,
                    "share_change": round(share - before[0], 4) if before else np.nan,
                    "score_change": round(score - before[1], 4) if before else np.nan,
                    "enough_stories": bool(n >= min_stories and (previous is None or previous["n"] >= min_stories)),
                    "story_ids": cell["story_id"].astype(str).tolist(),
                    "primary_ids": cell.loc[cell["capability"] == cap, "story_id"].astype(str).tolist(),
                    "evidence": quotes,
                    "evidence_before": before[2] if before else [],
                })
            previous = current
    return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))


def trend_notes(table: pd.DataFrame, *, min_stories: int = 3) -> pd.DataFrame:
    """Per partner: periods, stories per period and whether a trend can be read from ``profiles``' table
    (``readable``: at least two periods with ``min_stories`` stories or more), with a sentence that says why."""
    rows = []
    for name, part in table.groupby("partner", sort=True):
        per = part.drop_duplicates("period")[["period", "n_stories"]]
        counts = dict(zip(per["period"], per["n_stories"].astype(int)))
        usable = [p for p, n in counts.items() if n >= min_stories]
        readable = len(usable) >= 2
        if readable:
            note = f"{len(usable)} periods with at least {min_stories} stories: a trend can be read, with care."
        elif len(counts) < 2:
            note = "Stories from one period only: no trend to read yet."
        else:
            note = (f"Too few stories to read a trend: fewer than {min_stories} stories in "
                    f"{len(counts) - len(usable)} of {len(counts)} periods.")
        rows.append({"partner": name, "periods": list(counts), "stories_per_period": counts,
                     "n_stories": int(sum(counts.values())), "readable": readable, "note": note})
    return pd.DataFrame(rows, columns=["partner", "periods", "stories_per_period", "n_stories", "readable", "note"])


def flat_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with list and dict cells as JSON text, for CSV and spreadsheets."""
    import json

    out = table.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, dict))).any():
            out[col] = out[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
    return out


def _side(cell: pd.DataFrame, hit: np.ndarray, on: str) -> list[dict[str, Any]]:
    """The stories that justify one side of a match, quoted in their own language."""
    from .text import split_sentences

    out = []
    for (_, r), is_hit in zip(cell.iterrows(), hit):
        text = str(r.get("text", ""))
        sentence = r["_evidence"] if is_hit and on == "capability" and r["_evidence"] else \
            (split_sentences(text) or [text])[0]
        out.append({"story_id": str(r["story_id"]), "period": r["_period"], "language": str(r.get("language", "")),
                    "theme_label": str(r.get("theme_label", "")), "capability": str(r["capability"]),
                    "shows": bool(is_hit), "sentence": sentence})
    return out


def matches(result: Any, partner: str = "partner", period: str = "period", *, on: Sequence[str] = ("capability",
            "theme"), periods: Sequence[str] | None = None, recent: int = 1, strong_share: float = 0.3,
            min_evidence: int = 2, weak_share: float = 0.1, decline: float = 0.2, min_stories: int = 3,
            min_shared_themes: int = 1) -> pd.DataFrame:
    """Peer-learning pairs: a partner that *offers* recent, strong evidence on a capability (or a theme) and
    one that could *learn* from it, being weak or declining there, where both tell stories on shared themes.

    Rules (deterministic; every threshold is a parameter):

    * recent = the last ``recent`` reporting periods of the collection (``periods`` gives their order).
    * offers: in the recent periods at least ``min_evidence`` of its stories show the capability as their
      primary capability (for ``on="theme"``: are in the theme), and they are at least ``strong_share`` of
      its recent stories.
    * learns: at least ``min_stories`` recent stories (fewer say nothing about weakness), and either *weak*
      (share at most ``weak_share``) or *declining* (share fell by at least ``decline`` since its earlier
      periods, which hold at least ``min_stories`` stories too) - and its own share is below the offer's.
    * relevance: both partners have stories in at least ``min_shared_themes`` common themes (``theme_id`` >=
      0; for a theme match the theme itself does not count).

    Rows are sorted by ``gap`` (offers' share minus learns' share), then by names. ``offers_evidence`` and
    ``learns_evidence`` list the stories on each side with a sentence in the story's own language
    (``shows``: whether the story shows the capability/theme); ``explanation`` says why in one paragraph.
    """
    owner = "matches"
    for value, name in ((strong_share, "strong_share"), (weak_share, "weak_share"), (decline, "decline")):
        check_float(value, name, owner, low=0.0, high=1.0)
    for value, name, low in ((recent, "recent", 1), (min_evidence, "min_evidence", 1),
                             (min_stories, "min_stories", 1), (min_shared_themes, "min_shared_themes", 0)):
        check_int(value, name, owner, minimum=low)
    kinds = [on] if isinstance(on, str) else list(on)
    for kind in kinds:
        if kind not in ("capability", "theme"):
            raise InputError(f"The 'on' parameter of matches must hold 'capability' and/or 'theme'. Got {on!r}.")
    frame, caps = _frame(result, partner, period, owner)
    if "theme" in kinds and "theme_label" not in frame.columns:
        raise MissingColumnError(f"matches on='theme' needs a theme_label column. Got {list(frame.columns)}.")
    order = _period_order(frame, periods)
    recent_periods = order[-recent:]
    frame["_recent"] = frame["_period"].isin(recent_periods)
    has_theme = frame["theme_id"].ge(0) if "theme_id" in frame.columns else pd.Series(False, index=frame.index)
    themes_of = {p: set(g.loc[has_theme.loc[g.index], "theme_label"].astype(str))
                 for p, g in frame.groupby("_partner")} if "theme_label" in frame.columns else {}
    names = sorted(frame["_partner"].unique())
    rows = []
    for kind in kinds:
        column = "capability" if kind == "capability" else "theme_label"
        keys = caps if kind == "capability" else sorted(set(frame.loc[has_theme, "theme_label"].astype(str)))
        for key in keys:
            stats = {}
            for name in names:
                mine = frame[frame["_partner"] == name]
                now, before = mine[mine["_recent"]], mine[~mine["_recent"]]
                hit_now = (now[column].astype(str) == key).to_numpy()
                hit_before = (before[column].astype(str) == key).to_numpy()
                stats[name] = {"now": now, "before": before, "hit_now": hit_now, "hit_before": hit_before,
                               "share": hit_now.mean() if len(now) else np.nan,
                               "share_before": hit_before.mean() if len(before) >= min_stories else np.nan}
            for a in names:
                sa = stats[a]
                if sa["hit_now"].sum() < min_evidence or not sa["share"] >= strong_share:
                    continue
                for b in names:
                    sb = stats[b]
                    if a == b or len(sb["now"]) < min_stories or not sb["share"] < sa["share"]:
                        continue
                    change = sb["share"] - sb["share_before"]
                    weak, declining = sb["share"] <= weak_share, bool(change <= -decline)
                    shared = sorted((themes_of.get(a, set()) & themes_of.get(b, set())) - {key})
                    if not (weak or declining) or len(shared) < min_shared_themes:
                        continue
                    rows.append(_match_row(kind, key, a, b, sa, sb, change, declining, shared, recent_periods))
    table = pd.DataFrame(rows, columns=list(MATCH_COLUMNS))
    return table.sort_values(["gap", "offers", "learns", "on", "key"], ascending=[False, True, True, True, True],
                             kind="stable").reset_index(drop=True)


def _match_row(kind: str, key: str, a: str, b: str, sa: dict, sb: dict, change: float, declining: bool,
               shared: list[str], recent_periods: list[str]) -> dict[str, Any]:
    what = f"capability '{key}'" if kind == "capability" else f"theme '{key}'"
    verb = "show" if kind == "capability" else "are about"
    window = ", ".join(recent_periods)
    n_a, k_a, n_b, k_b = len(sa["now"]), int(sa["hit_now"].sum()), len(sb["now"]), int(sb["hit_now"].sum())
    why = [f"{a}: {k_a} of its {n_a} stories in {window} {verb} {what} ({k_a / n_a:.0%})."]
    state = [f"{k_b} of its {n_b} stories in {window} ({k_b / n_b:.0%})"]
    if declining:
        nb, kb = len(sb["before"]), int(sb["hit_before"].sum())
        state.append(f"down from {kb} of {nb} earlier ({kb / nb:.0%})")
    why.append(f"{b}: {', '.join(state)}.")
    why.append(f"Both tell stories on {', '.join(shared) if shared else 'no common theme'}, so an exchange "
               f"between {a} and {b} on {what} would start from shared work.")
    learns_cells = [sb["now"]] + ([sb["before"]] if declining else [])
    learns_hits = [sb["hit_now"]] + ([sb["hit_before"]] if declining else [])
    return {"offers": a, "learns": b, "on": kind, "key": key, "offers_share": round(float(sa["share"]), 4),
            "offers_primary": k_a, "offers_stories": n_a, "learns_share": round(float(sb["share"]), 4),
            "learns_change": round(float(change), 4) if not np.isnan(change) else np.nan, "learns_primary": k_b,
            "learns_stories": n_b, "shared_themes": shared, "gap": round(float(sa["share"] - sb["share"]), 4),
            "explanation": " ".join(why),
            "offers_evidence": _side(sa["now"][sa["hit_now"]], sa["hit_now"][sa["hit_now"]], kind),
            "learns_evidence": [s for cell, hit in zip(learns_cells, learns_hits) for s in _side(cell, hit, kind)]}
