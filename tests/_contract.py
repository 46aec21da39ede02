"""A result that follows the AnalysisResult contract, built from the sample corpus' own labels without models.

The partner view and the QDA export read only the contract columns, so their tests need no embedding model:
``theme_id``/``theme_label`` come from the analyst's ``theme`` column, ``capability`` from the analyst's 5C label,
``cap_<key>`` scores from a seeded generator (the labelled capability scores higher), ``evidence`` is the story's
last sentence when it has a capability.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from msc_nlp.pipeline import AnalysisResult
from msc_nlp.text import split_sentences

CAPS = ("act_commit", "deliver", "relate", "adapt_renew", "coherence")


def contract_result(frame: pd.DataFrame, seed: int = 0) -> AnalysisResult:
    stories = frame.copy().reset_index(drop=True)
    rng = np.random.default_rng(seed)
    labels = sorted(stories["theme"].unique())
    stories["language"] = stories["language_label"]
    stories["status"] = "ok"
    stories["theme_id"] = stories["theme"].map({t: i for i, t in enumerate(labels)}).astype(int)
    stories["theme_label"] = stories["theme"]
    for cap in CAPS:
        stories[f"cap_{cap}"] = np.round(rng.uniform(0.0, 0.3, len(stories)) + 0.6 * (stories["capability"] == cap), 6)
    stories["evidence"] = [split_sentences(t)[-1] if c != "none" else "" for t, c in
                           zip(stories["text"], stories["capability"])]
    themes = pd.DataFrame({"theme_id": range(len(labels)), "label": labels,
                           "size": [int((stories["theme"] == t).sum()) for t in labels],
                           "languages": ["nl+en+fr"] * len(labels), "keywords": [[t] for t in labels],
                           "keywords_by_language": [{"en": [t]} for t in labels],
                           "representatives": [[] for _ in labels], "capability": ["deliver"] * len(labels)})
    for cap in CAPS:
        themes[f"cap_{cap}"] = stories.groupby("theme_id")[f"cap_{cap}"].mean().reindex(themes["theme_id"]).to_numpy()
    stories["mixed"] = False
    stories["language_confidence"] = 1.0
    stories["languages"] = stories["language"]
    stories["map_x"] = rng.normal(size=len(stories))
    stories["map_y"] = rng.normal(size=len(stories))
    manifest = {"input": {"source": "sample", "sha256": "0" * 64}, "msc_nlp_version": "test",
                "models": {"embedding": "none"}, "random_state": seed, "timings_seconds": {}}
    return AnalysisResult(stories, themes, manifest)
