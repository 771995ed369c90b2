"""Whether a conversation script fits the assistant it is played against: a locale no loaded skill
speaks would only hear "Sorry, I can't help in that language yet.", and a stub for no setting of the
skill would leave its real API in place. Such a script is refused before its first turn."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import SkillError
from .language import language_of
from .router import Router
from .testing_stubs import unknown_stub


def line_of(text: str, key: str) -> int | None:
    """The line of the script where ``key`` is written as a key (also inside ``{...}``)."""
    pattern = re.compile(rf"(?:^[\s-]*|[{{,]\s*){re.escape(key)}\s*:")
    return next((number for number, line in enumerate(text.splitlines(), 1) if pattern.search(line)), None)


def played_locale(path: Path, locale: str | None, router: Router) -> str:
    """The script's locale; without one, the language of the skills when they speak only one."""
    spoken = router.languages
    if locale is None:
        if len(spoken) == 1:
            return spoken[0]
        raise SkillError(
            f"{path}: the script has no locale and the skills speak {', '.join(spoken)}; "
            f"write which one it is in, like locale: {spoken[0]}."
        )
    language = language_of(locale)
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
