"""A request for a person said after other words: "dit is belachelijk ik wil een mens spreken".

Callers who are fed up often vent first and ask for a person last, and no template can expect every
opening. So a sentence that matches nothing is read once more from each later word on, and a tail
that is wholly the built-in ``TalkToAgent`` request counts as that request: the caller gets a person,
and the handoff's reason is that they asked. Only for this intent: reaching a person is the way out
of every other failure, and a sentence that merely ends like another intent's template says something
else ("... en dan morgen").

A tail counts only when it has at least ``MIN_TAIL_WORDS`` words ("persoon graag" ends "een tafel voor
één persoon graag") and no negation comes before it ("I don't want to speak to someone").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .language import language_of

__all__ = ["MIN_TAIL_WORDS", "NEGATIONS", "PERSON_REQUEST", "tails"]

PERSON_REQUEST = "TalkToAgent"
MIN_TAIL_WORDS = 3
MAX_WORDS = 30
"""Longer sentences are not searched: each tail is one more match, and nobody asks that way."""
NEGATIONS: Mapping[str, frozenset[str]] = {
    "en": frozenset({"not", "don't", "dont", "didn't", "never", "without", "won't", "no"}),
    "nl": frozenset({"niet", "geen", "nooit", "zonder", "hoef", "hoeft", "hoeven"}),
}
"""Words that, before a tail, may turn the request around. English "no" too ("no need to talk to
someone"); Dutch "nee" not: "nee, ik wil iemand spreken" asks."""
_PUNCTUATION = ",.;:!?…"


def tails(text: str, locale: str) -> Iterator[str]:
    """The later parts of ``text`` that may be a request for a person on their own, longest first;
    none once a negation has been passed."""
    words = text.split()
    if len(words) > MAX_WORDS:
        return
    negations = NEGATIONS.get(language_of(locale), frozenset())
    for start in range(1, len(words) - MIN_TAIL_WORDS + 1):
        if words[start - 1].strip(_PUNCTUATION).lower() in negations:
            return
        yield " ".join(words[start:])
