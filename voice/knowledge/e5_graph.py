"""The e5 encoder as an ONNX graph, built in memory from the packaged 4-bit weights.

Input: the token vectors (word + position + type embeddings, summed by the caller) ``[batch, tokens,
hidden]`` and a ``[batch, tokens]`` mask of real tokens; output: the last layer's hidden states.
Each 4-bit matrix becomes int8 with one scale per output unit, and each run quantises its activations
to 8 bits as it goes (``DynamicQuantizeMatMul``): integer matrix products, 3.5-4.3x faster on one core here
than the 4-bit matrices with activations quantised per block of 32 (``MatMulNBits``, the arithmetic of
the engine the weights come from), whose vectors these follow to a cosine of 0.993 or more.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

from .e5_weights import E5Weights, dequantised

OPSET = 18
IR_VERSION = 8
"""The ONNX file format the graph is written in: the first that has opset 18. ``onnx`` writes its own
newest by default, which an older ONNX Runtime refuses (onnx 1.23 writes 14; onnxruntime 1.24 reads up
to 13), and ``pyproject.toml`` lets the two be installed at different ages."""
MS = "com.microsoft"
UNFUSED = ["SkipLayerNormFusion"]
"""ONNX Runtime optimisations the session must not apply: its fused residual add and layer norm took
2 ms a run where the two plain operations take 0.6 ms (a quarter of the whole network's time)."""


def encoder_graph(weights: E5Weights) -> bytes:
    """The serialised ONNX model (about 22 MB), ready for ``onnxruntime.InferenceSession``."""
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
    model = helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION)
    return bytes(model.SerializeToString())


WEIGHT_STEPS = 63
"""A weight is one of -63..63 times its unit's scale (7 bits, not 8). On a CPU without VNNI (AVX2 alone)
the integer product adds two uint8 x int8 products in 16 bits, which saturates with 8-bit weights: the
vectors then depend on the CPU (cosine to the engine's down to 0.988 here, Dutch top-1 0.890 against
0.904). With 7 bits no sum can saturate: the integer products are exact with or without VNNI (as
ONNX Runtime's ``reduce_range`` advises)."""


def int8_columns(blocks: npt.NDArray[np.void]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """``[units, blocks]`` of ``Q4_0`` -> the ``[inputs, units]`` int8 matrix and one scale per unit,
    each weight rounded to the nearest of its unit's ``2 * WEIGHT_STEPS + 1`` steps."""
    weights = dequantised(blocks)
    scales = np.maximum(np.abs(weights).max(axis=1), np.finfo(np.float32).tiny) / WEIGHT_STEPS
    steps = np.clip(np.round(weights / scales[:, None]), -WEIGHT_STEPS, WEIGHT_STEPS).astype(np.int8)
    return np.ascontiguousarray(steps.T), scales.astype(np.float32)


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

    def matmul(self, source: str, names: list[str], target: str, bias: str) -> None:
        """``source @ W.T + bias`` for the 4-bit matrices ``names`` stacked by rows (their outputs side
        by side)."""
        steps, scales = int8_columns(np.concatenate([self.weights.blocks(name) for name in names]))
        inputs = [
            source,
            self.constant(f"{target}.steps", steps),
            self.constant(f"{target}.scales", scales),
            self.constant(f"{target}.zeros", np.zeros_like(scales, dtype=np.int8)),
            bias,
        ]
        self.nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, [target], domain=MS))

    def add_and_norm(self, source: str, skip: str, norm: str, target: str) -> None:
        """``LayerNorm(source + skip)``, the residual connection after attention and feed-forward."""
        self.nodes.append(helper.make_node("Add", [source, skip], [f"{target}.sum"]))
        self.layer_norm(f"{target}.sum", norm, target)

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
        self.matmul(f"{name}.ctx", [f"{name}.ao.w"], f"{name}.ao", self.vector(f"{name}.ao.b"))
        self.add_and_norm(f"{name}.ao", source, f"{name}.aln", f"{name}.att")
        self.matmul(f"{name}.att", [f"{name}.fi.w"], f"{name}.fi", "")
        self.nodes.append(
            helper.make_node(
                "BiasGelu", [f"{name}.fi", self.vector(f"{name}.fi.b")], [f"{name}.gelu"], domain=MS
            )
        )
        self.matmul(f"{name}.gelu", [f"{name}.fo.w"], f"{name}.fo", self.vector(f"{name}.fo.b"))
        self.add_and_norm(f"{name}.fo", f"{name}.att", f"{name}.oln", f"{name}.out")
        return f"{name}.out"
