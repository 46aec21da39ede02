"""Which story languages the embedding model covers, and the warning for those it does not.

A story in a language the embedding model was not trained on (Swahili or Kirundi under the default USE
model) still gets a vector, a theme and 5C scores, but they are unreliable: the model reads it as a string of
unknown word pieces. Such stories get the status ``unsupported_language`` and one warning per language.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["EMBEDDING_LANGUAGES", "LANGUAGE_NAMES", "main_language", "covered", "coverage_warnings"]

#: Languages each known embedding model was trained on (ISO 639-1). USE multilingual v3: 16 languages.
EMBEDDING_LANGUAGES: dict[str, frozenset[str]] = {
    "use-multilingual": frozenset({"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th",
                                   "tr", "ru"}),
}

#: English names of the language codes the language model gives (others are shown as their code).
LANGUAGE_NAMES = {
    "nl": "Dutch", "en": "English", "fr": "French", "de": "German", "af": "Afrikaans", "sw": "Swahili",
    "rn": "Kirundi", "rw": "Kinyarwanda", "lg": "Luganda", "so": "Somali", "yo": "Yoruba", "tn": "Tswana",
    "es": "Spanish", "pt": "Portuguese", "it": "Italian", "id": "Indonesian", "ms": "Malay", "tr": "Turkish",
    "pl": "Polish", "vi": "Vietnamese", "fil": "Filipino", "other": "an unidentified language",
    "unknown-words": "an unidentified language", "foreign-letters": "an unidentified language",
}


def main_language(language: str, detail: str, languages: dict[str, float]) -> str:
    """The code of a story's main language: the largest share of its words, else the model's guess."""
    if languages:
        return next(iter(languages))
    return language if language in ("nl", "en", "fr", "und") else detail or language


def covered(code: str, embedding_model: str) -> bool | None:
    """Whether ``embedding_model`` covers language ``code``; None when that is not on record (a
    sentence-transformers model, a script the language model does not name)."""
    known = EMBEDDING_LANGUAGES.get(embedding_model)
    if known is None or code in ("und", "non-latin"):
        return None
    return code in known


def coverage_warnings(codes: Sequence[str], embedding_model: str) -> list[str]:
    """One line per uncovered main language, most stories first: "12 stories in Swahili: ..."."""
    counts = Counter(c for c in codes if covered(c, embedding_model) is False)
    return [f"{n} {'story' if n == 1 else 'stories'} in {LANGUAGE_NAMES.get(code, code)}: the embedding model "
            f"{embedding_model} does not cover it, so themes and 5C for them are unreliable"
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
