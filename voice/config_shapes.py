"""The shape of every setting of the config file: one sentence naming the key and the form it needs.

``check_shapes`` runs when the config is read, so a ``[store]`` table where ``store = "..."`` belongs,
``dashboard = "x"`` where a table belongs, a typo in ``[handoff]``, ``retries = "three"`` or
``[models] nl = 3`` or ``[dashboard] session_hours = "8"`` stops the start with one line instead of a
traceback later. Every table is checked to be a table first; the keys of ``[server]`` are checked by the
server (``voice/server.py``; ``voice check`` runs that check too) and of ``[privacy]`` by its settings.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, SkillError
from .hours import BusinessHours

__all__ = [
    "DASHBOARD_KEYS",
    "HANDOFF_KEYS",
    "INSIGHTS_KEYS",
    "INSIGHT_LANGUAGES",
    "Check",
    "check_shapes",
    "check_value",
    "is_count",
    "is_flag",
    "is_text",
    "is_text_list",
    "is_text_table",
]

Check = tuple[Callable[[Any], bool], str]
"""Whether a value fits, and the form it needs in words (the end of "it must be ...")."""


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_fraction(value: Any) -> bool:
    """A number from 0 to 1: a confidence."""
    return _number(value) and 0 <= value <= 1


def _positive(value: Any) -> bool:
    return _number(value) and value > 0


def is_count(value: Any) -> bool:
    """A whole number above 0."""
    return _whole(value) and value > 0


def _table(value: Any) -> bool:
    return isinstance(value, dict)


def is_text_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(is_text(item) for item in value)


def is_text_table(value: Any) -> bool:
    """A table whose values are text (its keys are, as TOML has them)."""
    return isinstance(value, Mapping) and all(is_text(item) for item in value.values())


def _language(value: Any) -> bool:
    """A language code as turns carry it: ``nl``, ``en``."""
    return is_text(value) and re.fullmatch("[a-z]{2,3}", value) is not None


def _cues(value: Any) -> bool:
    """Words or phrases with a letter or digit each (a cue of punctuation only could never be said)."""
    return is_text_list(value) and all(re.search(r"\w", cue) for cue in value)


E164 = re.compile(r"\+[1-9][0-9]{1,14}")
"""A phone number in E.164 form: what Dialogflow's TELEPHONY transfer message takes (it has no SIP field)."""


def _e164(value: Any) -> bool:
    return isinstance(value, str) and E164.fullmatch(value) is not None


def _at_most(largest: float) -> Callable[[Any], bool]:
    """A number above 0 and at most ``largest`` (no infinity, which no clock can add)."""
    return lambda value: _positive(value) and value <= largest


def _time_zone(value: Any) -> bool:
    """An IANA time zone name the system's (or tzdata's) database knows: ``Europe/Amsterdam``."""
    try:
        return is_text(value) and bool(value) and zoneinfo.ZoneInfo(value) is not None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


