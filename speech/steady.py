"""Real models that hear the same audio the same way every time.

Kaldi adds a little Gaussian noise to every frame before it computes features (``--dither``, 1.0 by
default in a model's ``conf/mfcc.conf``) and takes it from the C library's random numbers. Their state
is shared by the whole process, so what a recognizer hears depends on everything recognised before it:
the real Korean model heard one unseen voice's "안녕하세요" three times in five and refused it twice,
the same audio through a new recognizer each time. Tests and benches need the same answer every run.

``steady_model`` makes a copy of a model folder (links to its files, its own ``conf``) with
``--dither=0`` and a card that records the model's dither; the recognizer then adds that noise itself,
from a generator each recognizer starts with the same seed (``Dither``). Turning the dither off alone is
not enough: the Korean model then heard 17% of the bench's clean commands instead of 44%, because
synthetic speech has stretches of exact zeros that no training audio had.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

from .errors import ModelError
from .models import is_model_dir

CARD_FILE = "steady.json"
KALDI_DEFAULT_DITHER = 1.0
_DITHER_OPTION = re.compile(r"^\s*--dither\s*=\s*(?P<value>[-+.\deE]+)\s*$", re.MULTILINE)


def steady_model(path: str | Path, cache_dir: Path | None = None) -> Path:
    """The model in ``path`` without Kaldi's random dither (a copy under ``cache_dir``), or ``path``
    itself when the model does not dither (the fixture models)."""
    source = Path(path).resolve()
    if not is_model_dir(source):
        raise ModelError(f"{source} is not a Vosk model folder (no am/final.mdl); check the path.")
    features = source / "conf" / "mfcc.conf"
    dither = _dither_in(features.read_text(encoding="utf-8")) if features.is_file() else 0.0
    if dither == 0.0:
        return source
    key = hashlib.sha256(f"{source}\n{features.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    target = (cache_dir or default_cache_dir()) / f"{source.name}-{key}"
    if not (target / CARD_FILE).is_file():
        _write_copy(source, target, dither)
    return target


def default_cache_dir() -> Path:
    """``$VOICE_CACHE_DIR/steady-models``, else ``~/.cache/voice-skills/steady-models``."""
    root = os.environ.get("VOICE_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "voice-skills") / "steady-models"


def _dither_in(options: str) -> float:
    found = _DITHER_OPTION.findall(options)
    return float(found[-1]) if found else KALDI_DEFAULT_DITHER


def _write_copy(source: Path, target: Path, dither: float) -> None:
    """Links to every entry of ``source`` but ``conf``, which is copied with ``--dither=0`` appended;
    built in a temporary folder and renamed into place, so no reader sees half a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for entry in source.iterdir():
            if entry.name != "conf":
                (building / entry.name).symlink_to(entry)
        shutil.copytree(source / "conf", building / "conf")
        features = building / "conf" / "mfcc.conf"
        options = features.read_text(encoding="utf-8") if features.is_file() else ""
        features.write_text(options.rstrip("\n") + "\n--dither=0\n", encoding="utf-8")
        card = {"dither": dither, "source": str(source)}
        (building / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        building.rename(target)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        if not (target / CARD_FILE).is_file():  # another process may have renamed its copy in first
            raise ModelError(f"cannot write the steady model {target} ({exc}); set VOICE_CACHE_DIR.") from exc


class Dither:
    """The noise Kaldi would have added, from a generator with a fixed seed: the same audio through a
    new recognizer gets the same noise."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._random = np.random.default_rng(0)

    @staticmethod
    @cache
    def scale_of(folder: Path) -> float:
        """The dither a steady copy's card records, or 0.0 for any other model folder."""
        card = folder / CARD_FILE
        return float(json.loads(card.read_text(encoding="utf-8"))["dither"]) if card.is_file() else 0.0

    def add(self, samples: np.ndarray) -> np.ndarray:
        noisy = samples + self._random.normal(0.0, self.scale, samples.size)
        return np.clip(np.rint(noisy), -32768, 32767).astype(np.int16)
