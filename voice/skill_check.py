"""Start-up checks of the loaded skills: what would otherwise fail on a caller's turn fails now.

``check_skills`` reads every skill's templates and responses in every language, compiles the
router's matchers (an unknown list or rule is found here), and checks that every handler and
flow belongs to an intent some template defines. The first problem is one ``SkillError`` or
``TemplateError`` sentence that names the skill, the file and the fix.
"""

from __future__ import annotations

from .builtins import LAUNCH, builtin_intents, builtin_languages
from .errors import SkillError
from .router import Router
from .skill import Skill

__all__ = ["check_skills"]


def check_skills(router: Router) -> None:
    """Raise the first problem of the router's skills; return quietly when there is none."""
    for skill in router.skills.values():
        for language in skill.languages:
            skill.intents(language)
            skill.responses(language)
    for language in router.languages:
        router.matcher(language)
    for skill in router.skills.values():
        _check_handlers(skill)


def _check_handlers(skill: Skill) -> None:
    declared = {name for language in skill.languages for name in skill.intents(language).intents}
    known = declared | _framework_intents()
    for kind, names in (("a handler", skill.handlers), ("a flow", skill.flows)):
        for name in names:
            if name not in known:
                raise SkillError(
                    f"skill {skill.name!r} has {kind} for intent {name!r}, which no template in "
                    f"{skill.root / 'locales'}/*/intents.yaml defines; fix the name or add the intent."
                )


def _framework_intents() -> set[str]:
    """Intents a skill may handle without templates: the launch and the built-ins."""
    return {LAUNCH} | {name for lang in builtin_languages() for name in builtin_intents(lang).intents}
