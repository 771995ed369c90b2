"""An entry offered for a question about something else: "zit er ei in" is not "Zitten er noten in de taart?".

Such a question matches the entry's frame ("zit er ... in") but not its subject, and both methods can
rank the entry first: the model finds it close (eggs and nuts are both allergens), the keywords match
"zit". Offered ("Bedoelt u: Bevatten jullie taarten noten?"), a "ja" reads the nut answer to an egg
question. The pattern: in the entry's question or phrasing most like the question (by shared terms), the
question's terms that it lacks (one or two, none of them anywhere in the entry) stand where it has a
term of the entry's title that no other entry has, the entry's subject. A synonym stands there the same
way ("account opheffen" for "Hoe verwijder ik mijn account?"), so the model decides: a word that means
the entry's subject brings the question closer to the entry, another subject takes it away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_SWAPPED = 2
"""At most this many of the question's terms stand in the entry's subject's place; more is another
question, not the same one about something else."""

Terms = frozenset[str]


def swapped(
    question: Terms, forms: Sequence[Terms], entry: Terms, title: Terms, entries_with: Callable[[str], int]
) -> Terms:
    """The question's terms that stand where the entry's own subject stands (empty: none do).

    ``forms``: the terms of the entry's question and each phrasing; ``entry``: all its terms, answer
    included; ``title``: its question's; ``entries_with``: how many entries have a term. The question's
    terms must be a subject too, rare in the content ("what about my password" is no other subject)."""
    form = max(forms, key=lambda terms: _overlap(question, terms), default=frozenset())
    new = question - form
    if not question & form or not new or len(new) > MAX_SWAPPED or new & entry:
        return frozenset()
    if any(entries_with(term) > 1 for term in new):
        return frozenset()
    return new if any(entries_with(term) == 1 for term in (form - question) & title) else frozenset()


def without(question: str, terms: Terms, analyse: Callable[[str], list[str]]) -> str:
    """``question`` as written, without the words that give ``terms``: what the model compares it with."""
    return " ".join(word for word in question.split() if not terms.intersection(analyse(word)))


def _overlap(first: Terms, second: Terms) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0
