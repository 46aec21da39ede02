"""The redactor's rules, one behaviour per test (no trained model; lexicons load once per session)."""
from __future__ import annotations

import pytest

from msc_nlp.panels import Redactor


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


def test_names_that_are_ordinary_words_at_a_sentence_start(redactor: Redactor) -> None:
    out, log = redactor.redact("Grace told us the well works. Mercy said the same. Hope went back to school.",
                               language="en")
    assert out == "[NAME] told us the well works. [NAME] said the same. [NAME] went back to school."
    assert [r.original for r in log] == ["Grace", "Mercy", "Hope"]


def test_ordinary_capitalised_words_stay(redactor: Redactor) -> None:
    text = ("Water is scarce in March. Training helped, and on Friday Kenyan farmers met Dutch donors. "
            "Education matters.")
    assert redactor.redact(text, language="en")[0] == text


def test_phone_numbers_but_not_dates(redactor: Redactor) -> None:
    out, log = redactor.redact("We met on 12 03 2021 and 2021-03-12, paid UGX 50,000. Call 0722 123 456 or "
                               "+257 79 555 123.", language="en")
    assert "12 03 2021" in out and "2021-03-12" in out and "50,000" in out
    assert out.count("[PHONE]") == 2 and {r.kind for r in log} == {"phone"}


def test_places_are_whole_names(redactor: Redactor) -> None:
    out, _ = redactor.redact("Victoria sells fish on Lake Victoria. The boat of Victoria is blue.", language="en")
    assert out == "[NAME] sells fish on Lake Victoria. The boat of [NAME] is blue."


def test_a_name_in_one_field_is_a_name_in_all(redactor: Redactor) -> None:
    out, log = redactor.redact_fields({"title": "Amani and the bursary",
                                       "text": "The committee in Bukavu chose Amani last year."}, "s1", "en")
    assert out == {"title": "[NAME] and the bursary", "text": "The committee in Bukavu chose [NAME] last year."}
    assert {(r.field, r.original) for r in log} == {("title", "Amani"), ("text", "Amani")}


def test_organisations_places_and_user_keep_list() -> None:
    text = "Wanjiru works with the Kisumu Women Group and Tumaini Trust near Homa Bay."
    out, _ = Redactor().redact(text, language="en")
    assert out == "[NAME] works with the Kisumu Women Group and Tumaini Trust near Homa Bay."
    text = "Otieno visited Kabarnet Farmers and Sauti Yetu."
    assert "Sauti Yetu" in Redactor(keep=["Sauti Yetu", "Kabarnet Farmers"]).redact(text, language="en")[0]
    assert "Sauti Yetu" not in Redactor().redact(text, language="en")[0]  # unknown to it: redacted, to be safe


def test_stories_in_other_languages_and_french_dutch_names(redactor: Redactor) -> None:
    out, _ = redactor.redact("Baraka alijenga nyumba mpya mjini Kisumu. Baraka anasema maisha yamebadilika.",
                             language="other")
    assert out.count("[NAME]") == 2 and "Kisumu" in out
    out, _ = redactor.redact("Le chef Kabila et sa femme Espérance vivent à Uvira. Espérance travaille avec "
                             "l'aide d'Anne-Marie.", language="fr")
    assert "Espérance" not in out and "Kabila" not in out and "Anne-Marie" not in out and "Uvira" in out
    out, _ = redactor.redact("Projectleider Maartje de Jong uit Den Haag belde met Merel Vos.", language="nl")
    assert "Maartje" not in out and "Jong" not in out and "Merel" not in out and "Vos" not in out
    assert "Den Haag" in out


def test_extra_regions_adds_the_users_own_numbering() -> None:
    text = "Bel 030 234 5678 als er vragen zijn."  # a Dutch landline, written the Dutch way
    assert "[PHONE]" in Redactor(countries=("KE",), extra_regions=("NL",)).redact(text, language="nl")[0]
    assert Redactor(countries=("KE",)).redact(text, language="nl")[0] == text


def test_a_family_name_that_is_also_a_place_head_does_not_shield_the_first_name() -> None:
    # "Bos" (forest) heads places such as "Amsterdamse Bos" but is also a Dutch family name
    from msc_nlp.panels.redact import Redactor

    out, _ = Redactor().redact("Wijkverpleegkundige Marloes Bos zegt dat er meer baby's komen. "
                               "We reden naar Machakos County.", language="nl")
    assert "Marloes" not in out and "Bos" not in out and "Machakos County" in out
