"""``analyze()``: the whole pipeline in one call, and the AnalysisResult it returns."""
from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._guards import MAX_STORY_CHARS, THEMED, collection_shape, wraps_dependency_errors
from ._spreadsheet import write_csv
from ._version import __version__
from .errors import InputError, ParameterError
from .stories import StoryCollection, read_stories

__all__ = ["AnalysisResult", "analyze", "load_result", "STATUS_VALUES"]

#: ``status`` of a story in the result: why it may have been treated differently (never dropped).
STATUS_VALUES = ("ok", "empty", "too_short", "undetected_language", "unsupported_language", "too_long",
                 "duplicate")
_FORMAT = 1


@dataclass
class AnalysisResult:
    """What :func:`analyze` found.

    ``stories``: one row per input story, in input order: ``story_id``, ``status``, ``duplicate_of`` (the id of
    an earlier story with the same text), ``language``, ``language_confidence``, ``mixed``, ``languages`` (shares
    of the words, e.g. ``"en:0.62+sw:0.38"``), ``language_spans`` (JSON ``[[start, end, language], ...]``),
    ``theme_id`` (-1 for empty and too short stories), ``theme_label``,
    ``theme_similarity``, ``outlier``, ``map_x``/``map_y`` (2-D theme map), ``text`` and every input column.
    ``themes``: one row per theme (``theme_id``, ``label``, ``size`` (duplicates included), ``languages``, ``keywords``,
    ``keywords_by_language``, ``representatives``, ...). ``manifest``: input hash, models and versions,
    parameters, seed, counts and timings.
    """

    stories: pd.DataFrame
    themes: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The whole result as one JSON document (pandas' table schema keeps the column types)."""
        return json.dumps({"format": _FORMAT, "manifest": self.manifest,
                           "stories": json.loads(self.stories.to_json(orient="table", index=False,
                                                                      double_precision=15)),
                           "themes": json.loads(self.themes.to_json(orient="table", index=False,
                                                                    double_precision=15))},
                          ensure_ascii=False)

    def panel_pack(self, domain: str | None = None, **params: Any) -> Any:
        """A :class:`~msc_nlp.panels.PanelPack` for one domain (or all); see :func:`msc_nlp.panels.panel_pack`."""
        from .panels import panel_pack

        return panel_pack(self, domain, **params)

    def to_qdpx(self, path: str | Path, *, redact: bool = False, project_name: str | None = None) -> Path:
        """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder; see
        :func:`msc_nlp.report.qdpx.write_qdpx`."""
        from .report.qdpx import write_qdpx

        return write_qdpx(self, path, redact=redact, project_name=project_name)

    def save(self, folder: str | Path) -> Path:
        """Write ``result.json`` (everything, reloadable with :func:`load_result`), ``stories.csv`` and
        ``themes.csv`` into ``folder``. No pickle."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        (out / "result.json").write_text(self.to_json(), encoding="utf-8")
        write_csv(self.stories, out / "stories.csv")  # lists as "a; b", risky cells neutralised
        write_csv(self.themes, out / "themes.csv")
        return out


def load_result(folder: str | Path) -> AnalysisResult:
    """Load a result saved with :meth:`AnalysisResult.save` (a folder or its ``result.json``)."""
    path = Path(folder)
    path = path / "result.json" if path.is_dir() else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {_FORMAT}")
        stories = pd.read_json(io.StringIO(json.dumps(data["stories"])), orient="table", precise_float=True)
        themes = pd.read_json(io.StringIO(json.dumps(data["themes"])), orient="table", precise_float=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{str(path)!r} is not a readable msc_nlp result ({exc}). Run analyze() and save() "
                         "again.") from exc
    return AnalysisResult(stories.reset_index(drop=True), themes.reset_index(drop=True), data["manifest"])


@wraps_dependency_errors
def analyze(
    stories: StoryCollection | pd.DataFrame | str | Path,
    *,
    text: str | None = None,
    id: str | None = None,  # noqa: A002
    embedding_model: str = "use-multilingual",
    random_state: int = 0,
    n_themes: int | str = "auto",
    max_themes: int = 12,
    label_language: str | None = None,
    seed_themes: Mapping[str, str | Sequence[str]] | None = None,
    fixed_themes: Mapping[str, str | Sequence[str]] | None = None,
    framework: str | Path = "5c",
    coded: str | None = None,
    cache: str | Path | None = None,
    show_progress: bool | None = None,
    languages: Sequence[str] = ("nl", "en", "fr"),
    max_story_chars: int = MAX_STORY_CHARS,
    client: Any = None,
    embedding_context: str = "story",
) -> AnalysisResult:
    """Run the pipeline: read → language → embeddings → cross-lingual themes → 5C capabilities → 2-D map.

    ``stories`` is a :class:`StoryCollection`, a DataFrame or a file path (``text``/``id`` name the columns
    as in :func:`read_stories`). ``embedding_model="auto"`` embeds the stories with ``"e5-small"`` when the
    collection is small enough for it (:func:`msc_nlp.embedding.e5.choose_model`), else with the default
    model; 5C mapping then keeps the default model. ``label_language`` is the language of the theme labels
    (default: the collection's most frequent of nl/en/fr). The other parameters go to :func:`embed` and
    :class:`ThemeModel`. Every input
    row is in ``result.stories`` with a ``status``. Themes are fitted on distinct stories of 3+ words: empty and
    ``too_short`` stories get no theme (``theme_id`` -1); an exact ``duplicate`` gets its twin's theme and map
    position (``duplicate_of`` names the twin). Only the first ``max_story_chars`` characters of a longer story
    are analysed (status ``too_long``, a note in the manifest); runs of more than 50 non-space characters are
    cut for analysis (the text in the result stays whole).
    ``languages``: the collection's languages, passed to :class:`~msc_nlp.LanguageDetector`. Stories whose main
    language the embedding model does not cover get the status ``unsupported_language`` and a line in
    ``manifest["warnings"]``.
    ``coded`` names a column with the team's 5C codes for some stories (blank for the rest): coded stories
    keep their code, the others get the few-shot prediction learnt from them (``capability_source``:
    ``team``, ``few-shot`` or ``zero-shot``); ``manifest["coding"]`` gives the cross-validated agreement on
    the coded stories and the stories worth coding next.
    ``client``: a ``dask.distributed.Client``; language detection and embedding then run on its workers
    (:mod:`msc_nlp.distributed`), with the same result. ``embedding_context``: how story and sentence vectors are
    made (:func:`~msc_nlp.embedding.embed_with_sentences`): ``"story"`` (default: one pass over every token; story
    vectors for themes exact, sentence vectors for 5C evidence pooled within the story), ``"two-pass"`` (both as
    exact as embedding them alone, twice the embedding time) or ``"sentence"`` (one pass, story vectors pooled
    from sentences read alone); the quality of each: benchmarks/results/passes.md.
    """
    from ._guards import SPACY_MAX_CHARS, as_unfitted_without_themes, copy_from_twins, final_status, no_themes_note
    from ._validation import check_choice, check_int
    from .embedding import embed_with_sentences, get_embedder
    from .embedding.passes import CONTEXTS
    from .language.coverage import coverage_warnings, covered, main_language
    from .language.detector import detect_language
    from .themes import ThemeModel

    check_int(max_story_chars, "max_story_chars", "analyze", minimum=1_000)
    check_choice(embedding_context, "embedding_context", "analyze", list(CONTEXTS))
    if max_story_chars > SPACY_MAX_CHARS:
        raise ParameterError(f"The 'max_story_chars' parameter of analyze must be at most {SPACY_MAX_CHARS:,} "
                             f"(spaCy's limit). Got {max_story_chars!r} instead.")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    collection = stories if isinstance(stories, StoryCollection) else read_stories(stories, text=text, id=id)
    frame = collection.to_pandas()
    shape = collection_shape(frame["story_id"].tolist(), frame["text"].tolist(), max_story_chars=max_story_chars)
    timings["read"] = time.perf_counter() - t0

    t = time.perf_counter()
    if client is not None:  # language and embeddings on the Dask workers (msc_nlp.distributed)
        from .distributed import detect_and_embed

        worker_model = embedding_model if embedding_model != "auto" else "use-multilingual"
        langs, on_workers = detect_and_embed(shape.features, client, embedding_model=worker_model,
                                             languages=tuple(languages), context=embedding_context,
                                             cache=cache)
    else:
        langs, on_workers = detect_language(shape.features, languages=tuple(languages)), None
    timings["language"] = time.perf_counter() - t
    frame.insert(2, "language", [r.language for r in langs])
    frame.insert(3, "language_confidence", [r.confidence for r in langs])
    frame.insert(4, "mixed", [r.mixed for r in langs])
    frame.insert(5, "languages", [r.languages_text() for r in langs])
    frame["language_spans"] = [json.dumps([[sp.start, sp.end, sp.language] for sp in r.spans]) for r in langs]
    mains = [main_language(r.language, r.detail, r.languages) for r in langs]
    frame["status"] = [s if s != "ok" else "undetected_language" if r.language == "und" else
                       "unsupported_language" if covered(m, embedding_model) is False else s
                       for s, r, m in zip(frame["status"], langs, mains)]
    warnings = coverage_warnings([m for m, s in zip(mains, frame["status"]) if s != "empty"], embedding_model)
    frame["status"], twins = final_status(frame["status"].tolist(), shape.too_long, frame["text"].tolist(),
                                          frame["story_id"].tolist())
    if frame["status"].eq("empty").all():
        raise InputError(f"analyze found no story text: all {len(frame)} stories are empty (and "
                         f"{collection.blank_rows_skipped} blank rows skipped). Check the text "
                         f"column ({collection.column_map.get('text')!r}; columns: {list(frame.columns)}).")
    usable = np.flatnonzero(frame["status"].isin(THEMED).to_numpy())  # distinct stories of 3+ words
    t = time.perf_counter()
    texts = [shape.features[i] for i in usable]
    story_languages = [frame.at[i, "language"] for i in usable]
    from .embedding.e5 import choose_model

    capability_model = embedding_model if embedding_model != "auto" else "use-multilingual"
    embedding_model = choose_model(embedding_model, texts)
    # one call gives the story vectors (themes) and the sentence vectors (5C evidence)
    embedded = (on_workers.take(usable) if on_workers is not None and embedding_model == capability_model else
                embed_with_sentences(texts, embedding_model, context=embedding_context, cache=cache,
                                     show_progress=show_progress))
    vectors = embedded.stories
    timings["embedding"] = time.perf_counter() - t

    t = time.perf_counter()
    model = ThemeModel(n_themes=n_themes, max_themes=max_themes, label_language=label_language,
                       seed_themes=seed_themes,
                       fixed_themes=fixed_themes, embedding_model=embedding_model, random_state=random_state)
    if len(usable):
        model.fit(texts, vectors, story_languages, ids=[frame.at[i, "story_id"] for i in usable])
    else:  # nothing to theme: every story is empty, too short or a duplicate
        as_unfitted_without_themes(model)
    timings["themes"] = time.perf_counter() - t

    assigned = model.assignments_.drop(columns="story_id")
    for col, empty in (("theme_id", -1), ("theme_label", "none"), ("theme_similarity", 0.0), ("outlier", False)):
        values = np.full(len(frame), empty, dtype=object)
        values[usable] = assigned[col].to_numpy()
        frame.insert(6 + ["theme_id", "theme_label", "theme_similarity", "outlier"].index(col), col,
                     pd.array(values.tolist(), dtype=assigned[col].dtype))
    copy_from_twins(frame, twins, ["theme_id", "theme_label", "theme_similarity", "outlier"])
    t = time.perf_counter()
    from .capabilities import CapabilityMapper, theme_profile

    mapper = CapabilityMapper(framework, embedding_model=capability_model)
    sentence_vectors = None
    if embedding_model == capability_model:  # reuse the sentence vectors; other rows (repeats, very short) here
        sentence_vectors = [np.zeros((0, vectors.shape[1]), dtype=np.float32)] * len(frame)
        for i, rows in zip(usable, embedded.sentences):
            sentence_vectors[i] = rows
        rest = [i for i in np.setdiff1d(np.arange(len(frame)), usable) if shape.features[i].strip()]
        if rest:
            extra = embed_with_sentences([shape.features[i] for i in rest], capability_model,
                                         context=embedding_context, cache=cache, show_progress=False)
            for i, rows in zip(rest, extra.sentences):
                sentence_vectors[i] = rows
    caps = mapper.transform(shape.features, frame["story_id"].tolist(),
                            sentence_vectors=sentence_vectors).drop(columns="story_id")
    coding = None
    if coded is not None:
        from .capabilities.coding import apply_team_codes

        caps, coding = apply_team_codes(frame.assign(text=shape.features), caps, mapper, coded, rows=usable,
                                        embeddings=vectors, random_state=random_state)
    for col in caps.columns:
        frame[col] = caps[col].to_numpy()
    profile = theme_profile(frame).rename(columns={"capability": "theme_capability"})
    themes = model.themes_.merge(profile, on="theme_id", how="left").rename(
        columns={"theme_capability": "capability"})
    timings["capabilities"] = time.perf_counter() - t
    coords = _map_coordinates(vectors, story_languages, model.centroids_)
    for k, col in enumerate(("map_x", "map_y")):
        values = np.full(len(frame), np.nan)
        values[usable] = np.round(coords[:, k].astype(np.float64), 6)
        frame.insert(10 + k, col, values)
    copy_from_twins(frame, twins, ["map_x", "map_y"])
    themes["size"] = themes["theme_id"].map(frame["theme_id"].value_counts()).astype("int64")  # with duplicates
    frame.insert(frame.columns.get_loc("status") + 1, "duplicate_of", twins)
    notes = shape.notes + ([] if len(usable) else [no_themes_note(frame["status"].value_counts().to_dict())])
    timings["total"] = time.perf_counter() - t0

    manifest = {
        "msc_nlp_version": __version__,
        "input": {"source": collection.source, "sha256": _input_hash(frame), "rows": len(frame),
                  "column_map": dict(collection.column_map), "generated_ids": collection.generated_ids,
                  "blank_rows_skipped": collection.blank_rows_skipped},
        "counts": {"status": frame["status"].value_counts().to_dict(),
                   "capability": frame["capability"].value_counts().to_dict(),
                   "language": frame["language"].value_counts().to_dict(), "themes": int(len(model.themes_)),
                   "outliers_reassigned": int(model.assignments_["outlier"].sum()),
                   "duplicates": int(frame["duplicate_of"].notna().sum()), "themed": int(len(usable)),
                   "clipped_tokens": shape.clipped},
        "models": {"embedding": embedding_model, "embedding_version": getattr(get_embedder(embedding_model),
                                                                               "version", "unknown"),
                   "language_model": "msc_nlp/data/langid.npz", "theme_strategy": model.strategy_,
                   "capability_framework": f"{mapper.framework_.name} {mapper.framework_.version}",
                   "bertopic": _version("bertopic"), "spacy": _version("spacy")},
        "parameters": {"embedding_context": embedding_context, "n_themes": n_themes, "max_themes": max_themes,
                       "label_language": label_language,
                       "seed_themes": seed_themes,
                       "fixed_themes": fixed_themes, "languages": list(languages),
                       "max_story_chars": max_story_chars, "coded": coded},
        "notes": notes,
        "random_state": random_state,
        "warnings": warnings,
        **({"coding": coding} if coding is not None else {}),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    return AnalysisResult(frame, themes, manifest)


def _map_coordinates(vectors: np.ndarray, languages: Sequence[str], centroids: np.ndarray) -> np.ndarray:
    """2-D coordinates for the theme map: the language-centred embeddings projected on the plane that best
    separates the theme centroids the theme model found (PCA of k centroids: no pass over n x dim for the axes;
    with fewer than three themes, PCA of the stories)."""
    from sklearn.decomposition import PCA

    from .embedding import LanguageCentering

    if len(vectors) < 3:
        return np.zeros((len(vectors), 2))
    x = LanguageCentering().fit_transform(vectors, list(languages))
    if len(x) < 3:
        return np.zeros((len(x), 2))
    basis = np.asarray(centroids, dtype=np.float64) if len(centroids) >= 3 else x
    coords = PCA(n_components=2, svd_solver="full").fit(basis).transform(x)
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), [0, 1]])  # fix PCA's arbitrary sign
    return coords * np.where(signs == 0, 1, signs)


def _input_hash(frame: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for sid, txt in zip(frame["story_id"], frame["text"]):
        h.update(f"{sid}\x1f{txt}\x1e".encode())
    return h.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
