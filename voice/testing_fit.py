"""Whether a conversation script fits the assistant it is played against: a locale no loaded skill
speaks would only hear "Sorry, I can't help in that language yet.", and a stub for no setting of the
skill would leave its real API in place. Such a script is refused before its first turn. A script in a
language the skill speaks but the config's ``locales`` leave out is the config's choice, not the script's
mistake: ``voice test`` skips it and says why (``unserved_language``, ``unserved_reason``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .config import Config
from .errors import SkillError
from .language import language_of
from .router import Router
from .testing_stubs import unknown_stub


def line_of(text: str, key: str) -> int | None:
    """The line of the script where ``key`` is written as a key (also inside ``{...}``)."""
    pattern = re.compile(rf"(?:^[\s-]*|[{{,]\s*){re.escape(key)}\s*:")
    return next((number for number, line in enumerate(text.splitlines(), 1) if pattern.search(line)), None)


def unserved_language(locale: str | None, router: Router) -> str | None:
    """The language of the script's ``locale`` when a loaded skill speaks it and the config's ``locales``
    leave it out; None otherwise."""
    if locale is None:
        return None
    language = language_of(locale)
    spoken = {found for skill in router.skills.values() for found in skill.languages}
    return language if language in spoken and language not in router.languages else None


def unserved_reason(languages: Iterable[str], config: Config) -> str:
    """Why scripts in ``languages`` do not run, and what to do: the config serves other languages."""
    missing = ", ".join(sorted(set(languages)))
    served = ", ".join(f'"{locale}"' for locale in config.locales)
    return (
        f"the config {config.source} serves only {', '.join(map(language_of, config.locales))} "
        f"(locales = [{served}]), not {missing}; add {missing} to its locales to run them, or run them "
        f"with a config that serves {missing} (voice test --config FILE)"
    )


def played_locale(path: Path, locale: str | None, router: Router, config: Config) -> str:
    """The script's locale; without one, the language of the skills when they speak only one. ``config``
    (the router's) is named when its ``locales`` leave the script's language out."""
    spoken = router.languages
    if locale is None:
        if len(spoken) == 1:
            return spoken[0]
        raise SkillError(
            f"{path}: the script has no locale and the skills speak {', '.join(spoken)}; "
            f"write which one it is in, like locale: {spoken[0]}."
        )
    language = language_of(locale)
    if unserved_language(locale, router):
        raise _refusal(path, "locale", f"locale {locale!r}: {unserved_reason([language], config)}.")
    if language not in spoken:
        raise _refusal(
            path,
            "locale",
            f"locale {locale!r}: no loaded skill speaks {language!r} (they speak "
            f"{', '.join(spoken) or 'nothing'}); write one of those, or give the skill locales/{language}/.",
        )
    return locale


def refuse_unknown_stubs(path: Path, stubs: Mapping[str, Any], router: Router) -> None:
    """A stub must name a setting of the loaded skills (a ``SkillError`` otherwise)."""
    refused = unknown_stub(stubs, router.skills.values())
    if refused is not None:
        name, why = refused
        raise _refusal(path, name, f"stub {name!r} {why}")


def _refusal(path: Path, key: str, sentence: str) -> SkillError:
    """The file, the line where ``key`` is written, and the sentence."""
    try:
        line = line_of(path.read_text(encoding="utf-8"), key)
    except (OSError, UnicodeDecodeError):
        line = None
    return SkillError(f"{path}{f' line {line}' if line else ''}: {sentence}")
