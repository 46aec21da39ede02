"""Panel packs: what a selection panel reads for one domain — themes with their 5C profile, representative and
unexpected stories per theme, and a diverse, balanced shortlist — as printable HTML and a sheet to fill in."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .._validation import check_int
from ..errors import InputError
from ..stories import _fold
from .redact import Redactor

if TYPE_CHECKING:
    from ..pipeline import AnalysisResult

__all__ = ["PanelPack", "panel_pack", "SHEET_COLUMNS", "DEFAULT_BALANCE", "REDACTION_COLUMNS", "resolve_balance"]

#: Columns of the sheet a panel fills in (``selected``, ``votes``, ``reason`` are theirs).
SHEET_COLUMNS = ["level", "panel", "story_id", "title", "language", "theme", "capability", "text", "selected",
                 "votes", "reason"]
#: What the shortlist balances on when ``balance`` is not given: those of these columns the collection has.
DEFAULT_BALANCE = ("region", "storyteller_role", "language")
#: Columns of the review list of redactions (for the analyst only: it holds the originals).
REDACTION_COLUMNS = ["story_id", "field", "kind", "original", "start"]
#: Pack columns that are not free text, so never redacted (ids, codes and what the analysis produced).
_NOT_FREE_TEXT = frozenset({"story_id", "status", "language", "languages", "theme_label", "capability", "role",
                            "domain", "period"})
#: Text columns a pack carries besides the balance columns (when the collection has them).
_CARRIED = ("title", "text", "evidence", "why_significant", "region", "storyteller_role")


@dataclass
class PanelPack:
    """A panel pack for one domain (or all). ``stories``: the pack's stories with ``role``
    (``representative``, ``unexpected``) and ``shortlisted``; ``themes``: the domain's themes;
    ``redactions``: what was redacted, with the originals — for the analyst's review only: it is never written
    into the pack's HTML or sheet (:meth:`save_redactions` writes it as its own file); ``balanced_on``: the
    columns the shortlist was balanced on."""

    domain: str | None
    themes: pd.DataFrame
    stories: pd.DataFrame
    shortlist: list[str]
    redactions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REDACTION_COLUMNS))
    balanced_on: list[str] = field(default_factory=list)

    def sheet(self, *, level: str = "", panel: str = "") -> pd.DataFrame:
        """The shortlist as a sheet for the panel: their choice (``selected``), ``votes`` and ``reason``."""
        rows = self.stories.set_index("story_id").loc[self.shortlist].reset_index()
        return pd.DataFrame({"level": level, "panel": panel, "story_id": rows["story_id"],
                             "title": rows.get("title", ""), "language": rows["language"],
                             "theme": rows["theme_label"], "capability": rows["capability"], "text": rows["text"],
                             "selected": "", "votes": "", "reason": ""})[SHEET_COLUMNS]

    def to_excel(self, path: str | Path, **kw: str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path) as xw:
            self.sheet(**kw).to_excel(xw, sheet_name="selection", index=False)
            self.themes.to_excel(xw, sheet_name="themes", index=False)
            self._about().to_excel(xw, sheet_name="about", index=False)
        return path

    def _about(self) -> pd.DataFrame:
        return pd.DataFrame({"item": ["domain", "balanced on", "redactions"],
                             "value": [self.domain or "all domains", ", ".join(self.balanced_on) or "(nothing)",
                                       f"{len(self.redactions)} names, phone numbers and e-mail addresses "
                                       "replaced by [NAME], [PHONE], [EMAIL]"]})

    def save_redactions(self, path: str | Path) -> Path:
        """Write the review list of redactions (story, field, kind, original, position) as CSV. It holds the
        removed names, phones and e-mails: keep it with the analyst, never send it with the pack."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.redactions.to_csv(path, index=False)
        return path

    def to_csv(self, path: str | Path, **kw: str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sheet(**kw).to_csv(path, index=False)
        return path

    def to_html(self, path: str | Path) -> Path:
        """A printable, self-contained page: one story per card, in its own language."""
        from ..report.html import template_environment

        cards = self.stories.set_index("story_id")
        shown = [c for c in self.balanced_on if c != "language" and c in cards.columns]
        page = template_environment().get_template("panel_pack.html.j2").render(
            domain=self.domain or "all domains", themes=self.themes.to_dict(orient="records"),
            shortlist=[dict(cards.loc[s], story_id=s, meta_line=[str(cards.at[s, c]) for c in shown
                                                                 if pd.notna(cards.at[s, c])])
                       for s in self.shortlist],
            by_theme={t: cards[cards["theme_id"] == t].reset_index().to_dict(orient="records")
                      for t in self.themes["theme_id"]},
            n_redactions=len(self.redactions), balanced_on=self.balanced_on)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        return path


def _tiebreak(story_id: str, random_state: int) -> str:
    return hashlib.sha256(f"{random_state}:{story_id}".encode()).hexdigest()


def panel_pack(result: AnalysisResult, domain: str | None = None, *, per_theme: int = 2, shortlist: int = 12,
               balance: Sequence[str] | str | None = None, random_state: int = 0, redact: bool = True,
               keep: Sequence[str] = (), places: Sequence[str] = ()) -> PanelPack:
    """Prepare a panel pack from an :func:`~msc_nlp.analyze` result.

    The shortlist is chosen greedily: each step takes the story that adds most of what is still missing —
    a theme, a 5C capability, a language not yet on the list (diversity) — and that fills the quotas of the
    ``balance`` columns (each value's share of the domain's stories times ``shortlist``); ties go to the
    story most central to its theme, then to a hash of ``random_state`` and the id (deterministic).

    ``balance``: columns to balance on. Left out, the pack balances on those of :data:`DEFAULT_BALANCE` the
    collection has (a text-only export: on language alone); a column named here that the result lacks is an
    error. ``pack.balanced_on`` and the pack's pages say which were used.

    With ``redact`` (default) every free-text field the pack carries (``text``, ``title``, ``evidence``,
    ``why_significant``, ``region``, ``storyteller_role`` and the balance columns) goes through
    :class:`~msc_nlp.panels.Redactor`, and names it found are also taken out of theme labels and keywords.
    ``keep``: organisation or other names to leave as they are; ``places``: place names to keep besides the
    gazetteer and the collection's ``region`` values.
    """
    check_int(per_theme, "per_theme", "panel_pack", minimum=0)
    check_int(shortlist, "shortlist", "panel_pack", minimum=1)
    stories = _canonical_columns(result.stories)
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
    balance = resolve_balance(balance, pool.columns)
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
    picked = pool[pool["story_id"].isin(set(roles) | set(chosen))].copy()
    picked["role"] = picked["story_id"].map(roles).fillna("")
    picked["shortlisted"] = picked["story_id"].isin(chosen)
    picked = picked[[c for c in picked.columns if c in (*_PACK_COLUMNS, *_CARRIED, *balance)]]
    redactions = pd.DataFrame(columns=REDACTION_COLUMNS)
    names: set[str] = set()
    if redact:
        picked, redactions, names = _redact_pack(picked, stories, keep_words=keep, places=places)
    theme_cols = [c for c in ("theme_id", "label", "size", "languages", "capability", "keywords") if c in
                  result.themes.columns]
    themes = result.themes[result.themes["theme_id"].isin(pool["theme_id"])][theme_cols].copy()
    if names:
        themes, picked = _unname_themes(themes, picked, names)
    themes["stories_in_domain"] = themes["theme_id"].map(pool["theme_id"].value_counts()).astype(int)
    return PanelPack(domain, themes.reset_index(drop=True), picked.reset_index(drop=True), chosen, redactions,
                     list(balance))


#: Columns of ``pack.stories`` besides the carried text columns.
_PACK_COLUMNS = ("story_id", "status", "language", "languages", "theme_id", "theme_label", "theme_similarity",
                 "outlier", "capability", "domain", "period", "role", "shortlisted")


def resolve_balance(balance: Sequence[str] | str | None, columns: Sequence[str]) -> list[str]:
    """The columns a shortlist balances on: with ``balance`` None, those of :data:`DEFAULT_BALANCE` among
    ``columns``; otherwise ``balance`` itself (a list or a comma-separated string), every one of which must be
    among ``columns``."""
    columns = list(columns)
    if balance is None:
        return [c for c in DEFAULT_BALANCE if c in columns]
    wanted = [c.strip() for c in balance.split(",")] if isinstance(balance, str) else [str(c) for c in balance]
    folded = {_fold(c): c for c in columns}
    wanted = [c if c in columns else folded.get(_fold(c), c) for c in dict.fromkeys(wanted) if c]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise InputError(f"Cannot balance the shortlist on {missing}: the collection has no such column. Columns "
                         f"it has: {columns}. Name some of those, or leave balance out to balance on those of "
                         f"{list(DEFAULT_BALANCE)} that exist.")
    return wanted


def _canonical_columns(stories: pd.DataFrame) -> pd.DataFrame:
    """Export columns such as "Title" or "Why significant" under the names the pack uses (title, why_significant)."""
    renames: dict[str, str] = {}
    for c in stories.columns:
        name = _fold(c)
        if name in _CARRIED and name not in stories.columns and name not in renames.values():
            renames[c] = name
    return stories.rename(columns=renames) if renames else stories


def _redact_pack(stories: pd.DataFrame, collection: pd.DataFrame, *,
                 keep_words: Sequence[str], places: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """Redact every free-text column of the pack's stories; returns them, the review list and the names found."""
    regions = collection["region"].dropna().astype(str).tolist() if "region" in collection.columns else []
    redactor = Redactor(keep=keep_words, places=[*places, *regions])
    stories = stories.copy()
    rows: list[dict[str, object]] = []
    names: set[str] = set()
    fields = [c for c in stories.columns if c not in _NOT_FREE_TEXT and (pd.api.types.is_object_dtype(stories[c])
                                                                   or pd.api.types.is_string_dtype(stories[c]))]
    for i in stories.index:
        sid, lang = str(stories.at[i, "story_id"]), str(stories.at[i, "language"])
        values = {c: stories.at[i, c] for c in fields}
        texts = {c: v for c, v in values.items() if isinstance(v, str) and v.strip()}
        out, log = redactor.redact_fields(texts, sid, lang)  # a name in the text is a name in the title too
        for col, value in out.items():
            stories.at[i, col] = value
        rows += [{"story_id": sid, "field": r.field, "kind": r.kind, "original": r.original, "start": r.start}
                 for r in log]
        names.update(w for r in log if r.kind == "name" for w in r.original.split())
    return stories, pd.DataFrame(rows, columns=REDACTION_COLUMNS), names


def _unname_themes(themes: pd.DataFrame, stories: pd.DataFrame, names: set[str]) -> tuple[pd.DataFrame,
                                                                                        pd.DataFrame]:
    """A name that is frequent in a theme can become one of its keywords: replace such words in labels and
    keywords by [NAME]."""
    import re

    folded = {n.lower() for n in names if len(n) > 1}

    def clean(value: object) -> object:
        if isinstance(value, str):
            return re.sub(r"[\w'’-]+", lambda m: "[NAME]" if m.group().lower() in folded else m.group(), value)
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    themes = themes.copy()
    for col in ("label", "keywords"):
        if col in themes.columns:
            themes[col] = themes[col].map(clean)
    stories = stories.copy()
    stories["theme_label"] = stories["theme_label"].map(clean)
    return themes, stories


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
