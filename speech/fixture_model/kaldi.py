"""Kaldi text-format writers: the TransitionModel and nnet3 AmNnetSimple in ``final.mdl``.

Kaldi tells text from binary files itself, and the text format is simple and stable, so
the model is written as text. Every HMM has one emitting state with a self-loop and a
forward transition, and the transition states follow the phone ids, so the transition ids
of phone ``p`` are ``2p - 1`` (self-loop) and ``2p`` (forward).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from speech.fixture_model.features import CONTEXT, NUM_CEPS
from speech.fixture_model.lexicon import PhoneSet
from speech.fixture_model.train import Network

_SELF_LOOP_PROBABILITY = 0.5
_GARBAGE_PRIOR = 0.01


def self_loop_tid(phone_id: int) -> int:
    """The transition id of a phone's self-loop."""
    return 2 * phone_id - 1


def forward_tid(phone_id: int) -> int:
    """The transition id that enters a phone (its final, forward transition)."""
    return 2 * phone_id


def write_final_mdl(
    path: Path, phones: PhoneSet, network: Network, *, garbage_margin: float, silence_penalty: float
) -> None:
    """Write ``final.mdl``: the TransitionModel followed by the AmNnetSimple.

    After the log-softmax, ``likelihoods`` subtracts the log priors (what the decoder scores) and
    ``best`` takes their maximum per frame. The output layer copies the log posteriors, less
    ``silence_penalty`` for silence, and appends the garbage pdf, whose decoder score is the best
    log-likelihood of the frame less ``garbage_margin``: a bar that follows the network into noise,
    not a class to learn.
    """
    out = io.StringIO()
    _write_transition_model(out, phones)
    _write_nnet(out, network)
    classes = len(network.priors)
    _write_component(out, "likelihoods", np.eye(classes), -np.log(network.priors))
    _write_maximum(out, "best", classes)
    _write_component(out, "garbage", *_garbage_layer(classes, garbage_margin, silence_penalty))
    out.write("</Nnet3> ")
    priors = np.append(network.priors, _GARBAGE_PRIOR)
    out.write(f"<LeftContext> {CONTEXT} <RightContext> {CONTEXT} <Priors> {_vector(priors)}")
    path.write_text(out.getvalue(), encoding="ascii")


def _write_transition_model(out: io.StringIO, phones: PhoneSet) -> None:
    ids = range(1, phones.num_phones + 1)
    stay, leave = _SELF_LOOP_PROBABILITY, 1 - _SELF_LOOP_PROBABILITY
    out.write("<TransitionModel> \n<Topology> \n<TopologyEntry> \n<ForPhones> \n")
    out.write(" ".join(str(p) for p in ids) + " \n</ForPhones> \n")
    out.write(f"<State> 0 <PdfClass> 0 <Transition> 0 {stay:g} <Transition> 1 {leave:g} </State> \n")
    out.write("<State> 1 </State> \n</TopologyEntry> \n</Topology> \n")
    out.write(f"<Triples> {phones.num_phones} \n")
    out.writelines(f"{p} 0 {phones.pdf_of_id(p)} \n" for p in ids)
    out.write("</Triples> \n<LogProbs> \n")
    log_probs = np.array([0.0] + [np.log(stay), np.log(leave)] * phones.num_phones)
    out.write(f"{_vector(log_probs)}</LogProbs> \n</TransitionModel> \n")


def _write_nnet(out: io.StringIO, network: Network) -> None:
    """The config lines and the network's components (not ``likelihoods``, ``best`` and ``garbage``)."""
    spliced = ",".join(f"Offset(input,{offset})" for offset in range(-CONTEXT, CONTEXT + 1))
    config = [f"input-node name=input dim={NUM_CEPS}"]
    previous = f"Append({spliced})"
    for index in range(len(network.layers)):
        nonlinear = f"relu{index + 1}" if index < len(network.layers) - 1 else "log-softmax"
        config.append(f"component-node name=affine{index + 1} component=affine{index + 1} input={previous}")
        config.append(f"component-node name={nonlinear} component={nonlinear} input=affine{index + 1}")
        previous = nonlinear
    config.append(f"component-node name=likelihoods component=likelihoods input={previous}")
    config.append("component-node name=best component=best input=likelihoods")
    config.append(f"component-node name=garbage component=garbage input=Append({previous}, best)")
    config.append("output-node name=output input=garbage objective=linear")
    out.write("<Nnet3> \n" + "\n".join(config) + "\n\n")
    out.write(f"<NumComponents> {2 * len(network.layers) + 3} \n")
    for index, (weights, bias) in enumerate(network.layers):
        _write_component(out, f"affine{index + 1}", weights, bias)
        is_last = index == len(network.layers) - 1
        kind, name = (
            ("LogSoftmaxComponent", "log-softmax")
            if is_last
            else ("RectifiedLinearComponent", f"relu{index + 1}")
        )
        out.write(f"<ComponentName> {name} <{kind}> <Dim> {len(bias)} <ValueAvg> [ ] <DerivAvg> [ ] ")
        out.write(f"<Count> 0 </{kind}> \n")


def _write_component(out: io.StringIO, name: str, weights: np.ndarray, bias: np.ndarray) -> None:
    out.write(f"<ComponentName> {name} <AffineComponent> <LearningRate> 0.001 ")
    out.write(f"<LinearParams> {_matrix(weights)}<BiasParams> {_vector(bias)}</AffineComponent> \n")


def _write_maximum(out: io.StringIO, name: str, dim: int) -> None:
    """A max-pooling over the whole vector: one output, its largest element."""
    out.write(f"<ComponentName> {name} <MaxpoolingComponent> <InputXDim> 1 <InputYDim> 1 <InputZDim> {dim} ")
    out.write(f"<PoolXSize> 1 <PoolYSize> 1 <PoolZSize> {dim} <PoolXStep> 1 <PoolYStep> 1 <PoolZStep> 1 ")
    out.write("</MaxpoolingComponent> \n")


def _garbage_layer(classes: int, margin: float, silence_penalty: float) -> tuple[np.ndarray, np.ndarray]:
    """The log posteriors (silence lowered) and, from ``best``, the garbage pdf's output."""
    weights = np.eye(classes + 1)
    bias = np.zeros(classes + 1)
    bias[0] = -silence_penalty
    bias[-1] = np.log(_GARBAGE_PRIOR) - margin  # the decoder adds back -log(prior)
    return weights, bias


def _numbers(values: np.ndarray) -> str:
    return " ".join(f"{value:.7g}" for value in values.tolist())


def _vector(values: np.ndarray) -> str:
    return f" [ {_numbers(values)} ]\n"


def _matrix(values: np.ndarray) -> str:
    rows = "".join(f"\n  {_numbers(row)} " for row in values)
    return f" [{rows}]\n"