_TOP: Mapping[str, Check] = {
    "speaking_rate": (_positive, "a number of words a minute, like speaking_rate = 175"),
    "store": (
        is_text,
        'a URL in quotes at the top of the file, like store = "sqlite:///var/lib/voice/sessions.db"',
    ),
    "retention_days": (_positive, "a number of days, like retention_days = 30"),
    "time_zone": (
        _time_zone,
        'the business\'s time zone, an IANA name at the top of the file, like time_zone = "Europe/Amsterdam"',
    ),
    "models": (_table, 'a table of language = model folder, like [models] nl = "/srv/models/nl"'),
    "voices": (_table, 'a table of language = voice, like [voices] nl = "nl+f2"'),
    "skill": (_table, 'one table per skill, like [skill.customer_service] booking_url = "https://..."'),
    "handoff": (_table, 'a table, like [handoff] url = "https://crm.example.com/handoff"'),
    "server": (_table, "a table, like [server] alexa_application_ids = [...]"),
    "dashboard": (_table, 'a table, like [dashboard] secret_key = "..." (see docs/insights.md)'),
    "insights": (_table, 'a table, like [insights] satisfaction = "yes_no"'),
    "privacy": (_table, 'a table, like [privacy] redact = ["email", "phone"]'),
}
_ENTRIES: Mapping[str, Check] = {
    "models": (
        is_text,
        'text, a model folder path, like [models] nl = "/srv/models/vosk-model-small-nl-0.22"',
    ),
    "voices": (is_text, 'text, an espeak-ng voice, like [voices] nl = "nl+f2"'),
    "skill": (
        _table,
        'a table of that skill\'s settings, like [skill.customer_service] booking_url = "https://..."',
    ),
}
"""The form of every entry of the tables whose keys are free (a language, a skill's name)."""
HANDOFF_KEYS: Mapping[str, Check] = {
    "url": (
        is_text,
        'an http(s) URL the records are POSTed to, like url = "https://crm.example.com/handoff"',
    ),
    "queue": (
        is_text,
        'a file the records are appended to as JSON lines, like queue = "/var/lib/voice/handoff.jsonl"',
    ),
    "timeout": (_positive, "seconds per POST, a number above 0, like timeout = 2.0"),
    "retries": (_whole, "how often a failed POST is tried again, a whole number, like retries = 3"),
    "max_fallbacks": (
        is_count,
        "the misunderstood turn in a row that hands over, a whole number above 0, like max_fallbacks = 3",
    ),
    "max_low_confidence": (
        is_count,
        "the turn in a row heard with low confidence that hands over, a whole number above 0, "
        "like max_low_confidence = 3",
    ),
    "low_confidence_below": (
        is_fraction,
        "the recognition confidence below which a turn is heard with low confidence, a number from 0 to 1, "
        "like low_confidence_below = 0.5",
    ),
    "max_no_input": (
        _whole,
        "the silent turns in a row that are asked again before the call closes, a whole number, "
        "like max_no_input = 2",
    ),
    "max_refusals": (
        is_count,
        "the value in a row a flow refuses for the same question (a closed day, a time outside opening "
        "hours) that hands over, a whole number above 0, like max_refusals = 3",
    ),
    "transfer_to": (
        _e164,
        "the phone number a phone gateway puts a handed-over call through to, in E.164 form (a plus, the "
        'country code, the number, no spaces), like transfer_to = "+31201234567"; Dialogflow\'s transfer '
        "message takes no SIP address",
    ),
    "hours": (
        lambda value: value == "always" or _table(value),
        "when colleagues can take over, per weekday on the business's time_zone, like "
        'hours = { monday = "09:00-17:00", saturday = "10:00-12:00, 13:00-16:00", sunday = "closed" }, '
        'or "always" (the default)',
    ),
    "irritation_cues": (
        lambda value: _table(value) and all(_language(key) and _cues(cues) for key, cues in value.items()),
        "a table of language code = list of words and phrases, like irritation_cues = "
        '{ nl = ["belachelijk", "waardeloos"] } (a language given replaces its built-in cues)',
    ),
}

DASHBOARD_KEYS: Mapping[str, Check] = {
    "users": (
        is_text_table,
        'a table of name = password hash, like users = { anna = "scrypt:..." } (voice dashboard user hash)',
    ),
    "secret_key": (is_text, 'text that signs the session cookies, like secret_key = "..."'),
    "secure_cookies": (is_flag, "true or false, like secure_cookies = true"),
    "lockout_failures": (
        is_count,
        "failed logins in a row that lock a name, a whole number above 0, like lockout_failures = 5",
    ),
    "lockout_minutes": (
        _at_most(525_600),
        "minutes a name stays locked, a number above 0 and at most a year, like lockout_minutes = 15",
    ),
    "session_hours": (
        _at_most(8_760),
        "hours a login lasts, a number above 0 and at most a year, like session_hours = 8",
    ),
}

INSIGHT_LANGUAGES = tuple(
    sorted(p.parent.name for p in Path(__file__).parent.glob("locales/*/insights.yaml"))
)
"""The languages the dashboard and the insights commands are written in (``locales/<lang>/insights.yaml``)."""


