"""Turn taking: the caller knows when it is their turn, and silence gets the open question again.

``TurnTaking`` is the part of a turn's decisions (``voice.dialog.step.TurnStep``) that ends a reply
with a question or a short reprompt, asks "anything else?" after a complete answer on a phone line,
asks the open question again after filler ("wacht even"), and speaks the framework's replies; it
works on the step's ``turn`` and ``state``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..builtins import YES_OR_NO, builtin_reply, speakers
from ..reply import Expect, Reply
from ..router import Router
from ..skill import Skill
from ..ssml import followed_by
from ..state import DialogState
from ..turn import Turn
from .answerers import with_question
from .handoff import HandoffPolicy
from .satisfaction import Satisfaction

__all__ = ["ANYTHING_ELSE", "TurnTaking"]

ANYTHING_ELSE = "voice:anything_else"
"""The ``slot`` of a reply that ends with "Is there anything else I can do for you?": yes or no answers it."""
_ANYTHING_ELSE_REPLIES = frozenset({"thanks", "cancelled", "nothing_to_cancel"})
"""The built-in replies that ask it."""
_ANYTHING_ELSE_ANSWERS = ("Stop", "Thanks", *YES_OR_NO)
"""The built-ins that answer it, the first that matches: thanks ("ok thanks", "oké bedankt") ends the
conversation as stop and no do, though its "ok" says yes too."""


class TurnTaking:
    """Questions, reprompts and silence; mixed into the turn step, which provides these attributes."""

    router: Router
    policy: HandoffPolicy
    turn: Turn
    state: DialogState
    satisfaction: Satisfaction
    answered_by: str
    settled_by: str
    counted: bool

    def _answers(self) -> tuple[str, ...]:
        """The built-in intents that answer the question the last reply asked, if it asked one."""
        if self.state.awaits_yes_or_no or self.satisfaction.awaiting(self.state):
            return YES_OR_NO  # "ok thanks" is a yes
        return _ANYTHING_ELSE_ANSWERS if self._anything_else() else ()

    def _anything_else(self) -> bool:
        """The last reply asked "anything else?", and no flow or offer is open."""
        last = self.state.last_reply
        return (
            last is not None and last.slot == ANYTHING_ELSE and not self.state.flow and not self.state.offer
        )

    def _still_asked(self) -> Reply | None:
        """The last reply, when it asked a question that only its own answer closes and that is still
        open: an offer ("Bedoelt u ...?"), "did this help?" or "anything else?"; else None."""
        last = self.state.last_reply
        if last is None or not last.reprompt:
            return None
        open_ = (
            self.state.offer is not None or self.satisfaction.awaiting(self.state) or self._anything_else()
        )
        return last if open_ else None

    def _wait(self) -> Reply:
        """Filler ("wacht even", "uhm"): the caller is not done, so it is neither a miss nor an answer (the
        counts stand), and the question they were asked stays open and is asked again. One that waits for
        its own answer (an offer's "Bedoelt u ...?", "did this help?", "anything else?") keeps waiting for
        it, so the yes that follows still answers it."""
        self.counted = True
        asked = self._still_asked()
        question = asked.reprompt if asked is not None else self.state.open_question
        if not question:
            return self._builtin("wait", expect=Expect.ANSWER)
        reply = with_question(self.turn, "wait_in_flow", question, self._speakers())
        return replace(reply, expect=asked.expect, slot=asked.slot) if asked is not None else reply

    def _silence(self) -> Reply:
        """The caller said nothing: the open question again, and after ``max_no_input`` times a goodbye."""
        count = self.state.no_input + 1
        self.state = replace(self.state, no_input=count)
        if count > self.policy.max_no_input:
            return self._builtin("closing", end_session=True)
        last = self.state.last_reply
        asked = last if last is not None and last.expects_answer and last.reprompt else None
        question = (asked.reprompt if asked else None) or self.state.open_question
        reply = with_question(
            self.turn, "no_input", question or self._builtin("ask_what").text, self._speakers()
        )
        # the same question, so its answer works as after the reply that asked it ("nee" to "anything else?")
        return replace(reply, expect=asked.expect, slot=asked.slot) if asked else reply

    def _their_turn(self, reply: Reply) -> Reply:
        """The reply, so the caller knows it is their turn. On a phone line a complete answer that
        expects nothing would leave them in silence: "anything else?" follows it, and waits for yes or
        no. Every reply that waits carries a short reprompt for a platform's own timeout: the open
        question, else "how can I help you?" (not the whole reply again)."""
        if self.turn.call and self._complete(reply):
            question = self._builtin("anything_else").text
            speech = followed_by(reply.speech, question)
            return replace(reply, speech=speech, reprompt=question, expect=Expect.ANSWER, slot=ANYTHING_ELSE)
        if not reply.expects_answer or reply.reprompt:
            return reply
        if reply.slot == ANYTHING_ELSE:
            return replace(reply, reprompt=self._builtin("anything_else").text)
        return replace(reply, reprompt=self.state.open_question or self._builtin("ask_what").text)

    def _complete(self, reply: Reply) -> bool:
        """Whether the reply answers and asks nothing: it expects nothing, or it is an answerer's answer
        (from the knowledge: it keeps the session open on every channel, but asks the caller nothing)."""
        if reply.end_session or reply.handoff:
            return False
        if reply.expect is Expect.NOTHING:
            return True
        answered = bool(self.answered_by or self.settled_by) and not self.state.fallbacks
        asks = reply.slot is not None or bool(reply.reprompt) or reply.expect is not Expect.ANSWER
        return answered and not asks and self.state.flow is None and self.state.offer is None

    def _builtin(
        self, key: str, *, expect: Expect = Expect.NOTHING, end_session: bool = False, **values: Any
    ) -> Reply:
        """One of the framework's replies, in the words of the skill that speaks first; one that asks
        "anything else?" waits for its answer (``ANYTHING_ELSE``)."""
        voices = self._speakers()
        reply = builtin_reply(self.turn, key, expect=expect, end_session=end_session, skills=voices, **values)
        return replace(reply, slot=ANYTHING_ELSE) if key in _ANYTHING_ELSE_REPLIES else reply

    def _speakers(self) -> tuple[Skill, ...]:
        """Who says the framework's replies: the active flow's skill, the matched one, then any."""
        flow = self.state.flow.skill if self.state.flow else None
        return speakers(self.router.skills, flow, self.turn.skill)
