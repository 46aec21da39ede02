"""Panel packs: what a selection panel reads for one domain — themes with their 5C profile, representative and
unexpected stories per theme, and a diverse, balanced shortlist — as printable HTML and a sheet to fill in."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .._spreadsheet import write_csv, write_xlsx
from .._validation import check_int
from ..errors import InputError
from .redact import redact_texts

if TYPE_CHECKING:
    from ..pipeline import AnalysisResult

__all__ = ["PanelPack", "panel_pack", "SHEET_COLUMNS"]

#: Columns of the sheet a panel fills in (``selected``, ``votes``, ``reason`` are theirs).
SHEET_COLUMNS = ["level", "panel", "story_id", "title", "language", "theme", "capability", "text", "selected",
                 "votes", "reason"]


@dataclass
class PanelPack:
    """A panel pack for one domain (or all). ``stories``: the pack's stories with ``role``
    (``representative``, ``unexpected``) and ``shortlisted``; ``themes``: the domain's themes;
    ``redactions``: what was redacted, for review."""

    domain: str | None
    themes: pd.DataFrame
    stories: pd.DataFrame
    shortlist: list[str]
    redactions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def sheet(self, *, level: str = "", panel: str = "") -> pd.DataFrame:
        """The shortlist as a sheet for the panel: their choice (``selected``), ``votes`` and ``reason``."""
        rows = self.stories.set_index("story_id").loc[self.shortlist].reset_index()
        return pd.DataFrame({"level": level, "panel": panel, "story_id": rows["story_id"],
                             "title": rows.get("title", ""), "language": rows["language"],
                             "theme": rows["theme_label"], "capability": rows["capability"], "text": rows["text"],
                             "selected": "", "votes": "", "reason": ""})[SHEET_COLUMNS]

    def to_excel(self, path: str | Path, **kw: str) -> Path:
        return write_xlsx({"selection": self.sheet(**kw), "themes": self.themes, "redactions": self.redactions},
                          path)

    def to_csv(self, path: str | Path, **kw: str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(self.sheet(**kw), path)
        return path

    def to_html(self, path: str | Path) -> Path:
        """A printable, self-contained page: one story per card, in its own language."""
        from jinja2 import Environment, PackageLoader, select_autoescape

        env = Environment(loader=PackageLoader("msc_nlp.report", "templates"), autoescape=select_autoescape())
        cards = self.stories.set_index("story_id")
        page = env.get_template("panel_pack.html.j2").render(
            domain=self.domain or "all domains", themes=self.themes.to_dict(orient="records"),
            shortlist=[dict(cards.loc[s], story_id=s) for s in self.shortlist],
            by_theme={t: cards[cards["theme_id"] == t].reset_index().to_dict(orient="records")
                      for t in self.themes["theme_id"]},
            n_redactions=len(self.redactions))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        return path


def _tiebreak(story_id: str, random_state: int) -> str:
    return hashlib.sha256(f"{random_state}:{story_id}".encode()).hexdigest()


def panel_pack(result: AnalysisResult, domain: str | None = None, *, per_theme: int = 2, shortlist: int = 12,
               balance: Sequence[str] = ("region", "storyteller_role", "language"), random_state: int = 0,
               redact: bool = True) -> PanelPack:
    """Prepare a panel pack from an :func:`~msc_nlp.analyze` result.

    The shortlist is chosen greedily: each step takes the story that adds most of what is still missing —
    a theme, a 5C capability, a language not yet on the list (diversity) — and that fills the quotas of the
    ``balance`` columns (each value's share of the domain's stories times ``shortlist``); ties go to the
    story most central to its theme, then to a hash of ``random_state`` and the id (deterministic).
    """
    check_int(per_theme, "per_theme", "panel_pack", minimum=0)
    check_int(shortlist, "shortlist", "panel_pack", minimum=1)
    stories = result.stories
    if domain is not None:
        if "domain" not in stories.columns:
            raise InputError("The result has no 'domain' column; analyse with --domain-column (or a 'domain' "
                             "column), or call panel_pack without a domain.")
        known = sorted(stories["domain"].dropna().astype(str).unique())
        if domain not in known:
            raise InputError(f"No stories in domain {domain!r}. Domains in the collection: {known}.")
        stories = stories[stories["domain"].astype(str) == domain]
    pool = stories[stories["theme_id"] >= 0].copy()
    if pool.empty:
        raise InputError(f"No analysable stories for domain {domain!r} (all empty).")
    missing = [c for c in balance if c not in pool.columns]
    if missing:
        raise InputError(f"Cannot balance on {missing}: not columns of the result. Columns: {list(pool.columns)}.")
    pool["_tie"] = [_tiebreak(s, random_state) for s in pool["story_id"]]

    roles: dict[str, str] = {}
    for _, members in pool.groupby("theme_id"):
        ranked = members.sort_values(["theme_similarity", "_tie"], ascending=[False, True])
        for sid in ranked["story_id"].head(per_theme):
            roles[sid] = "representative"
        rest = ranked[~ranked["story_id"].isin(roles)]
        if len(rest):
            roles[rest.sort_values(["theme_similarity", "_tie"]).iloc[0]["story_id"]] = "unexpected"

    chosen = _shortlist(pool, min(shortlist, len(pool)), list(balance))
    keep = pool[pool["story_id"].isin(set(roles) | set(chosen))].copy()
    keep["role"] = keep["story_id"].map(roles).fillna("")
    keep["shortlisted"] = keep["story_id"].isin(chosen)
    redactions = pd.DataFrame(columns=["story_id", "kind", "original", "start"])
    if redact:
        places = set(stories["region"].dropna().astype(str).str.split(r"[,\s]+").explode()) if "region" in \
            stories.columns else set()
        keep["text"], redactions = redact_texts(keep["text"].tolist(), keep["story_id"].tolist(),
                                                keep["language"].tolist(), places=places)
    theme_cols = [c for c in ("theme_id", "label", "size", "languages", "capability", "keywords") if c in
                  result.themes.columns]
    themes = result.themes[result.themes["theme_id"].isin(pool["theme_id"])][theme_cols].copy()
    themes["stories_in_domain"] = themes["theme_id"].map(pool["theme_id"].value_counts()).astype(int)
    return PanelPack(domain, themes.reset_index(drop=True), keep.drop(columns="_tie").reset_index(drop=True),
                     chosen, redactions)


def _shortlist(pool: pd.DataFrame, k: int, balance: list[str]) -> list[str]:
    n = len(pool)
    quota = {c: (pool[c].fillna("(blank)").astype(str).value_counts() / n * k).to_dict() for c in balance}
    counts: dict[str, dict[str, int]] = {c: {} for c in balance}
    seen: dict[str, set[str]] = {"theme": set(), "capability": set(), "language": set()}
    chosen: list[str] = []
    rows = pool.sort_values(["theme_similarity", "_tie"], ascending=[False, True]).to_dict(orient="records")
    while len(chosen) < k:
        best, best_key = None, None
        for r in rows:
            if r["story_id"] in chosen:
                continue
            gain = 2.0 * (str(r["theme_id"]) not in seen["theme"])
            gain += 1.0 * (str(r["capability"]) not in seen["capability"])
            gain += 1.5 * (str(r["language"]) not in seen["language"])
            for c in balance:
                v = "(blank)" if pd.isna(r[c]) else str(r[c])
                gain += 1.0 * max(-1.0, min(1.0, quota[c].get(v, 0.0) - counts[c].get(v, 0)))
            key = (-gain, -float(r["theme_similarity"]), r["_tie"])
            if best_key is None or key < best_key:
                best, best_key = r, key
        assert best is not None
        chosen.append(best["story_id"])
        seen["theme"].add(str(best["theme_id"]))
        seen["capability"].add(str(best["capability"]))
        seen["language"].add(str(best["language"]))
        for c in balance:
            v = "(blank)" if pd.isna(best[c]) else str(best[c])
            counts[c][v] = counts[c].get(v, 0) + 1
    return chosen
