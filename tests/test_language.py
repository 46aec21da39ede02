from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from msc_nlp import LanguageDetector, LanguageResult, detect_language, read_stories
from msc_nlp.errors import InputError, ParameterError

SENTENCES = {
    "nl": ["De vrouwen van de spaargroep hebben samen een waterpunt gebouwd bij de school.",
           "Sinds vorig jaar gaan alle meisjes uit het dorp weer naar school."],
    "en": ["The women of the savings group built a water point next to the school together.",
           "Since last year all the girls of the village go back to school."],
    "fr": ["Les femmes du groupe d'épargne ont construit ensemble un point d'eau près de l'école.",
           "Depuis l'année dernière, toutes les filles du village retournent à l'école."],
    "other": ["Die vroue van die spaargroep het saam 'n waterpunt naby die skool gebou.",  # af
              "Die Frauen der Spargruppe haben gemeinsam eine Wasserstelle neben der Schule gebaut.",  # de
              "Wanawake wa kikundi cha akiba walijenga kisima karibu na shule pamoja.",  # sw
              "Abagore bo mu mugwi wo kuzigama bubatse iriba hafi y'ishure."],  # rn
}


@pytest.mark.parametrize("expected", list(SENTENCES))
def test_sentences_in_and_outside_the_three_languages(expected: str) -> None:
    results = detect_language(SENTENCES[expected])
    assert [r.language for r in results] == [expected] * len(SENTENCES[expected])
    assert all(0.5 <= r.confidence <= 1.0 for r in results)


def test_other_keeps_the_specific_guess() -> None:
    r = detect_language(["Die Frauen der Spargruppe haben gemeinsam eine Wasserstelle gebaut."])[0]
    assert r.language == "other" and r.detail == "de"
    assert detect_language(["Женщины построили колодец возле школы."])[0].detail == "non-latin"


@pytest.mark.parametrize("text", ["", "   ", "12345 678", "?!... --", None])
def test_no_usable_text_is_und(text: str | None) -> None:
    r = detect_language([text])[0]  # type: ignore[list-item]
    assert r.language == "und" and r.confidence == 0.0 and not r.mixed


def test_mixed_story_is_noticed() -> None:
    text = ("Tijdens mijn bezoek aan de spaargroep vertelde de voorzitster hoe haar leven veranderde. "
            "Zij zei letterlijk: Kikundi hiki kimenipa heshima, sasa naweza kulipa karo ya shule ya watoto wangu. "
            "De andere vrouwen in de groep knikten en vertelden hun eigen verhaal.")
    r = detect_language([text])[0]
    assert r.language == "nl" and r.mixed and list(r.languages) == ["nl", "sw"]
    assert r.languages["nl"] > r.languages["sw"] > 0.2 and sum(r.languages.values()) <= 1.0
    # The quotation is a span of its own, found by character offsets into the text.
    quoted = [text[s.start:s.end] for s in r.spans if s.language == "sw"]
    assert quoted == ["Kikundi hiki kimenipa heshima, sasa naweza kulipa karo ya shule ya watoto wangu"]
    assert [s.language for s in r.spans] == ["nl", "sw", "nl"]
    plain = detect_language([SENTENCES["nl"][0] + " " + SENTENCES["nl"][1]])[0]
    assert not plain.mixed and list(plain.languages) == ["nl"] and len(plain.spans) == 1


def test_switch_inside_a_sentence_is_a_span() -> None:
    text = ("Jana nilienda sokoni na mama yangu kununua mboga, but the prices were so high that we "
            "came back home with almost nothing in our bags.")
    r = detect_language([text])[0]
    assert r.mixed and set(r.languages) == {"sw", "en"}
    english = next(s for s in r.spans if s.language == "en")
    assert text[english.start:english.end].startswith(("but the prices", "the prices"))


def test_loanwords_and_names_do_not_make_a_story_mixed() -> None:
    stories = [
        "Tijdens de workshop in Kisumu vertelde Wanjiru Otieno hoe de spaargroep haar leven veranderde. "
        "Zij kan nu de schoolgelden van haar kinderen betalen en heeft een kleine winkel geopend.",
        "Après le meeting avec le comité, Ndayishimiye a expliqué comment la coopérative vend son café à Gitega. "
        "Les membres ont reçu une formation et leurs revenus ont augmenté cette année.",
    ]
    for r in detect_language(stories):
        assert not r.mixed and len(r.languages) == 1 and len(r.spans) == 1


def test_switch_cost_and_shares_are_parameters() -> None:
    text = ("De vrouwen van de spaargroep hebben samen een waterpunt gebouwd bij de school. "
            "The chairwoman said: we are proud of what we built together. "
            "Sinds vorig jaar gaan alle meisjes uit het dorp weer naar school.")
    assert LanguageDetector().detect([text])[0].mixed
    # A second language must hold the share asked for; an unaffordable switch leaves one span.
    assert not LanguageDetector(mixed_min_share=0.5).detect([text])[0].mixed
    assert len(LanguageDetector(switch_cost=100.0).detect([text])[0].spans) == 1
    for bad in ({"switch_cost": -1}, {"name_weight": 2}, {"main_bias": -0.5}):
        with pytest.raises(ParameterError, match=next(iter(bad))):
            LanguageDetector(**bad).detect([text])


