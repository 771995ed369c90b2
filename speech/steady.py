"""Real models that hear the same audio the same way every time.

Kaldi adds a little Gaussian noise to every frame before it computes features (``--dither``, 1.0 by
default in a model's ``conf/mfcc.conf`` or ``conf/fbank.conf``) and takes it from the C library's
random numbers. Their state is shared by the whole process, so what a recognizer hears depends on
everything recognised before it: the real Korean model heard one unseen voice's "안녕하세요" three
times in five and refused it twice, the same audio through a new recognizer each time. Tests and
benches need the same answer every run.

``steady_model`` makes a copy of a model folder (links to its files, its own ``conf``) with
``--dither=0`` and a card that records the model's dither; the recognizer then adds noise of that
size itself, from a generator each recognizer starts with the same seed (``Dither``). Turning the
dither off alone is not enough: the Korean model then heard 17% of the bench's clean commands instead
of 44%, because synthetic speech has stretches of exact zeros that no training audio had.

The recognizer knows a steady copy by its folder, as it knows a fixture model: load it with
``load_model`` or give ``Recognizer`` its path. A ``vosk.Model`` built by hand from the copy gets no
dither at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from .errors import ModelError
from .models import require_model_dir, scratch_beside, voice_cache_dir

CARD_FILE = "steady.json"
FEATURE_FILES = ("mfcc.conf", "fbank.conf")
"""The feature options Vosk reads, whichever the model has."""
KALDI_DEFAULT_DITHER = 1.0
_DITHER_OPTION = re.compile(r"^\s*--dither\s*=\s*(?P<value>\S+)\s*$")


def steady_model(path: str | Path, cache_dir: Path | None = None) -> Path:
    """The model in ``path`` without Kaldi's random dither (a copy under ``cache_dir``, made once per
    version of its ``conf``), or ``path`` itself when the model does not dither (the fixture models)."""
    source = require_model_dir(Path(path).resolve())
    features = [source / "conf" / name for name in FEATURE_FILES if (source / "conf" / name).is_file()]
    dither = max((_dither_in(file.read_text(encoding="utf-8")) for file in features), default=0.0)
    if dither == 0.0:
        return source
    target = (cache_dir or voice_cache_dir("steady-models")) / f"{source.name}-{_conf_key(source)}"
    if not (target / CARD_FILE).is_file():
        _write_copy(source, target, dither)
    return target


def _dither_in(options: str) -> float:
    """The last ``--dither`` of a Kaldi options file (``#`` starts a comment), else Kaldi's default."""
    lines = (line.split("#")[0] for line in options.splitlines())
    values = [match["value"] for line in lines if (match := _DITHER_OPTION.match(line))]
    try:
        return float(values[-1]) if values else KALDI_DEFAULT_DITHER
    except ValueError:
        return KALDI_DEFAULT_DITHER


def _conf_key(source: Path) -> str:
    """The model's place and its options: a model reinstalled with other options gets a new copy."""
    digest = hashlib.sha256(str(source).encode())
    for file in sorted((source / "conf").rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(source).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _write_copy(source: Path, target: Path, dither: float) -> None:
    """Links to every entry of ``source`` but ``conf``, which is copied with ``--dither=0`` appended to
    its feature options; built in a temporary folder and renamed into place, so no reader sees half a
    copy (and of two processes making it at once, one wins and the other uses its copy)."""
    building: Path | None = None
    try:
        building = scratch_beside(target)
        for entry in source.iterdir():
            if entry.name != "conf":
                (building / entry.name).symlink_to(entry)
        shutil.copytree(source / "conf", building / "conf")
        for name in FEATURE_FILES:
            if (features := building / "conf" / name).is_file():
                options = features.read_text(encoding="utf-8").rstrip("\n")
                features.write_text(f"{options}\n--dither=0\n", encoding="utf-8")
        card = {"dither": dither, "source": str(source)}
        (building / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        building.rename(target)
    except OSError as exc:
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
        if not (target / CARD_FILE).is_file():  # not another process's copy, renamed in first
            raise ModelError(f"cannot write the steady model {target} ({exc}); set VOICE_CACHE_DIR.") from exc


@cache
def dither_of(folder: Path) -> float:
    """The dither a steady copy's card records, or 0.0 for any other model folder (read once)."""
    card = folder / CARD_FILE
    if not card.is_file():
        return 0.0
    try:
        return float(json.loads(card.read_text(encoding="utf-8"))["dither"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"the steady model card {card} is damaged ({exc}); delete {folder}.") from exc


@dataclass(slots=True)
class Dither:
    """Gaussian noise of ``scale`` (int16 steps), as Kaldi's dither, but from a generator seeded the
    same in every recognizer. Added once per sample and rounded to whole steps (Kaldi adds it to each
    25 ms window in floats); the Korean bench heard 8 of its 18 clean commands with it, as with Kaldi's
    own."""

    scale: float
    _random: np.random.RandomState = field(default_factory=lambda: np.random.RandomState(0))
    """The legacy generator: NumPy keeps its stream the same across versions, so the figures are too."""

    def add(self, samples: np.ndarray) -> np.ndarray:
        noisy = samples + self._random.standard_normal(samples.shape) * self.scale
        return np.clip(np.rint(noisy), -32768, 32767).astype(np.int16)
