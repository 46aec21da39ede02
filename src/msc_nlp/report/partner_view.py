"""The report's partner section: one 5C chart per partner over reporting periods (small multiples), which
partners have too few stories to read a trend, and the largest changes with the sentences behind them."""
from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["partner_section"]


def partner_section(stories: pd.DataFrame, *, partner: str = "partner", period: str = "period",
                    min_stories: int = 3, max_changes: int = 20, random_state: int = 0) -> dict[str, Any] | None:
    """What the report template needs for its partner section, or None when the stories lack a partner or
    period column (or 5C scores). Keys: ``figure`` (a plotly figure), ``partners`` (per partner: periods,
    stories per period, story ids, whether a trend is readable and why) and ``changes`` (the largest changes in
    share between readable periods, each with the evidence sentences of both periods)."""
    from ..partners import profiles, trend_notes

    if partner not in stories.columns or period not in stories.columns or \
            not any(c.startswith("cap_") for c in stories.columns) or stories[partner].notna().sum() == 0:
        return None
    table = profiles(stories, partner, period, min_stories=min_stories, random_state=random_state)
    if table.empty:
        return None
    notes = trend_notes(table, min_stories=min_stories)
    return {"figure": _figure(table, notes), "partners": _partners(table, notes),
            "changes": _changes(table, max_changes), "min_stories": min_stories}


def _figure(table: pd.DataFrame, notes: pd.DataFrame) -> Any:
    import plotly.express as px

    data = table.copy()
    label = {r.partner: f"{r.partner} (n={r.n_stories}{'' if r.readable else '; too few for a trend'})"
             for r in notes.itertuples()}
    data["panel"] = data["partner"].map(label)
    data["stories"] = [f"{k} of {n}" + (f" ({', '.join(ids[:12])}{' …' if len(ids) > 12 else ''})" if k else "")
                       for k, n, ids in zip(data["n_primary"], data["n_stories"], data["primary_ids"])]
    data["err_plus"] = data["share_high"] - data["share"]
    data["err_minus"] = data["share"] - data["share_low"]
    n_panels = data["panel"].nunique()
    fig = px.line(data, x="period", y="share", color="capability", facet_col="panel", facet_col_wrap=3,
                  markers=True, error_y="err_plus", error_y_minus="err_minus",
                  hover_data={"stories": True, "mean_score": ":.2f", "panel": False, "err_plus": False,
                              "err_minus": False},
                  category_orders={"period": sorted(data["period"].unique()), "panel": sorted(label.values())},
                  title="5C per partner over reporting periods: share of its stories with each primary capability "
                        "(bars: 90% bootstrap interval)")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1], font_size=11))
    fig.update_yaxes(range=[-0.05, 1.05], title_text="")
    fig.update_xaxes(title_text="")
    fig.update_layout(height=260 * ((n_panels + 2) // 3) + 80, margin={"t": 70, "l": 40, "r": 20, "b": 40})
    return fig


def _partners(table: pd.DataFrame, notes: pd.DataFrame) -> list[dict[str, Any]]:
    ids = table.drop_duplicates(["partner", "period"]).groupby("partner")[["period", "story_ids"]].apply(
        lambda g: dict(zip(g["period"], g["story_ids"])))
    return [{"partner": r.partner, "stories_per_period": r.stories_per_period, "story_ids": ids[r.partner],
             "readable": r.readable, "note": r.note} for r in notes.itertuples()]


def _changes(table: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    moved = table[table["enough_stories"] & table["share_change"].abs().gt(0) & table["previous_period"].notna()]
    moved = moved.assign(size=moved["share_change"].abs()).sort_values(
        ["size", "partner", "capability", "period"], ascending=[False, True, True, True], kind="stable").head(limit)
    before = table.set_index(["partner", "period", "capability"])
    out = []
    for r in moved.itertuples():
        prev = before.loc[(r.partner, r.previous_period, r.capability)]
        out.append({"partner": r.partner, "capability": r.capability, "from": r.previous_period, "to": r.period,
                    "before": f"{prev['n_primary']} of {prev['n_stories']}", "after": f"{r.n_primary} of {r.n_stories}",
                    "change": r.share_change, "evidence": r.evidence, "evidence_before": r.evidence_before})
    return out
