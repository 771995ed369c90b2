"""Whether the framework speaks every language a skill speaks: its built-in intents and replies
(``voice/locales/<lang>/``) in each, a translated pack with all of English's, and no ``locales/<lang>/``
folder of a language the skill does not speak. ``voice check`` refuses what these find; the start only
logs it (``skill_check.check_skills``): the skill still answers its own intents there.
"""

from __future__ import annotations

from .builtins import (
    BUILTIN_LOCALES,
    builtin_intents,
    builtin_languages,
    builtin_reply_languages,
    builtin_responses,
)
from .language import language_of
from .router import Router
from .skill import Skill

__all__ = ["builtin_problems", "locale_problems"]


def locale_problems(router: Router) -> list[str]:
    """A ``locales/<lang>/`` folder of a language the skill does not speak, for want of ``intents.yaml``:
    its responses are never read, and nothing else would say so (a region's folder, ``locales/en-US/``
    with only ``skill.yaml``, is the exports' and fine where the skill speaks ``en``)."""
    problems: list[str] = []
    for skill in router.skills.values():
        spoken = {language_of(language) for language in skill.languages}
        folders = (skill.root / "locales").glob("*/")
        for folder in sorted(f for f in folders if language_of(f.name) not in spoken):
            problems.append(
                f"skill {skill.name!r}: {folder} has no intents.yaml, so the skill does not speak "
                f"{folder.name!r}; add {folder / 'intents.yaml'}, or remove the folder."
            )
    return problems


def builtin_problems(router: Router) -> list[str]:
    """A served language of a skill where the framework has no built-in intents, or no replies the skill
    does not give itself: there a caller cannot say yes, no, stop or help (a confirmation never
    finishes), or hears the framework's apologies and goodbyes in English. A language pack being
    translated that lacks some of English's intents or replies is named with what it lacks."""
    problems: list[str] = []
    for skill in router.skills.values():
        for language in skill.languages:
            if language not in router.languages:
                continue
            intents = language not in builtin_languages()
            replies = not _replies_covered(skill, language)
            if intents or replies:
                problems.append(_builtin_sentence(skill, language, intents=intents, replies=replies))
            elif gaps := _pack_gaps(skill, language):
                problems.append(_gaps_sentence(skill, language, gaps))
    return problems


def _replies_covered(skill: Skill, language: str) -> bool:
    """The framework has replies in ``language``, or the skill's ``builtin:`` section has every one."""
    if language in builtin_reply_languages():
        return True
    return set(builtin_responses("en").templates) <= set(skill.builtin_replies(language).templates)


def _pack_gaps(skill: Skill, language: str) -> dict[str, list[str]]:
    """The built-in intents and the replies (neither the pack's nor the skill's own) that English has
    and the ``language`` pack lacks."""
    intents = set(builtin_intents("en").intents) - set(builtin_intents(language).intents)
    replies = set(builtin_responses("en").templates) - set(skill.builtin_replies(language).templates)
    if language in builtin_reply_languages():
        replies -= set(builtin_responses(language).templates)
    return {kind: sorted(names) for kind, names in (("intents", intents), ("replies", replies)) if names}


def _gaps_sentence(skill: Skill, language: str, gaps: dict[str, list[str]]) -> str:
    what = {
        "intents": ("intents.yaml", "a caller cannot say them there"),
        "replies": ("responses.yaml", "they are spoken in English"),
    }
    lacks = [f"the built-in {kind} {', '.join(names)} ({what[kind][1]})" for kind, names in gaps.items()]
    files = " and ".join(what[kind][0] for kind in gaps)
    folder, english = BUILTIN_LOCALES / language, BUILTIN_LOCALES / "en"
    return (
        f"skill {skill.name!r} speaks {language!r}, but the framework's {language!r} pack lacks "
        f"{' and '.join(lacks)}; add them to {files} in {folder}/, translated from {english}/."
    )


def _builtin_sentence(skill: Skill, language: str, *, intents: bool, replies: bool) -> str:
    """One sentence: the skill, the language, what is missing, the languages that have it, the fix."""
    gaps = [
        (
            "intents",
            builtin_languages(),
            "so a caller cannot say yes, no, stop or help there and no confirmation can finish",
            "intents.yaml",
        ),
        (
            "replies",
            builtin_reply_languages(),
            "so the apologies, goodbyes and handoff are spoken in English",
            "responses.yaml",
        ),
    ]
    chosen = [gap for gap, wanted in zip(gaps, (intents, replies), strict=True) if wanted]
    missing = [
        f"no built-in {kind} in {language!r} (only in {', '.join(sorted(have))}), {why}"
        for kind, have, why, _ in chosen
    ]
    files = [file for *_, file in chosen]
    folder, english = BUILTIN_LOCALES / language, BUILTIN_LOCALES / "en"
    fix = f"add {' and '.join(files)} to {folder}/, translated from {english}/"
    if replies:
        own = skill.root / "locales" / language / "responses.yaml"
        fix += f" (the skill may instead give every reply itself, under 'builtin:' in {own})"
    return f"skill {skill.name!r} speaks {language!r}, but the framework has {', and '.join(missing)}; {fix}."
