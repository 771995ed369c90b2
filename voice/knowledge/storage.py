"""Where a built index is kept, and whether it still matches the content.

Default: ``$VOICE_KNOWLEDGE_DIR`` or ``$XDG_CACHE_HOME/voice-skills/knowledge`` (``~/.cache/...``), one folder
per skill and language. The index is derived data: deleting it only costs a rebuild.

Several processes share an index (gunicorn workers, ``voice knowledge import`` beside a running server):
one builds at a time (``building``, a file lock the kernel drops when its process dies), and the index
folder is a symbolic link to one complete version, swapped in one atomic step (``publish``). A reader
resolves the link once and so reads one whole index, old or new; the manifest's change time
tells a running server that a new one is in place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .content import content_files
from .reviewed import reviewed_file

FORMAT = 7
"""Bumped when the stored index changes shape, or what the readers and the analyzer make of the same
files (3: page ids from the path in the content folder, long ids hashed, tags and front matter left
out; 4: more Dutch diminutives undone; 5: plain-text headings, only YAML front matter left out,
"mailtje" read as "e-mail"; 6: synonyms for every inflection, "mails" read as "e-mail"; 7: an HTML
FAQ's questions an entry each, a passage's context kept); older indexes are rebuilt."""
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
    """A cheap summary of the content files and the reviews' file (names, sizes, modification times)."""
    parts = []
    reviewed = reviewed_file(folder)
    for path in [*content_files(folder), *([reviewed] if reviewed.is_file() else [])]:
        stat = path.stat()
        parts.append(f"{os.path.relpath(path, folder)}:{stat.st_size}:{stat.st_mtime_ns}")
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


@contextmanager
def building(folder: Path) -> Iterator[None]:
    """Held while this process builds and publishes the index in ``folder``; another builder waits, then
    finds the index current (``KnowledgeBase.load`` checks again) instead of building it twice."""
    lock_path = folder.with_name(f".{folder.name}.lock")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        lock = lock_path.open("a")
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    with lock:  # closing it releases the lock, as the kernel does when the process dies
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def prepare(folder: Path) -> Path:
    """A fresh sibling folder to write a new index into (made a version by ``publish``); call it while
    ``building``."""
    staging = folder.with_name(f".{folder.name}.new")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    return staging


def publish(staging: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """Make ``staging`` the index: a new version, and ``folder`` (a symbolic link) pointed at it in one
    atomic rename. The version before stays for readers still reading it; older ones go."""
    (staging / MANIFEST).write_text(json.dumps({**manifest, "format": FORMAT}, indent=1), encoding="utf-8")
    version = staging.rename(folder.with_name(f".{folder.name}.v{time.time_ns()}"))
    previous = os.readlink(folder) if folder.is_symlink() else None
    link = folder.with_name(f".{folder.name}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    if folder.is_dir() and not folder.is_symlink():  # an index stored before versions: replaced once
        shutil.rmtree(folder)
    os.replace(link, folder)
    keep = {version.name, previous}
    for old in folder.parent.glob(f".{folder.name}.v*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _unwritable(folder: Path, exc: OSError) -> ConfigError:
    return ConfigError(
        f"cannot write the knowledge index under {folder.parent} ({exc.strerror}); "
        "set VOICE_KNOWLEDGE_DIR to a writable folder."
    )
