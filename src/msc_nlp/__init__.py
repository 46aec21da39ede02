"""msc_nlp: Most Significant Change story analysis for Dutch, English and French.

Read a collection, detect languages, and (in later stages) embed, find cross-lingual themes, map to the
ECDPM 5C capabilities and prepare selection panels. Everything runs offline.
"""
from __future__ import annotations

from . import errors, partners
from ._version import __version__
from .capabilities import CapabilityClassifier, agreement, load_framework, map_capabilities
from .embedding import Embedder, EmbeddingCache, LanguageCentering, embed, get_embedder
from .language.detector import LanguageDetector, LanguageResult, detect_language
from .panels import Selections, panel_pack, read_selection
from .pipeline import AnalysisResult, analyze, load_result
from .stories import StoryCollection, read_stories
from .themes import ThemeModel, load_themes

__all__ = [
    "__version__",
    "analyze",
    "AnalysisResult",
    "load_result",
    "errors",
    "partners",
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
    "map_capabilities",
    "CapabilityClassifier",
    "agreement",
    "load_framework",
    "panel_pack",
    "read_selection",
    "Selections",
    "load_themes",
]