INSIGHTS_KEYS: Mapping[str, Check] = {
    "satisfaction": (
        lambda value: value in ("off", "yes_no", "scale"),
        'whether to ask "Did this help you?" at the end: "yes_no", "scale" (1-5) or "off", '
        'like satisfaction = "yes_no"',
    ),
    "language": (
        lambda value: value in INSIGHT_LANGUAGES,
        f"the language of the dashboard and the reports, one of {', '.join(INSIGHT_LANGUAGES)}, "
        'like language = "nl"',
    ),
}


def check_shapes(values: Mapping[str, Any], source: str) -> None:
    """Raise ``ConfigError`` for the first setting of the wrong shape or an unknown ``[handoff]``,
    ``[insights]`` or ``[dashboard]`` key."""
    for name, (fits, form) in _TOP.items():
        if name in values and not fits(values[name]):
            given = "a table" if isinstance(values[name], dict) else repr(values[name])
            raise ConfigError(f"{source}: {name!r} is {given}; it must be {form}.")
    for name, (fits, form) in _ENTRIES.items():
        for key, value in (values.get(name) or {}).items():
            if not fits(value):
                given = "a table" if isinstance(value, dict) else repr(value)
                raise ConfigError(f"{source}: [{name}] {key} = {given}; it must be {form}.")
    handoff = values.get("handoff") or {}
    _check_table("handoff", handoff, HANDOFF_KEYS, source)
    _check_table("insights", values.get("insights") or {}, INSIGHTS_KEYS, source)
    _check_table("dashboard", values.get("dashboard") or {}, DASHBOARD_KEYS, source)
    _check_password_hashes((values.get("dashboard") or {}).get("users") or {}, source)
    if handoff.get("url") and not str(handoff["url"]).startswith(("http://", "https://")):
        raise ConfigError(f"{source}: [handoff] url must start with http:// or https://.")
    if _table(handoff.get("hours")):
        try:
            BusinessHours.from_dict(handoff["hours"], source=f"{source}: [handoff] hours")
        except SkillError as exc:
            raise ConfigError(str(exc)) from None


def _check_table(table: str, values: Mapping[str, Any], keys: Mapping[str, Check], source: str) -> None:
    """Raise ``ConfigError`` for the first unknown key of ``[table]`` or value of the wrong form."""
    for key, value in values.items():
        if key not in keys:
            raise ConfigError(f"{source}: unknown setting {key!r} in [{table}]; known: {', '.join(keys)}.")
        check_value(table, key, value, keys[key], source)


def check_value(table: str, key: str, value: Any, check: Check, source: str) -> None:
    """Raise ``ConfigError`` naming ``[table] key`` and the form it needs when ``value`` does not fit."""
    fits, form = check
    if not fits(value):
        shown = "(hidden)" if _SECRET.search(key) else repr(value)  # an error ends up in logs
        raise ConfigError(f"{source}: [{table}] {key} = {shown}; it must be {form}.")


_PASSWORD_HASH = re.compile(r"(scrypt(:\d+){0,3}|pbkdf2(:\w+)?(:\d+)?)\$[A-Za-z0-9]+\$[0-9a-f]+")
"""A werkzeug password hash (``method$salt$hex``), the only form a login is checked against."""


def _check_password_hashes(users: Mapping[str, str], source: str) -> None:
    """Raise ``ConfigError`` for a user whose value is not a password hash: a plain password there would
    be accepted and then refuse every login. The value is a secret, so it is not shown."""
    for name, value in users.items():
        if not _PASSWORD_HASH.fullmatch(value):
            raise ConfigError(
                f"{source}: [dashboard] users: the value of {name!r} is not a password hash; put what "
                f'voice dashboard user hash prints in its place, like {name} = "scrypt:32768:8:1$...".'
            )


_SECRET = re.compile("password|token|secret|users", re.IGNORECASE)
"""Keys whose values are not shown: credentials, and the dashboard's users (password hashes)."""
