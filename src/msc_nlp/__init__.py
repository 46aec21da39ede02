"""msc_nlp: Most Significant Change story analysis for Dutch, English and French.

Read a collection, detect languages, and (in later stages) embed, find cross-lingual themes, map to the
ECDPM 5C capabilities and prepare selection panels. Everything runs offline.
"""
from __future__ import annotations

from . import errors
from .embedding import Embedder, EmbeddingCache, LanguageCentering, embed, get_embedder
from .language.detector import LanguageDetector, LanguageResult, detect_language
from .stories import StoryCollection, read_stories
from .themes import ThemeModel, load_themes

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "errors",
    "read_stories",
    "StoryCollection",
    "detect_language",
    "LanguageDetector",
    "LanguageResult",
    "embed",
    "Embedder",
    "get_embedder",
    "EmbeddingCache",
    "LanguageCentering",
    "ThemeModel",
    "load_themes",
]
