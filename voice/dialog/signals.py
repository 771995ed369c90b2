"""A turn's signals for the KPIs (``voice.store.TurnSignals``), read from what the turn did.

Most of it follows from the dialog state before and after the turn; the rest is what only the run
of the turn knows (``TurnFacts``): which answerer answered, which handler ran, an error, the time it
took. Whether the caller heard "one moment" is decided as the turn is stored (``Recorder._record``).
Nothing here reads or writes the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..builtins import YES_OR_NO
from ..skill import Skill
from ..state import ASKED, ActiveFlow, DialogState
from ..store import Session
from ..store.signals import Outcome, TurnSignals, Understood, day_of
from ..turn import Turn
from .answerers import Loading
from .handoff import AFTER_HOURS, HandoffPolicy

__all__ = ["TurnFacts", "answerer_names", "loading_answerers", "outcome_of", "still_loading", "turn_signals"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnFacts:
    """What only the run of a turn knows."""

    heard: Turn
    """The turn as the channel gave it, before the router read it."""
    answerer: str = ""
    """The answerer of the chain that answered a turn no intent matched (``fallback``, ``knowledge``)."""
    consulted: tuple[str, ...] = ()
    """The answerers asked before it, which passed."""
    settled: str = ""
    """The answerer that settled an offer with the caller's yes or no."""
    handled: str | None = None
    """The intent whose handler ran."""
    finished_flow: ActiveFlow | None = None
    """The flow whose handler ran, for the handoff record of a handler that asks for a person."""
    handler_error: bool = False
    latency_ms: float = 0.0
    satisfaction: float | None = None
    after_hours: bool = False
    """A handoff at this turn found the team away (outside ``[handoff] hours``): counted as a handoff for
    the reason ``after_hours``, so the KPIs show the callers nobody could take."""


@dataclass(frozen=True, slots=True)
class _Flow:
    name: str = ""
    started: bool = False
    step: str = ""
    completed: bool = False
    abandoned: bool = False
    left: ActiveFlow | None = None
    """The flow open before the turn that this one took the place of: it ended without its handler."""


def outcome_of(state: DialogState) -> Outcome:
    """Where a conversation stands after a turn that left it in ``state``: as that turn's signals
    recorded it, or (a state stored before outcomes were kept) as the state shows it."""
    if state.outcome:
        return Outcome(state.outcome)
    if state.handed_over:
        return Outcome.HANDOFF
    return Outcome.GAVE_UP if _open(state) else Outcome.CONTAINED


def _open(state: DialogState) -> bool:
    """Whether the caller is left with something unresolved: silence, a flow, a question never
    answered (``_unanswered``), or a request that failed at any turn so far (``DialogState.failed``)."""
    return bool(state.no_input or state.flow is not None or state.failed or _unanswered(state))


def _unanswered(state: DialogState) -> bool:
    """An offered answer or a misunderstood turn."""
    return state.offer is not None or bool(state.fallbacks)


def _failed_now(state: DialogState) -> bool:
    """This turn's reply said it could not do what was asked (``Reply.failed``)."""
    return state.last_reply is not None and state.last_reply.failed


def _outcome(turn: Turn, before: DialogState, state: DialogState) -> Outcome:
    """The outcome after the turn; a goodbye that leaves a question unanswered (``_unanswered``
    before it) leaves the caller unhelped too. A flow a goodbye drops does not: the caller chose to;
    one the caller hangs up on (the hang-up ends it) does."""
    if state.handed_over:
        return Outcome.HANDOFF
    goodbye_unanswered = turn.intent == "Stop" and _unanswered(before)
    hung_up_in_flow = turn.hung_up and before.flow is not None
    return Outcome.GAVE_UP if _open(state) or goodbye_unanswered or hung_up_in_flow else Outcome.CONTAINED


