"""Language detection and embedding on Dask workers; everything else stays on the driver.

``analyze(stories, client=client)`` cuts the collection into partitions, and each worker detects the
languages of a partition and embeds it (story and sentence vectors, :func:`~msc_nlp.embedding.passes.
embed_batches`, the batching loop :func:`~msc_nlp.embedding.embed_stream` uses too). Models are loaded once
per worker process (the per-process model registry) and stay loaded between tasks. Themes, 5C mapping and
the report need the whole collection and run on the driver. Every step is a pure function of each text,
so the result is the single-machine result, whatever the partitioning.

Needs the ``distributed`` extra: ``pip install "msc_nlp[distributed]"``.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .embedding.passes import StoryVectors, embed_batches

__all__ = ["detect_and_embed"]

#: Largest partition handed to one task (stories); smaller collections are split over the workers.
MAX_PARTITION = 2000


def detect_and_embed(texts: Sequence[str], client: Any, *, embedding_model: str = "use-multilingual",
                     languages: Sequence[str] = ("nl", "en", "fr"), context: str = "story",
                     batch_size: int = 256, partition_size: int | None = None,
                     cache: str | Path | None = None) -> tuple[list[Any], StoryVectors]:
    """Languages (:class:`~msc_nlp.LanguageResult` per text) and :class:`StoryVectors` for ``texts``, computed
    on the workers of ``client`` (a ``dask.distributed.Client``), in input order.

    ``partition_size``: stories per task (default: the collection spread over ~4 tasks per worker, at most
    2,000 stories a task). ``languages``: the collection's languages (:class:`~msc_nlp.LanguageDetector`).
    ``cache``: an embedding cache path every worker can reach (optional)."""
    from .errors import ParameterError

    if not hasattr(client, "map") or not hasattr(client, "gather"):
        raise ParameterError(f"The 'client' parameter must be a dask.distributed.Client. Got "
                             f"{type(client).__name__} instead.")
    items = ["" if t is None else str(t) for t in texts]
    if partition_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        partition_size = max(1, min(MAX_PARTITION, math.ceil(len(items) / (4 * workers))))
    parts = [items[i:i + partition_size] for i in range(0, len(items), partition_size)]
    futures = client.map(_detect_and_embed_partition, client.scatter(parts), embedding_model=embedding_model,
                         languages=tuple(languages), context=context, stories_per_batch=batch_size,
                         cache=None if cache is None else str(cache),
                         pure=False)
    results = client.gather(futures)
    found = [r for part in results for r in part[0]]
    return found, StoryVectors.concat([part[1] for part in results])


def _detect_and_embed_partition(texts: list[str], *, embedding_model: str, languages: tuple[str, ...],
                                context: str,
                                stories_per_batch: int, cache: str | None) -> tuple[list[Any], StoryVectors]:
    """What one task does on a worker (the models stay loaded in the worker process between tasks)."""
    from .language.detector import detect_language

    found = detect_language(texts, languages=languages)
    if cache is not None:
        from .embedding.passes import embed_with_sentences

        vectors = embed_with_sentences(texts, embedding_model, context=context,
                                       batch_size=stories_per_batch, cache=cache, show_progress=False)
    else:
        vectors = StoryVectors.concat(list(embed_batches(texts, embedding_model, batch_size=stories_per_batch,
                                                         context=context)))
    return found, vectors

