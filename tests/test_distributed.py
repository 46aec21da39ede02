"""analyze(client=...) on a two-process LocalCluster gives the single-machine result."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.mark.slow
def test_analyze_on_dask_workers_matches_single_machine(client, sample_frame: pd.DataFrame) -> None:
    frame = sample_frame.iloc[:36][["story_id", "text"]].copy()
    frame.loc[len(frame)] = ["blank", "   "]  # an empty story travels through the workers too
    local = analyze_frame(frame)
    remote = analyze_frame(frame, client=client)
    cols = ["story_id", "status", "language", "mixed", "theme_id", "theme_label", "capability", "evidence"]
    pd.testing.assert_frame_equal(local.stories[cols], remote.stories[cols])
    np.testing.assert_allclose(local.stories[["map_x", "map_y"]].to_numpy(float),
                               remote.stories[["map_x", "map_y"]].to_numpy(float), atol=1e-6)
    assert local.themes["label"].tolist() == remote.themes["label"].tolist()


@pytest.mark.slow
def test_partitions_run_on_both_workers_and_keep_order(client, sample_frame: pd.DataFrame) -> None:
    from msc_nlp.distributed import detect_and_embed
    from msc_nlp.embedding import embed_with_sentences

    texts = sample_frame["text"].iloc[:24].tolist()
    langs, vectors = detect_and_embed(texts, client, partition_size=5)
    assert [r.language for r in langs] == [r.language for r in __import__("msc_nlp").detect_language(texts)]
    single = embed_with_sentences(texts)
    np.testing.assert_allclose(vectors.stories, single.stories, atol=1e-6)
    assert [len(s) for s in vectors.sentences] == [len(s) for s in single.sentences]
    used = client.run(lambda: __import__("msc_nlp.embedding.base", fromlist=["_LOADED"])._LOADED.keys().__len__())
    assert len(used) == 2 and all(n == 1 for n in used.values())  # each worker loaded the model once


def analyze_frame(frame: pd.DataFrame, **kwargs):
    from msc_nlp import analyze

    return analyze(frame, random_state=0, show_progress=False, **kwargs)


def test_client_must_be_a_dask_client() -> None:
    from msc_nlp.distributed import detect_and_embed
    from msc_nlp.errors import ParameterError

    with pytest.raises(ParameterError, match="dask.distributed.Client"):
        detect_and_embed(["a story"], object())
