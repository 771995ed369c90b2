"""The answerer chain: who answers a turn that no intent matched.

The dialog asks each answerer in order; the first that returns an ``Answer`` wins. The
chain always ends with ``Fallback``, today's policy: say that it was not understood (and
repeat the open question of a flow), and hand over to a person after too many misses in a
row. An answerer for knowledge answers goes in front of it::

    class Knowledge:
        def answer(self, turn: Turn, state: DialogState) -> Answer | None:
            found = ...  # None when the content has nothing to say
            return Answer(Reply(speech=found.spoken), replace(state, fallbacks=0)) if found else None
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..builtins import builtin_reply, speakers
from ..hours import clock_text
from ..nlu import weekday_name
from ..reply import Expect, Reply
from ..ssml import spoken_text
from ..state import DialogState
from ..turn import Turn
from .handoff import Availability, HandoffPolicy

if TYPE_CHECKING:
    from ..skill import Skill

__all__ = [
    "Answer",
    "Answerer",
    "Fallback",
    "Loading",
    "Offering",
    "handoff_reply",
    "no_person_reply",
    "with_question",
]


@dataclass(frozen=True, slots=True)
class Answer:
    """An answerer's reply and the dialog state after it."""

    reply: Reply
    state: DialogState


class Answerer(Protocol):
    """Answers a turn no intent matched, or passes (None) to the next answerer."""

    def answer(self, turn: Turn, state: DialogState) -> Answer | None: ...


@runtime_checkable
class Offering(Answerer, Protocol):
    """An answerer that may offer answers for a yes or no (``DialogState.offer``) and settles them."""

    name: str

    def settle(self, turn: Turn, state: DialogState, accepted: bool) -> Answer:
        """The caller said yes (``accepted``) or no to ``state.offer``."""
        ...


@runtime_checkable
class Loading(Answerer, Protocol):
    """An answerer whose content loads in the background (a server's start); until ``wait(0)`` is
    true a turn that passes it did not consult it (its signals count no question asked)."""

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; True once everything is loaded."""
        ...


@dataclass(frozen=True, slots=True)
class Fallback:
    """The last answerer: "sorry, I did not get that", and a person after ``max_fallbacks`` in a row."""

    policy: HandoffPolicy
    skills: Mapping[str, Skill] = field(default_factory=dict)
    """The loaded skills: the active flow's speaks first, with its own replies (``builtin:``)."""
    available: Availability = Availability()
    """Who can take the handoff at this turn: the turn's step works it out once and gives it to its
    fallback (``TurnStep.available``), so the two cannot disagree (``handoff_reply``)."""

    def answer(self, turn: Turn, state: DialogState) -> Answer:
        misses = state.fallbacks + 1
        voices = speakers(self.skills, state.flow.skill if state.flow else None)
        if misses >= self.policy.max_fallbacks:
            handoff = handoff_reply(turn, voices, self.available)
            return Answer(handoff, replace(state, fallbacks=misses).handing_over("fallbacks"))
        state = replace(state, fallbacks=misses)
        question = state.open_question
        if question:
            return Answer(with_question(turn, "not_understood_in_flow", question, voices), state)
        return Answer(builtin_reply(turn, "fallback", expect=Expect.ANSWER, skills=voices), state)


def handoff_reply(turn: Turn, skills: Iterable[Skill] = (), available: Availability | None = None) -> Reply:
    """What the caller hears when the conversation goes to a person (in the first skill's words). When
    nobody can take it (``available``: no sink for its record and no number to put the call through to,
    or outside the team's hours), that nobody can be put through now, not a promise; it counts as a
    handoff either way. Then it is no handoff for a phone gateway either (no ``liveAgentHandoff``, no
    transfer): nobody is there to take the call, so it ends after the words."""
    available = available or Availability()
    if available.present:
        return replace(builtin_reply(turn, "handoff", skills=skills), handoff=True, end_session=True)
    return replace(no_person_reply(turn, skills, available), end_session=True)


def no_person_reply(turn: Turn, skills: Iterable[Skill], available: Availability) -> Reply:
    """The ``no_person`` reply: nobody can be put through now; ``back`` in it says when the team is back
    ("maandag vanaf 9:00") when they are away for their hours, else it is empty."""
    return builtin_reply(turn, "no_person", skills=skills, back=_back(turn, skills, available))


def _back(turn: Turn, skills: Iterable[Skill], available: Availability) -> str:
    """When the team is back, in the caller's words (the ``back_at`` reply): "morgen vanaf 9:00"."""
    if not available.away or available.back is None:
        return ""
    days = (available.back.date() - turn.time.date()).days
    day = weekday_name(available.back.weekday(), turn.language)
    when = builtin_reply(
        turn, "back_at", skills=skills, days=days, day=day, time=clock_text(available.back.time())
    )
    return when.speech


def with_question(turn: Turn, key: str, question: str, skills: Iterable[Skill] = (), **values: Any) -> Reply:
    """A built-in reply that ends with the question still open, which is also its reprompt. The question
    goes into the built-in's words as plain text (as said): SSML inside a plain template would be read out
    as its tags."""
    said = spoken_text(question)
    reply = builtin_reply(turn, key, expect=Expect.ANSWER, question=said, skills=skills, **values)
    return replace(reply, reprompt=question)
