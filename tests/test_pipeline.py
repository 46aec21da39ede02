from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from msc_nlp import analyze, load_result, read_stories
from msc_nlp.cli import main
from msc_nlp.errors import InputError
from msc_nlp.report import write_report


@pytest.fixture(scope="module")
def result(sample_path: Path):
    return analyze(sample_path, random_state=0)


def test_every_story_is_in_the_result_with_its_columns(result, sample_frame: pd.DataFrame) -> None:
    s = result.stories
    assert len(s) == len(sample_frame) and s["story_id"].tolist() == sample_frame["story_id"].tolist()
    for col in ["story_id", "text", "status", "language", "language_confidence", "mixed", "languages", "theme_id",
                "theme_label", "theme_similarity", "outlier", "map_x", "map_y", "title", "domain", "region",
                "cap_act_commit", "cap_deliver", "cap_relate", "cap_adapt_renew", "cap_coherence", "capability",
                "evidence"]:
        assert col in s.columns, col
    assert (s["theme_id"] >= 0).all() and s["theme_id"].max() == len(result.themes) - 1
    assert set(result.themes.columns) >= {"theme_id", "label", "size", "languages", "keywords", "representatives",
                                          "capability", "cap_relate", "share_none"}
    m = result.manifest
    assert m["input"]["rows"] == len(s) and m["random_state"] == 0 and len(m["input"]["sha256"]) == 64
    assert m["models"]["embedding"] == "use-multilingual" and set(m["timings_seconds"]) >= {"embedding", "themes"}


def test_save_load_round_trip_is_identical(result, tmp_path: Path) -> None:
    result.save(tmp_path / "r")
    back = load_result(tmp_path / "r")
    pd.testing.assert_frame_equal(back.stories, result.stories, check_exact=True)
    pd.testing.assert_frame_equal(back.themes, result.themes, check_exact=True)
    assert back.stories.equals(result.stories)  # bit for bit, not within a tolerance
    assert back.manifest == json.loads(json.dumps(result.manifest))
    assert json.loads(back.to_json()) == json.loads(result.to_json())
    (tmp_path / "r" / "result.json").write_text('{"format": 1, "stories": 3}')
    with pytest.raises(InputError, match="not a readable msc_nlp result"):
        load_result(tmp_path / "r")


def test_same_seed_same_result(result, sample_path: Path) -> None:
    again = analyze(sample_path, random_state=0)
    pd.testing.assert_frame_equal(again.stories, result.stories)


def test_empty_and_unusual_stories_are_kept_with_a_status() -> None:
    df = pd.DataFrame({"id": list(range(8)), "text": [
        "De vrouwen van de spaargroep hebben samen een waterpunt gebouwd.",
        "The women of the savings group built a water point together.",
        "", "12345", "Les femmes ont construit un puits près de l'école.",
        "Het bestuur keurde een nieuw strategisch plan goed.", "The board approved a new strategic plan.",
        "Le conseil a approuvé un nouveau plan stratégique."]})
    res = analyze(read_stories(df))
    s = res.stories.set_index("story_id")
    assert len(s) == 8 and s.loc["2", "status"] == "empty" and s.loc["2", "theme_id"] == -1
    assert s.loc["3", "status"] == "too_short" and s.loc["3", "language"] == "und"
    assert sum(res.manifest["counts"]["status"].values()) == 8


def test_cli_analyze_with_unusual_columns(tmp_path: Path, sample_frame: pd.DataFrame, no_network: list) -> None:
    src = tmp_path / "export.csv"
    sample_frame.rename(columns={"text": "Getuigenis", "story_id": "Nr", "domain": "Domein"}).to_csv(src, index=False)
    out = tmp_path / "out"
    assert main(["-q", "analyze", str(src), "--out", str(out), "--text-column", "Getuigenis", "--id-column", "Nr",
                 "--domain-column", "Domein", "--seed", "1"]) == 0
    for name in ["report.html", "stories.csv", "themes.csv", "result.json"]:
        assert (out / name).stat().st_size > 0, name
    stories = pd.read_csv(out / "stories.csv")
    assert len(stories) == len(sample_frame) and "domain" in stories.columns
    packs = sorted(p.name for p in (out / "packs").glob("*.html"))
    assert packs == sorted(f"{d.replace(' ', '-')}.html" for d in sample_frame["domain"].unique())
    assert all(f'href="packs/{p}"' in (out / "report.html").read_text(encoding="utf-8") for p in packs)
    assert no_network == []


def test_cli_analyze_without_text_column_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("nummer,opmerking\n1,x\n2,y\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "msc_nlp.cli", "analyze", str(src), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "'nummer'" in proc.stderr and "'opmerking'" in proc.stderr


def test_report_is_self_contained(result, tmp_path: Path) -> None:
    from html.parser import HTMLParser

    page = write_report(result, tmp_path / "report.html").read_text(encoding="utf-8")

    class Loads(HTMLParser):
        external: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            for name, value in attrs:
                if name in ("src", "href") and value and not value.startswith("#") and tag != "a":
                    self.external.append(value)

    parser = Loads()
    parser.feed(page)
    assert parser.external == []  # nothing to fetch: scripts and styles are inline
    assert 'id="fig-map"' in page and 'id="theme-table"' in page and 'id="language-table"' in page
    for label in result.themes["label"]:
        assert label in page


def test_languages_the_embedding_model_lacks_are_flagged(result, tmp_path: Path) -> None:
    s = result.stories.set_index("story_id")
    uncovered = s.index[s.index.str.startswith(("SW-", "RN-"))]
    assert (s.loc[uncovered, "status"] == "unsupported_language").all()
    assert not (s.drop(uncovered)["status"] == "unsupported_language").any()
    warnings = result.manifest["warnings"]
    assert any(w.startswith("2 stories in Swahili") for w in warnings), warnings
    page = write_report(result, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "2 stories in Swahili" in page and "themes and 5C for them are unreliable" in page


def test_mixed_stories_keep_their_spans(result) -> None:
    s = result.stories.set_index("story_id")
    mixed = s[s["mixed"]]
    assert len(mixed) >= 2
    for sid, row in mixed.iterrows():
        shares = {lang: float(share) for lang, share in (part.split(":") for part in row["languages"].split("+"))}
        assert len(shares) >= 2 and list(shares.values()) == sorted(shares.values(), reverse=True)
        spans = json.loads(row["language_spans"])
        assert {lang for _, _, lang in spans} == set(shares), sid
        assert all(0 <= a < b <= len(row["text"]) for a, b, _ in spans)


@pytest.mark.slow
def test_report_renders_in_headless_chromium(result, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    path = write_report(result, tmp_path / "report.html")
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert proc.returncode == 0 and 'id="theme-table"' in dom
    assert dom.count('class="main-svg"') >= 3  # plotly drew the charts (bars and the theme map)
    console_errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert console_errors == []
