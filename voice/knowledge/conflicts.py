"""An entry offered for a question about something else: "zit er ei in" is not "Zitten er noten in de taart?".

Such a question matches the entry's frame ("zit er ... in") but not its subject, and both methods can
rank the entry first: the model finds it close (eggs and nuts are both allergens), the keywords match
"zit". Offered ("Bedoelt u: Bevatten jullie taarten noten?"), a "ja" reads the nut answer to an egg
question. The pattern: in the entry's question or phrasing most like the question (by shared terms), the
question's terms that it lacks (one or two, none of them anywhere in the entry) stand where it has a
term of the entry's title that no other entry asks about, the entry's subject, or a compound of it ("Is de
taart notenvrij?": "notenvrij" is "noten" and "vrij"; when only the title's "noot" counted, "is de
taart glutenvrij" was offered the nut entry). A synonym stands there the same way ("account opheffen"
for "Hoe verwijder ik mijn account?"), so the model decides: a word that means the entry's subject
brings the question closer to the entry, another subject takes it away. What a compound adds to the
subject stays in the question the model compares ("is de taart vrij" for "is de taart glutenvrij"):
without "vrij" it lost the entry's frame, and gluten seemed closer to nuts than nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .entries import Entry
from .text import Analyzer, words

MAX_SWAPPED = 2
"""At most this many of the question's terms stand in the entry's subject's place; more is another
question, not the same one about something else."""

Terms = frozenset[str]


@dataclass(frozen=True, slots=True)
class EntryTerms:
    """One entry's analysed terms, made once when the index is read: a question compared with an entry
    offered analyses none of the entry (which terms its answer has, the keyword index knows)."""

    position: int
    """The entry's place in the index (its row of scores)."""
    forms: tuple[Terms, ...]
    """The terms of its question and of each phrasing."""
    subject: Terms
    """Its title's terms no other entry asks about, and its questions' compounds of them ("notenvrij")."""
    beside: frozenset[str] = frozenset()
    """What those compounds add to the subject, as written ("vrij")."""


def entry_terms(entries: Sequence[Entry], analyzer: Analyzer) -> dict[str, EntryTerms]:
    """Every entry's terms by its id. An entry's subject is asked by no other entry's question or
    phrasing: an answer that names nuts in passing does not take the subject from the nut entry."""
    forms = [tuple(frozenset(analyzer.terms(text)) for text in (e.title, *e.phrasings)) for e in entries]
    asking = Counter(term for texts in forms for term in frozenset().union(*texts))
    analysed: dict[str, list[str]] = {}
    found = {}
    for position, (entry, texts) in enumerate(zip(entries, forms, strict=True)):
        subject = frozenset(term for term in texts[0] if asking[term] == 1)
        compounds = _compounds(entry, subject, asking, analyzer, analysed)
        found[entry.id] = EntryTerms(
            position=position,
            forms=texts,
            subject=subject | frozenset(compounds),
            beside=frozenset(compounds.values()),
        )
    return found


def _compounds(
    entry: Entry, subject: Terms, asking: Counter[str], analyzer: Analyzer, analysed: dict[str, list[str]]
) -> dict[str, str]:
    """The entry's own words in its questions that are compounds of its subject ("notenvrij"), with what
    they add to it ("vrij"); ``analysed``: each word's terms, kept across entries."""
    found: dict[str, str] = {}
    if not subject:
        return found
    for word in (word for text in (entry.title, *entry.phrasings) for word in words(text)):
        if word not in analysed:
            analysed[word] = analyzer.terms(word)
        terms = analysed[word]
        if not terms or terms[0] in subject or asking[terms[0]] != 1:
            continue  # the subject itself ("bevatten" is no compound of "bevat"), or not the entry's own
        part = analyzer.beside(word, subject)
        if part:
            found[terms[0]] = part
    return found


def swapped(question: Terms, entry: EntryTerms, positions_with: Callable[[str], frozenset[int]]) -> Terms:
    """The question's terms that stand where the entry's own subject stands (empty: none do).

    ``positions_with``: the positions of the entries that have a term, answers included. The question's
    terms must be a subject too, rare in the content ("what about my password" is no other subject).
    They must stand in the subject's place in each of the entry's texts most like the question: "ik wil
    het in delen betalen" is as much "Kan ik achteraf betalen?" as "Kan ik in termijnen betalen?", where
    "delen" stands for no subject."""
    scored = [(_overlap(question, form), form) for form in entry.forms]
    best = max((score for score, _ in scored), default=0.0)
    tied = [form for score, form in scored if score == best]
    found = [_swapped(question, form, entry) for form in tied]
    if not found or not all(found):
        return frozenset()
    rare = all(_elsewhere(positions_with(term), entry) for term in frozenset().union(*found))
    return found[0] if rare else frozenset()


def _swapped(question: Terms, form: Terms, entry: EntryTerms) -> Terms:
    """The question's terms in the place of the entry's subject in ``form``, one of its texts."""
    new = question - form
    if not question & form or not new or len(new) > MAX_SWAPPED:
        return frozenset()
    return new if (form - question) & entry.subject else frozenset()


def _elsewhere(having: frozenset[int], entry: EntryTerms) -> bool:
    """Whether a term that ``having`` entries have is in no part of ``entry`` and in one other at most."""
    return entry.position not in having and len(having) <= 1


def without(question: str, terms: Terms, analyse: Callable[[str], list[str]], beside: frozenset[str]) -> str:
    """``question`` as written, without the words that give ``terms``: what the model compares it with.
    Of such a word what a compound of the entry's subject adds to it stays (``beside``: "vrij" of
    "glutenvrij", where the entry asks "notenvrij")."""
    kept = (_kept(word, beside) if terms.intersection(analyse(word)) else word for word in question.split())
    return " ".join(word for word in kept if word)


def _kept(word: str, beside: frozenset[str]) -> str:
    """The part of ``word`` a compound of the entry's subject has too, else nothing."""
    written = "".join(words(word))
    shared = (
        p for p in sorted(beside) if len(p) < len(written) and (written.endswith(p) or written.startswith(p))
    )
    return next(shared, "")


def _overlap(first: Terms, second: Terms) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0
