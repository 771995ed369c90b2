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


def text_key(kind: str, text: str) -> str:
    """What a vector is stored under: the same text embedded the same way gives the same vector."""
    return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()


def embed(encode: Encode, keys: Sequence[str], texts: Sequence[str], known: Mapping[str, Vector]) -> Vectors:
    """The vectors of ``texts`` (one row each): from ``known`` by key, the rest embedded now."""
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in known}
    fresh = dict(zip(missing, encode(list(missing.values())) if missing else [], strict=True))
    rows = [known[key] if key in known else fresh[key] for key in keys]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)