def turn_signals(
    facts: TurnFacts,
    turn: Turn,
    loaded: Session,
    state: DialogState,
    *,
    text: str,
    skills: Mapping[str, Skill],
    policy: HandoffPolicy,
) -> TurnSignals:
    """The signals of ``turn`` (as the step left it), which moved the session from ``loaded`` to ``state``;
    ``text`` is the caller's words as they are stored."""
    before = loaded.dialog
    skill = _skill(turn, state, skills)
    trigger = state.handoff_reason if state.handed_over and not before.handed_over else ""
    reason = AFTER_HOURS if trigger and facts.after_hours else trigger
    return TurnSignals(
        session_id=turn.session_id,
        user_id=turn.user_id or loaded.user_id,
        time=turn.time.timestamp(),
        channel=turn.channel,
        locale=turn.locale,
        skill=skill,
        intent=turn.intent or "",
        understood=_understood(facts, turn, waiting=before.handed_over),
        confidence=turn.confidence,
        text=text,
        **_flow_signals(facts, turn, before, state, skills, handed_over=bool(reason)),
        knowledge=_knowledge(facts, turn, state),
        guess=_guess(facts, before, state),
        handoff=("caller" if trigger == "asked" else "assistant") if trigger else "",
        handoff_reason=reason,
        irritation=bool(turn.text) and policy.irritated(turn.text, turn.language),
        handler_error=facts.handler_error,
        latency_ms=facts.latency_ms,
        satisfaction=facts.satisfaction,
        **_conversation_signals(turn, loaded, state, skill or _only(skills)),
    )


def _flow_signals(
    facts: TurnFacts,
    turn: Turn,
    before: DialogState,
    state: DialogState,
    skills: Mapping[str, Skill],
    *,
    handed_over: bool,
) -> dict[str, Any]:
    """The ``flow_*`` and ``confirmation`` signals: the flow the turn worked on and what became of it."""
    flow = _flow(before.flow, state.flow, facts, skills)
    return {
        "flow": flow.name,
        "flow_started": flow.started,
        "flow_step": flow.step,
        # a handler that hands over or reports a failure did not complete it, nor did its caller drop off
        "flow_completed": flow.completed and not handed_over and not _failed_now(state),
        "flow_failed": flow.completed and not handed_over and _failed_now(state),
        "flow_handed_over": flow.completed and handed_over,
        "flow_abandoned": flow.abandoned,
        "flow_left": flow.left.intent if flow.left else "",
        "flow_left_skill": flow.left.skill if flow.left else "",
        "confirmation": _confirmation(before.flow, state.flow, turn.intent),
    }


def _conversation_signals(turn: Turn, loaded: Session, state: DialogState, skill: str) -> dict[str, Any]:
    """The ``conversation_*`` and ``outcome*`` signals: where the conversation stood before the turn and
    after it (``skill``: the turn's, else the only one loaded, for a conversation the turn starts)."""
    new_conversation = loaded.version == 0
    return {
        "conversation_started": new_conversation,
        "conversation_day": day_of(loaded.created_at),
        "conversation_skill": skill if new_conversation else loaded.skill,
        "outcome_before": None if new_conversation else outcome_of(loaded.dialog),
        "outcome": _outcome(turn, loaded.dialog, state),
    }


def _understood(facts: TurnFacts, turn: Turn, *, waiting: bool) -> Understood:
    """How the turn was understood; ``waiting``: the conversation was handed over before it, so the
    assistant did not read the words at all (the caller waits for the colleague)."""
    heard = facts.heard
    if heard.hung_up:
        return Understood.HANGUP
    if waiting:
        return Understood.WAITING
    if not heard.text.strip() and heard.intent is None:
        return Understood.SILENCE
    if facts.satisfaction is not None:  # a score ("4", "een acht") answers the question it was asked
        return Understood.TEMPLATE
    if facts.answerer == "fallback":
        return Understood.NONE
    if facts.answerer:
        return Understood.KNOWLEDGE
    if heard.intent is not None and turn.match is not None and not turn.match.template:
        return Understood.PLATFORM
    match = turn.match
    if match is None:  # handed over on the words alone (irritation, low confidence): not understood
        return Understood.NONE
    return Understood.FUZZY if match.is_fuzzy else Understood.TEMPLATE


def _flow(
    before: ActiveFlow | None, after: ActiveFlow | None, facts: TurnFacts, skills: Mapping[str, Skill]
) -> _Flow:
    """The flow the turn worked on, and what happened to it."""
    handled = facts.handled
    completed = handled if handled and any(handled in skill.flows for skill in skills.values()) else None
    current = after.intent if after is not None else completed
    if current is not None:
        started = before is None or before.intent != current
        now = after if after is not None else facts.finished_flow
        step = " ".join(_steps(None if started else before, now, current, skills))
        left = before if started and before is not None else None  # another flow took its place
        return _Flow(current, started, step, completed == current and after is None, left=left)
    if before is not None:  # it ended without its handler
        return _Flow(before.intent, abandoned=True)
    return _Flow()