def test_results_do_not_depend_on_batch_or_order() -> None:
    texts = [t for group in SENTENCES.values() for t in group] + ["koning", "flink uitbreidde", ""]
    one_by_one = [detect_language([t])[0] for t in texts]
    batch = detect_language(texts)
    reversed_batch = detect_language(texts[::-1])[::-1]
    assert one_by_one == batch == reversed_batch


def test_same_output_in_a_fresh_process() -> None:
    texts = ["Het water is schoon.", "L'eau est propre.", "koning", "Maji ni safi sana kijijini."]
    code = ("import json,sys; from msc_nlp import detect_language; "
            "print(json.dumps([r.to_dict() for r in detect_language(json.loads(sys.argv[1]))]))")
    runs = [subprocess.run([sys.executable, "-c", code, json.dumps(texts)], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert json.loads(runs[0]) == [r.to_dict() for r in detect_language(texts)]


def test_story_collection_input(sample_path) -> None:
    stories = read_stories(sample_path)
    results = detect_language(stories)
    assert len(results) == len(stories)
    labels = stories.to_pandas()["language_label"]
    got = pd.Series([r.language for r in results], index=labels.index)
    for lang in ["nl", "en", "fr", "other"]:
        assert (got[labels == lang] == lang).mean() >= 0.9, lang


def test_result_serialises() -> None:
    r = detect_language(["The well is clean."])[0]
    assert isinstance(r, LanguageResult)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["language"] == "en" and d["languages"] == {"en": 1.0} and isinstance(d["confidence"], float)
    assert d["spans"] == [{"start": 0, "end": 17, "language": "en", "words": 4}]
    assert r.languages_text() == "en:1.00"


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="one string"):
        detect_language("Het water is schoon.")
    with pytest.raises(InputError, match="item 1 is a int"):
        detect_language(["ok", 3])
    with pytest.raises(ParameterError, match="languages"):
        LanguageDetector(languages=("nl", "xx")).detect(["tekst"])
    with pytest.raises(ParameterError, match="short_text_prior"):
        LanguageDetector(short_text_prior=-1).detect(["tekst"])


def test_restricting_languages_turns_the_rest_into_other() -> None:
    det = LanguageDetector(languages=("nl", "fr"))
    assert det.predict(["The women of the savings group built a water point next to the school."]) == ["other"]


def test_letters_outside_nl_en_fr_make_a_text_other() -> None:
    # Yoruba: dot-below letters and combining tone marks (no precomposed form) are kept inside words.
    r = detect_language(["Àwọn obìnrin ṣe ìpàdé ní ọjà"])[0]
    assert r.language == "other" and r.detail in ("foreign-letters", "yo")
    assert detect_language(["ìsọ̀gbé oòrùn"])[0].language == "other"
    # One name with foreign letters in an ordinary sentence changes nothing.
    assert detect_language(["Mevrouw Øverby vertelde over de nieuwe waterput in het dorp."])[0].language == "nl"
    # Without an alphabet on record for a target language, the check is off rather than wrong.
    assert LanguageDetector(languages=("nl", "de")).predict(["Die Frauen haben gemeinsam gebaut."]) == ["de"]


def test_normalisation_makes_composed_and_decomposed_text_equal() -> None:
    composed, decomposed = "Het café in Brugge was vol.", "Het cafe\u0301 in Brugge was vol."
    a, b = detect_language([composed, decomposed])
    assert (a.language, a.confidence, a.languages, a.detail) == (b.language, b.confidence, b.languages, b.detail)
    # Spans point into each text as it was given: the decomposed é is one character longer.
    assert decomposed[b.spans[0].start:b.spans[0].end] == decomposed[:-1]


def test_text_of_unknown_words_is_other_however_the_letters_look() -> None:
    gibberish = "Kolo mabanti sefiro undaka pilimbo teresu kanoma dulivo."
    r = LanguageDetector().detect([gibberish])[0]
    assert r.language == "other"
    # The check can be switched off; it never applies to one or two words (there the prior decides).
    assert LanguageDetector(min_coverage=0.0).predict(["koning", "flink uitbreidde"]) == ["nl", "nl"]
    with pytest.raises(ParameterError, match="min_coverage"):
        LanguageDetector(min_coverage=2).detect(["tekst"])


def test_frequency_word_lists_vote_on_one_or_two_words() -> None:
    plain, voting = LanguageDetector(lexicon_weight=0.0), LanguageDetector()
    # "forest" has French-looking letters but is common only in English; "milch gekocht" is German.
    assert plain.predict(["forest", "milch gekocht"]) == ["fr", "nl"]
    forest, milk = voting.detect(["forest", "milch gekocht"])
    assert forest.language == "en" and (milk.language, milk.detail) == ("other", "de")
    # Languages without a frequency list are not in the vote: what the model gives them stays theirs.
    others = ["asante sana", "mkulima", "ngiyabonga"]
    assert plain.detect(others) == voting.detect(others)
    assert {r.language for r in voting.detect(others)} == {"other"}
    # Three words and more are the model's alone.
    sentences = ["The structure of the village", "Het dorp kreeg een nieuwe waterput.", "la maison du village"]
    assert plain.detect(sentences) == voting.detect(sentences)
    with pytest.raises(ParameterError, match="lexicon_weight"):
        LanguageDetector(lexicon_weight=-1).detect(["tekst"])


def test_word_list_vote_weighs_languages_outside_the_collection_too() -> None:
    # With English not a collection language, an English word is not pushed into French by the vote.
    assert LanguageDetector(languages=("nl", "fr")).predict(["forest"]) == ["other"]
