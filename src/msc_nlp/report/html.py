"""The HTML report: overview, theme map, theme table with keywords per language, language table."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..pipeline import AnalysisResult

__all__ = ["write_report", "template_environment"]


def template_environment():  # noqa: ANN201 - jinja2 is imported lazily
    """The Jinja environment of every msc_nlp page: all templates are HTML, so every value is escaped unless a
    template marks it ``|safe`` (only the plotly figures are)."""
    from jinja2 import Environment, PackageLoader

    return Environment(loader=PackageLoader("msc_nlp.report", "templates"), autoescape=True)


def _figures(result: AnalysisResult) -> dict[str, str]:
    import plotly.express as px

    stories = result.stories
    figs = {}
    counts = stories["language"].value_counts().rename_axis("language").reset_index(name="stories")
    figs["languages"] = px.bar(counts, x="language", y="stories", title="Stories per language")
    placed = stories[stories["theme_id"] >= 0].copy()
    placed["theme"] = placed["theme_id"].astype(str) + ": " + placed["theme_label"].astype(str)
    hover = [c for c in ("title", "language", "region", "domain") if c in placed.columns]
    figs["map"] = px.scatter(placed, x="map_x", y="map_y", color="theme", hover_name="story_id", hover_data=hover,
                             title="Theme map (each dot a story; nearby stories say similar things, in any "
                                   "language)")
    figs["map"].update_layout(xaxis_title="", yaxis_title="", legend_title_text="theme")
    caps = [c for c in stories.columns if c.startswith("cap_")]
    if caps:
        share = stories["capability"].value_counts(normalize=True).rename_axis("capability").reset_index(
            name="share of stories")
        figs["capabilities"] = px.bar(share, x="capability", y="share of stories",
                                      title="Primary 5C capability of the stories ('none': about people's lives)")
        themes = result.themes
        heat = themes.set_index("label")[caps].rename(columns=lambda c: c[4:])
        figs["capability_profile"] = px.imshow(heat, aspect="auto", color_continuous_scale="Blues", zmin=0, zmax=1,
                                               title="5C profile per theme (mean score of its stories)")
    by = [c for c in ("domain", "period") if c in stories.columns]
    for col in by:
        table = stories[col].fillna("(blank)").value_counts().rename_axis(col).reset_index(name="stories")
        figs[col] = px.bar(table, x=col, y="stories", title=f"Stories per {col}")
    html = {}
    for i, (name, fig) in enumerate(figs.items()):
        fig.update_layout(height=480 if name in ("map", "capability_profile") else 320,
                          margin={"t": 50, "l": 40, "r": 20, "b": 40})
        html[name] = fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False,
                                 div_id=f"fig-{name}")
    return html


def _passages(story: pd.Series, width: int = 90) -> list[tuple[str, str]]:
    """(language, excerpt) of each span of a mixed story that is not in its main language."""
    if not story.get("mixed") or not isinstance(story.get("language_spans"), str):
        return []
    spans = json.loads(story["language_spans"])
    main = str(story["languages"]).split(":")[0]
    text = str(story["text"])
    out = []
    for start, end, lang in spans:
        if lang != main:
            piece = text[start:end]
            out.append((lang, piece if len(piece) <= width else piece[:width - 1] + "…"))
    return out


def write_report(result: AnalysisResult, path: str | Path, *, title: str = "MSC story analysis",
                 packs: dict[str, str] | None = None) -> Path:
    """Write a self-contained HTML report (no network needed to open it) and return its path. ``packs``:
    {domain: relative path} of panel packs to link to."""
    env = template_environment()
    stories = result.stories
    flagged = stories[(stories["language"].isin(["other", "und"])) | stories["mixed"] | (stories["status"] != "ok")]
    flagged = flagged.assign(passages=[_passages(row) for _, row in flagged.iterrows()])
    themes = result.themes.to_dict(orient="records")
    from .partner_view import partner_section

    figures = _figures(result)
    partners = partner_section(stories, random_state=result.manifest.get("random_state", 0))
    if partners:
        figures["partners"] = partners.pop("figure").to_html(full_html=False, include_plotlyjs=False,
                                                             div_id="fig-partners")
    page = env.get_template("report.html.j2").render(
        title=title, manifest=result.manifest, figures=figures, themes=themes, partners=partners,
        n_stories=len(stories), language_counts=stories["language"].value_counts().to_dict(),
        status_counts=stories["status"].value_counts().to_dict(),
        flagged=flagged[["story_id", "language", "language_confidence", "mixed", "languages", "status", "passages"]]
        .to_dict(orient="records"), warnings=result.manifest.get("warnings", []),
        titles=dict(zip(stories["story_id"], stories["title"] if "title" in stories else stories["story_id"])),
        packs=packs or {}, pd=pd)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
