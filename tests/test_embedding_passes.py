"""One embedding pass for stories and their sentences; the cache key carries the model's version."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from msc_nlp.embedding import EmbeddingCache, embed, embed_with_sentences
from msc_nlp.embedding.cache import model_key
from msc_nlp.errors import InputError
from msc_nlp.text import split_sentences


@pytest.fixture(scope="module")
def stories(sample_frame: pd.DataFrame) -> list[str]:
    long_story = " ".join(sample_frame["text"].iloc[:7])  # over 300 words: pooled per chunk
    return [*sample_frame["text"].iloc[:8], "", long_story, sample_frame["text"].iloc[0]]


@pytest.mark.slow
def test_sentence_context_gives_exact_sentence_vectors(stories: list[str]) -> None:
    out = embed_with_sentences(stories, context="sentence")
    assert out.stories.shape == (len(stories), 512) and out.stories.dtype == np.float32
    for text, rows in zip(stories, out.sentences):
        parts = split_sentences(text)
        assert rows.shape == (len(parts), 512) and rows.dtype == np.float32
        if parts:
            np.testing.assert_allclose(rows, embed(parts, align=False), atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(out.stories, axis=1), 1, atol=1e-5)
    # the story pools the same tokens: close to, not equal to, reading the story whole
    whole = embed(stories, align=False)
    cos = (out.stories * whole).sum(axis=1)
    assert cos.min() > 0.7 and cos.mean() > 0.9
    np.testing.assert_allclose(out.stories[0], out.stories[-1])  # a repeated story gets the same row
    np.testing.assert_allclose(out.stories[8], whole[8], atol=1e-5)  # an empty story: embed("")


@pytest.mark.slow
def test_story_context_gives_exact_story_vectors(stories: list[str]) -> None:
    short = [s for s in stories if 0 < len(s.split()) < 300]
    out = embed_with_sentences(short, context="story")
    np.testing.assert_allclose(out.stories, embed([" ".join(split_sentences(t)) for t in short], align=False),
                               atol=2e-5)
    assert [len(r) for r in out.sentences] == [len(split_sentences(t)) for t in short]


@pytest.mark.slow
def test_two_pass_equals_embedding_each_level(stories: list[str]) -> None:
    out = embed_with_sentences(stories[:3], context="two-pass")
    np.testing.assert_allclose(out.stories, embed(stories[:3], align=False), atol=2e-5)
    np.testing.assert_allclose(out.sentences[1], embed(split_sentences(stories[1]), align=False), atol=2e-5)


@pytest.mark.slow
def test_cache_round_trip_and_versioned_key(tmp_path, stories: list[str]) -> None:
    first = embed_with_sentences(stories, cache=tmp_path)
    second = embed_with_sentences(stories, cache=tmp_path)
    np.testing.assert_array_equal(first.stories, second.stories)
    for a, b in zip(first.sentences, second.sentences):
        np.testing.assert_array_equal(a, b)
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as con:
        models = {m for (m,) in con.execute("SELECT DISTINCT model FROM embeddings")}
    from msc_nlp.embedding import get_embedder

    key = model_key(get_embedder())
    assert key.startswith("use-multilingual@") and len(key) > len("use-multilingual@")
    assert models == {f"{key}#story:sentence", f"{key}#sentence:sentence"}


def test_cache_never_serves_another_model_version(tmp_path) -> None:
    class Fake:
        model_id = "fake"

        def __init__(self, version: str, value: float) -> None:
            self.version, self.value = version, value

        def embed(self, texts):  # noqa: ANN001, ANN201
            return np.full((len(texts), 4), self.value, dtype=np.float32) / 2

    cache = EmbeddingCache(tmp_path)
    old = embed(["a story"], Fake("1.0", 1.0), cache=cache, align=False)
    new = embed(["a story"], Fake("2.0", -1.0), cache=cache, align=False)
    assert model_key(Fake("1.0", 1.0)) != model_key(Fake("2.0", 1.0))
    assert old[0, 0] > 0 > new[0, 0]


@pytest.mark.slow
def test_mapper_uses_given_sentence_vectors(sample_frame: pd.DataFrame) -> None:
    from msc_nlp.capabilities import CapabilityMapper

    texts = sample_frame["text"].iloc[:6].tolist()
    mapper = CapabilityMapper().fit()
    vectors = embed_with_sentences(texts).sentences
    given = mapper.transform(texts, sentence_vectors=vectors)
    pd.testing.assert_frame_equal(given, mapper.transform(texts), atol=1e-4)
    with pytest.raises(InputError, match="align row for row"):
        mapper.transform(texts, sentence_vectors=[v[:1] for v in vectors])
