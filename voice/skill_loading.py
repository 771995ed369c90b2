"""Loading a skill: by folder path, by name in the project's ``skills/`` folder or among the shipped
skills, or by module name; a skill that cannot load is one sentence that says where and why."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import traceback
from functools import partial
from pathlib import Path
from typing import Any

from .errors import SkillError, VoiceError
from .skill import Skill
from .suggestions import nearest

__all__ = ["discover", "load_skill", "skill_folder"]


def load_skill(reference: str | Path, skills_folder: Path | None = None) -> Skill:
    """Import a skill by folder path, by name (its folder in ``skills_folder``, else the shipped skill
    ``skills.<name>``) or by module name (``skills.customer_service``). A skill that cannot load is one
    sentence: no such skill or folder, no skill folder, or where its code failed."""
    text = str(reference)
    folder = _skill_folder(text, skills_folder)
    module_name = _module_name(text)
    try:
        module = _import_folder(folder) if folder else importlib.import_module(module_name)
    except VoiceError:  # a broken template, a folder without __init__.py, the skill's own SkillError
        raise
    except ModuleNotFoundError as exc:
        if folder is None and exc.name and f"{module_name}.".startswith(f"{exc.name}."):
            raise _no_skill(text, skills_folder) from exc
        raise _load_failure(text, exc) from exc
    except Exception as exc:
        raise _load_failure(text, exc) from exc
    skill = getattr(module, "skill", None)
    if not isinstance(skill, Skill):
        raise SkillError.said("no_skill_object", module=module.__name__)
    return skill


def skill_folder(reference: str | Path, skills_folder: Path | None = None) -> Path:
    """The folder of the skill ``load_skill`` would load, without running its code: for commands that read
    a skill's files (its knowledge content). No such skill is the same sentence as ``load_skill``'s."""
    text = str(reference)
    folder = _skill_folder(text, skills_folder)
    if folder is not None:
        return folder
    try:
        spec = importlib.util.find_spec(_module_name(text))
    except ModuleNotFoundError:  # the parent package of a dotted name
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise _no_skill(text, skills_folder)
    return Path(next(iter(spec.submodule_search_locations)))


def _module_name(reference: str) -> str:
    """A skill's module: a dotted name as it is, a name among the shipped skills (``skills.<name>``)."""
    return reference if "." in reference else f"skills.{reference}"


def _skill_folder(reference: str, skills_folder: Path | None) -> Path | None:
    """The folder ``reference`` names (a path, or a name in ``skills_folder``); None for a module name."""
    path = Path(reference)
    if path.is_dir():
        return path
    if len(path.parts) > 1 or reference.startswith("."):  # "./shop" is a path, not a module name
        known = discover(path.parent) if path.parent.is_dir() else []
        parent = str(path.parent).replace("{", "{{").replace("}", "}}")  # a folder's braces are no field
        close = nearest(path.name, known, str(Path(parent) / "{}"))
        raise SkillError.said("no_skill_folder", path=path, nearest=close)
    if skills_folder is not None and (skills_folder / reference).is_dir():
        return skills_folder / reference
    return None


def _no_skill(reference: str, skills_folder: Path | None) -> SkillError:
    from .config import SKILLS_DIR

    known = (discover(skills_folder) if skills_folder else []) + discover(SKILLS_DIR)
    close = nearest(reference.rpartition(".")[2], known)
    return SkillError.said("no_skill", skill=repr(reference), folder=skills_folder or "", nearest=close)


def _load_failure(reference: str, exc: Exception) -> SkillError:
    """Where the skill's own code failed, and on what."""
    said = partial(SkillError.said, "cannot_load", skill=repr(reference))
    if isinstance(exc, SyntaxError):
        return said(kind="syntax", path=exc.filename or "", line=exc.lineno, what=exc.msg)
    if isinstance(exc, ModuleNotFoundError):
        return said(kind="missing", **_raised_in(exc), what=repr(exc.name))
    return said(kind="raised", **_raised_in(exc), what=f"{type(exc).__name__}: {exc}")


def _raised_in(exc: Exception) -> dict[str, Any]:
    """The ``path`` and ``line`` of the skill's code that raised ``exc`` (the importer's own frames left
    out), apart, as each language says "line" its own way; the path empty when none is known (the
    sentence says "its code" in its words then)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<frozen")]
    return {"path": frames[-1].filename, "line": frames[-1].lineno} if frames else {"path": ""}


def _import_folder(path: Path) -> Any:
    """The skill package in ``path``, imported once per folder: two folders with the same name (a copied
    skill) are two modules, so the copy never runs the original's code."""
    folder = path.resolve()
    readable = re.sub(r"\W", "_", folder.name)  # "shop.v2" must not read as a package path
    name = f"voice_skill_{readable}_{hashlib.sha1(str(folder).encode()).hexdigest()[:10]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    if spec is None or spec.loader is None or not (path / "__init__.py").is_file():
        raise SkillError.said("not_skill_folder", path=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:  # a half-run module must not hide this error at the next load
        del sys.modules[name]
        raise
    return module


def discover(folder: str | Path) -> list[str]:
    """Names of the skill packages in ``folder`` (those with ``locales/``)."""
    root = Path(folder)
    return sorted(
        p.name for p in root.iterdir() if (p / "__init__.py").is_file() and (p / "locales").is_dir()
    )
