"""The optional end-of-conversation question "Heeft dit u geholpen?" / "Did this help you?".

Off by default; ``[insights] satisfaction = "yes_no"`` or ``"scale"`` turns it on. A conversation
that ends contained (the caller says stop or goodbye, or a flow completes with a reply that expects
nothing more) asks the question instead of ending at once, once per conversation (the dialog state's
``satisfaction_asked``). The question is the last reply, marked by its ``slot``: the next turn reads
the answer from it. A yes or no (``yes_no``: 1 or 0) or a number from 1 to 5 said as digits or words
(``scale``; a grade out of ten counts half) is the score; the assistant thanks the caller and ends.
Filler ("wacht even") asks the question again (the built-in ``Wait``); anything else is a normal turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..builtins import YES_OR_NO
from ..reply import Expect, Reply
from ..ssml import joined, without_ending
from ..state import DialogState

__all__ = ["MODES", "QUESTION_SLOT", "Satisfaction", "question_reply", "spoken_score", "without_question"]

MODES = ("off", "yes_no", "scale")
"""The values of ``[insights] satisfaction``."""
QUESTION_SLOT = "voice:satisfaction"
"""The ``slot`` of the question's reply (with ``Expect.ANSWER`` no channel renders it)."""

_NUMBERS = {
    "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10,
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
    "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_SCALE = 5
"""The question asks for 1 to 5 ("op een schaal van 1 tot 5", "on a scale of 1 to 5")."""
_GRADE = 10
"""A number above the scale is a grade out of ten (a Dutch caller's "een acht"), halved onto it."""
_OUT_OF = re.compile(r"\b(?:out of|uit|van|op) (?:de |the )?(5|vijf|five|10|tien|ten)$")
_SLASH = re.compile(r"(\d+)\s*/\s*(\d+)")
_FILLERS = frozenset(
    {
        "ik", "geef", "het", "de", "een", "zeg", "zou", "doe", "maar", "nou", "eh", "ehm",
        "u", "je", "jou", "jullie", "denk", "wel", "toch", "zeker", "hoor", "dan", "dat", "is", "dik",
        "a", "an", "i", "give", "it", "say", "would", "well", "um", "uh",
        "you", "guys", "think", "maybe", "probably", "about", "solid", "rate", "that", "s",
        "score", "cijfer", "punt", "punten", "ster", "sterren", "star", "stars", "point", "points",
    }
)  # fmt: skip


def spoken_score(text: str) -> float | None:
    """The score from 1 to 5 in ``text`` ("4", "vier", "een vier", "four out of five"), else None.

    Besides the number only filler words may be said ("ik geef u een vier", "I'd say four stars"). A
    grade out of ten ("acht", "een acht", "8/10", "eight out of ten") counts half: 4.0."""
    spoken = _SLASH.sub(r"\1 out of \2", text.lower().replace("'d", " would"))
    words = " ".join(re.sub(r"[^\w\s]", " ", spoken).split())
    out_of = _OUT_OF.search(words)
    said = (words[: out_of.start()] if out_of else words).split()
    if not said or any(word not in _NUMBERS and word not in _FILLERS for word in said):
        return None
    numbers = [word for word in said if word in _NUMBERS]
    if len(numbers) > 1:  # "een vier": the article "een", then the number
        numbers = [word for word in numbers if word not in ("een", "één")]
    if len(numbers) != 1:
        return None
    number, scale = _NUMBERS[numbers[0]], _NUMBERS[out_of.group(1)] if out_of else None
    if scale == _GRADE or (scale is None and number > _SCALE):
        return max(1.0, number * _SCALE / _GRADE)
    return float(number) if number <= _SCALE else None


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """The question's setting, as the dialog applies it."""

    mode: str = "off"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"satisfaction must be one of {', '.join(MODES)}, not {self.mode!r}")

    @property
    def on(self) -> bool:
        return self.mode != "off"

    def awaiting(self, state: DialogState) -> bool:
        """The assistant's last reply was the question, and nothing is open since."""
        last = state.last_reply
        return (
            self.on
            and last is not None
            and last.slot == QUESTION_SLOT
            and state.flow is None
            and state.offer is None
        )

    def score(self, text: str, intent: str | None) -> float | None:
        """The answer's score (yes/no: 1/0; scale: 1-5), or None when the words are no answer."""
        if self.mode == "yes_no" and intent in YES_OR_NO:
            return 1.0 if intent == "Yes" else 0.0
        return spoken_score(text) if self.mode == "scale" else None

    def ends_with_question(self, state: DialogState) -> bool:
        """Whether a conversation ending in ``state`` asks the question: on, contained, not asked yet in
        the conversation (a caller who talked on after it and then says goodbye is not asked twice)."""
        contained = not (state.handed_over or state.fallbacks or state.no_input or state.flow or state.offer)
        asked = state.satisfaction_asked or self.awaiting(state)
        return self.on and contained and not asked


def question_reply(question: Reply, before: Reply | None = None, *, failed: bool = False) -> Reply:
    """``question`` (the built-in ``satisfaction_question_<mode>``) as the reply that keeps the
    conversation open; after ``before`` (a completed flow's last words) when given.

    It keeps ``before``'s ``failed``, or takes ``failed`` (a request of the conversation failed,
    ``DialogState.failed``), so the question tells the failure as the reply it follows did."""
    speech = joined(before.speech, question.speech) if before is not None else question.speech
    card = before.card if before is not None else None
    remember = before.remember if before is not None else {}
    return Reply(
        speech=speech,
        reprompt=question.text,
        card=card,
        expect=Expect.ANSWER,
        slot=QUESTION_SLOT,
        remember=remember,
        failed=failed or (before is not None and before.failed),
    )


def without_question(reply: Reply) -> Reply:
    """``reply`` without the question at its end (the words ``question_reply`` put it after), expecting
    nothing: for a question the caller never heard, since its turn missed the deadline. Told with the
    next turn's reply it would come before that reply, so that turn asks it last, or a later one does."""
    if reply.slot != QUESTION_SLOT:
        return reply
    before = without_ending(reply.speech, reply.reprompt or "")
    return replace(reply, speech=before, reprompt=None, expect=Expect.NOTHING, slot=None)
