"""The one config file (TOML). Every setting has a default, so no file is needed to start.

    skills = ["customer_service"]          # names of folders in skills/ (see skills_folder) or folder paths
    locales = ["en", "nl"]                  # the languages served; absent: every language of the skills
    fuzzy_threshold = 0.8                   # off when absent
    store = "sqlite:///var/lib/voice/sessions.db"
    retention_days = 30
    time_zone = "Europe/Amsterdam"          # the business's clock ("morgen", shown times); UTC when absent

    [models]  nl = "/srv/models/vosk-model-small-nl-0.22"
    [voices]  nl = "nl+f2"
    [skill.customer_service]  booking_url = "https://calendar.example.com/api"
    [server]  alexa_application_ids = ["amzn1.ask.skill.…"]
    [handoff]  url = "https://crm.example.com/handoff"   queue = "/var/lib/voice/handoff.jsonl"
               max_fallbacks = 3   irritation_cues = { nl = ["belachelijk", "waardeloos"] }
               transfer_to = "+31201234567"       # where a phone gateway puts a handed-over call
    [insights]  satisfaction = "yes_no"                 # or "scale" (1-5); off by default
                language = "nl"                          # the dashboard's and reports' words
    [privacy]  redact = ["email", "phone", "iban", "bsn", "card", "address", "birthdate"]  # default: all

Found at: an explicit path, else ``$VOICE_CONFIG``, else ``./voice.toml`` when present. Without
``skills``, the skills of the ``skills/`` folder next to it (``skills_folder``) load.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .config_shapes import check_shapes
from .errors import ConfigError, SkillError
from .redaction import RedactionSettings

SKILLS_DIR = Path(__file__).resolve().parent.parent / "skills"


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Validated settings; unknown keys are refused so typos do not pass silently."""

    skills: tuple[str, ...] = ()
    """Empty: every skill in ``skills_folder(config)``."""
    locales: tuple[str, ...] = ()
    """The languages served (``nl``, ``en-GB`` ...); empty: every language the loaded skills have. A turn in
    another language gets the polite "I can't help in that language yet"."""
    fuzzy_threshold: float | None = None
    models: dict[str, str] = field(default_factory=dict)
    voices: dict[str, str] = field(default_factory=dict)
    speaking_rate: int = 175
    store: str = ""
    """Session store URL; empty: ``sqlite:///$XDG_DATA_HOME/voice-skills/sessions.db``."""
    retention_days: int = 30
    time_zone: str = ""
    """The business's clock, an IANA name (``Europe/Amsterdam``): callers' "vandaag" and "morgen", the
    skills' ``turn.time``, the handoff records' times and the times the dashboard and the reports show
    are on it; empty: UTC."""
    skill: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per-skill settings, ``[skill.<name>]``."""
    handoff: dict[str, Any] = field(default_factory=dict)
    """Handing over to a person, ``[handoff]``: where the records go, ``url`` (HTTP POST), ``queue`` (a
    JSON-lines file), ``timeout`` (seconds per POST), ``retries``; and when, ``max_fallbacks``,
    ``max_low_confidence``, ``low_confidence_below``, ``max_no_input``, ``irritation_cues``; and where a phone
    gateway puts the call through, ``transfer_to`` (the fields of ``HandoffPolicy``; see docs/dialogs.md and
    docs/deployment.md)."""
    server: dict[str, Any] = field(default_factory=dict)
    """Webhook settings, ``[server]`` (see docs/channels.md)."""
    dashboard: dict[str, Any] = field(default_factory=dict)
    """The insights dashboard, ``[dashboard]``: users, secret_key, lockout (see docs/insights.md)."""
    insights: dict[str, Any] = field(default_factory=dict)
    """``[insights]``: ``satisfaction = "yes_no"`` or ``"scale"`` asks "Did this help you?" at the end of a
    contained conversation (off by default); ``language`` of the dashboard and the reports (see
    docs/insights.md)."""
    privacy: RedactionSettings = field(default_factory=RedactionSettings)
    """What personal data is redacted before text is stored, ``[privacy]`` (see docs/sessions.md)."""
    source: str = "defaults"
    folder: Path | None = None
    """The config file's folder (None: no file): its ``skills/`` folder. Not a setting of the file."""
    chosen_skills: bool = False
    """A command chose the skills (``voice check SKILL``; ``only_skills``): the ``[skill.<name>]`` tables of
    the others are then no mistake. Not a setting of the file."""

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "<dict>", folder: Path | None = None) -> Config:
        known = {f.name for f in fields(cls)} - {"source", "folder", "chosen_skills"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting {unknown[0]!r}; known settings: {', '.join(sorted(known))}."
            )
        check_shapes(raw, source)
        values = dict(raw)
        for name in ("skills", "locales"):
            if name in values:
                if not isinstance(values[name], list) or not all(isinstance(v, str) for v in values[name]):
                    raise ConfigError(
                        f'{source}: {name!r} must be a list of names, like {name} = ["a", "b"].'
                    )
                values[name] = tuple(values[name])
        threshold = values.get("fuzzy_threshold")
        if threshold is not None and not (isinstance(threshold, int | float) and 0 < threshold <= 1):
            raise ConfigError(f"{source}: fuzzy_threshold must be a number above 0 and at most 1.")
        if "privacy" in values:
            values["privacy"] = RedactionSettings.from_config(values["privacy"], source=source)
        return cls(**values, source=source, folder=folder)


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file, or return the defaults when there is none."""
    chosen = (
        path or os.environ.get("VOICE_CONFIG") or ("voice.toml" if Path("voice.toml").is_file() else None)
    )
    if chosen is None:
        return Config()
    file = Path(chosen)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {file} does not exist; check the path or VOICE_CONFIG.") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file} is not valid TOML ({exc}); fix the file.") from exc
    return Config.from_dict(raw, source=str(file), folder=file.parent)


def skills_folder(config: Config) -> Path | None:
    """The project's own ``skills/`` folder: next to the config file, or in the working directory when
    there is no file; None when there is none (or it is the shipped one), and the shipped skills serve."""
    folder = (config.folder or Path()) / "skills"
    return folder if folder.is_dir() and folder.resolve() != SKILLS_DIR else None


def skill_references(config: Config) -> list[str]:
    """The skills to load: the configured ones, else every skill of the project's ``skills/`` folder, else
    every shipped skill (by module name: ``skills.<name>`` stays one module however it is named)."""
    if config.skills:
        return list(config.skills)
    from .skill_loading import discover

    folder = skills_folder(config)
    if folder is None:
        return discover(SKILLS_DIR)
    found = [str(folder / name) for name in discover(folder)]
    if not found:
        file = config.source if config.folder else "voice.toml"
        raise SkillError(
            f"{folder} has no skill folders (a folder with __init__.py and locales/); create one with "
            f"'voice init NAME --into {folder}', or name the skills in {file} (skills = [...])."
        )
    return found


def only_skills(config: Config, references: Iterable[str]) -> Config:
    """``config`` with only these skills (names or folders), as a command's SKILL arguments choose them."""
    return replace(config, skills=tuple(references), chosen_skills=True)


LOCALE_DEFAULT = "default: the config's first locale (locales = [...]), else en"
"""What the help of every language option says of its default (``default_locale``)."""


def default_locale(config: Config) -> str:
    """The locale a command uses when it is given none: the first the config serves (a team that serves
    only Dutch is not asked for English), else English."""
    return config.locales[0] if config.locales else "en"


def store_url(config: Config) -> str:
    """The configured store, or an SQLite file in the user's data folder."""
    if config.store:
        return config.store
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{data / 'voice-skills' / 'sessions.db'}"


def business_zone(config: Config) -> tzinfo:
    """The ``time_zone`` of ``config`` (checked when the config was read); UTC when none is set."""
    return ZoneInfo(config.time_zone) if config.time_zone else UTC
