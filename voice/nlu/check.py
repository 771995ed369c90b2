"""``voice check``: sentences that several intents claim, and templates that never match.

Skills must not steal each other's utterances. For every template we generate a
few sentences, match each against all loaded skills (with a context that
satisfies the template's ``requires_context``), and report sentences that match
more than one intent and templates whose own sentences never come back to them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .compile import Entry
from .context import allowed_values
from .matcher import Matcher
from .sample import sample_entry

__all__ = ["CheckReport", "Conflict", "DeadTemplate", "find_conflicts"]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict:
    """A sample sentence of one template that more than one intent matches."""

    sentence: str
    skill: str
    intent: str
    template: str
    matches: tuple[tuple[str, str], ...]
    """(skill, intent) of every match, best first."""

    @property
    def cross_skill(self) -> bool:
        """True if intents of different skills claim the sentence."""
        return len({skill for skill, _intent in self.matches}) > 1

    @property
    def stolen(self) -> bool:
        """True if the best match is not the intent the sentence was generated from."""
        return self.matches[0] != (self.skill, self.intent)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadTemplate:
    """A template that can never match, and why: ``example`` is one of its own sentences that does not
    match it, or empty when none can be generated (a list is empty or no value fits the context); the
    reason's sentence is the command's (``never_matches_why`` in ``commands.yaml``)."""

    skill: str
    intent: str
    template: str
    example: str

    @classmethod
    def of(cls, entry: Entry, example: str) -> DeadTemplate:
        return cls(skill=entry.skill, intent=entry.intent, template=entry.template.text, example=example)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What ``find_conflicts`` found."""

    conflicts: tuple[Conflict, ...]
    dead: tuple[DeadTemplate, ...]
    sentences: int

    @property
    def ok(self) -> bool:
        """True if no skill steals another skill's sentence and every template can match."""
        return not self.dead and not any(conflict.cross_skill for conflict in self.conflicts)


def _context_for(entry: Entry) -> dict[str, Any]:
    """A context that satisfies the block's ``requires_context`` (any value where any will do)."""
    context: dict[str, Any] = {}
    for key, wanted in entry.block.requires_context.items():
        allowed = allowed_values(wanted)
        context[key] = allowed[0] if allowed else "check"
    return context


def find_conflicts(matcher: Matcher, *, per_template: int = 3, seed: int = 0) -> CheckReport:
    """Sample every template and report shared sentences and templates that never match."""
    conflicts: dict[str, Conflict] = {}
    dead: list[DeadTemplate] = []
    total = 0
    for entry in matcher.entries:
        samples = list(sample_entry(entry, matcher.language, limit=per_template, seed=seed))
        if not samples:
            dead.append(DeadTemplate.of(entry, ""))
            continue
        total += len(samples)
        context, own = _context_for(entry), (entry.skill, entry.intent)
        comes_back = False
        for sample in samples:
            matches = tuple(
                (found.skill, found.intent) for found in matcher.match_all(sample.text, context=context)
            )
            comes_back = comes_back or own in matches
            if len(matches) > 1 and sample.text not in conflicts:
                conflicts[sample.text] = Conflict(
                    sentence=sample.text,
                    skill=entry.skill,
                    intent=entry.intent,
                    template=entry.template.text,
                    matches=matches,
                )
        if not comes_back:
            dead.append(DeadTemplate.of(entry, samples[0].text))
    _LOGGER.debug("Checked %d sentences: %d conflicts, %d dead templates", total, len(conflicts), len(dead))
    return CheckReport(conflicts=tuple(conflicts.values()), dead=tuple(dead), sentences=total)
