"""Downloading Vosk's published small models, verified and extracted atomically.

The model list and archives come from Vosk's site (``VOSK_MODEL_LIST_URL`` overrides the
list, which tests point at a loopback server). An archive is checked against the list's
size and MD5, extracted into a temporary folder beside the target and renamed into place,
so a failed or interrupted download never leaves a half-written model folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelError
from .models import VOSK_DIRS, is_model_dir

_LOGGER = logging.getLogger(__name__)

MODEL_LIST_URL = "https://alphacephei.com/vosk/models/model-list.json"
_TIMEOUT_S = 20
_CHUNK = 1 << 16

_IN_THE_WAY = (
    "{target} is in the way and holds no Vosk model; remove the folder {target} and run the command again."
)

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) while downloading."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedModel:
    """One entry of Vosk's model list."""

    name: str
    lang: str
    url: str
    size: int
    """Bytes of the zip archive."""
    md5: str


def published_models(list_url: str | None = None) -> list[PublishedModel]:
    """Vosk's current small models (obsolete ones left out)."""
    url = list_url or os.environ.get("VOSK_MODEL_LIST_URL", MODEL_LIST_URL)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
            entries: list[dict[str, Any]] = json.load(response)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ModelError(
            f"cannot reach {url} to list Vosk's models ({_reason(exc)}); check the internet connection, "
            "or copy a model folder into ~/.cache/vosk."
        ) from exc
    except ValueError as exc:
        raise ModelError(f"{url} did not return a valid model list; try again later.") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ModelError(f"{url} did not return a valid model list; try again later.")
    return [
        _published(e, url)
        for e in entries
        if e.get("type") == "small" and str(e.get("obsolete", "false")).lower() != "true"
    ]


def _published(entry: dict[str, Any], url: str) -> PublishedModel:
    """One entry of the list, or an error that names what it lacks."""
    try:
        return PublishedModel(
            name=str(entry["name"]),
            lang=str(entry["lang"]).lower(),
            url=str(entry["url"]),
            size=int(entry["size"]),
            md5=str(entry["md5"]),
        )
    except KeyError as exc:
        problem = f"without {exc.args[0]!r}"
    except (TypeError, ValueError):
        problem = f"whose size {entry['size']!r} is not a number"
    raise ModelError(
        f"the model list {url} has an entry ({entry.get('name', 'no name')}) {problem}; "
        "try again later, or set VOSK_MODEL_LIST_URL to a complete list."
    )


def choose(models: list[PublishedModel], lang: str) -> PublishedModel:
    """The small model for ``lang`` (``en`` picks ``en-us``); explains when there is none."""
    wanted = lang.lower().replace("_", "-")
    exact = [m for m in models if m.lang == wanted]
    close = [m for m in models if m.lang.split("-")[0] == wanted.split("-")[0]]
    if exact or close:
        return (exact or close)[0]
    known = ", ".join(sorted({m.lang for m in models}))
    raise ModelError(f"Vosk publishes no small model for {lang!r}; choose one of: {known}.")


def pull_model(
    lang: str,
    dest: Path | None = None,
    *,
    list_url: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download, verify and install the small model for ``lang``; return its folder."""
    model = choose(published_models(list_url), lang)
    dest = dest or VOSK_DIRS[-1]
    target = dest / model.name
    if is_model_dir(target):
        return target
    if target.exists() or target.is_symlink():
        raise ModelError(_IN_THE_WAY.format(target=target))
    with _work_folder(dest, model.name) as work:
        archive = work / "model.zip"
        _download(model, archive, progress)
        _extract(archive, work / "extracted", target)
    return target


@contextlib.contextmanager
def _work_folder(dest: Path, name: str) -> Iterator[Path]:
    """A temporary folder inside ``dest`` (created if need be), where the model is downloaded and
    extracted before it is renamed into place."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
        work = tempfile.TemporaryDirectory(prefix=f".{name}-", dir=dest)
    except OSError as exc:
        raise ModelError(
            f"cannot write into {dest} ({exc.strerror or exc}); choose a folder you can write to with --dest."
        ) from exc
    with work as folder:
        yield Path(folder)


def _download(model: PublishedModel, archive: Path, progress: Progress | None) -> None:
    digest = hashlib.md5(usedforsecurity=False)
    done = 0
    try:
        with urllib.request.urlopen(model.url, timeout=_TIMEOUT_S) as response, archive.open("wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, model.size)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ModelError(
            f"downloading {model.name} failed ({_reason(exc)}); "
            "check the connection and run the command again."
        ) from exc
    if done != model.size or digest.hexdigest() != model.md5:
        raise ModelError(
            f"the download of {model.name} is corrupt (size or checksum differs); run the command again."
        )


def _extract(archive: Path, staging: Path, target: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelError(f"the archive holds an unsafe path {member!r}; it was not installed.")
            zipped.extractall(staging)
    except zipfile.BadZipFile as exc:
        raise ModelError("the downloaded archive is not a valid zip file; run the command again.") from exc
    except OSError as exc:
        raise ModelError(
            f"extracting the model into {staging.parent} failed ({exc.strerror or exc}); "
            "make room there (or choose another folder with --dest) and run the command again."
        ) from exc
    roots = [p for p in staging.iterdir() if p.is_dir()]
    folder = roots[0] if len(roots) == 1 and not is_model_dir(staging) else staging
    if not is_model_dir(folder):
        raise ModelError(
            "the downloaded archive holds no Vosk model (no am/final.mdl); it was not installed."
        )
    try:
        folder.rename(target)
    except OSError as exc:
        if is_model_dir(target):  # another process installed it meanwhile
            return
        shutil.rmtree(folder, ignore_errors=True)
        if target.exists():
            raise ModelError(_IN_THE_WAY.format(target=target)) from exc
        raise ModelError(
            f"cannot install the model into {target} ({exc.strerror}); "
            f"check the permissions of {target.parent}."
        ) from exc


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason) or type(exc).__name__
