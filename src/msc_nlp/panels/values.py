"""A zero-shot lexicon of the values behind panel choices, in nl/en/fr.

Written from the general vocabulary of monitoring and evaluation (the OECD-DAC criteria, common Most
Significant Change selection criteria, the cross-cutting themes of development programmes), after the
errors on one development set of panel reasons (``corpora/eval/reasons_test.csv``) had been studied. Each
value has a few short statements per language that say the value without a story's content (no water,
school or clinic). :func:`analyse_reasons` places every reason by its similarity to these statements, so
reasons group by the value they speak of rather than by the story's topic.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from ..errors import InputError

__all__ = ["VALUE_LEXICON", "value_statements", "value_profiles", "embed_texts"]

Lexicon = Mapping[str, Mapping[str, Sequence[str]]]

#: value -> language -> short statements of that value.
VALUE_LEXICON: dict[str, dict[str, list[str]]] = {
    "sustainability": {
        "en": ["The change will last.", "It continues after the project ends.",
               "It keeps going without outside funding.", "The results are durable and maintained over time."],
        "nl": ["De verandering blijft duren.", "Het gaat door na het einde van het project.",
               "Het blijft bestaan zonder financiering van buitenaf.", "De resultaten zijn duurzaam."],
        "fr": ["Le changement va durer.", "Cela continue après la fin du projet.",
               "Cela fonctionne sans financement extérieur.", "Les résultats sont durables."],
    },
    "institutionalisation": {
        "en": ["It has become part of the regular system.", "An institution took over the responsibility.",
               "It is now built into standard practice and routine."],
        "nl": ["Het is onderdeel geworden van het gewone systeem.", "Een instelling heeft de verantwoordelijkheid "
               "overgenomen.", "Het is nu vaste praktijk."],
        "fr": ["Cela fait désormais partie du système ordinaire.", "Une institution a pris le relais.",
               "C'est devenu une pratique courante."],
    },
    "ownership": {
        "en": ["The community owns the change.", "People took the initiative themselves.",
               "They manage it themselves and decide for themselves.", "It is locally led, not driven by outsiders."],
        "nl": ["De gemeenschap is eigenaar van de verandering.", "De mensen namen zelf het initiatief.",
               "Ze beheren het zelf en beslissen zelf.", "Het wordt lokaal geleid, niet van buitenaf."],
        "fr": ["La communauté s'approprie le changement.", "Les gens ont pris l'initiative eux-mêmes.",
               "Ils gèrent et décident eux-mêmes.", "C'est porté localement, pas par des acteurs extérieurs."],
    },
    "participation": {
        "en": ["People participate in decisions that affect them.", "Everyone has a say.",
               "People were consulted and involved."],
        "nl": ["Mensen praten mee over beslissingen die hen raken.", "Iedereen heeft inspraak.",
               "Mensen werden geraadpleegd en betrokken."],
        "fr": ["Les gens participent aux décisions qui les concernent.", "Chacun a son mot à dire.",
               "Les gens ont été consultés et impliqués."],
    },
    "gender_equality": {
        "en": ["Women are empowered.", "Gender equality between women and men.",
               "Women gain voice, rights and control over their lives.", "Girls and women take leadership roles."],
        "nl": ["Vrouwen worden sterker en zelfstandiger.", "Gelijkheid tussen vrouwen en mannen.",
               "Vrouwen krijgen een stem, rechten en zeggenschap.", "Meisjes en vrouwen nemen de leiding."],
        "fr": ["Les femmes sont autonomisées.", "L'égalité entre les femmes et les hommes.",
               "Les femmes gagnent une voix, des droits et du pouvoir de décision.",
               "Les filles et les femmes prennent des responsabilités."],
    },
    "inclusion": {
        "en": ["Marginalised and excluded people are included.", "It reaches the poorest and most vulnerable.",
               "People with disabilities, minorities and outcasts take part.", "No one is left behind."],
        "nl": ["Gemarginaliseerde en uitgesloten mensen doen mee.", "Het bereikt de armsten en meest kwetsbaren.",
               "Mensen met een beperking, minderheden en buitenstaanders horen erbij.", "Niemand blijft achter."],
        "fr": ["Les personnes marginalisées et exclues sont incluses.", "Cela atteint les plus pauvres et les plus "
               "vulnérables.", "Les personnes handicapées, les minorités et les exclus participent.",
               "Personne n'est laissé de côté."],
    },
    "innovation": {
        "en": ["A new idea that had not been tried before.", "A creative and original approach.",
               "They experimented with something different.", "It is innovative."],
        "nl": ["Een nieuw idee dat nog niet eerder geprobeerd was.", "Een creatieve en originele aanpak.",
               "Ze experimenteerden met iets anders.", "Het is vernieuwend."],
        "fr": ["Une idée nouvelle qui n'avait jamais été essayée.", "Une approche créative et originale.",
               "Ils ont expérimenté quelque chose de différent.", "C'est innovant."],
    },
    "scale": {
        "en": ["It reaches many more people.", "The approach spreads and is copied elsewhere.",
               "It can be replicated on a large scale.", "The numbers have grown a lot."],
        "nl": ["Het bereikt veel meer mensen.", "De aanpak verspreidt zich en wordt elders overgenomen.",
               "Het kan op grote schaal herhaald worden.", "De aantallen zijn sterk gegroeid."],
        "fr": ["Cela touche beaucoup plus de personnes.", "L'approche se diffuse et est reprise ailleurs.",
               "Cela peut être reproduit à grande échelle.", "Les chiffres ont fortement augmenté."],
    },
    "policy_influence": {
        "en": ["Advocacy changed a policy or a law.", "The government changed its decisions.",
               "Lobbying influenced the authorities.", "Public policy and budgets changed."],
        "nl": ["Belangenbehartiging veranderde beleid of wetgeving.", "De overheid veranderde haar besluiten.",
               "Lobby beïnvloedde de autoriteiten.", "Overheidsbeleid en begrotingen veranderden."],
        "fr": ["Le plaidoyer a changé une politique ou une loi.", "Le gouvernement a changé ses décisions.",
               "Le lobbying a influencé les autorités.", "Les politiques publiques et les budgets ont changé."],
    },
    "accountability": {
        "en": ["Leaders are held to account.", "Transparency about money and decisions.",
               "Good governance and responsibility to citizens."],
        "nl": ["Leiders worden ter verantwoording geroepen.", "Transparantie over geld en besluiten.",
               "Goed bestuur en verantwoording aan burgers."],
        "fr": ["Les dirigeants rendent des comptes.", "La transparence sur l'argent et les décisions.",
               "La bonne gouvernance et la redevabilité envers les citoyens."],
    },
    "collaboration": {
        "en": ["Different actors work together.", "A partnership or network was formed.",
               "Cooperation between groups and organisations."],
        "nl": ["Verschillende partijen werken samen.", "Er ontstond een partnerschap of netwerk.",
               "Samenwerking tussen groepen en organisaties."],
        "fr": ["Différents acteurs travaillent ensemble.", "Un partenariat ou un réseau s'est formé.",
               "La coopération entre groupes et organisations."],
    },
    "learning": {
        "en": ["They learned from mistakes and adapted.", "Reflection led to a better way of working.",
               "A lesson for the whole programme."],
        "nl": ["Ze leerden van fouten en pasten zich aan.", "Reflectie leidde tot een betere werkwijze.",
               "Een les voor het hele programma."],
        "fr": ["Ils ont appris de leurs erreurs et se sont adaptés.", "La réflexion a mené à une meilleure façon "
               "de travailler.", "Une leçon pour tout le programme."],
    },
    "resilience": {
        "en": ["People can cope with shocks and crises.", "They are better prepared for drought and disaster.",
               "Resilience to hardship."],
        "nl": ["Mensen kunnen schokken en crises opvangen.", "Ze zijn beter voorbereid op droogte en rampen.",
               "Veerkracht in moeilijke tijden."],
        "fr": ["Les gens peuvent faire face aux chocs et aux crises.", "Ils sont mieux préparés à la sécheresse "
               "et aux catastrophes.", "La résilience face aux difficultés."],
    },
    "social_cohesion": {
        "en": ["Trust and peace between groups.", "Conflict was resolved and people reconciled.",
               "Social cohesion in the community."],
        "nl": ["Vertrouwen en vrede tussen groepen.", "Een conflict werd opgelost en mensen verzoenden zich.",
               "Sociale samenhang in de gemeenschap."],
        "fr": ["La confiance et la paix entre les groupes.", "Le conflit a été résolu et les gens se sont "
               "réconciliés.", "La cohésion sociale dans la communauté."],
    },
    "rights_dignity": {
        "en": ["People claim their rights.", "Human dignity is respected.", "Access to justice."],
        "nl": ["Mensen eisen hun rechten op.", "Menselijke waardigheid wordt gerespecteerd.",
               "Toegang tot het recht."],
        "fr": ["Les gens revendiquent leurs droits.", "La dignité humaine est respectée.", "L'accès à la justice."],
    },
    "personal_transformation": {
        "en": ["A deep change in one person's life.", "Self-confidence and hope grew.",
               "A personal turning point."],
        "nl": ["Een diepe verandering in het leven van één persoon.", "Zelfvertrouwen en hoop groeiden.",
               "Een persoonlijk keerpunt."],
        "fr": ["Un changement profond dans la vie d'une personne.", "La confiance en soi et l'espoir ont grandi.",
               "Un tournant personnel."],
    },
    "livelihood": {
        "en": ["Income and living standards improved.", "Families escaped poverty.", "Economic well-being."],
        "nl": ["Inkomen en levensstandaard verbeterden.", "Gezinnen kwamen uit de armoede.",
               "Economisch welzijn."],
        "fr": ["Les revenus et le niveau de vie se sont améliorés.", "Les familles sont sorties de la pauvreté.",
               "Le bien-être économique."],
    },
    "norm_change": {
        "en": ["Attitudes and social norms changed.", "People behave differently now.",
               "A change in mindset."],
        "nl": ["Houdingen en sociale normen veranderden.", "Mensen gedragen zich nu anders.",
               "Een verandering van mentaliteit."],
        "fr": ["Les attitudes et les normes sociales ont changé.", "Les gens se comportent autrement.",
               "Un changement de mentalité."],
    },
    "efficiency": {
        "en": ["It is cheap and cost-effective.", "Good value for money.", "Much result with few resources."],
        "nl": ["Het is goedkoop en kosteneffectief.", "Veel waar voor je geld.",
               "Veel resultaat met weinig middelen."],
        "fr": ["C'est peu coûteux et efficient.", "Un bon rapport coût-efficacité.",
               "Beaucoup de résultats avec peu de moyens."],
    },
    "relevance": {
        "en": ["It meets people's real needs.", "It answers the priorities of the people themselves."],
        "nl": ["Het sluit aan bij de echte behoeften van mensen.", "Het beantwoordt aan de prioriteiten van "
               "de mensen zelf."],
        "fr": ["Cela répond aux vrais besoins des gens.", "Cela correspond aux priorités des gens eux-mêmes."],
    },
    "unexpected_change": {
        "en": ["An unexpected result nobody planned.", "A surprising side effect."],
        "nl": ["Een onverwacht resultaat dat niemand had gepland.", "Een verrassend neveneffect."],
        "fr": ["Un résultat inattendu que personne n'avait prévu.", "Un effet secondaire surprenant."],
    },
    "youth_leadership": {
        "en": ["Young people take the lead.", "Youth become active leaders."],
        "nl": ["Jongeren nemen de leiding.", "Jongeren worden actieve leiders."],
        "fr": ["Les jeunes prennent les devants.", "Les jeunes deviennent des leaders actifs."],
    },
    "environment": {
        "en": ["Nature and the environment are protected.", "Natural resources are used wisely."],
        "nl": ["Natuur en milieu worden beschermd.", "Natuurlijke hulpbronnen worden verstandig gebruikt."],
        "fr": ["La nature et l'environnement sont protégés.", "Les ressources naturelles sont utilisées avec "
               "sagesse."],
    },
}


def value_statements(lexicon: Lexicon | None = None) -> tuple[list[str], list[str], list[str]]:
    """A lexicon (default :data:`VALUE_LEXICON`) flattened: statements, the value of each and its language."""
    lexicon = VALUE_LEXICON if lexicon is None else lexicon
    if not isinstance(lexicon, Mapping) or len(lexicon) < 2:
        raise InputError(f"A value lexicon is a dict {{value: {{language: [statements]}}}} with at least 2 values; "
                         f"got {type(lexicon).__name__} with {len(lexicon) if isinstance(lexicon, Mapping) else 0} "
                         "values. Pass e.g. {'sustainability': {'en': ['The change will last.']}, ...}.")
    texts, values, langs = [], [], []
    for value, by_lang in lexicon.items():
        items = [(lang, str(s).strip()) for lang, statements in dict(by_lang).items()
                 for s in ([statements] if isinstance(statements, str) else statements)]
        if not items or not all(s for _, s in items):
            raise InputError(f"Value {value!r} of the lexicon has no statement or an empty one; give it a few short "
                             "statements per language, e.g. {'en': ['The change will last.']}.")
        for lang, s in items:
            texts.append(s)
            values.append(str(value))
            langs.append(str(lang))
    return texts, values, langs


#: The lexicon's statements embedded in advance with e5-small (slow to embed: ~20 s on 2 cores), used when
#: the model build and the statements are those they were made from; rebuild with
#: ``python -m msc_nlp.panels.values`` after editing the lexicon (a test checks they match).
SHIPPED_VECTORS = "value_lexicon_e5.npz"


def statements_key(model_id: str, statements: Sequence[str]) -> str:
    """What shipped statement vectors are valid for: the model build and the exact statements."""
    return hashlib.sha256("\n".join([model_id, *statements]).encode()).hexdigest()


@lru_cache(maxsize=8)
def _statement_vectors(model: object, statements: tuple[str, ...]) -> np.ndarray:
    from importlib import resources

    from ..embedding import embed
    from ..embedding.base import get_embedder

    ref = resources.files("msc_nlp") / "data" / SHIPPED_VECTORS
    if ref.is_file():
        with resources.as_file(ref) as path, np.load(path) as shipped:
            if str(shipped["key"]) == statements_key(get_embedder(model).model_id, statements):
                return shipped["vectors"].astype(np.float64)
    return embed(list(statements), model, align=False).astype(np.float64)


def embed_texts(texts: Sequence[str], model: str) -> dict[str, np.ndarray]:
    """{text: unit vector} for the distinct ``texts`` (each embedded once)."""
    from ..embedding import embed

    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, embed(unique, model, align=False).astype(np.float64))) if unique else {}


def value_profiles(texts: Sequence[str], languages: Sequence[str], *, model: str = "e5-small",
                   temperature: float = 1.5, lexicon: Lexicon | None = None, min_per_language: int = 5,
                   extra_texts: Sequence[str] | None = None, vectors: Mapping[str, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, list[str]]:
    """How much each text speaks of each value of the lexicon, relative to the other texts of its language.

    A text's similarities to all statements are standardised (z-scores within the text: the scale of cosine
    similarities differs between models and languages), turned into a distribution over the statements by a
    softmax at ``temperature`` (in standard deviations: small values keep only the nearest statements) and
    summed per value; the text's mean is taken off (a text near every statement says no value in
    particular), and so is the mean of its language where that language has ``min_per_language`` texts (the
    model reads statements in its own language as closer). ``extra_texts`` (one per text, e.g. the text
    without its framing) are profiled the same way and averaged in. ``vectors`` ({text: vector} from
    :func:`embed_texts` with the same ``model``) saves embedding the texts again. Returns (texts × values,
    value names).
    """
    statements, values, _ = value_statements(lexicon)
    names = list(dict.fromkeys(values))
    member = np.array([[v == name for v in values] for name in names], dtype=np.float64).T  # statements × values
    bank = _statement_vectors(model, tuple(statements))
    variants = [list(texts)] + ([list(extra_texts)] if extra_texts is not None else [])
    missing = [t for v in variants for t in v if vectors is None or t not in vectors]
    vectors = {**(vectors or {}), **embed_texts(missing, model)}
    profile = np.zeros((len(texts), len(names)))
    for variant in variants:
        sims = np.stack([vectors[t] for t in variant]) @ bank.T if len(variant) else np.zeros((0, len(bank)))
        z = (sims - sims.mean(axis=1, keepdims=True)) / np.maximum(sims.std(axis=1, keepdims=True), 1e-12)
        weights = np.exp((z - z.max(axis=1, keepdims=True)) / temperature)
        mass = (weights / weights.sum(axis=1, keepdims=True)) @ member
        profile += (mass - mass.mean(axis=1, keepdims=True)) / len(variants)
    langs = np.asarray(languages)
    centred = profile - profile.mean(axis=0)
    for lang in sorted(set(languages)):
        rows = langs == lang
        if lang != "und" and rows.sum() >= min_per_language:
            centred[rows] = profile[rows] - profile[rows].mean(axis=0)
    return centred, names


def _write_shipped_vectors() -> None:  # pragma: no cover - a maintenance step, run by hand
    from importlib import resources

    from ..embedding import embed
    from ..embedding.base import get_embedder

    statements, _, _ = value_statements()
    path = resources.files("msc_nlp") / "data" / SHIPPED_VECTORS
    np.savez(str(path), vectors=embed(statements, "e5-small", align=False).astype(np.float32),
             key=np.array(statements_key(get_embedder("e5-small").model_id, statements)))
    print(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    _write_shipped_vectors()
