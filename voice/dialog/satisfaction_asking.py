"""The end-of-conversation question in a turn: its answer, and where it goes in the reply.

``SatisfactionAsking`` is the part of a turn's decisions (``voice.dialog.step.TurnStep``) that reads the
caller's answer to "did this help?" and puts the question last: after a completed flow, after this turn's
reply when a late reply of an earlier turn carried it, never in the middle of a reply.
"""

from __future__ import annotations

from dataclasses import replace

from ..builtins import BUILTIN, YES_OR_NO
from ..nlu import IntentMatch
from ..reply import Reply
from .satisfaction import QUESTION_SLOT, question_reply, without_question
from .turn_taking import TurnTaking

__all__ = ["SatisfactionAsking"]


class SatisfactionAsking(TurnTaking):
    """The question and its answer; mixed into the turn step, which provides these attributes."""

    satisfaction_score: float | None
    handled: str | None

    def _rated(self, match: IntentMatch | None) -> Reply | None:
        """Thanks and goodbye when the turn answers the question; None for anything else (a normal turn).
        In ``scale`` mode a yes or no ends the conversation too, without a score."""
        if not self.satisfaction.awaiting(self.state):
            return None
        intent = match.intent if match is not None and match.skill == BUILTIN else None
        score = self.satisfaction.score(self.turn.text, intent)
        if score is None and intent not in YES_OR_NO:
            return None
        self.satisfaction_score = score
        thanks = self._builtin("satisfaction_thanks", end_session=True)
        return replace(thanks, failed=self.state.failed)  # the answer does not undo a failure

    def _unask(self) -> bool:
        """Whether a late reply of an earlier turn ends with the question, which the caller has not heard
        ("one moment" instead): it is taken out of it, and the conversation counts it not asked, so it
        is never said before this turn's reply (two questions in one reply), but last (``_asked_last``)."""
        pending = self.state.pending_replies
        if not any(late.slot == QUESTION_SLOT for late in pending):
            return False
        told = tuple(late for late in map(without_question, pending) if late.speech)
        last = self.state.last_reply
        last = without_question(last) if last is not None else None
        self.state = replace(self.state, pending_replies=told, last_reply=last, satisfaction_asked=False)
        return True

    def _asked_last(self, reply: Reply) -> Reply:
        """The question the late reply did not ask, after this turn's ``reply`` when that asks nothing and
        the conversation may end; else a later turn asks it (a goodbye, a completed flow)."""
        asks = reply.slot == QUESTION_SLOT or reply.expects_answer or reply.end_session or reply.handoff
        if asks or not self.satisfaction.ends_with_question(self.state):
            return reply
        return question_reply(self._question(), reply, failed=self.state.failed)

    def _question(self) -> Reply:
        return self._builtin(f"satisfaction_question_{self.satisfaction.mode}")

    def _after_flow(self, reply: Reply) -> Reply:
        """A flow completed with a reply that expects nothing more: the question follows it."""
        completed = self.handled is not None and self.state.flow is None
        if not completed or reply.expects_answer or reply.handoff:
            return reply
        if not any(self.handled in skill.flows for skill in self.router.skills.values()):
            return reply
        if not self.satisfaction.ends_with_question(self.state):
            return reply
        return question_reply(self._question(), reply)
