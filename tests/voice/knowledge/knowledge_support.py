"""Knowledge tests: indexes go to a temporary folder; the shipped skill's knowledge built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.knowledge import KnowledgeBase
from voice.knowledge import dense as dense_module

ROOT = Path(__file__).resolve().parents[3]
SKILL = ROOT / "skills" / "customer_service"
EVAL = SKILL / "knowledge" / "eval"
needs_model = pytest.mark.skipif(not dense_module.available(), reason="the embeddings extra is not installed")


@pytest.fixture(autouse=True)
def _private_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexes built by a test go to its temporary folder, never into the real cache."""
    monkeypatch.setenv("VOICE_KNOWLEDGE_DIR", str(tmp_path / "knowledge-index"))


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KnowledgeBase]:
    """The shipped skill's knowledge per language, with the embedding model when it is installed."""
    root = tmp_path_factory.mktemp("shipped-index")
    return {lang: KnowledgeBase.load(SKILL, lang, index_root=root) for lang in ("nl", "en")}


def write_skill(root: Path, language: str, files: dict[str, str]) -> Path:
    """A skill folder with the given content files; returns the skill's root."""
    folder = root / "skill" / "knowledge" / language
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root / "skill"
