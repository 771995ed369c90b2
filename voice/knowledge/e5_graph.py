"""The e5 encoder as an ONNX graph, built in memory from the packaged 4-bit weights.

Input: the token vectors (word + position + type embeddings, summed by the caller) ``[batch, tokens,
hidden]`` and a ``[batch, tokens]`` mask of real tokens; output: the last layer's hidden states.
Each matrix stays 4-bit with its own block scales (``MatMulNBits``), and the activations are
quantised per block of 32 to int8 (``accuracy_level`` 4), the arithmetic of the engine the weights
come from; ONNX Runtime does it with wider vector instructions and fused attention and layer norms.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

from .e5_weights import BLOCK, E5Weights

OPSET = 18
INT8_ACTIVATIONS = 4
"""``MatMulNBits`` accuracy level: int8 activations per block (levels 0-3 compute in floats, slower)."""
MS = "com.microsoft"


def encoder_graph(weights: E5Weights) -> bytes:
    """The serialised ONNX model (about 12 MB), ready for ``onnxruntime.InferenceSession``."""
    build = _Builder(weights)
    build.layer_norm("x", "emb.ln", "h")
    current = "h"
    for layer in range(weights.layers):
        current = build.layer(layer, current)
    hidden = weights.hidden
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", hidden]),
        helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]),
    ]
    outputs = [helper.make_tensor_value_info(current, TensorProto.FLOAT, ["batch", "tokens", hidden])]
    graph = helper.make_graph(build.nodes, "e5", inputs, outputs, build.initializers)
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)]
    return bytes(helper.make_model(graph, opset_imports=opsets).SerializeToString())


def packed_nibbles(blocks: npt.NDArray[np.void]) -> npt.NDArray[np.uint8]:
    """``Q4_0`` nibbles (byte j: weights j and j + 16) -> ``MatMulNBits`` order (byte j: 2j and 2j + 1)."""
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)
    packed: npt.NDArray[np.uint8] = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
    return packed


class _Builder:
    """Collects nodes and weights; names follow the file's tensor names."""

    def __init__(self, weights: E5Weights) -> None:
        self.weights = weights
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def constant(self, name: str, value: npt.NDArray[np.generic]) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def vector(self, name: str) -> str:
        return self.constant(name, self.weights.vector(name))

    def layer_norm(self, source: str, prefix: str, target: str) -> None:
        scale, bias = self.vector(f"{prefix}.w"), self.vector(f"{prefix}.b")
        node = helper.make_node(
            "LayerNormalization", [source, scale, bias], [target], axis=-1, epsilon=self.weights.epsilon
        )
        self.nodes.append(node)

    def matmul(self, source: str, names: list[str], target: str, bias: str = "") -> None:
        """``source @ W.T`` for the 4-bit matrices ``names`` stacked by rows (their outputs side by side)."""
        blocks = np.concatenate([self.weights.blocks(name) for name in names])
        rows, per_row = blocks.shape
        packed = self.constant(f"{target}.nibbles", packed_nibbles(blocks))
        scales = self.constant(f"{target}.scales", blocks["scale"].astype(np.float32).reshape(-1))
        node = helper.make_node(
            "MatMulNBits",
            [source, packed, scales, "", "", bias],
            [target],
            domain=MS,
            K=per_row * BLOCK,
            N=rows,
            bits=4,
            block_size=BLOCK,
            accuracy_level=INT8_ACTIVATIONS,
        )
        self.nodes.append(node)

    def add_and_norm(self, source: str, skip: str, norm: str, bias: str, target: str) -> None:
        """``LayerNorm(source + bias + skip)``, the residual connection after attention and feed-forward."""
        inputs = [source, skip, self.vector(f"{norm}.w"), self.vector(f"{norm}.b"), self.vector(bias)]
        self.nodes.append(
            helper.make_node(
                "SkipLayerNormalization", inputs, [target], domain=MS, epsilon=self.weights.epsilon
            )
        )

    def layer(self, layer: int, source: str) -> str:
        """One transformer layer (post-norm, as BERT): attention, add & norm, feed-forward, add & norm."""
        name = f"l{layer}"
        qkv_bias = np.concatenate([self.weights.vector(f"{name}.{part}.b") for part in "qkv"])
        self.matmul(
            source,
            [f"{name}.q.w", f"{name}.k.w", f"{name}.v.w"],
            f"{name}.qkv",
            self.constant(f"{name}.qkv.b", qkv_bias),
        )
        parts = [f"{name}.{part}" for part in "qkv"]
        self.nodes.append(helper.make_node("Split", [f"{name}.qkv"], parts, axis=-1, num_outputs=3))
        self.nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [*parts, "", "mask"],
                [f"{name}.ctx"],
                domain=MS,
                num_heads=self.weights.heads,
            )
        )
        self.matmul(f"{name}.ctx", [f"{name}.ao.w"], f"{name}.ao")
        self.add_and_norm(f"{name}.ao", source, f"{name}.aln", f"{name}.ao.b", f"{name}.att")
        self.matmul(f"{name}.att", [f"{name}.fi.w"], f"{name}.fi")
        self.nodes.append(
            helper.make_node(
                "BiasGelu", [f"{name}.fi", self.vector(f"{name}.fi.b")], [f"{name}.gelu"], domain=MS
            )
        )
        self.matmul(f"{name}.gelu", [f"{name}.fo.w"], f"{name}.fo")
        self.add_and_norm(f"{name}.fo", f"{name}.att", f"{name}.oln", f"{name}.fo.b", f"{name}.out")
        return f"{name}.out"