def _steps(
    before: ActiveFlow | None, now: ActiveFlow | None, intent: str, skills: Mapping[str, Skill]
) -> list[str]:
    """The steps of the flow (its slots that it asks for) reached at this turn, in the flow's order: the
    one it asks for next, and those the caller filled before being asked (a value given up front);
    each once per run: not one asked or filled ``before`` (a value refused and asked again)."""
    reached = _reached(now)
    seen = _reached(before)
    steps = next((skill.flows[intent].steps for skill in skills.values() if intent in skill.flows), ())
    return [step for step in steps if step in reached and step not in seen]


def _reached(flow: ActiveFlow | None) -> set[str]:
    if flow is None:
        return set()
    return {*flow.slots, *([flow.asking] if flow.asking else [])}


def _confirmation(before: ActiveFlow | None, after: ActiveFlow | None, intent: str | None) -> str:
    """The turn's confirmation events in order, space-separated: a yes that accepts one question and
    leads to the next is ``accepted asked``."""
    events = []
    answered = before is not None and before.confirming in ASKED and intent in YES_OR_NO
    if answered:
        events.append("accepted" if intent == "Yes" else "refused")
    if after is not None and after.confirming in ASKED:
        asking = (after.confirming, after.confirming_slot)
        if answered or before is None or (before.confirming, before.confirming_slot) != asking:
            events.append("asked")
    return " ".join(events)


def _knowledge(facts: TurnFacts, turn: Turn, state: DialogState) -> str:
    if "knowledge" in (facts.answerer, facts.settled):
        if state.offer is not None:
            return "confirm"
        return "abstain" if state.fallbacks else "answer"
    # a stray yes or no (an intent) that passed through the chain asked the knowledge base nothing
    asked = "knowledge" in facts.consulted and turn.intent is None
    return "abstain" if asked else ""


def _guess(facts: TurnFacts, before: DialogState, state: DialogState) -> str:
    """What the turn made of the guess ("Do you mean ...?") open before it: ``accepted`` when a yes
    took an offered answer; ``missed`` when a no left none to offer (or a yes found the answer gone),
    or the caller ignored it and moved on; empty while it is still open (the next candidate is
    offered, silence) or when there was none. A missed guess counts as not understood."""
    offer = before.offer
    if offer is None or state.offer == offer:
        return ""
    if facts.settled != offer.by:
        return "missed"  # the caller moved on: the offer was dropped as a miss
    if state.offer is not None:
        return ""
    return "missed" if state.fallbacks else "accepted"


def _skill(turn: Turn, state: DialogState, skills: Mapping[str, Skill]) -> str:
    if turn.skill in skills:
        return turn.skill
    if state.flow is not None:
        return state.flow.skill
    if state.offer is not None:
        return state.offer.source
    return _only(skills)


def _only(skills: Mapping[str, Skill]) -> str:
    """The skill, when exactly one is loaded; else empty."""
    return next(iter(skills)) if len(skills) == 1 else ""


def answerer_names(answerers: Sequence[object]) -> tuple[str, ...]:
    """The names of a chain's answerers (their ``name``, else their class name in lower case)."""
    return tuple(str(getattr(a, "name", type(a).__name__.lower())) for a in answerers)


def loading_answerers(answerers: Sequence[object]) -> tuple[tuple[str, Loading], ...]:
    """The answerers whose content loads in the background (``Loading``), by name: found once, since
    a check against a protocol per turn costs more than the rest of the signals."""
    named = zip(answerer_names(answerers), answerers, strict=True)
    return tuple((name, answerer) for name, answerer in named if isinstance(answerer, Loading))


def still_loading(loading: Sequence[tuple[str, Loading]]) -> frozenset[str]:
    """The names of those ``loading_answerers`` still loading their content (a server's start): a turn
    that passes them did not consult them. (One that finishes during the turn and answers still counts.)"""
    return frozenset(name for name, answerer in loading if not answerer.wait(0))
