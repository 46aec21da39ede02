"""Multilingual story embeddings that run offline: ``embed()``, the Embedder protocol and its backends."""
from __future__ import annotations

from .align import LanguageCentering
from .api import embed, embed_stream
from .base import DEFAULT_MODEL, Embedder, get_embedder
from .cache import EmbeddingCache
from .chunking import pool_chunks, split_into_chunks
from .passes import StoryVectors, embed_with_sentences

__all__ = ["embed", "embed_stream", "Embedder", "get_embedder", "DEFAULT_MODEL", "EmbeddingCache", "LanguageCentering",
           "split_into_chunks", "pool_chunks", "embed_with_sentences", "StoryVectors"]
