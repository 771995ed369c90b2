"""The router: one compiled matcher per language over the loaded skills and the built-in intents.

It is a pure, read-only cache: everything it matches (the skills' templates, the built-in
intents, extra intent sets such as Home Assistant's, runtime list values) is given to the
constructor, and each language's matcher is compiled once, on first use. Answering is the
dialog's job (``voice.dialog``), not the router's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from .builtins import BUILTIN, WAIT, builtin_intents, builtin_languages
from .errors import SkillError
from .hesitations import corrected, without_hesitations, without_opener
from .nlu import IntentMatch, IntentSet, Matcher
from .nlu.slots import WILDCARD_KIND
from .person_request import PERSON_REQUEST, tails
from .skill import Skill

__all__ = ["Router"]


class Router:
    """Matches text to the intents of the skills (and the built-ins) in each language."""

    def __init__(
        self,
        skills: Sequence[Skill],
        *,
        extra_intents: Mapping[str, Iterable[IntentSet]] | None = None,
        lists: Mapping[str, Iterable[Any]] | None = None,
        fuzzy_threshold: float | None = None,
        languages: Iterable[str] = (),
    ) -> None:
        """``extra_intents``: intent sets that belong to no skill, per language (Home Assistant's);
        ``lists``: values of lists filled at run time (``area`` -> ["keuken", ...]), in every language;
        ``languages``: the only ones served (the config's ``locales``); empty: every one the skills have."""
        self.skills: Mapping[str, Skill] = _by_name(skills)
        extra = {lang: tuple(sets) for lang, sets in (extra_intents or {}).items()}
        self.lists: Mapping[str, tuple[Any, ...]] = {name: tuple(v) for name, v in (lists or {}).items()}
        self.fuzzy_threshold = fuzzy_threshold
        found = {lang for skill in skills for lang in skill.languages} | set(extra)
        served = set(languages)
        if unspoken := sorted(served - found):
            raise SkillError(
                f"locales names {', '.join(map(repr, unspoken))}, which no loaded skill speaks (they speak "
                f"{', '.join(sorted(found)) or 'nothing'}); fix locales in the config or add the language."
            )
        self._sets: dict[str, tuple[IntentSet, ...]] = {
            lang: self._intent_sets(lang, extra.get(lang, ()))
            for lang in found
            if not served or lang in served
        }
        self._matchers: dict[str, Matcher] = {}

    def _intent_sets(self, language: str, extra: tuple[IntentSet, ...]) -> tuple[IntentSet, ...]:
        own = tuple(s.intents(language) for s in self.skills.values() if language in s.languages)
        builtins = (builtin_intents(language),) if language in builtin_languages() else ()
        return (*own, *extra, *builtins)

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Every language some skill (or extra intent set) speaks."""
        return tuple(sorted(self._sets))

    def matcher(self, language: str) -> Matcher:
        """The compiled matcher of ``language`` (built on first use, then shared)."""
        found = self._matchers.get(language)
        if found is None:
            sets = self._sets.get(language)
            if not sets:
                raise SkillError.said(
                    "no_skill_speaks", language=repr(language), languages=", ".join(self.languages)
                )
            found = Matcher(sets, fuzzy_threshold=self.fuzzy_threshold)
            for name, values in self.lists.items():
                found.set_list(name, values)
            self._matchers[language] = found
        return found

    def parse(
        self,
        text: str,
        language: str,
        context: Mapping[str, Any] | None = None,
        *,
        now: Any = None,
        prefer_builtin: Sequence[str] = (),
        confirming: str | None = None,
    ) -> IntentMatch | None:
        """The best match for ``text``, or None; ``now`` anchors relative dates ("tomorrow"), and a skill's
        business hours give the reading of times said without a part of the day ("om drie": 15:00).
        A match of a built-in intent in ``prefer_builtin`` wins over better ones, the first of them that
        matches (after a yes/no question, "ok thanks" is a yes, not thanks; after "anything else?", thanks
        comes before yes, since "ok thanks" there means that was all; a skill's own intent of that name
        is no answer to it). Hesitation sounds ("eh", "uh") are not read, and an opening "en", "and" or
        "nou" that no template has is read without it ("en wat zijn jullie openingstijden";
        ``voice.hesitations``); hesitation sounds alone ("uhm") are the built-in ``Wait``, as "wacht even"
        is: the caller is thinking. In a flow, a no before one of the flow's sentences ("nee, om vier uur") is
        that sentence: a correction. While the flow asks to confirm the slot ``confirming`` ("Heb ik uw
        naam goed verstaan: Anna?"), a no before an answer to that slot's own question is one too ("nee,
        Daan"), as if that question were open; for a slot that takes any words (a name), so are words that
        match nothing else ("Daan" to "... verstaan: Dan?"), unless the sentence ends in a request for a
        person. A sentence that still matches nothing but ends in a request for a person is that request
        ("dit is belachelijk ik wil een mens spreken"; ``voice.person_request``)."""
        said = without_hesitations(text, language)
        if not said and text.strip():
            return IntentMatch(intent=WAIT, skill=BUILTIN)
        text = said
        found = self._best(text, language, context, now, prefer_builtin)
        rest = without_opener(text, language)
        if found is None and rest != text:
            found = self._best(rest, language, context, now, prefer_builtin)
        answering = _answering(context, confirming)
        if found is None or self._any_words(found, language, context):
            found = self._correction(text, language, answering, now) or found
        if found is None:
            found = self._person_request(text, language, context, now)
        if found is None and confirming:  # after the request for a person: a name takes any words
            found = self._another_value(text, language, answering, now)
        return self.resolved(found)

    def _correction(
        self, text: str, language: str, context: Mapping[str, Any] | None, now: Any
    ) -> IntentMatch | None:
        """The flow's own sentence after an opening no ("nee, om vier uur" when the flow in progress reads
        "om vier uur"): a correction of its slots, as if said without the no; None for anything else."""
        rest = corrected(text, language)
        return None if rest is None else self._flow_sentence(rest, language, context, now)

    def _another_value(
        self, text: str, language: str, answering: Mapping[str, Any] | None, now: Any
    ) -> IntentMatch | None:
        """At the check of a free-text slot ("Heb ik uw naam goed verstaan: Dan?"), words that nothing else
        reads ("Daan") as the answer to that slot's question (``answering``): another value, as after a no
        ("nee, Daan"). A yes, a no or another built-in matched first, so only words that would be no answer
        get here."""
        found = self._flow_sentence(text, language, answering, now)
        return found if found is not None and self._any_words(found, language, answering) else None

    def _flow_sentence(
        self, text: str, language: str, context: Mapping[str, Any] | None, now: Any
    ) -> IntentMatch | None:
        """``text`` as a sentence of the flow in progress (the context's ``dialog``), not a built-in; None
        when no flow is in progress or the text is none of its sentences."""
        flow = (context or {}).get("dialog")
        if flow is None:
            return None
        found = self._best(text, language, context, now, ())
        return found if found is not None and found.intent == flow and found.skill != BUILTIN else None

    def _any_words(self, found: IntentMatch, language: str, context: Mapping[str, Any] | None) -> bool:
        """Whether ``found`` answers the flow's open question with any words (a wildcard slot, such as a
        name): after an opening no, the flow's own sentence is likelier ("nee, een retour")."""
        asked = (context or {}).get("asking")
        skill = self.skills.get(found.skill)
        if not isinstance(asked, str) or skill is None or asked not in found.slots:
            return False
        return (
            bool(found.slots[asked].text)
            and skill.slot_kinds(found.intent, language).get(asked) == WILDCARD_KIND
        )

    def _person_request(
        self, text: str, language: str, context: Mapping[str, Any] | None, now: Any
    ) -> IntentMatch | None:
        """The built-in request for a person that a later part of ``text`` is on its own, or None."""
        matcher = self.matcher(language)
        for tail in tails(text, language):
            for match in matcher.match_all(tail, context=context, now=now):
                if match.intent == PERSON_REQUEST and match.skill == BUILTIN:
                    return match
        return None

    def _best(
        self,
        text: str,
        language: str,
        context: Mapping[str, Any] | None,
        now: Any,
        prefer_builtin: Sequence[str],
    ) -> IntentMatch | None:
        matcher = self.matcher(language)
        if not prefer_builtin:
            return matcher.match(text, context=context, now=now)
        found = matcher.match_all(text, context=context, now=now)
        builtin = {m.intent: m for m in reversed(found) if m.skill == BUILTIN}  # the best of each intent
        preferred = (builtin[name] for name in prefer_builtin if name in builtin)
        return next(preferred, found[0] if found else None)

    def resolved(self, match: IntentMatch | None) -> IntentMatch | None:
        """``match`` with its ambiguous times read within its skill's business hours, if it has any."""
        skill = self.skills.get(match.skill) if match is not None else None
        return skill.hours.resolve(match) if match is not None and skill and skill.hours else match

    def owners(self, intent: str | None, language: str) -> list[Skill]:
        """The skills that declare ``intent`` in ``language`` (for intents a channel resolved)."""
        return [
            skill
            for skill in self.skills.values()
            if language in skill.languages and intent in skill.intents(language).intents
        ]

    def intent_slots(self, intent: str, language: str) -> frozenset[str] | None:
        """The slot names a skill's ``intent`` can fill in ``language``; None when no skill declares it."""
        for skill in self.owners(intent, language):
            intents = skill.intents(language)
            found = intents.intents[intent]
            fixed = {name for block in found.data for name in block.slots}
            return frozenset({ref.slot_name for _, ref in found.list_refs(intents)} | fixed)
        return None


def _answering(context: Mapping[str, Any] | None, confirming: str | None) -> Mapping[str, Any] | None:
    """The context a correction is read in: at a slot's confirmation, as if its question were asked."""
    return {**(context or {}), "asking": confirming} if confirming else context


def _by_name(skills: Sequence[Skill]) -> dict[str, Skill]:
    """The skills by name; two of one name (a copied skill that kept ``Skill("shop")``) would hide one."""
    named: dict[str, Skill] = {}
    for skill in skills:
        if (other := named.setdefault(skill.name, skill)) is not skill:
            raise SkillError(
                f"two skills are named {skill.name!r} (in {other.root} and {skill.root}, both "
                f"skill = Skill({skill.name!r}, ...)); give one of them another name in its __init__.py."
            )
    return named
