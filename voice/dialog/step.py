"""One turn's decisions: understand, apply the built-in intents, fill flows, answer or hand over.

``TurnStep.run`` returns the reply and leaves the new dialog state in ``state``; it reads
and writes nothing else, so the dialog can commit both in one transaction afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

from ..builtins import BUILTIN, HANGUP, LAUNCH, SPEAK_LANGUAGE, WAIT, YES_OR_NO, builtin_slot_specs
from ..nlu import IntentMatch
from ..reply import Expect, Reply
from ..router import Router
from ..skill import Skill
from ..slot_values import coerce
from ..ssml import display_text, joined
from ..state import ASKED, ActiveFlow, DialogState
from ..turn import Turn
from .answerers import Answer, Answerer, Fallback, Offering, handoff_reply, no_person_reply, with_question
from .blocks import intents_of, platform_slots
from .flows import FlowFilling, plain
from .follow_up import with_previous_slots
from .handoff import HandoffPolicy
from .knowledge import platform_question
from .late import told_first
from .satisfaction import QUESTION_SLOT, Satisfaction, question_reply
from .satisfaction_asking import SatisfactionAsking
from .signals import answerer_names

_KEEP_OFFER = (*YES_OR_NO, WAIT)
"""What leaves an offer ("Bedoelt u ...?") open: its answer, or filler while the caller thinks."""


def hung_up_reply() -> Reply:
    """The answer to a hang-up: nothing to say, and the end of the conversation."""
    return Reply(speech="", end_session=True)


class TurnStep(FlowFilling, SatisfactionAsking):
    """The decisions of one turn over ``state``."""

    def __init__(
        self,
        router: Router,
        policy: HandoffPolicy,
        answerers: Sequence[Answerer],
        turn: Turn,
        state: DialogState,
        *,
        satisfaction: Satisfaction | None = None,
        reachable: bool = True,
    ) -> None:
        """``reachable``: a person can take a handoff (a sink for its record, or a number to put the call
        through to); else, or outside the team's hours, the caller hears that nobody can be put through
        now (``handoff_reply``). The chain's ``Fallback`` hands over with this turn's availability."""
        self.router, self.policy = router, policy
        self.available = policy.availability(turn.time, reachable=reachable)
        self._answerers = answerers
        self.turn, self.state = turn, state
        self.satisfaction = satisfaction or Satisfaction()
        self.satisfaction_score: float | None = None
        """The caller's answer to the end-of-conversation question, when this turn gave one."""
        self.answered_by = self.settled_by = ""
        """The answerer that answered an unmatched turn, or settled an offer (for the turn's signals)."""
        self.consulted: tuple[str, ...] = ()
        """The answerers that passed before it."""
        self.handled: str | None = None
        """The intent whose handler ran."""
        self.finished_flow: ActiveFlow | None = None
        """The flow whose handler ran: its slots go into a handoff record the handler asks for."""
        self.counted = False
        """Whether the turn set the misses in a row (``fallbacks``); else a matched intent resets them."""
        self.unheard: tuple[Reply, ...] = ()
        """What the caller has not heard yet if the turn's reply misses its deadline too: the late replies
        of earlier turns that it tells first, and its own. They wait apart, so the next turn tells each
        once, with one introduction (joined, a late turn's reply nested them)."""

    def run(self) -> Reply:
        """The turn's reply, after the replies that missed earlier turns' deadlines, if there are any."""
        unheard_question = self._unask()
        own = replace(self._their_turn(self._decide()), intent=self.turn.intent)
        if unheard_question:
            own = self._asked_last(own)
        if own.slot == QUESTION_SLOT:
            self.state = replace(self.state, satisfaction_asked=True)
        told = self.state.pending_replies
        reply, self.state = told_first(own, self.state, lambda: self._builtin("late_result").text)
        self.unheard = (*told, own)
        return reply

    def understood(self) -> Turn:
        """The turn as the router reads it, without answering it: a turn that is never answered (it did
        not get its session) is stored with what it meant, not as one nobody understood."""
        heard = self.turn.text.strip() or self.turn.intent is not None
        if heard and self.turn.language in self.router.languages:
            match = self._match()
            if match is not None:
                self.turn = self.turn.matched(match)
        return self.turn

    def _decide(self) -> Reply:
        if self.turn.hung_up:
            return self._hung_up()
        if self.state.handed_over:  # still with a person: a gateway that reads handoff puts the call through
            if self.available.present:
                return replace(self._builtin("handed_over", end_session=True), handoff=True)
            return handoff_reply(self.turn, self._speakers(), self.available)
        if self.turn.language not in self.router.languages:
            return self._builtin("unsupported_language", end_session=True)
        if not self.turn.text.strip() and self.turn.intent is None:
            return self._silence()
        if self.state.no_input:  # a replace costs microseconds; most turns have nothing to reset
            self.state = replace(self.state, no_input=0)
        match = self._match()
        if match is not None:
            self.turn = self.turn.matched(match)
        rated = self._rated(match)
        if rated is not None:
            return rated
        if self.state.offer is not None and (match is None or match.intent not in _KEEP_OFFER):
            # the caller moved on: the offer did not help (a miss, unless this turn helps)
            self.state = replace(self.state, offer=None, fallbacks=self.state.fallbacks + 1)
        reason = self._handoff_trigger(match)
        if reason:
            self.state = self.state.handing_over(reason)
            return handoff_reply(self.turn, self._speakers(), self.available)
        heard = self.state  # with this turn's counts, before its reply
        reply = self._unmatched() if match is None else self._matched(match)
        reason = None if self.state.handed_over else self._unhelped()
        if reason == "low_confidence":
            self._unsay(heard)
        if reason:
            self.state = self.state.handing_over(reason)
            return handoff_reply(self.turn, self._speakers(), self.available)
        return reply

    def _unhelped(self) -> str | None:
        """Why the caller needs a person after the turn's reply, or None: heard badly once too often,
        and this turn did not help either; too many turns in a row did not help; or the same question's
        answers were refused too often in a row (understood ones are no miss)."""
        if self.state.low_confidence >= self.policy.max_low_confidence and not self._answered():
            return "low_confidence"
        if self.state.fallbacks >= self.policy.max_fallbacks:
            return "fallbacks"
        flow = self.state.flow
        return "refusals" if flow is not None and flow.refusals >= self.policy.max_refusals else None

    def _unsay(self, heard: DialogState) -> None:
        """The caller hears the handoff instead of the reply: what the reply asked or offered is not
        kept, and no answerer counts as having answered (the KPIs and the record see the turn as heard)."""
        self.state, self.answered_by, self.settled_by, self.consulted = heard, "", "", ()

    def _answered(self) -> bool:
        """Whether the turn gave the caller what they asked: no miss, no offer to settle, and no flow
        left waiting for what they said (unless a handler ran or a question in between was answered).
        A turn heard badly that was answered keeps its answer; the next one that is not hands over."""
        state = self.state
        if state.fallbacks or state.offer is not None:
            return False
        return state.flow is None or self.handled is not None or bool(self.answered_by)

    def _matched(self, match: IntentMatch) -> Reply:
        """The reply to an intent; a turn that helped the caller ends a run of misses."""
        self.counted = False
        reply = self._builtin_intent(match.intent) if match.skill == BUILTIN else self._intent(match)
        if not self.counted and self.state.fallbacks:
            self.state = replace(self.state, fallbacks=0)
        if reply.handoff and not self.state.handed_over:  # a handler asked for a person: as handoff_reply
            self.state = self.state.handing_over(f"skill:{self.handled or match.intent}")
            reply = replace(self._honest(reply), end_session=True)
        return self._after_flow(reply)

    def _honest(self, handoff: Reply) -> Reply:
        """A handler's reply that asks for a person, as the caller hears it: when nobody can take the
        conversation, its words without the promise of a colleague (``Reply.no_person``), else the
        framework's ``no_person`` after it, so a promise nobody keeps is at least put right; then it is no
        handoff for a phone gateway (``handoff_reply``)."""
        if self.available.present:
            return handoff
        told = no_person_reply(self.turn, self._speakers(), self.available).speech
        speech = handoff.no_person or joined(handoff.speech, told)
        card = handoff.card and replace(handoff.card, text=display_text(speech))
        return replace(handoff, speech=speech, card=card, handoff=False)

    @cached_property
    def answerers(self) -> tuple[Answerer, ...]:
        """The chain, its ``Fallback`` with this turn's availability: made only for a turn that reaches
        the chain (most turns match an intent and never do)."""
        return tuple(
            replace(a, available=self.available) if isinstance(a, Fallback) else a for a in self._answerers
        )

    # -- understanding --------------------------------------------------------------------------

    def _match(self) -> IntentMatch | None:
        question = platform_question(self.turn)
        if question is not None and not self.router.owners(self.turn.intent, self.turn.language):
            self.turn = question  # free speech the platform carried in an intent: read it as text
        if self.turn.intent is not None:  # resolved by the platform: its values become ours
            name = self.turn.skill or self._owner()
            skill = self.router.skills.get(name)
            intent, language = self.turn.intent, self.turn.language
            specs = skill.slot_specs(intent, language) if skill else builtin_slot_specs(intent, language)
            slots = coerce(
                self.turn.slots,
                {spec.name: spec.kind for spec in specs},
                language=self.turn.language,
                lists={spec.name: spec.slot_list for spec in specs if spec.slot_list is not None},
                now=self.turn.time,
                read=lambda list_name, words: self.router.matcher(self.turn.language).list_value(
                    name, list_name, words, intent=self.turn.intent
                ),
            )
            slots = platform_slots(intents_of(skill, language), self.turn, self.state, slots)
            # a platform's "three" (03:00) is read within the skill's hours, as the router reads "om drie"
            return self.router.resolved(IntentMatch(intent=self.turn.intent, slots=slots, skill=name))
        return self.router.parse(
            self.turn.text,
            self.turn.language,
            self.state.context(),
            now=self.turn.time,
            prefer_builtin=self._answers(),
            confirming=self.state.slot_to_confirm,
        )

    def _owner(self) -> str:
        """The skill that declares the channel's intent, the active flow's first; else the built-ins."""
        owners = [skill.name for skill in self.router.owners(self.turn.intent, self.turn.language)]
        flow_skill = self.state.flow.skill if self.state.flow else None
        return flow_skill if flow_skill in owners else (owners[0] if owners else BUILTIN)

    def _handoff_trigger(self, match: IntentMatch | None) -> str | None:
        if match is not None and match.intent == "TalkToAgent":
            return "asked"
        if self.turn.text and self.policy.irritated(self.turn.text, self.turn.language):
            return "irritation"
        if match is not None and match.intent == WAIT:  # filler ("uhm"), however heard: the count stands
            return None
        count = self.state.low_confidence + 1 if self._heard_badly() else 0
        if count != self.state.low_confidence:  # its answer decides a handoff: ``_unhelped``
            self.state = replace(self.state, low_confidence=count)
        return None

    def _heard_badly(self) -> bool:
        return self.turn.confidence < self.policy.low_confidence_below

    def _unmatched(self) -> Reply:
        """The answerer chain; its last link always answers. The answerer counts the miss, or resets."""
        found = self._chain(self.answerers)
        if found is None:
            raise RuntimeError("the answerer chain ended without an answer; end it with Fallback")
        return found.reply

    def _aside(self, words: str) -> Reply | None:
        """The sure answer of the chain before its fallback (an offer is none), or None. The answerers
        hear ``words`` when the turn has no text (a platform that resolved the intent sends only slots)."""
        before = tuple(a for a in self.answerers if not isinstance(a, Fallback))
        heard = self.turn if self.turn.text.strip() else replace(self.turn, text=words)
        found = self._chain(before, sure=True, turn=heard)
        return found.reply if found is not None else None

    def _chain(
        self, answerers: Sequence[Answerer], *, sure: bool = False, turn: Turn | None = None
    ) -> Answer | None:
        """The first answer of ``answerers`` to ``turn`` (the turn's own by default), or None when all
        pass, or with ``sure`` when it is an offer; its state becomes the turn's."""
        names = answerer_names(answerers)
        for index, answerer in enumerate(answerers):
            found = answerer.answer(turn or self.turn, self.state)
            if found is None:
                continue
            if sure and found.state.offer is not None:
                return None
            self.state, self.counted = found.state, True
            self.answered_by, self.consulted = names[index], names[:index]
            return found
        return None

    def _not_understood(self) -> Reply:
        """The fallback's "sorry, I did not get that" (a miss) to a yes or no that answers no question;
        the answerers before it would take the word for one ("no": "Do you mean: I forgot my password?")."""
        fallbacks = [answerer for answerer in self.answerers if isinstance(answerer, Fallback)]
        found = self._chain(fallbacks) if fallbacks else None
        return found.reply if found is not None else self._unmatched()

    def _missed(self) -> None:
        self.state, self.counted = replace(self.state, fallbacks=self.state.fallbacks + 1), True

    def _settle(self, accepted: bool) -> Reply:
        """Yes or no to the answers an answerer offered."""
        offer = self.state.offer
        assert offer is not None
        self.counted = True  # the answerer counts a miss (nothing found), or resets (an answer)
        for answerer in self.answerers:
            if isinstance(answerer, Offering) and answerer.name == offer.by:
                found = answerer.settle(self.turn, self.state, accepted)
                self.state, self.settled_by = found.state, answerer.name
                return found.reply
        self.state = replace(self.state, offer=None)
        return self._unmatched()

    def _hung_up(self) -> Reply:
        """The caller hung up: the conversation ends with nothing said (nobody would hear it). A guess
        left open is dropped as a miss, as when the caller moves on: it was not what they meant; a flow
        left open ends without its handler, so its funnel counts it abandoned at the step it reached."""
        if self.state.offer is not None:
            self.state = replace(self.state, offer=None, fallbacks=self.state.fallbacks + 1)
        self.state = replace(self.state, flow=None)
        self.turn = replace(self.turn, intent=HANGUP)
        return hung_up_reply()

    # -- built-in intents -----------------------------------------------------------------------

    def _builtin_intent(self, intent: str) -> Reply:
        flow = self.state.flow
        if intent in YES_OR_NO and self.state.offer is not None:
            return self._settle(intent == "Yes")
        if intent in YES_OR_NO and flow is not None and flow.confirming in ASKED:
            skill = self.router.skills[flow.skill]
            return self._confirmed(skill, flow) if intent == "Yes" else self._denied(skill, flow)
        if intent in (*YES_OR_NO, "Thanks") and self._anything_else():  # no or thanks: as Stop; yes: what?
            return self._builtin("ask_what", expect=Expect.ANSWER) if intent == "Yes" else self._stop()
        if intent == LAUNCH:
            return self._builtin("welcome", expect=Expect.ANSWER)
        if intent == "Stop":
            return self._stop()
        if intent == "Cancel":
            self.state = replace(self.state, flow=None)
            return self._builtin("cancelled" if flow else "nothing_to_cancel", expect=Expect.ANSWER)
        if intent == "StartOver":
            self.state = replace(self.state, flow=None, previous_intent=None, previous_slots={})
            return self._builtin("start_over", expect=Expect.ANSWER)
        if intent == "Repeat":
            last = self.state.last_reply
            return last or self._builtin("nothing_to_repeat", expect=Expect.ANSWER)
        if intent == "Help":
            question = self.state.open_question
            help_reply = self._help()
            return replace(help_reply, speech=joined(help_reply.speech, question)) if question else help_reply
        if intent == SPEAK_LANGUAGE:
            return self._speaks_language()
        if intent == WAIT:
            return self._wait()
        if intent in ("Greeting", "Thanks"):  # politeness; in a flow, back to the question asked
            question = self.state.open_question
            if question:
                return with_question(self.turn, f"{intent.lower()}_in_flow", question, self._speakers())
            return self._builtin(intent.lower(), expect=Expect.ANSWER)
        return self._not_understood()  # a stray yes or no

    def _speaks_language(self) -> Reply:
        """ "Spreekt u Engels?": which language this line speaks, then the open question (or "what can I
        do for you?"), so a caller who asked in the middle of a flow goes on where they were."""
        question = self.state.open_question or self._builtin("ask_what").text
        asked = self.turn.value("language")
        return with_question(self.turn, "speaks_language", question, self._speakers(), asked=asked)

    def _stop(self) -> Reply:
        self.state = replace(self.state, flow=None)
        if self.satisfaction.ends_with_question(self.state):
            return question_reply(self._question(), failed=self.state.failed)
        return self._builtin("goodbye", end_session=True)

    def _help(self) -> Reply:
        """The skills know what they can do: their ``Help`` response (the active flow's skill first),
        else the framework's general one."""
        language = self.turn.language
        first = [self.state.flow.skill] if self.state.flow else []
        for name in dict.fromkeys([*first, *self.router.skills]):
            skill = self.router.skills.get(name)
            if skill and language in skill.languages and "Help" in skill.responses(language):
                return skill.reply(self.turn, "Help", expect=Expect.ANSWER)
        return self._builtin("help", expect=Expect.ANSWER)

    # -- intents --------------------------------------------------------------------------------

    def _intent(self, match: IntentMatch) -> Reply:
        skill = self.router.skills.get(match.skill)
        if skill is None:
            return self._unmatched()
        spec = skill.flows.get(match.intent)
        return self._answer(skill) if spec is None else self._flow_intent(skill, spec, match)

    def _answer(self, skill: Skill, turn: Turn | None = None) -> Reply:
        """Run the skill's handler (the dialog keeps the whole turn within its deadline)."""
        turn = with_previous_slots(
            turn or self.turn, skill, self.state.previous_intent, self.state.previous_slots
        )
        self.handled = turn.intent
        reply = skill.answer(turn)
        previous = {name: plain(value) for name, value in turn.slots.items()}
        self.state = replace(self.state, previous_intent=turn.intent, previous_slots=previous)
        return reply
