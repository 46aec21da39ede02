"""Cross-lingual theme discovery: :class:`ThemeModel` (BERTopic for large collections, automatic-k Ward
clustering for small ones), keywords per language, labels and representative stories."""
from __future__ import annotations

from .model import ThemeModel, load_themes

__all__ = ["ThemeModel", "load_themes"]
