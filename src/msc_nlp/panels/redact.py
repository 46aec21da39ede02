"""Privacy before sharing: redact personal names, phone numbers and e-mail addresses in nl/en/fr stories (and,
more cautiously, in stories in other languages).

Phone numbers come from libphonenumber (``phonenumbers``), places from a gazetteer, personal names from name
lists and word frequencies (see :mod:`msc_nlp.panels.lexicons`); no trained model is needed (none is published
offline for Dutch and English). Every redaction is listed so the analyst can review it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .lexicons import (
    COMPASS,
    FOCUS_COUNTRIES,
    GEO_HEADS,
    GEO_NOUNS,
    ORG_HEADS,
    ORG_MARKERS,
    VIRTUE_NAMES,
    big_city_names,
    calendar_words,
    country_names,
    first_names,
    fold,
    is_function_word,
    is_verb_form,
    last_names,
    ordinary_words,
    place_names,
    region_names,
)

__all__ = ["Redactor", "Redaction", "redact_texts"]

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
#: Eight or more digits in groups ("81 234 5678", "0788.12.34.56") or from a leading 0, unless an amount
#: ("12 500 000"), a date or a span of years: a number libphonenumber finds invalid for every region is still
#: redacted.
_DIGIT_RUN = re.compile(r"(?<![\w+/.,-])\+?\d(?:[ .-]?\d){7,14}(?![\w/-]|[.,]\d)")
_NOT_PHONE = (re.compile(r"\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*"),
              re.compile(r"\d{1,2}([ ./-])\d{1,2}\1(?:19|20)\d{2}"),
              re.compile(r"(?:19|20)\d{2}([ ./-])\d{1,2}\1\d{1,2}"),
              re.compile(r"(?:19|20)\d{2} ?[-/] ?(?:19|20)\d{2}"))
#: A social-media handle ("@upendo_k"): it names its owner.
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z_]\w*(?:\.\w+)*")
_TOKEN = re.compile(r"\w[\w'’-]*\w|\w")
_POSSESSIVE = re.compile(r"['’]s?$")
_ELISION = re.compile(r"^(?:[dlnjsmtcDLNJSMTC]|[Qq]u)['’](?=\w)")
_ARTICLES = {"en": {"the", "a", "an"}, "nl": {"de", "het", "een", "'t"}, "fr": {"le", "la", "les", "l", "un", "une"}}
_ALL_ARTICLES = {"the", "de", "het", "la", "le", "les", "l"}
_PARTICLES = {"de", "van", "der", "den", "ter", "ten", "le", "la", "du", "des", "bin", "wa", "di", "da", "dos"}
#: Particles that open a Dutch or Flemish family name on their own ("Van der Meer", "ter Horst", "van Dam").
_SURNAME_PARTICLES = {"van", "ter", "ten", "vander", "vanden", "vande"}
#: Words after which a capitalised word is a place, not a person ("in Kamembe", "à Busasamana", "near Lira").
_LOCATIVE = {"in", "near", "nabij", "dans", "à", "au", "mjini", "katika", "kwenye", "uit", "from", "naar", "vers",
             "te", "i", "mu", "kutoka", "huko", "depuis", "vanuit"}
# i, mu: Kirundi and Kinyarwanda ("i Gitega", "mu Burundi"); kutoka: Swahili ("alikimbia kutoka Uvira")
#: Locatives that also take a person ("a call from Nzuzi", "dit à Kasongo", "schreef naar Mapendo"): an unknown
#: word after one is kept there, but it is not a place for the rest of the story.
_WEAK_LOCATIVE = {"à", "from", "naar", "vers", "au", "te"}
#: Words of telling, asking, sending and giving: after them "à", "from", "naar" name a person ("a call from
#: Nzuzi", "dit à Kasongo", "schreef naar Mapendo", "merci à Espoir"), not a place ("maisons à Kayogoro").
_TO_PERSON = frozenset(fold(w) for w in """call calls called phone phoned message messages letter letters sms text
texts email mail note gift gifts help support loan visit visits visited thanks thank said says say told tell wrote
writes write asked asks ask sent send sends gave give gives came learned learnt heard advice news greetings money
dit dis dire disait écrit écrire écrivait demandé demande demander parlé parle parler téléphoné téléphone appel
appelé lettre message envoyé envoie donné donne donner merci répondu raconté expliqué offert prêté visite
zei zegt zeggen schreef schrijft vroeg vraagt belde belt bel stuurde stuurt sturen gaf geeft geven brief bericht
berichtje telefoontje hulp steun vertelde vertelt legde antwoordde dank bedankt cadeau lening""".split())
#: Two-word locatives: "karibu na Goma", "près de Kavumu", "close to Lira", "vlakbij Zwolle".
_NEAR = {"karibu", "près", "pres", "loin", "close", "next", "outside", "around", "autour", "dichtbij", "vlakbij",
         "buiten", "kutoka", "depuis", "nje"}
#: Words inside an organisation's name ("Save the Children", "Vluchtelingenwerk Oost-Nederland"); not "and": in
#: "Merveille et Nathalie", "Kenya Red Cross and Grace Akinyi" it joins two names, or an organisation and a name.
_CONNECTORS = {"the", "of", "for", "de", "van", "voor", "du", "des", "la", "le", "pour", "wa", "ya", "cha", "kwa", "za",
               "vya", "au"}
#: Connectors of purpose: what comes before one is part of the organisation's name ("Hope for Girls Initiative",
#: "Boeren voor Boeren"), never a person of it.
_PURPOSE = {"for", "voor", "pour", "kwa"}
#: Words that join two of a kind: "Merveille et Nathalie" (two people), "from Uwinkingi and Mudasomwa" (two places).
_CONJUNCTIONS = {"and", "et", "en", "na", "&", "und", "ou", "or"}
#: Administrative units written after a place's name, in lower case: "Chepterit location", "Pece division".
_UNITS = frozenset("""location sub-location division zone ward sector cell parish district county sub-county province
village town city region commune colline quartier territory territoire secteur cellule wijk dorp stad gemeente
provincie kijiji mtaa wilaya kata tarafa""".split())
#: Words between a kind of place and its name: "the village of Mwandiga", "secteur de Tumba", "kijiji cha Mkindo".
_PLACE_LINKS = {"of", "de", "d", "du", "des", "van", "ya", "wa", "cha", "la", "le", "the", "in", "à"}
#: Capitalised words no gazetteer or calendar lists (faith, feasts, platforms).
_ORDINARY = frozenset(fold(w) for w in """God Allah Jesus Bible Bijbel Quran Koran Mass Christmas Kerstmis Noël Easter
Pasen Pâques Ramadan Eid Muslim Christian Catholic Protestant Internet Facebook WhatsApp Covid COVID""".split())
_TITLES = frozenset("mr mrs ms miss dr mama mzee baba bwana bi mwalimu mevrouw meneer mw dhr madame monsieur mme "
                    "mlle sister brother soeur sœur frère father pastor pasteur abbé chief prof mister auntie aunt "
                    "uncle tante oom eng hon rev sr pst mch mchungaji shehe sheikh imam padre mgr monseigneur "
                    "maître ir drs ds mwl mhe mheshimiwa dada kaka m daktari dokta papa maman".split())
#: Verbs of saying: in English a word that starts a sentence before one is a person ("Precious said", "Gift
#: recalls"); in French and Dutch any verb does (see :meth:`Redactor._bare_subject`).
_SPEECH = frozenset("""said says told tells explained explains recalled recalls added adds laughed laughs smiled
smiles asked asks remembered remembers thanked thanks admitted admits insisted insists noted notes agreed agrees
replied replies answered answers wrote writes joined lives lived married cried shouted nodded prayed decided graduated
borrowed""".split())
#: Kin and roles: the capitalised word after one is a person ("her husband Muhindo", "zijn vrouw Ans", "son mari,
#: Léonidas", "binti yake Tumaini" is caught by the run; "boer Jan").
_RELATIONS = frozenset(fold(w) for w in """husband wife son daughter mother father sister brother neighbour neighbor
friend cousin colleague niece nephew grandmother grandfather granddaughter grandson child widow mentor teacher nurse
farmer treasurer chairperson chairman chairwoman secretary facilitator coordinator volunteer pupil student trainer
mari femme fils fille mère père sœur frère voisin voisine ami amie cousine collègue tante oncle nièce neveu veuve
enfant enseignant enseignante institutrice instituteur infirmière infirmier agriculteur agricultrice trésorier
trésorière président présidente secrétaire animateur animatrice coordinateur coordinatrice élève étudiant étudiante
formateur formatrice bénévole apprenti apprentie man vrouw zoon dochter moeder vader zus broer buurman buurvrouw
vriend vriendin neef nicht collega oma opa kleinzoon kleindochter weduwe leraar lerares juf verpleegkundige boer
boerin penningmeester voorzitter secretaris begeleider begeleidster coördinator leerling studente vrijwilliger
ouderling dominee mume mke mwana mtoto binti dada kaka jirani rafiki shangazi mjomba bibi babu mwenyekiti katibu
mkulima mwanafunzi""".split())


@dataclass(frozen=True)
class Redaction:
    story_id: str
    kind: str
    original: str
    start: int
    field: str = "text"


@dataclass
class _Word:
    start: int
    end: int  # without a possessive 's
    text: str
    at_start: bool
    prev: str  # the word before (lower case), "" at the start of a text


def _stop_words(lang: str) -> frozenset[str]:
    from ..text import TEXT_LANGUAGES, stop_words

    if lang in TEXT_LANGUAGES:
        return stop_words(lang)
    return frozenset().union(*(stop_words(x) for x in TEXT_LANGUAGES))


class Redactor:
    """Finds and replaces names (``[NAME]``), phone numbers (``[PHONE]``) and e-mail addresses (``[EMAIL]``).

    Phones: every number libphonenumber accepts as a valid number of one of ``regions`` (the countries the
    stories come from and are read in, plus ``extra_regions``: your own), and any ``+<country code>`` number it
    finds possible; dates such as "12 03 2021" are not numbers of any region.

    Names, by default: a capitalised word is a name unless evidence says it is not. It is kept when it is part
    of a place name of the gazetteer (whole names: "Lake Victoria" keeps "Victoria" only there), of ``places``, of
    ``keep``, of an organisation (a capitalised run with a head word such as Cooperative, Stichting, Red Cross, or a
    word and a country: "Caritas Uganda", not "Mugisha Kigali"), a place by its context ("in Kamembe", "the village
    of Mwandiga", "maisons à Kayogoro" but not "dit à Kasongo", "a call from Nzuzi"), a month, day or language
    name, an acronym, a stop word, or an ordinary word of the story's language (at a sentence start: Zipf at least
    ``rare_zipf``; inside a sentence: at least ``common_zipf`` and within a longer proper name). A known first
    name is a name even when it is an ordinary word ("Grace told us", "Mercy said"), and so is a word after a
    title (Mr, Mama, Madame...) or a kin word ("her husband Muhindo"). A word in lower case is a name when it is
    in the first-name lists and no ordinary word of nl/en/fr/sw ("we visited wanjiku"), or when it is a name of
    the story in a quote in another language ("hongera mercy, umeshinda!"), or after a greeting ("asante grace",
    "thank you mercy"). A word after a name ("Merel Vos") and particles inside names ("de Vries", "Sanne van der
    Meer", "Van den Berg zei") are part of it, and a name found once is redacted everywhere in the story (all its
    fields). Virtue names ("Espoir raconte", "Merci a acheté", "Imani keeps") are names. An organisation keeps its
    whole name, a person's name in it included ("École Primaire Pierre Ndikumana", "Fondation Mama Consolée",
    "Hope for Girls Initiative"), but a person of an organisation is none of it ("Lotte Hendriks van Stichting
    Ubuntu", "Dr. Kabambi of Lemera Hospital"), and the same name on its own stays private. This errs on the side
    of privacy: pass organisation names in ``keep``.
    """

    def __init__(self, *, keep: Iterable[str] = (), places: Iterable[str] = (), rare_zipf: float = 3.5,
                 common_zipf: float = 4.0, extra_regions: Iterable[str] = (),
                 countries: Sequence[str] = FOCUS_COUNTRIES) -> None:
        self.keep = tuple(keep)
        self.places = tuple(places)
        self.rare_zipf = rare_zipf
        self.common_zipf = common_zipf
        self.extra_regions = tuple(extra_regions)
        self.countries = tuple(countries)

    # ---------------------------------------------------------------------------------------------- lexicons
    def _phrase_set(self) -> frozenset[str]:
        return _phrases(tuple(sorted({*self.countries, *self.extra_regions})), tuple(self.keep) + tuple(self.places))

    def _own_set(self) -> frozenset[str]:
        return _folded_phrases(tuple(self.keep) + tuple(self.places))

    def _zipf(self, words: Sequence[str], language: str) -> np.ndarray:
        """How common each word is in ``language`` (nl/en/fr), or in any language the detector knows; a hyphenated
        word counts as its least common part."""
        lang = language if language in ("nl", "en", "fr") else ""
        return np.array([_word_zipf(w, lang) for w in words], dtype=float)

    # ---------------------------------------------------------------------------------------------- finding
    def _phones(self, text: str) -> list[tuple[int, int]]:
        import phonenumbers
        from phonenumbers import Leniency

        spans = set()
        for region in dict.fromkeys((*self.countries, *self.extra_regions)):
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
                spans.add((m.start, m.end))
        for m in phonenumbers.PhoneNumberMatcher(text, "ZZ", leniency=Leniency.POSSIBLE):  # +<country> only
            if m.raw_string.startswith("+"):
                spans.add((m.start, m.end))
        for m in _DIGIT_RUN.finditer(text):  # what libphonenumber calls invalid can still be someone's number
            run = m.group()
            grouped = not run.isdigit() or run[0] == "0" or len(run) >= 10  # "KvK 41234567" is no phone
            if grouped and sum(c.isdigit() for c in run) >= 8 and not any(p.fullmatch(run) for p in _NOT_PHONE):
                spans.add((m.start(), m.end()))
        return _outermost(spans)

    def _words(self, text: str, taken: list[tuple[int, int]]) -> list[_Word]:
        words: list[_Word] = []
        prev = ""
        for m in _TOKEN.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                prev = ""
                continue
            w, start = m.group(), m.start()
            elided = _ELISION.match(w)
            if elided:  # "d'Esther", "l'Ouganda": the word after the apostrophe
                prev, w, start = w[:elided.end() - 1].lower(), w[elided.end():], start + elided.end()
            stem = _POSSESSIVE.sub("", w) if w[0].isupper() else w
            words.append(_Word(start, start + len(stem), stem, _at_sentence_start(text, start), prev))
            prev = w.lower()
        return words

    def _protected_spans(self, text: str, words: list[_Word]) -> tuple[set[int], set[int]]:
        """Indices of words inside a place, organisation or kept name; and of those that are a one-word town
        only (a family name after a first name: "Mary Njeri")."""
        phrases = self._phrase_set()
        own = self._own_set()
        regions = region_names(tuple(sorted({*self.countries, *self.extra_regions}))) | own
        weak: set[int] = set()
        protected: set[int] = set()
        caps = [w.text[0].isupper() for w in words]
        big = big_city_names(tuple(sorted({*self.countries, *self.extra_regions})))
        for i in range(len(words)):
            if not caps[i]:
                continue
            for n in range(min(5, len(words) - i), 0, -1):  # longest whole name first
                if not caps[i + n - 1] or not _adjacent(text, words[i:i + n]):
                    continue
                key = fold(" ".join(w.text for w in words[i:i + n]))
                if key in phrases and (n > 1 or key in own or key not in first_names() or key in big):  # "Linda"
                    protected.update(range(i, i + n))
                    if n == 1 and key not in own:
                        weak.add(i)
                    break
            parts = [fold(p) for p in words[i].text.split("-")]
            if len(parts) > 1 and any(p in phrases for p in parts):  # "Noord-Kenia", "Nyanza-Lac", "Sud-Kivu"
                protected.add(i)
        # organisations: a capitalised segment holding a head word ("Rwanda Red Cross") with what follows it
        # through connectors ("Bank of Kigali"), or a name and a country ("Caritas Burundi")
        segments: list[list[int]] = []
        for i in range(len(words)):
            if caps[i] and segments and segments[-1][-1] == i - 1 and _name_adjacent(text, words[i - 1:i + 1]):
                segments[-1].append(i)
            elif caps[i]:
                segments.append([i])
        carry = False
        joined = [k > 0 and seg[0] - segments[k - 1][-1] == 2 and _adjacent(text, words[seg[0] - 2:seg[0] + 1]) and (
            words[seg[0] - 1].text in _CONNECTORS or (words[seg[0] - 1].text in _CONJUNCTIONS and not any(
                _is_name(fold(words[i].text)) for i in (seg[0] - 2, seg[0])) and fold(words[seg[0]].text) not in
                _TITLES and all(_known_word(words[i].text) for i in (seg[0] - 2, seg[0]))))
            for k, seg in enumerate(segments)]  # "Jeugd en Arbeid", "Mama na Mtoto"; not "Hospital and Mama Nyokabi"
        by_conjunction = [joined[k] and words[seg[0] - 1].text in _CONJUNCTIONS for k, seg in enumerate(segments)]
        for k, seg in enumerate(segments):
            carry = carry and joined[k] and not by_conjunction[k]  # not "Lemera Hospital and Mama Nyokabi"
            heads = [i for i in seg if fold(words[i].text) in ORG_HEADS and not (
                i > 0 and fold(words[i - 1].text).rstrip(".") in _TITLES)]
            back = k
            # "Hope for Girls Initiative": the name's start is part of it too; not "Lotte Hendriks van Stichting
            # Ubuntu", "Wambui Kamau of Kenya Red Cross" (a person of an organisation)
            while heads and joined[back] and _joins_back(words, segments, back, heads[0]):
                back -= 1
                protected.update(segments[back])
            if heads or carry:  # "Kibuye Fruit Growers Cooperative", "St. Mary's Hospital Lacor", "Bank of Kigali"
                last = heads[-1] if heads else seg[-1]  # a segment carried on: "Ministry of Water"
                protected.update(i for i in seg if i <= last)
                # a name right after heads that open the segment names the organisation: "École Primaire Pierre
                # Nkurunziza", "Fondation Grace Mulamba"; elsewhere a name ends it: "Hospital Lacor", but not
                # "Project Officer Moses Okello", "Kenya Red Cross Grace Akinyi"
                named_after = all(fold(words[i].text) in ORG_HEADS or words[i].text.lower() in _ALL_ARTICLES
                                  for i in seg if i <= last)  # "La Fondation Mama Espérance" too
                for i in seg:
                    if i > last:
                        if _is_name(fold(words[i].text)) and i not in protected and not named_after:
                            break
                        named_after = named_after and (_is_name(fold(words[i].text)) or fold(
                            words[i].text).rstrip(".") in _TITLES)
                        protected.add(i)
                carry = True
            elif len(seg) > 1 and _named_by_place(words, seg, regions, phrases):
                # "Caritas Uganda", "Healthy Mothers Rwanda", "Caritas Kananga", "ECOFO Gihanga", "Memisa Belgique",
                # "Hope Alive Uganda"; not "Upendo Kabeya", "Mugisha Kigali" (a town, a name)
                protected.update(seg)
                back = k
                while joined[back] and words[segments[back][0] - 1].text in _PURPOSE:  # "Hope for Refugees Uganda"
                    back -= 1
                    protected.update(segments[back])
            elif seg[0] > 0 and _head_before(text, words, seg[0]):
                # "de stichting Kleurrijk Onderwijs", "la coopérative Girubuzima", "the Dutch NGO Boeren voor
                # Boeren", "l'ONG locale Maji Kwa Wote", "het watercomité Amazi Meza", "mradi wa Kazi kwa Vijana":
                # the whole name, through its connectors, unless it is only names ("the cooperative Grace joined")
                phrase = [i for seg2 in segments[k:k + 1 + next((n for n, j in enumerate(joined[k + 1:]) if not j),
                                                               len(segments) - k - 1)] for i in seg2]
                names = [_is_name(fold(words[i].text)) and not _ordinary_word(words[i].text) for i in phrase]
                if not names[0] or (len(phrase) > 1 and not all(names)):
                    protected.update(phrase)
        lasts = last_names()
        firsts = first_names()
        for seg in segments:  # "Volcanoes National Park", "Acholi Road": back from a place's head word to a name
            if len(seg) > 1 and fold(words[seg[-1]].text) in GEO_HEADS and fold(words[seg[-1]].text) not in lasts:
                for i in reversed(seg[:-1]):
                    if _is_name(fold(words[i].text)) or fold(words[i].text).rstrip(".") in _TITLES:
                        break
                    protected.add(i)
        for i in range(len(words) - 1):  # "South Kivu", "Kivu Kusini", "Upper Nile": a compass word and a place
            pair = words[i:i + 2]
            if not (caps[i] and caps[i + 1] and _adjacent(text, pair)):
                continue
            keys = [fold(w.text) for w in pair]
            for c, w in ((0, 1), (1, 0)):
                if keys[c] in COMPASS and keys[w] not in COMPASS and (keys[w] in phrases or not _is_name(keys[w])
                                                                      or any(f"{x}-{keys[w]}" in phrases or
                                                                             f"{x} {keys[w]}" in phrases
                                                                             for x in COMPASS)):
                    protected.update((i, i + 1))
        for i in range(len(words) - 1):  # "Mount Elgon", "Kaunti ya Turkana", "Kituo cha Afya": the head word too
            key = fold(words[i].text)
            nxt = i + 1 if caps[i + 1] and _name_adjacent(text, words[i:i + 2]) else i + 2 if (
                i + 2 < len(words) and words[i + 1].text in _CONNECTORS and caps[i + 2] and _adjacent(
                    text, words[i:i + 3])) else None
            if caps[i] and nxt is not None and key in GEO_NOUNS | ORG_HEADS and key not in lasts and not (
                    key in firsts and _is_name(fold(words[nxt].text))) and not (
                    i > 0 and fold(words[i - 1].text).rstrip(".") in _TITLES):
                protected.add(i)
        for i in range(len(words)):  # "Lake Kivu", "Machakos County", "la rivière Ndjili"
            after = i + 1 < len(words) and caps[i + 1] and fold(words[i + 1].text) in GEO_HEADS and _adjacent(
                text, words[i:i + 2])
            if after and fold(words[i + 1].text) in lasts and fold(words[i].text) not in phrases:
                after = False  # "Marloes Bos", "Jane Hill": a head that is also a family name proves no place
            if caps[i] and ((i > 0 and fold(words[i - 1].text) in GEO_HEADS and _adjacent(text, words[i - 1:i + 1])
                             and not (words[i - 1].text.islower() and fold(words[i - 1].text) in _NOT_LOWER_HEADS))
                            or after):
                protected.add(i)
        return protected, weak

    def _context_places(self, text: str, words: list[_Word], protected: set[int]) -> tuple[set[int], set[int]]:
        """Words that are places by their context: after a kind of place ("the village of Mwandiga", "secteur de
        Tumba", "kijiji cha Mkindo", "in de wijk Nyalenda"), a gazetteer place after a locative word ("in Goma",
        although Goma is a first name too), and the next of a pair ("from Uwinkingi and Mudasomwa", "d'Uvira et de
        Kabare"). A word followed by another capitalised one is left alone ("the village of Grace Akinyi").
        Returns the places sure by their context, and the second words of pairs (a name found elsewhere in the
        story overrides those)."""
        phrases = self._phrase_set()
        caps = [w.text[0].isupper() for w in words]
        out: set[int] = set()
        pairs: set[int] = set()
        for i, w in enumerate(words):
            if not caps[i] or (w.text.isupper() and len(w.text) > 1) or i in protected or _possessive(text, w):
                continue
            if i + 1 < len(words) and caps[i + 1] and i + 1 not in protected and _adjacent(text, words[i:i + 2]) \
                    and not _marker(words[i + 1].text):  # "in Nyalenda B", "Mahama II" are places still
                continue
            key = fold(w.text)
            gap = text[words[i - 1].end:w.start] if i else ""
            if i and fold(words[i - 1].text) in GEO_NOUNS and re.fullmatch(r" (?:[dl]['’])?", gap) and \
                    words[i - 1].text not in _NOT_LOWER_HEADS:  # not "the camp Nsengiyumva left"
                out.add(i)  # "colline Mubuga", "secteur d'Uwinkingi"
            elif w.prev in ("de", "d", "du") and not _is_name(key) and _institution_before(words, i):
                out.add(i)  # "l'hôpital de Panzi", "le centre de santé de Kavumu", "l'école primaire de Katoka"
            elif i + 1 < len(words) and words[i + 1].text in _UNITS and _adjacent(text, words[i:i + 2]) and not \
                    _is_name(key):
                out.add(i)  # "Chepterit location", "Pece division", "Kabazana zone"
            elif i > 1 and words[i - 1].text.lower() in _PLACE_LINKS and fold(words[i - 2].text) in GEO_NOUNS and \
                    _adjacent(text, words[i - 2:i + 1]):
                out.add(i)  # "village of Mwandiga", "wilaya ya Mvomero"
            elif (w.prev in _LOCATIVE or (i > 1 and w.prev in {"na", "de", "to", "d", "van", "ya"} and words[
                    i - 2].text.lower() in _NEAR)) and (key in phrases or (not _is_name(key) and w.prev not in
                                                                        _WEAK_LOCATIVE)) and not _to_a_person(words, i):
                out.add(i)  # "in Goma", "karibu na Goma", "près de Kavumu"
            elif not _is_name(key):  # "from Uwinkingi and Mudasomwa", "de Kinigi en Busogo", "d'Uvira et de Kabare"
                j = i - 1
                if j >= 0 and words[j].text.lower() in _PLACE_LINKS | _LOCATIVE and w.prev == words[j].text.lower():
                    j -= 1
                if j >= 1 and words[j].text.lower() in _CONJUNCTIONS and (j - 1 in out or (
                        caps[j - 1] and words[j - 1].prev in _LOCATIVE and not _is_name(fold(words[j - 1].text)))):
                    pairs.add(i)
        return out, pairs

    def _flag(self, text: str, words: list[_Word], language: str, protected: set[int],
              known: set[str], weak: set[int] = frozenset()) -> list[bool]:  # type: ignore[assignment]
        stops = _stop_words(language)
        ordinary = ordinary_words() | _ORDINARY
        firsts, lasts = first_names(), last_names()
        phrases = self._phrase_set()
        articles = _ARTICLES.get(language, set())
        caps = [w.text[0].isupper() and not w.text.isdigit() for w in words]
        zipf = self._zipf([w.text for w in words], language)
        in_run = _in_runs(text, words, caps)

        def plain(i: int) -> bool:  # a capitalised word that is no acronym, ordinary word, title or stop word
            key = fold(words[i].text)
            return caps[i] and i not in protected and not (words[i].text.isupper() and len(words[i].text) > 1) \
                and not _marker(words[i].text) \
                and not _camel(words[i].text) and key not in ordinary and key not in _TITLES and key not in stops \
                and not _demonym(key, phrases)

        def ambiguous(i: int) -> bool:  # a month, day or stop word that is a name too: "Jan", "May", "Ben", "Will"
            key = fold(words[i].text)
            return caps[i] and i not in protected and (key in ordinary or key in stops) and key in firsts

        calendar = calendar_words()
        lower_months = language in ("nl", "fr")  # "jan", "mei", "juin": capitalised inside a sentence, a name

        flagged = [False] * len(words)
        for i, w in enumerate(words):
            key = fold(w.text)
            parts = key.split("-")
            if caps[i] and (i not in protected or i in weak) and key in known:
                flagged[i] = True  # a name found elsewhere in the story, even if it is a town too ("Kabeya")
            elif not caps[i]:  # a name in lower case: "asante sana neema", "hongera mercy, umeshinda!"
                flagged[i] = key not in stops and len(key) > 2 and not key.isdigit() and (
                    (key in known and (zipf[i] < self.rare_zipf or (
                        language in ("nl", "en", "fr") and _foreign_context(words, i, zipf))))
                    or (key in firsts and (not _ordinary_anywhere(key, self.rare_zipf) or _vocative(words, i)
                                           or (w.prev.rstrip(".") in _TITLES and zipf[i] < 5.0))))
                # "mzee juma", "mama rehema"; not "my mama said"
            elif (w.prev in _TITLES or w.prev.rstrip(".") in _TITLES) and (i not in protected or (
                    i in weak and (i - 1 not in protected or i - 1 in weak))) and \
                    key not in \
                    _TITLES and not (w.text.isupper() and len(w.text) > 1) and (i == 0 or words[i - 1].end < w.start):
                flagged[i] = True  # "Mama Neema", "Mzee Juma", "Madame Espoir", "Bi. Rehema"
            elif key == "grace" and language == "fr" and i + 1 < len(words) and words[i + 1].text in (
                    "à", "au", "aux") and w.at_start:
                continue  # "Grâce à l'appui", "Grâce au programme": thanks to
            elif ambiguous(i) and key in VIRTUE_NAMES and (not w.at_start or self._bare_subject(
                    text, words, i, language, any_word=True)):
                flagged[i] = True  # "Merci a acheté une vache", "avec Merci" (merci: a French stop word)
            elif lower_months and not w.at_start and ambiguous(i) and key in calendar and key not in stops:
                flagged[i] = True  # "met Jan uit Dalfsen", "avec June"
            elif w.prev in _RELATIONS and (plain(i) or (i in weak and key not in stops)):
                flagged[i] = True  # "zijn vrouw Ans" (Ans: a Belgian town too), "her husband Muhindo"
            elif not plain(i):
                continue
            elif w.prev in _LOCATIVE and key in phrases and not _possessive(text, w) and not _to_a_person(
                    words, i):  # "in Linda": the town; not "dit à Kasongo"
                continue
            elif key in firsts or all(p in firsts for p in parts) or (not w.at_start and key in lasts):
                flagged[i] = True
            elif (w.prev in _LOCATIVE and not _possessive(text, w) and not _to_a_person(words, i)) or (
                    not w.at_start and w.prev in articles and not _family_next(text, words, i)) or fold(
                    w.prev) in ORG_HEADS and fold(w.prev) not in _NOT_LOWER_HEADS:
                continue  # "in Kamembe", "the Kapsoit road"; not "in Kabeya's shop", "the Wekesa family", "a call
                # from Nzuzi", "dit à Kasongo" (a gazetteer place there is kept above); not "the farm Kwizera bought"
            elif not w.at_start:  # a common word inside a longer proper name ("Kleurrijk Onderwijs") is no person
                flagged[i] = not in_run[i] or max(zipf[i], *(_word_zipf(key, x) for x in ("nl", "en", "fr"))) < \
                    self.common_zipf  # a common word of another of the languages too: "de Régie ... de l'Eau"
            else:
                flagged[i] = zipf[i] < self.rare_zipf or self._bare_subject(text, words, i, language)
        capital_names = any(flagged[i] and words[i].text.isupper() for i in range(len(words)))
        for i, w in enumerate(words):  # "GRACE AKINYI and FAITH": more names in capitals where there is one
            if capital_names and w.text.isupper() and w.text.isalpha() and len(w.text) > 2 and fold(
                    w.text) in firsts and i not in protected and fold(w.text) not in stops | ordinary:
                flagged[i] = True
        for i in range(len(words) - 1):  # "GRACE AKINYI": a name in capitals, next to another capitalised word
            pair = words[i:i + 2]
            if all(w.text.isupper() and w.text.isalpha() and len(w.text) > 2 for w in pair) and _adjacent(
                    text, pair) and any(fold(w.text) in firsts for w in pair):
                for j in (i, i + 1):
                    flagged[j] = flagged[j] or (j not in protected and fold(words[j].text) not in stops | ordinary)
        for i in range(len(words) - 1):  # Dutch and Flemish family names: "Sanne van der Meer", "Van den Berg zei"
            j = i
            while j < len(words) and words[j].text.lower() in _PARTICLES and (j == i or text[
                    words[j - 1].end:words[j].start] == " "):
                j += 1
            chain = [words[k].text.lower() for k in range(i, j)]
            if not chain or j >= len(words) or not caps[j] or j in protected or text[
                    words[j - 1].end:words[j].start] != " " or (fold(words[j].text) in GEO_HEADS | ORG_HEADS and fold(
                    words[j].text) not in lasts):  # "van der Meer", "van den Bos" are family names too
                continue
            surname = len(chain) > 1 or chain[0] in _SURNAME_PARTICLES  # "van der", "van den", "ter", "ten"
            before = i - 1 if i > 0 and caps[i - 1] and text[words[i - 1].end:words[i].start] == " " else None
            if words[i].text[0].isupper() and chain[0] in _SURNAME_PARTICLES and (len(chain) > 1 or not words[
                    i].at_start):  # "Van der Meer volgt het project", "toen Van Dam belde"; not "Van Kisumu naar"
                flagged[j] = True
            elif before is not None and surname and (flagged[before] or (plain(before) and fold(
                    words[before].text) not in GEO_HEADS | ORG_HEADS and (fold(words[before].text) in firsts or (
                    chain[-1] in ("der", "den") or chain[0] in ("ter", "ten"))))):
                flagged[before] = flagged[j] = True  # "Sanne van der Meer", "Ilse van Dam"; not "Kamer van Koophandel"
        changed = True
        while changed:  # runs of names: "Merel Vos", "Merveille Nzuzi", "Bienvenu Tshimanga", "Joost de Vries"
            changed = False
            for i in range(len(words) - 1):
                j = i + 1
                if (flagged[i] or caps[i]) and words[j].text in _PARTICLES:
                    while j < len(words) and words[j].text in _PARTICLES and text[words[j - 1].end:words[j].start] \
                            == " ":
                        j += 1
                if j >= len(words) or text[words[j - 1].end:words[j].start] != " ":
                    continue
                if flagged[i] and not flagged[j] and (plain(j) or ambiguous(j) or (j in weak and j == i + 1)):
                    flagged[j] = changed = True
                elif flagged[j] and not flagged[i] and (plain(i) or ambiguous(i) or (i in weak and j == i + 1)) \
                        and fold(words[i].text) not in GEO_HEADS | ORG_HEADS and (j == i + 1 or fold(words[
                            i].text) in firsts):  # "Jan Bakker", "Ben de Vries", "Kasongo Ilunga" (a town too)
                    flagged[i] = changed = True
            for i in range(len(words) - 2):  # "Merveille et Nathalie", "Upendo na Zawadi": two of a kind
                j = i + 2
                if words[i + 1].text.lower() not in _CONJUNCTIONS or not _adjacent(text, words[i:j + 1]):
                    continue
                if flagged[i] and not flagged[j] and (plain(j) or ambiguous(j)) and not words[j].at_start:
                    flagged[j] = changed = True
                elif flagged[j] and not flagged[i] and (plain(i) or ambiguous(i)) and fold(words[i].text) not in \
                        GEO_HEADS | ORG_HEADS:
                    flagged[i] = changed = True
        for _ in range(2):  # lower-case names beside one: "hope wanjiru", "asante grace na neema"
            for i in range(len(words)):
                if flagged[i] or caps[i] or fold(words[i].text) not in firsts or words[i].text in stops:
                    continue
                for j in (i - 1, i + 1, i - 2, i + 2):
                    if not 0 <= j < len(words) or not flagged[j] or caps[j]:
                        continue
                    lo, hi = min(i, j), max(i, j)
                    if hi - lo == 1 and _adjacent(text, words[lo:hi + 1]) or hi - lo == 2 and words[
                            lo + 1].text in _CONJUNCTIONS and _adjacent(text, words[lo:hi + 1]):
                        flagged[i] = True
        for i in range(len(words) - 2, -1, -1):  # initials: "J. Mwangi", "A.K. Otieno", "J Mwangi"
            w = words[i]
            if len(w.text) == 1 and w.text.isupper() and flagged[i + 1] and re.fullmatch(
                    r"\.?\s?", text[w.end:words[i + 1].start]) and text[w.end:words[i + 1].start]:
                flagged[i] = True
        return flagged

    @staticmethod
    def _bare_subject(text: str, words: list[_Word], i: int, language: str, any_word: bool = False) -> bool:
        """A common noun that starts a French or Dutch sentence with no article, directly before a verb, is a
        name: "Espoir raconte", "Merveille dit", "Roos vertelt" (English drops articles too often: "Training
        helped")."""
        if i + 1 >= len(words) or text[words[i].end:words[i + 1].start] != " ":
            return False
        nxt = words[i + 1].text
        if language == "en":
            return nxt in _SPEECH
        if language not in ("fr", "nl"):
            return False
        return nxt[0].islower() and is_verb_form(nxt, language) and (any_word or not is_function_word(
            words[i].text.lower(), language))

    # ---------------------------------------------------------------------------------------------- redacting
    def redact_fields(self, fields: Mapping[str, str], story_id: str = "", language: str = "nl"
                      ) -> tuple[dict[str, str], list[Redaction]]:
        """Redact the text fields of one story together: a name found in one (the text) is a name in all (the
        title, why_significant...). Returns the redacted fields and what was redacted."""
        found: dict[str, list[tuple[int, int, str]]] = {}
        words: dict[str, list[_Word]] = {}
        protected: dict[str, set[int]] = {}
        weak: dict[str, set[int]] = {}
        for name, text in fields.items():
            spans = [(m.start(), m.end(), "EMAIL") for m in _EMAIL.finditer(text)]
            spans += [(m.start(), m.end(), "NAME") for m in _HANDLE.finditer(text)
                      if not any(s < m.end() and m.start() < e for s, e, _ in spans)]
            spans += [(s, e, "PHONE") for s, e in self._phones(text)
                      if not any(s < e2 and s2 < e for s2, e2, _ in spans)]
            found[name] = spans
            words[name] = self._words(text, [(s, e) for s, e, _ in spans])
            protected[name], weak[name] = self._protected_spans(text, words[name])
        towns = {fold(w.text) for name in fields for i, w in enumerate(words[name]) if i in protected[name]
                 and w.prev in _LOCATIVE and w.prev not in _WEAK_LOCATIVE}  # "in Muramvya" somewhere in the story
        for name in fields:  # "dit à Kasongo": a person, though a town too, unless a place elsewhere in the story
            for i in [i for i in weak[name] if _to_a_person(words[name], i)
                      and fold(words[name][i].text) not in towns]:
                protected[name].discard(i)
                weak[name].discard(i)
        places: dict[str, set[int]] = {}
        for name, text in fields.items():
            places[name], pairs = self._context_places(text, words[name], protected[name])
            protected[name] |= pairs
            weak[name] |= pairs
        phrases = self._phrase_set()
        sure = {k for name in fields for i in places[name] if (k := fold(words[name][i].text)) in phrases
                or not _is_name(k)}  # "the village of Grace" is a place there, but Grace a name elsewhere
        for name, text in fields.items():  # a place by its context somewhere is a place everywhere in the story
            ws = words[name]
            protected[name] |= places[name] | {
                i for i, w in enumerate(ws) if w.text[0].isupper() and fold(w.text) in sure and w.prev not in _TITLES
                and w.prev.rstrip(".") not in _TITLES and not any(
                    0 <= j < len(ws) and ws[j].text[0].isupper() and _adjacent(text, [ws[min(i, j)], ws[max(i, j)]])
                    for j in (i - 1, i + 1))}
            weak[name] -= places[name]  # "un quartier de Kananga": a place by its context is no weak town there
        known: set[str] = set()
        for _ in range(2):  # the second pass carries names found in one field into the others
            flags = {name: self._flag(text, words[name], language, protected[name], known, weak[name])
                     for name, text in fields.items()}
            new = {fold(w.text) for name in fields for w, f in zip(words[name], flags[name]) if f}
            if new <= known:
                break
            known |= new
        out: dict[str, str] = {}
        log: list[Redaction] = []
        for name, text in fields.items():
            spans = found[name] + [(_particles_before(text, w.start), w.end, "NAME")
                                   for w, f in zip(words[name], flags[name]) if f]
            spans.sort()
            merged: list[tuple[int, int, str]] = []
            for s, e, kind in spans:  # "Jeanine Nshimirimana" becomes one [NAME]
                if merged and s < merged[-1][1]:  # overlapping: "Van" and "Van den Berg"
                    merged[-1] = (merged[-1][0], max(e, merged[-1][1]), merged[-1][2])
                elif merged and kind == "NAME" == merged[-1][2] and (re.fullmatch(
                        r"\s+(?:(?:de|van|der|den|ter|ten|le|la|du|bin|wa)\s+)*", text[merged[-1][1]:s]) or (
                        re.fullmatch(r"\.\s?", text[merged[-1][1]:s]) and re.fullmatch(
                            r"(?:[A-Z]\.?)+", text[merged[-1][0]:merged[-1][1]]))):  # "J. Mwangi": one [NAME]
                    merged[-1] = (merged[-1][0], e, kind)
                else:
                    merged.append((s, e, kind))
            parts, pos = [], 0
            for s, e, kind in merged:
                parts += [text[pos:s], f"[{kind}]"]
                log.append(Redaction(story_id, kind.lower(), text[s:e], s, name))
                pos = e
            out[name] = "".join(parts) + text[pos:]
        return out, log

    def redact(self, text: str, story_id: str = "", language: str = "nl") -> tuple[str, list[Redaction]]:
        """Redact one text (``language``: nl, en, fr, or any other code for a story in another language)."""
        out, log = self.redact_fields({"text": text}, story_id, language)
        return out["text"], log


@lru_cache(maxsize=1 << 16)
def _word_zipf(word: str, language: str) -> float:
    """Zipf frequency of ``word`` in ``language`` ("" for the most common reading in any language the detector
    knows); a hyphenated word counts as its least common part. Cached: stories repeat their words."""
    from ..language._features import normalise
    from ..language.detector import _load_model

    lexicons = _load_model(None)[3].lexicons
    use = [lexicons[language]] if language else list(lexicons.values())
    parts = [normalise(p) for p in re.split(r"[-'’]", word) if p] or [normalise(word)]
    return min(max(float(lex.lookup_words([p])[0]) for lex in use) for p in parts)


@lru_cache(maxsize=32)
def _phrases(countries: tuple[str, ...], own: tuple[str, ...]) -> frozenset[str]:
    return place_names(countries) | _folded_phrases(own)


@lru_cache(maxsize=32)
def _folded_phrases(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(p.strip()) for p in phrases for p in re.split(r"[,;/]", p) if p.strip())


#: A word some lexicon knows at least this often (Zipf) is a word, not only a name: "Caritas", "Oxfam", "Cordaid"
#: are; "Mugisha" (1.5) is not.
_KNOWN_ZIPF = 2.0
#: A neighbour rarer than this in the story's language is from another language: a quote ("hongera mercy").
_FOREIGN_ZIPF = 1.0


def _known_word(word: str) -> bool:
    """Whether any lexicon (nl, en, fr, de, af, sw) knows ``word`` as a word, not only as a name."""
    return _word_zipf(word, "") >= _KNOWN_ZIPF


def _ordinary_anywhere(key: str, zipf: float) -> bool:
    """Whether ``key`` is an ordinary word of Dutch, English or French (Zipf at least ``zipf``) or of Swahili (in
    its word list at all): "imani", "baraka", "hope" are; "sanne", "wanjiku" are not."""
    return _word_zipf(key, "sw") > 0 or max(_word_zipf(key, lang) for lang in ("nl", "en", "fr")) >= zipf


def _foreign_context(words: Sequence[_Word], i: int, zipf: np.ndarray) -> bool:
    """Whether a word beside word ``i`` is foreign to the story's language: a lower-case name in a quote in another
    language ("asante sanne, bwawa limejaa!" in a Dutch story) is not the ordinary word it spells."""
    return any(0 <= j < len(words) and words[j].text.isalpha() and words[j].text.islower()
               and zipf[j] < _FOREIGN_ZIPF for j in (i - 1, i + 1))


#: Words of greeting and thanks: a first name in lower case after one is a person ("thank you mercy", "asante
#: grace", "dank je hope"), though an ordinary word too.
_GREETINGS = frozenset("""thanks thank asante hongera karibu dear hi hello hey merci bonjour salut cher chère dank
bedankt hoi hallo jambo habari pole shikamoo mwaramutse amahoro murakoze""".split())


def _vocative(words: Sequence[_Word], i: int) -> bool:
    """Whether word ``i`` follows a greeting or thanks ("asante mercy", "thank you hope", "dank je grace")."""
    if words[i].prev in _GREETINGS:
        return True
    return i > 1 and words[i].prev in {"you", "je", "u", "jullie", "sana"} and words[i - 2].text.lower() in _GREETINGS


#: French institutions and places named after where they are: "l'hôpital de Panzi", "le centre de santé de
#: Kavumu" (a name after "de" is a place there, unless a known first or family name).
_INSTITUTIONS = frozenset(fold(w) for w in """hôpital école église paroisse centre marché dispensaire lycée collège
institut tribunal prison aéroport port gare université mairie commune quartier colline territoire secteur cellule
zone chefferie groupement diocèse camp site""".split())


def _institution_before(words: Sequence[_Word], i: int) -> bool:
    """Whether a French institution word comes before word ``i`` and its "de", with at most two lower-case words
    between ("centre de santé de", "école primaire de")."""
    for j in range(i - 2, max(-1, i - 5), -1):
        if fold(words[j].text) in _INSTITUTIONS and words[j].text[0].islower():
            return all(words[k].text[0].islower() for k in range(j + 1, i))
        if not words[j].text[0].islower():
            return False
    return False


def _to_a_person(words: Sequence[_Word], i: int) -> bool:
    """Whether word ``i`` follows a weak locative ("à", "from", "naar"...) after a word of telling, sending or
    giving: "a call from Nzuzi", "dit à Kasongo" name a person."""
    return words[i].prev in _WEAK_LOCATIVE and i > 1 and fold(words[i - 2].text) in _TO_PERSON


#: Words after which "the/de/la <Capitalised>" is a family, so a family name: "the Wekesa family", "de familie".
_FAMILY = frozenset("""family families household clan home house familie gezin huishouden famille foyer maison
ménage menage""".split())


def _family_next(text: str, words: Sequence[_Word], i: int) -> bool:
    """Whether word ``i`` is followed by a family word ("the Wekesa family", "la famille"), or is plural in the
    English way of naming a family ("the Mwangis" is caught as rare anyway)."""
    return i + 1 < len(words) and words[i + 1].text.lower() in _FAMILY and _adjacent(text, words[i:i + 2])


_PARTICLES_BEFORE = re.compile(r"(?<!\w)(?:[Vv]an(?: (?:der|den|de|het|'t))?|[Tt]e[rn]) $")


def _particles_before(text: str, start: int) -> int:
    """Where a name starts with the particles of a Dutch family name before it: "Van der [Meer]", "ter [Horst]"."""
    m = _PARTICLES_BEFORE.search(text, max(0, start - 12), start)
    return m.start() if m else start


def _is_name(key: str) -> bool:
    return key in first_names() or key in last_names()


def _named_by_place(words: Sequence[_Word], seg: Sequence[int], regions: frozenset[str],
                    phrases: frozenset[str]) -> bool:
    """Whether a capitalised segment is an organisation named by a place it works in: a word (no name) or an
    acronym and a country, region or town ("Caritas Kananga", "COOPEC Gihanga"); a word no lexicon knows and a
    country ("Memisa Belgique"); a name, a common word and a country or region ("Hope Alive Uganda")."""
    def parts(i: int) -> set[str]:
        key = fold(words[i].text)
        return {key, *key.split("-")}

    first = words[seg[0]].text
    name_first = _is_name(fold(first))
    if fold(first).rstrip(".") in _TITLES or fold(first) in _RELATIONS:
        return False  # "Mama Kabeya", "Sister Mary Njeri": a person
    wordlike = _known_word(first) or (first.isupper() and len(first) > 1) or _camel(first)
    if not name_first and wordlike and any(parts(i) & regions for i in seg[1:]):
        return True
    big = big_city_names()
    if not name_first and wordlike and all(not _is_name(fold(words[i].text)) or fold(words[i].text) in big
                                           for i in seg[1:]) and any(parts(i) & phrases for i in seg[1:]):
        return True  # "Caritas Kananga", "Caritas Goma"; not "Sister Mary Njeri" (Njeri: a town too)
    if any(_is_name(fold(words[i].text)) and not (parts(i) & regions) for i in seg[1:]):
        return False
    if not name_first and not wordlike and any(parts(i) & country_names() for i in seg[1:]):
        return True
    return len(seg) > 2 and parts(seg[-1]) & regions != set() and any(
        _known_word(words[i].text) and not _is_name(fold(words[i].text)) for i in seg[1:-1])


def _ordinary_word(word: str) -> bool:
    """A common word of nl/en/fr (Zipf at least 4.5) that is no first name: "Groen", "Meer", "Visser" are family
    names too, but inside an organisation's name they are words."""
    key = fold(word)
    return key not in first_names() and max(_word_zipf(key, lang) for lang in ("nl", "en", "fr")) >= 4.5


def _joins_back(words: Sequence[_Word], segments: Sequence[Sequence[int]], k: int, head: int) -> bool:
    """Whether segment ``k - 1`` belongs to the organisation whose segment ``k`` holds ``head``: through a
    connector of purpose always ("Hope for Girls Initiative"); through another only when the head does not open
    segment ``k`` and segment ``k - 1`` holds no name ("Friends of the Earth Foundation"; not "Lotte Hendriks van
    Stichting Ubuntu Zorg", "Wambui Kamau of Kenya Red Cross")."""
    before = segments[k - 1][0]
    if any(fold(words[i].text).rstrip(".") in _TITLES for i in (before - 1, *segments[k - 1]) if i >= 0):
        return False  # "Dr. Mukwege of Panzi Hospital", "Mama Nyota of ... Group"
    if words[segments[k][0] - 1].text in _PURPOSE:
        return True
    return head != segments[k][0] and all(_known_word(words[i].text) and not _is_name(fold(words[i].text))
                                          for i in segments[k - 1])  # not "Mukwege of Panzi Hospital"


#: Adjectives between an organisation word and its name: "l'ONG locale Maji Kwa Wote", "the local NGO".
_ORG_ADJECTIVES = frozenset(fold(w) for w in """local locale locales lokale national nationale international
internationale regional régional régionale regionale landelijke kleine petite petit young jeune jeunes new
nouvelle nouveau nieuwe youth dutch flemish vlaamse nederlandse belgische belge néerlandaise néerlandais
française français french british american european européenne europese kenyan kényane congolaise congolese
burundaise""".split())


def _head_before(text: str, words: Sequence[_Word], i: int) -> bool:
    """Whether a lower-case organisation or place word comes just before word ``i`` ("de stichting Kleurrijk
    Onderwijs", "l'ONG Maji", "the Dutch NGO Boeren", "het watercomité Amazi Meza", "mradi wa Kazi"), maybe with an
    adjective between ("l'ONG locale Maji", "la coopération belge Enabel")."""
    j = i - 1
    if j >= 1 and text[words[j - 1].end:words[j].start] == " " and words[j].text[0].islower() and words[
            j].text in {"wa", "ya", "la", "cha", "za"} and fold(words[j - 1].text) in ORG_HEADS | GEO_NOUNS:
        return text[words[j].end:words[i].start] == " "  # "mradi wa Kazi kwa Vijana", "kanisa la Anglikana"
    if j < 0 or text[words[j].end:words[i].start] != " ":
        return False
    if _is_org_word(words[j].text):
        return True
    return j >= 1 and text[words[j - 1].end:words[j].start] == " " and words[j].text[0].islower() and (
        fold(words[j].text) in _ORG_ADJECTIVES or _demonym(fold(words[j].text), region_names())) and _is_org_word(
        words[j - 1].text)


def _is_org_word(word: str) -> bool:
    """A lower-case organisation or place word ("stichting", "coopérative", "rivière"), a Dutch compound ending in
    one ("watercomité", "spaargroep", "gezondheidscentrum"), or an NGO marker in any case ("NGO", "ONG", "vzw")."""
    key = fold(word)
    if key in ORG_MARKERS:
        return True
    if not word[0].islower():
        return False
    return (key in ORG_HEADS | GEO_HEADS | GEO_NOUNS and key not in _NOT_LOWER_HEADS) or (len(key) >= 8 and any(
        key.endswith(h) for h in _COMPOUND_HEADS))


#: English nouns that often come before a clause with no "that" ("the farm Kwizera bought", "the market Habimana
#: runs"): in lower case they open no organisation's or place's name.
_NOT_LOWER_HEADS = frozenset("""corps dairy farm farms industries enterprises services microfinance insurance academy
primary secondary court radio press bakery hotel supermarket pharmacy dispensary laboratory times news
journal gazette herald tribune beach settlement camp market sea ocean estate strand ward location division zone city
cell sector parish territory municipality neighbourhood neighborhood locality site""".split())


_COMPOUND_HEADS = tuple(fold(w) for w in """comité commissie groep vereniging stichting coöperatie cooperatie fonds
netwerk centrum school kliniek project programma bank""".split())


def _in_runs(text: str, words: Sequence[_Word], caps: Sequence[bool]) -> list[bool]:
    """Whether each word is part of a run of capitalised words (connectors such as "the", "van" allowed inside)."""
    out = [False] * len(words)
    for i in range(len(words) - 1):
        if not caps[i]:
            continue
        j = i + 1
        if j + 1 < len(words) and words[j].text in _CONNECTORS and caps[j + 1]:
            j += 1
        if caps[j] and all(text[a.end:b.start] in (" ", " l'", " d'", " l’", " d’") for a, b in zip(
                words[i:j + 1], words[i + 1:j + 1])):  # "Régie Communale de l'Eau"
            out[i] = out[j] = True
    return out


_DEMONYM_ENDINGS = ("an", "ian", "ese", "lese", "lais", "laise", "se", "s", "ais", "aise", "ois", "oise", "er",
                    "aanse", "ees", "isch", "ische", "ien", "ienne", "iens", "e")


def _demonym(key: str, places: frozenset[str]) -> bool:
    """'Nederlandse', 'Groningse', 'Kenyan', 'Congolese', 'Burundese': an adjective made of a place's name."""
    for cut in range(len(key) - 1, 3, -1):
        stem, ending = key[:cut], key[cut:]
        if ending in _DEMONYM_ENDINGS and any(stem + tail in places and stem + tail != key
                                              for tail in ("", "e", "en", "a", "o", "i", "ie")):
            return True
    return False


_ROMAN = re.compile(r"(?:I{1,3}|IV|VI{0,3}|IX|X{1,3})")


def _marker(word: str) -> bool:
    """A single capital ("Nyalenda B", "Plot A"), a Roman numeral ("Mahama II") or a brand made of a capital and a
    hyphen ("M-Pesa", "E-Learning"): no name on its own (an initial before a name is found with the name)."""
    return (len(word) == 1 and word.isupper()) or bool(_ROMAN.fullmatch(word)) or bool(
        re.match(r"[A-Z]-\w", word))


def _camel(word: str) -> bool:
    """'KvK', 'WaterAid', 'TechnoServe': a capital after a small letter marks a brand or an acronym, not a person
    (except Mc/Mac names: 'McCarthy')."""
    return bool(re.search(r"[a-zà-ÿ][A-ZÀ-Þ]", word)) and not re.match(r"(?:Mc|Mac)[A-Z]", word)


def _possessive(text: str, word: _Word) -> bool:
    return text[word.end:word.end + 2] in ("'s", "’s")


def _adjacent(text: str, words: Sequence[_Word]) -> bool:
    return all(text[a.end:b.start] == " " for a, b in zip(words, words[1:]))


def _name_adjacent(text: str, words: Sequence[_Word]) -> bool:
    """Adjacent inside a proper name: a space, or a possessive or an abbreviation's full stop and a space
    ("Women's Savings Group", "Water Users' Committee", "St. Joseph's Technical Institute")."""
    return all(text[a.end:b.start] in (" ", "'s ", "’s ", "' ", "’ ", " d'", " d’", " l'", " l’") or (
        text[a.end:b.start] == ". " and a.text.lower() in ("st", "ste", "mt")) for a, b in zip(words, words[1:]))


#: Abbreviations whose full stop ends no sentence: "Mr. Komakech", "St. Joseph's", "Dr. Mukwege", "Mt. Elgon".
_ABBREVIATIONS = frozenset("""mr mrs ms dr st ste mt sr jr prof rev hon mme mlle mgr ir drs ds mw dhr bi pst mch
eng mwl mhe fr sgt lt capt gen col cpl""".split())


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 40):start].rstrip(" \t")
    if start <= 40 and not before:
        return True
    if before.endswith(".") and (m := re.search(r"(?:^|[^\w.])(\w+)\.$", before)) and (
            m.group(1).lower() in _ABBREVIATIONS or (len(m.group(1)) == 1 and m.group(1).isupper())):
        return False  # "Mr. Okello", "J. Mwangi": an abbreviation or an initial
    return not before or before[-1] in ".!?:;\"“«»([\n" or before.endswith((" -", " –", " —"))


def _outermost(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def redact_texts(texts: Sequence[str], ids: Sequence[str] | None = None, languages: Sequence[str] | None = None,
                 **params: object) -> tuple[list[str], pd.DataFrame]:
    """Redact every text; returns (redacted texts, a review table: story_id, kind, original, start)."""
    redactor = Redactor(**params)  # type: ignore[arg-type]
    ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(texts))]
    languages = list(languages) if languages is not None else ["nl"] * len(texts)
    out, rows = [], []
    for sid, text, lang in zip(ids, texts, languages):
        red, log = redactor.redact(text, sid, lang)
        out.append(red)
        rows += [{"story_id": r.story_id, "kind": r.kind, "original": r.original, "start": r.start} for r in log]
    return out, pd.DataFrame(rows, columns=["story_id", "kind", "original", "start"])
