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


def test_pooling_sums_segments_exactly_as_add_at() -> None:
    from msc_nlp.embedding._use_pooling import _pool

    rng = np.random.default_rng(0)
    seg_sums = rng.normal(size=(40, 16)).astype(np.float32) * 100
    seg_lens = rng.integers(0, 9, size=40).astype(np.float64)
    pairs = [(int(s), int(t)) for s, t in zip(rng.integers(0, 40, 120), rng.integers(0, 11, 120))]  # row 11: none
    expected = np.zeros((12, 16), dtype=np.float32)
    segs, targets = np.array(pairs).T
    np.add.at(expected, targets, seg_sums[segs])
    sums, lens = _pool(seg_sums, seg_lens, pairs, 12)
    assert sums.dtype == np.float32
    np.testing.assert_array_equal(sums, expected)  # same float32 additions in the same order: bit for bit
    np.testing.assert_array_equal(lens, np.bincount(targets, weights=seg_lens[segs], minlength=12))
    empty, none = _pool(seg_sums, seg_lens, [], 3)
    assert empty.shape == (3, 16) and not empty.any() and not none.any()


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
def test_story_context_sentences_carry_the_delimiters(stories: list[str]) -> None:
    # a sentence read alone sums <s> and </s> (features ~3x a word's norm); without them the one-pass sentence
    # vector was another vector (mean cosine 0.86 on corpora/sample, some 0.6)
    out = embed_with_sentences(stories, context="story")
    for text, rows in zip(stories, out.sentences):
        parts = split_sentences(text)
        if parts:
            cos = (rows * embed(parts, align=False)).sum(axis=1)
            assert cos.min() > 0.85 and cos.mean() > 0.94, (text[:40], cos.round(3))
    one = embed_with_sentences([stories[0].split(". ")[0] + "."], context="story")
    np.testing.assert_allclose(one.sentences[0], one.stories, atol=2e-5)  # one sentence: both levels exact


@pytest.mark.slow
def test_story_context_reads_long_stories_in_embeds_chunks(sample_frame: pd.DataFrame) -> None:
    import re

    texts = sample_frame["text"].tolist()
    run_on = re.sub(r"[.!?]", "", " ".join(texts[:7])).lower()  # one 460-word "sentence": cut at 120 words
    long_story = " ".join(texts[:6])
    out = embed_with_sentences([run_on, long_story], context="story")
    np.testing.assert_allclose(out.stories, embed([run_on, long_story], align=False), atol=2e-5)
    assert [len(r) for r in out.sentences] == [len(split_sentences(run_on)), len(split_sentences(long_story))]
    np.testing.assert_allclose(np.linalg.norm(out.sentences[0], axis=1), 1, atol=1e-5)


@pytest.mark.slow
def test_a_sentence_without_word_pieces_sums_nothing() -> None:
    from msc_nlp.embedding import get_embedder
    from msc_nlp.embedding._use_pooling import pooled_forward

    model = get_embedder()._load()

    class Tokens:  # "" -> <s> </s> only (no real text gives it): an empty segment must sum to zero
        def encode(self, text: str, **_: object) -> list[int]:
            return [1, 2] if not text else model._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)

    backend = model._model
    for context in ("sentence", "story"):
        groups, sents = pooled_forward(backend, Tokens(), [["", "Een zin met woorden."], [""]], context=context)
        expected = np.empty((1, 512), dtype=np.float32)
        backend._encode_batch([[1, 2]], 2, expected)
        np.testing.assert_allclose(groups[1], expected[0], atol=2e-5)
        if context == "sentence":
            np.testing.assert_allclose(sents[0], expected[0], atol=2e-5)


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
    assert models == {f"{key}#story:story", f"{key}#sentence:story"}  # the default one-pass mode is in the key


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
    vectors = embed_with_sentences(texts, context="sentence").sentences  # exact: what transform embeds itself
    given = mapper.transform(texts, sentence_vectors=vectors)
    pd.testing.assert_frame_equal(given, mapper.transform(texts), atol=1e-4)
    with pytest.raises(InputError, match="align row for row"):
        mapper.transform(texts, sentence_vectors=[v[:1] for v in vectors])


@pytest.mark.slow
def test_embed_matches_the_packages_own_forward_pass(stories: list[str]) -> None:
    # embed() runs msc_nlp's copy of the forward pass (larger micro-batches); the package's encode is the reference
    from msc_nlp.embedding import get_embedder

    model = get_embedder()._load()
    texts = [*stories[:8], "", " ", "Ja."]  # under 300 words: embed() reads them whole too
    reference = model.encode(texts)
    np.testing.assert_allclose(embed(texts, align=False), reference / np.linalg.norm(reference, axis=1)[:, None],
                               atol=2e-5)
