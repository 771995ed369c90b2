"""The router: one compiled matcher per language over all loaded skills, and dispatch.

``respond(turn)`` matches the turn's text (unless the channel resolved the intent), finds
the skill that owns the intent and runs its handler. No match gives the framework's
fallback reply; a handler that raises gives a spoken apology (logged with its traceback),
so a caller never meets a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from .errors import SkillError
from .nlu import IntentMatch, IntentSet, Matcher
from .reply import Expect, Reply
from .responses import Responses
from .skill import Skill
from .turn import Turn

_LOGGER = logging.getLogger(__name__)
BUILTIN_LOCALES = Path(__file__).parent / "locales"
"""The framework's own intents and replies: ``<lang>/intents.yaml`` and ``<lang>/responses.yaml``."""


class Router:
    """Routes turns to the skills' handlers."""

    def __init__(
        self,
        skills: Sequence[Skill],
        *,
        extra_intents: Mapping[str, Iterable[IntentSet]] | None = None,
        fuzzy_threshold: float | None = None,
    ) -> None:
        self.skills = {skill.name: skill for skill in skills}
        self.extra_intents = {lang: tuple(sets) for lang, sets in (extra_intents or {}).items()}
        self.fuzzy_threshold = fuzzy_threshold
        self._matchers: dict[str, Matcher] = {}
        self._lists: dict[str, list[Any]] = {}

    @cached_property
    def languages(self) -> tuple[str, ...]:
        found = {lang for skill in self.skills.values() for lang in skill.languages} | set(self.extra_intents)
        return tuple(sorted(found))

    def matcher(self, language: str) -> Matcher:
        """The compiled matcher of every skill in ``language`` (built once)."""
        if language not in self._matchers:
            sets = [s.intents(language) for s in self.skills.values() if language in s.languages]
            sets += self.extra_intents.get(language, ())
            if not sets:
                raise SkillError(
                    f"no skill speaks {language!r}; loaded languages: {', '.join(self.languages)}."
                )
            matcher = Matcher(sets, fuzzy_threshold=self.fuzzy_threshold)
            for name, values in self._lists.items():
                matcher.set_list(name, values)
            self._matchers[language] = matcher
        return self._matchers[language]

    def set_list(self, name: str, values: Iterable[Any]) -> None:
        """Give list ``name`` these values in every language; kept when the matchers are rebuilt."""
        self._lists[name] = list(values)
        for matcher in self._matchers.values():
            matcher.set_list(name, self._lists[name])

    def parse(
        self, text: str, language: str, context: Mapping[str, Any] | None = None, *, now: Any = None
    ) -> IntentMatch | None:
        """The best match for ``text``, or None; ``now`` anchors relative dates ("tomorrow")."""
        return self.matcher(language).match(text, context=context, now=now)

    def respond(self, turn: Turn, context: Mapping[str, Any] | None = None) -> Reply:
        """Answer one turn; never raises for a caller's input."""
        if turn.language not in self.languages:
            return self.builtin(turn, "unsupported_language", end_session=True)
        if turn.intent is None:
            match = self.parse(turn.text, turn.language, context, now=turn.time)
            if match is None:
                return self.builtin(turn, "fallback", expect=Expect.ANSWER)
            turn = turn.matched(match)
        skill = self.skills.get(turn.skill) or next(iter(self.owners(turn.intent, turn.language)), None)
        if skill is None:
            return self.builtin(turn, "fallback", expect=Expect.ANSWER)
        try:
            return skill.answer(turn)
        except Exception:
            _LOGGER.exception(
                "skill %s failed on intent %s (session %s)", skill.name, turn.intent, turn.session_id
            )
            return self.builtin(turn, "error", expect=Expect.ANSWER)

    def owners(self, intent: str | None, language: str) -> list[Skill]:
        """The skills that declare ``intent`` in ``language`` (for intents a channel resolved)."""
        return [
            skill
            for skill in self.skills.values()
            if language in skill.languages and intent in skill.intents(language).intents
        ]

    def add_intents(self, language: str, intent_set: IntentSet) -> None:
        """Add templates that belong to no skill (the dialog's built-in intents), once."""
        present = self.extra_intents.get(language, ())
        if any(existing is intent_set for existing in present):
            return
        self.extra_intents[language] = (*present, intent_set)
        self._matchers.pop(language, None)

    def builtin(
        self,
        turn: Turn,
        key: str,
        *,
        expect: Expect = Expect.NOTHING,
        end_session: bool = False,
        **values: Any,
    ) -> Reply:
        """One of the framework's own replies (fallback, error, goodbye, ...) in the turn's language."""
        return builtin_reply(turn, key, expect=expect, end_session=end_session, **values)


def builtin_reply(
    turn: Turn, key: str, *, expect: Expect = Expect.NOTHING, end_session: bool = False, **values: Any
) -> Reply:
    """One of the framework's own replies (``voice/locales/<lang>/responses.yaml``); English otherwise."""
    language = turn.language if turn.language in builtin_languages() else "en"
    speech = builtin_responses(language).render(key, values, seed=f"{turn.session_id}{turn.text}")
    return Reply(speech=speech, expect=expect, end_session=end_session)


@cache
def builtin_languages() -> frozenset[str]:
    return frozenset(path.parent.name for path in BUILTIN_LOCALES.glob("*/responses.yaml"))


@cache
def builtin_responses(language: str) -> Responses:
    return Responses.from_file(BUILTIN_LOCALES / language / "responses.yaml")
