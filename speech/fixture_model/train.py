"""A small frame classifier trained with numpy, deterministically.

The acoustic model is a plain MLP over spliced MFCCs (ReLU hidden layers, log-softmax
output): Kaldi's nnet3 runs exactly this as Affine/RectifiedLinear/LogSoftmax components.
Fixed seeds, a fixed batch order and float32 arithmetic make the same inputs give the
same weights. Input normalisation is folded into the first layer because the model has no
CMVN stage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from speech.fixture_model.features import CONTEXT

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingConfig:
    """Network size and optimiser settings."""

    hidden: int = 256
    """Units per hidden layer."""
    layers: int = 2
    """Hidden layers."""
    epochs: int = 5
    batch: int = 512
    learning_rate: float = 3e-3
    seed: int = 20240601


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Network:
    """Trained weights: ``y = W x + b`` per layer, ReLU between, log-softmax at the end."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    """(weights of shape (out, in), bias) per layer."""
    priors: np.ndarray
    """Frequency of each pdf in training; the decoder divides by it."""


class _Frames:
    """Utterances' features stored once, edge-padded, spliced on demand per batch."""

    def __init__(self, features: Sequence[np.ndarray]) -> None:
        padded = [np.concatenate([f[:1].repeat(CONTEXT, 0), f, f[-1:].repeat(CONTEXT, 0)]) for f in features]
        self.store = np.concatenate(padded).astype(np.float32)
        offsets = np.cumsum([0] + [len(p) for p in padded[:-1]])
        self.centres = np.concatenate(
            [o + CONTEXT + np.arange(len(f)) for o, f in zip(offsets, features, strict=True)]
        )
        self.mean = self.store.mean(axis=0)
        self.std = self.store.std(axis=0) + 1e-5

    def batch(self, rows: np.ndarray) -> np.ndarray:
        window = self.centres[rows, None] + np.arange(-CONTEXT, CONTEXT + 1)
        normalised: np.ndarray = (self.store[window] - self.mean) / self.std
        return normalised.reshape(len(rows), -1)


def train(
    features: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    num_classes: int,
    config: TrainingConfig,
    progress: Callable[[str], None],
) -> Network:
    """Train the frame classifier on per-utterance features and pdf labels."""
    frames = _Frames(features)
    targets = np.concatenate(labels)
    rng = np.random.default_rng(config.seed)
    sizes = [frames.store.shape[1] * (2 * CONTEXT + 1)] + [config.hidden] * config.layers + [num_classes]
    params = [_init_layer(rng, n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:], strict=False)]
    optimiser = _Adam(params, config.learning_rate)
    steps_per_epoch = len(targets) // config.batch
    started = time.perf_counter()
    for epoch in range(config.epochs):
        order = rng.permutation(len(targets))
        loss = 0.0
        for step in range(steps_per_epoch):
            rows = order[step * config.batch : (step + 1) * config.batch]
            progress_fraction = (epoch * steps_per_epoch + step) / (config.epochs * steps_per_epoch)
            optimiser.rate = config.learning_rate * 0.5 * (1 + np.cos(np.pi * progress_fraction))
            loss += _step(params, optimiser, frames.batch(rows), targets[rows])
        done = epoch + 1
        left = (time.perf_counter() - started) / done * (config.epochs - done)
        progress(
            f"{progress_bar(done, config.epochs)} epoch {done}/{config.epochs}: "
            f"loss {loss / max(steps_per_epoch, 1):.3f}, about {left:.0f} s left"
        )
    counts = np.bincount(targets, minlength=num_classes).astype(np.float64) + 1.0
    return Network(layers=_fold_normalisation(params, frames), priors=counts / counts.sum())


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """``[########------------]``: ``done`` of ``total`` as a text bar."""
    filled = width * done // max(total, 1)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def _init_layer(rng: np.random.Generator, n_in: int, n_out: int) -> list[np.ndarray]:
    weights = rng.standard_normal((n_out, n_in)).astype(np.float32) * np.float32(np.sqrt(2.0 / n_in))
    return [weights, np.zeros(n_out, np.float32)]


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted: np.ndarray = logits - logits.max(axis=1, keepdims=True)
    result: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return result


def _step(params: list[list[np.ndarray]], optimiser: _Adam, inputs: np.ndarray, targets: np.ndarray) -> float:
    """One minibatch of backpropagation; returns the mean cross-entropy."""
    activations = [inputs]
    for weights, bias in params[:-1]:
        activations.append(np.maximum(activations[-1] @ weights.T + bias, 0))
    log_probs = _log_softmax(activations[-1] @ params[-1][0].T + params[-1][1])
    rows = np.arange(len(targets))
    delta = np.exp(log_probs)
    delta[rows, targets] -= 1
    delta /= len(targets)
    gradients: list[list[np.ndarray]] = []
    for layer in range(len(params) - 1, -1, -1):
        gradients.append([delta.T @ activations[layer], delta.sum(axis=0)])
        if layer:
            delta = (delta @ params[layer][0]) * (activations[layer] > 0)
    optimiser.update(gradients[::-1])
    return float(-log_probs[rows, targets].mean())


class _Adam:
    def __init__(self, params: list[list[np.ndarray]], rate: float) -> None:
        self.params = params
        self.rate = rate
        self.moments = [[np.zeros_like(p) for p in layer] for layer in params]
        self.squares = [[np.zeros_like(p) for p in layer] for layer in params]
        self.steps = 0

    def update(self, gradients: list[list[np.ndarray]]) -> None:
        self.steps += 1
        beta1, beta2 = 0.9, 0.999
        scale = self.rate * np.sqrt(1 - beta2**self.steps) / (1 - beta1**self.steps)
        for params, grads, moments, squares in zip(
            self.params, gradients, self.moments, self.squares, strict=True
        ):
            for param, grad, moment, square in zip(params, grads, moments, squares, strict=True):
                moment *= beta1
                moment += (1 - beta1) * grad
                square *= beta2
                square += (1 - beta2) * grad * grad
                param -= np.float32(scale) * moment / (np.sqrt(square) + np.float32(1e-8))


def _fold_normalisation(
    params: list[list[np.ndarray]], frames: _Frames
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Absorb ``(x - mean) / std`` into the first layer so Kaldi can feed raw MFCCs."""
    splice = 2 * CONTEXT + 1
    mean, std = np.tile(frames.mean, splice), np.tile(frames.std, splice)
    first, bias = params[0]
    folded = first / std
    layers = [(folded.astype(np.float32), (bias - folded @ mean).astype(np.float32))]
    layers += [(w.astype(np.float32), b.astype(np.float32)) for w, b in params[1:]]
    _LOGGER.debug("network layers: %s", [w.shape for w, _ in layers])
    return tuple(layers)
