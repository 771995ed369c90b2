"""Embedding content for the meaning index: each text once, reusing the last build's vectors.

The model costs about 0.5 ms of CPU per token here (5,000 short passages took about a
minute on two cores), so content cannot be embedded in seconds. A rebuild therefore looks every text up by
a hash of its kind and words among the vectors of the index it replaces and embeds only the texts that
are new, all in one call (the runtime batches them over the cores).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Vectors = npt.NDArray[np.float32]
Encode = Callable[[Sequence[str]], Vectors]
Progress = Callable[[int, int], None]
"""Told (texts embedded so far, texts to embed) before the first text and after each ``STEP``."""
STEP = 256
"""Texts embedded per call when progress is reported: enough for the runtime to batch over the cores."""


def text_key(kind: str, text: str) -> str:
    """What a vector is stored under: the same text embedded the same way gives the same vector."""
    return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()


def embed(
    encode: Encode,
    keys: Sequence[str],
    texts: Sequence[str],
    known: Mapping[str, Vector],
    progress: Progress | None = None,
) -> Vectors:
    """The vectors of ``texts`` (one row each): from ``known`` by key, the rest embedded now (in steps
    when ``progress`` is told: a large import takes minutes)."""
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in known}
    fresh = dict(zip(missing, _encoded(encode, list(missing.values()), progress), strict=True))
    rows = [known[key] if key in known else fresh[key] for key in keys]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)


def _encoded(encode: Encode, texts: list[str], progress: Progress | None) -> list[Vector]:
    if not texts:
        return []
    if progress is None:
        return list(encode(texts))
    vectors: list[Vector] = []
    progress(0, len(texts))
    for start in range(0, len(texts), STEP):
        vectors.extend(encode(texts[start : start + STEP]))
        progress(len(vectors), len(texts))
    return vectors
