"""Where a built index is kept, and whether it still matches the content.

Default: ``$VOICE_KNOWLEDGE_DIR`` or ``$XDG_CACHE_HOME/voice-skills/knowledge`` (``~/.cache/...``), one folder
per skill and language. The index is derived data: deleting it only costs a rebuild. ``manifest.json`` is
written last, so its change time tells a running server that a new index is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .content import content_files

FORMAT = 2
"""Bumped when the stored index changes shape; older indexes are rebuilt."""
MANIFEST = "manifest.json"


def index_root() -> Path:
    """The folder all knowledge indexes live under."""
    configured = os.environ.get("VOICE_KNOWLEDGE_DIR")
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "voice-skills" / "knowledge"


def index_folder(skill_root: Path, language: str, root: Path | None = None) -> Path:
    """The index folder of one skill and language (the skill's path is hashed in, so two copies differ)."""
    digest = hashlib.sha1(str(skill_root.resolve()).encode()).hexdigest()[:8]
    return (root or index_root()) / f"{skill_root.name}-{digest}" / language


def fingerprint(folder: Path) -> str:
    """A cheap summary of the content files (names, sizes, modification times)."""
    parts = []
    for path in content_files(folder):
        stat = path.stat()
        parts.append(f"{path.relative_to(folder).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a complete index in ``folder``, or None."""
    try:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("format") == FORMAT else None


def manifest_stamp(folder: Path) -> int:
    """The manifest's change time in nanoseconds (0 when absent): one stat per call."""
    try:
        return (folder / MANIFEST).stat().st_mtime_ns
    except OSError:
        return 0


def prepare(folder: Path) -> Path:
    """A fresh sibling folder to write a new index into (moved into place by ``publish``)."""
    staging = folder.with_name(f".{folder.name}.new")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the knowledge index under {folder.parent} ({exc.strerror}); "
            "set VOICE_KNOWLEDGE_DIR to a writable folder."
        ) from exc
    return staging


def publish(staging: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """Swap the new index in, manifest included, so readers see the old index or the new one."""
    (staging / MANIFEST).write_text(json.dumps({**manifest, "format": FORMAT}, indent=1), encoding="utf-8")
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
