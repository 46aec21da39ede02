"""Duplicates across languages and meta-monitoring that controls false alarms (issue 19)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from msc_nlp import Selections
from msc_nlp.errors import InputError, ParameterError
from msc_nlp.panels import analyse_reasons, anchors, find_duplicates, meta_monitoring, reason_core

ORIGINAL_EN = ("Since March the primary school in Nyakach has had its own water point with a filter. In the past the "
               "girls walked to the river for an hour every morning and arrived late in class. Now they fill their "
               "jerrycans in the schoolyard. Twenty-four parents sit on the committee that runs it.")
TRANSLATION_FR = ("Depuis mars, l'école primaire de Nyakach a son propre point d'eau avec un filtre. Avant, les filles "
                  "marchaient une heure jusqu'à la rivière chaque matin et arrivaient en retard en classe. Maintenant "
                  "elles remplissent leurs bidons dans la cour de l'école. Vingt-quatre parents siègent au comité qui "
                  "le gère.")
SAME_TOPIC_NL = ("Sinds vorig jaar heeft het dorp Kobala een waterput met een pomp. Vroeger haalden de vrouwen water "
                 "uit het meer en werden de kinderen vaak ziek. Nu is er schoon water vlak bij huis. Een comité van "
                 "zes vrouwen int elke maand een kleine bijdrage voor onderhoud.")
OTHER_EN = ("The savings group in Gitega now lends money to forty members. Before, women had no access to credit; now "
            "they run small shops and pay school fees on time.")


def test_anchors_keep_details_that_survive_translation() -> None:
    en, fr = anchors(ORIGINAL_EN), anchors(TRANSLATION_FR)
    assert {"name:nyakach", "month:3", "#24"} <= en & fr
    assert not any(a.startswith("name:") and a[5:] in {"since", "depuis", "now", "maintenant"} for a in en | fr)
    assert {"#1200", "#2024"} <= anchors("In 2024 we reached 1,200 families; en 2024 nous avons touché 1 200 familles.")


def test_translation_found_and_same_topic_story_not() -> None:
    edited = ORIGINAL_EN.replace("Twenty-four parents", "Thirty parents").replace(" Now they fill their jerrycans "
                                                                                  "in the schoolyard.", "")
    texts = [ORIGINAL_EN, TRANSLATION_FR, SAME_TOPIC_NL, OTHER_EN, edited]
    pairs = find_duplicates(texts, ["en", "fr", "nl", "en", "en"], ids=["A", "B", "C", "D", "E"])
    found = {frozenset((a, b)): k for a, b, k in zip(pairs["story_id"], pairs["other_story"], pairs["kind"])}
    assert found[frozenset("AB")] == "translation"
    assert found[frozenset("AE")] == "edited copy"
    assert not any("C" in p or "D" in p for p in found)
    row = pairs[(pairs["story_id"] == "A") & (pairs["other_story"] == "B")].iloc[0]
    assert "nyakach" in row["shared"] and row["alignment"] > row["similarity"] - 0.2


def test_find_duplicates_validates_input() -> None:
    with pytest.raises(InputError, match="2 texts and 1 languages"):
        find_duplicates(["a b c", "d e f"], ["en"])
    assert find_duplicates(["only one"], ["en"]).empty


def _collection(n: int = 90, seed: int = 0) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    return pd.DataFrame({"story_id": [f"S{i:03d}" for i in range(n)],
                         "storyteller_role": r.choice(["partner staff", "beneficiary", "field officer"], n),
                         "region": r.choice(["Kisumu", "Gitega", "Bukavu", "Goma"], n, p=[.4, .3, .27, .03])})


def _level(ids: list[str], picked: set[str]) -> pd.DataFrame:
    return pd.DataFrame({"story_id": ids, "selected": [i in picked for i in ids], "votes": 0, "reason": "",
                         "panel": "", "level": ""})


def test_meta_monitoring_flags_a_planted_bias_but_not_chance() -> None:
    stories = _collection()
    ids = stories["story_id"].tolist()
    staff = stories.loc[stories["storyteller_role"] == "partner staff", "story_id"].tolist()
    biased = meta_monitoring(stories, Selections().add("country", _level(ids, set(staff[:20]))))
    hit = biased[biased["flag"] & (biased["group"] == "partner staff")]
    assert len(hit) == 1 and hit["verdict"].iloc[0] == "selected more often"
    assert hit["ci_low"].iloc[0] > 0 and (biased["compared_with"] == "rated").all()
    alarms = 0
    for seed in range(5):
        picked = set(np.random.default_rng(seed).choice(ids, 20, replace=False))
        alarms += bool(meta_monitoring(stories, Selections().add("country", _level(ids, picked)))["flag"].any())
    assert alarms <= 1
    small = biased[biased["group"] == "Goma"]
    assert (small["verdict"] == "too few stories to tell").all() and small["p_value"].isna().all()


def test_meta_monitoring_shows_the_bias_of_what_a_level_was_given() -> None:
    stories = _collection()
    shortlist = stories.loc[stories["region"] == "Kisumu", "story_id"].tolist()[:30]
    picked = set(shortlist[::3])
    mm = meta_monitoring(stories, Selections().add("country", _level(shortlist, picked)), by=("region",))
    assert not mm.loc[mm["compared_with"] == "rated", "flag"].any()
    given = mm[(mm["compared_with"] == "collection") & (mm["chosen"] == "rated") & (mm["group"] == "Kisumu")]
    assert given["flag"].all() and (given["verdict"] == "rated more often").all()
    assert set(mm.loc[mm["chosen"] == "selected", "compared_with"]) == {"rated", "collection"}
    with pytest.raises(ParameterError, match="min_group"):
        meta_monitoring(stories, Selections().add("country", _level(shortlist, picked)), min_group=0)


@pytest.mark.parametrize("reason,core", [
    ("We chose this story because the women now decide about money.", "the women now decide about money."),
    ("We kozen dit verhaal omdat de gemeenschap het zelf beheert.", "de gemeenschap het zelf beheert."),
    ("Nous l'avons retenue car la mutuelle fonctionne sans appui.", "la mutuelle fonctionne sans appui."),
    ("Selected for its creativity: a dryer made of local materials.", "its creativity: a dryer made of local "
                                                                       "materials."),
    ("The committee saves for repairs, so the pump will keep running.", "The committee saves for repairs, so the "
                                                                        "pump will keep running."),
    ("The panel valued that the council changed its bylaws.", "the council changed its bylaws."),
    ("Ce qui nous a frappés, c'est qu'une femme dirige la coopérative.", "une femme dirige la coopérative."),
    ("A widow now leads the cooperative; it shows how much women have gained.",
     "A widow now leads the cooperative; it shows how much women have gained."),
])
def test_reason_core_drops_the_choice_framing(reason: str, core: str) -> None:
    assert reason_core(reason) == core


def test_reasons_go_to_criteria_named_in_advance() -> None:
    reasons = ["We chose this story because the women now decide how the money is spent.",
               "Les femmes prennent la parole et gèrent elles-mêmes leurs revenus.",
               "De gemeenschap beheert het waterpunt zelf, zonder hulp van buitenaf.",
               "The villagers built the bridge themselves and run its committee."]
    records = pd.DataFrame({"level": "country", "panel": "Kenya", "story_id": ["a", "b", "c", "d"], "selected": True,
                            "votes": 0, "reason": reasons})
    criteria = {"women's empowerment": "Women gain voice and income and decide for themselves.",
                "community ownership": "The community takes the initiative and manages it themselves."}
    out = analyse_reasons(records, criteria=criteria)
    assert out["reasons"]["criterion"].tolist() == ["women's empowerment"] * 2 + ["community ownership"] * 2
    assert set(out["usage"].columns) <= {*criteria, "none"}


# --- reasons read as value profiles -------------------------------------------------------------------------------

class _AxisEmbedder:
    """A fake model: a text's vector is the sum of the axes of the words it contains (unit length), so
    tests can say which statements a reason is near without loading a model."""

    model_id = "test-axes"
    words = ("last", "women", "new", "nl-accent")

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.array([[1.0 if w in t.lower() else 0.0 for w in self.words] + [0.1] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


TOY_LEXICON = {"lasting": {"en": ["it will last"]}, "women": {"en": ["women decide"]},
               "novelty": {"en": ["something new"]}}


def test_value_profiles_point_to_the_value_a_text_speaks_of() -> None:
    from msc_nlp.panels.values import value_profiles

    texts = ["the pump will last", "women decide on money", "a new dryer", "nl-accent it will last",
             "nl-accent women lead", "nl-accent a new app"]
    langs = ["en", "en", "en", "nl", "nl", "nl"]
    profile, names = value_profiles(texts, langs, model=_AxisEmbedder(), lexicon=TOY_LEXICON, min_per_language=3)
    assert names == ["lasting", "women", "novelty"]
    assert [names[i] for i in profile.argmax(axis=1)] == ["lasting", "women", "novelty"] * 2
    # Centred per language: the Dutch marker shifts no value.
    assert np.allclose(profile[:3].mean(axis=0), 0) and np.allclose(profile[3:].mean(axis=0), 0)


@pytest.mark.parametrize("lexicon", [{"only": {"en": ["one value"]}}, {"a": {"en": ["x"]}, "b": {"en": [" "]}},
                                     ["not", "a", "dict"]])
def test_a_bad_value_lexicon_is_refused_with_its_fix(lexicon: object) -> None:
    from msc_nlp.panels.values import value_statements

    with pytest.raises(InputError, match="statement|at least 2 values"):
        value_statements(lexicon)  # type: ignore[arg-type]


def test_the_value_lexicon_covers_every_value_in_nl_en_fr() -> None:
    from msc_nlp.panels.values import VALUE_LEXICON, value_statements

    assert {"sustainability", "inclusion", "policy_influence", "innovation", "ownership"} <= set(VALUE_LEXICON)
    assert all(set(by_lang) == {"nl", "en", "fr"} for by_lang in VALUE_LEXICON.values())
    texts, values, _ = value_statements()
    assert len(texts) == len(set(texts)) and len(set(values)) == len(VALUE_LEXICON)


def test_reasons_group_by_value_not_by_the_story_topic() -> None:
    """Same value about different topics (water, school, health) in nl/en/fr goes together; same topic with
    another value goes apart."""
    lasting = ["The water committee will keep the pump working after the project ends.",
               "De school blijft de lessen zelf betalen, ook als de financiering stopt.",
               "Le centre de santé continuera à fonctionner sans l'appui du bailleur.",
               "The school will keep paying the teachers from its own budget for years to come.",
               "Het gezondheidscentrum kan na het einde van het project zelfstandig doorgaan.",
               "Le comité de l'eau a une caisse pour entretenir le forage pendant des années."]
    women = ["Women now chair the water committee and decide how the fees are spent.",
             "Meisjes leiden nu de schoolraad en spreken voor het eerst in het openbaar.",
             "Les femmes prennent la parole au centre de santé et décident elles-mêmes de leurs soins.",
             "Girls now lead the school council and speak in public for the first time.",
             "De vrouwen beslissen nu zelf over het geld van het watercomité.",
             "Les femmes gèrent elles-mêmes l'argent du comité de l'eau."]
    records = pd.DataFrame({"level": "country", "panel": "p", "story_id": [f"s{i}" for i in range(12)],
                            "selected": True, "votes": 0, "reason": lasting + women})
    out = analyse_reasons(records, n_criteria=2)
    got = out["reasons"]["criterion"].tolist()
    assert len(set(got[:6])) == 1 and len(set(got[6:])) == 1 and got[0] != got[6]
    assert "sustainability" in out["criteria"].set_index("label").loc[got[0], "values"]
    assert "gender_equality" in out["criteria"].set_index("label").loc[got[6], "values"]
    # The rows' order does not change the grouping.
    again = analyse_reasons(records.iloc[::-1].reset_index(drop=True), n_criteria=2)["reasons"]
    first = out["reasons"].set_index("story_id")["criterion"]
    assert again.set_index("story_id")["criterion"].to_dict() == first.to_dict()


def test_analyse_reasons_refuses_a_single_criterion() -> None:
    records = pd.DataFrame({"level": "c", "panel": "p", "story_id": ["a", "b"], "selected": True, "votes": 0,
                            "reason": ["The change will last.", "Women decide."]})
    with pytest.raises(InputError, match="at least 2 criteria"):
        analyse_reasons(records, criteria={"lasting": "The change lasts."})


def test_shipped_lexicon_vectors_match_the_lexicon() -> None:
    """Edit the lexicon, then rebuild the shipped e5 vectors: ``python -m msc_nlp.panels.values``."""
    from importlib import resources

    from msc_nlp.embedding.base import get_embedder
    from msc_nlp.panels.values import SHIPPED_VECTORS, statements_key, value_statements

    statements, _, _ = value_statements()
    with resources.as_file(resources.files("msc_nlp") / "data" / SHIPPED_VECTORS) as path, np.load(path) as shipped:
        assert str(shipped["key"]) == statements_key(get_embedder("e5-small").model_id, statements)
        assert shipped["vectors"].shape[0] == len(statements)
