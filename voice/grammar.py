"""The recognizer's phrase list, built from the loaded skills' templates, content and the built-in intents.

Grammar-constrained recognition only accepts whole phrases, so the phrases are sample
sentences of every intent (list values included), a bounded number per template. The
built-in intents (yes, no, stop, help, a person, ...) are short and said in many ways:
every one of their sentences is in. So are the questions and phrasings of the skills'
content (``skills/<name>/knowledge/<lang>/``), as spoken words: the knowledge base answers
them at the microphone too. Reading them does not load the retrieval engine.

Slots are filled with what callers say (``CALLER_VALUES``): order numbers digit by digit and
as numbers, clock times across the day, dates, names; never the sampler's placeholder word. Every
phrase is in spoken words (no digits, no punctuation), the form a recognizer gives back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .builtins import BUILTIN
from .knowledge import question_phrases
from .language import language_of
from .nlu import sample_sentences
from .nlu.numbers import number_words
from .nlu.sample import Sample, SampleSlot
from .nlu.slot_types import slot_types
from .router import Router

PER_TEMPLATE = 40
BUILTIN_PER_TEMPLATE = 10_000
"""In effect all: the built-in templates expand to under two thousand sentences per language."""
SHORT_PER_TEMPLATE = 200
"""Short sentences (``SHORT_WORDS`` words or fewer, like "and what about sunday") are all taken."""
SHORT_WORDS = 4
VALUES_PER_SLOT = 2
"""Caller values put into each sample sentence's slot (they rotate over the template's samples).
A short sentence (fewer than ``SHORT_WORDS`` words around its one slot) gets every one: such
sentences answer the assistant's questions ("on friday", "nee om half drie")."""
WAKE_PHRASES = {"en": "hey computer", "nl": "hallo computer", "ko": "안녕하세요"}
"""The wake phrase of each language, unless one is given."""
_UNSPOKEN = re.compile(r"[^\w\s'-]|(?<!\w)-|['-](?!\w)")
"""Punctuation, hyphens not inside a word, apostrophes before no letter (``'s avonds`` keeps its)."""
_NUMBER = re.compile(r"\d+")
_WILDCARD_PLACEHOLDER = {"en": "groceries", "nl": "boodschappen", "": "something"}
"""What the sampler puts into a wildcard slot."""

CALLER_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "number": {
        "en": (
            "one two three four",
            "five six seven eight",
            "nine zero one two",
            "three four five six seven",
            "twelve thirty four",
            "forty two",
        ),
        "nl": (
            "een twee drie vier",
            "vijf zes zeven acht",
            "negen nul een twee",
            "drie vier vijf zes zeven",
            "twaalf vierendertig",
            "tweeënveertig",
        ),
    },
    "name": {
        "en": ("john smith", "maria garcia", "emma", "david brown"),
        "nl": ("jan de vries", "sanne bakker", "emma", "pieter jansen"),
    },
    "wildcard": {
        "en": ("my delivery", "a refund", "my invoice", "something else"),
        "nl": ("mijn bezorging", "een terugbetaling", "mijn factuur", "iets anders"),
    },
    "time": {
        "en": (
            "nine",
            "nine o'clock",
            "nine thirty am",
            "ten",
            "ten am",
            "half past ten",
            "ten thirty",
            "eleven",
            "eleven fifteen",
            "quarter to twelve",
            "twelve o'clock",
            "one",
            "one pm",
            "half past one",
            "two",
            "two o'clock",
            "two thirty pm",
            "three",
            "three pm",
            "quarter past three",
            "three fifteen pm",
            "four o'clock",
            "four thirty",
            "five pm",
        ),
        "nl": (
            "negen uur",
            "half tien",
            "tien",
            "tien uur",
            "kwart over tien",
            "half elf",
            "elf uur",
            "kwart voor twaalf",
            "twaalf uur",
            "een uur",
            "half twee",
            "twee",
            "twee uur",
            "kwart over twee",
            "half drie",
            "drie",
            "drie uur",
            "kwart over drie 's middags",
            "half vier",
            "vier uur",
            "kwart voor vijf",
            "vijf uur 's middags",
        ),
    },
    "date": {
        "en": (
            "today",
            "tomorrow",
            "the day after tomorrow",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "next monday",
            "next wednesday",
            "next friday",
            "the first of december",
            "the third of december",
            "december tenth",
            "the twenty first of december",
            "saturday the twelfth",
            "the twelfth",
            "in two weeks",
        ),
        "nl": (
            "vandaag",
            "morgen",
            "overmorgen",
            "maandag",
            "dinsdag",
            "woensdag",
            "donderdag",
            "vrijdag",
            "zaterdag",
            "volgende week maandag",
            "volgende week woensdag",
            "aanstaande vrijdag",
            "een december",
            "drie december",
            "tien december",
            "eenentwintig december",
            "zaterdag twaalf december",
            "de twaalfde",
            "over twee weken",
        ),
    },
}
"""Slot values callers say, per kind and language: wildcard slots by their name, typed slots by type."""


def grammar_phrases(
    router: Router, language: str, *, per_template: int = PER_TEMPLATE, wake_phrase: str | None = None
) -> list[str]:
    """Distinct sample sentences of every intent the router knows in ``language``, with the values
    callers say in their slots, the questions and phrasings of its skills' content in ``language``,
    and ``wake_phrase`` if given; all in spoken words."""
    matcher = router.matcher(language)
    skills = [s for s in sample_sentences(matcher, limit=per_template) if s.skill != BUILTIN]
    for name in router.skills:
        short = sample_sentences(matcher, limit=SHORT_PER_TEMPLATE, skill=name)
        skills += [s for s in short if len(s.text.split()) <= SHORT_WORDS]
    builtins = sample_sentences(matcher, limit=BUILTIN_PER_TEMPLATE, skill=BUILTIN)
    texts = [text for sample in _numbered(skills) for text in _with_caller_values(*sample, language)]
    texts += [sample.text for sample in builtins]
    texts += knowledge_phrases(router, language)
    texts += [wake_phrase] if wake_phrase else []
    return sorted({spoken for text in texts if (spoken := spoken_words(text, language))})


def _numbered(samples: Iterable[Sample]) -> Iterable[tuple[Sample, int]]:
    """Each sample with its number among its template's samples (the caller values rotate on it)."""
    seen: dict[tuple[str, str, str], int] = {}
    for sample in samples:
        key = (sample.skill, sample.intent, sample.template)
        seen[key] = seen.get(key, -1) + 1
        yield sample, seen[key]


def _with_caller_values(sample: Sample, number: int, language: str) -> list[str]:
    """The sample's text, each slot with a sampler's placeholder replaced by values callers say."""
    texts = [sample.text]
    every = len(sample.slots) == 1 and _frame_words(sample) < SHORT_WORDS
    for slot in sorted(sample.slots, key=lambda s: s.start, reverse=True):  # spans stay valid
        values = caller_values(slot, sample.text[slot.start : slot.end], language)
        if not values:
            continue
        chosen = (
            values
            if every
            else [values[(number * VALUES_PER_SLOT + k) % len(values)] for k in range(VALUES_PER_SLOT)]
        )
        texts = [text[: slot.start] + v + text[slot.end :] for text in texts for v in dict.fromkeys(chosen)]
    return texts


def _frame_words(sample: Sample) -> int:
    """The number of the sample's words around its slots (the sampler's slot words vary in length)."""
    text = sample.text
    for slot in sorted(sample.slots, key=lambda s: s.start, reverse=True):
        text = text[: slot.start] + text[slot.end :]
    return len(text.split())


def caller_values(slot: SampleSlot, words: str, language: str) -> Sequence[str]:
    """What callers say in ``slot`` (sampled as ``words``); empty when the sampled words are real."""
    family = language_of(language)
    if slot.value == _WILDCARD_PLACEHOLDER.get(family, _WILDCARD_PLACEHOLDER[""]):
        name = slot.name.lower()
        if any(part in name for part in ("number", "nummer", "code", "id", "phone", "telefoon")):
            kind = "number"
        else:
            kind = "name" if "name" in name or "naam" in name else "wildcard"
        return CALLER_VALUES[kind].get(family, ())
    if slot.value is None:
        for slot_type in slot_types():
            if slot_type.name in CALLER_VALUES and words in slot_type.examples.get(family, ()):
                return CALLER_VALUES[slot_type.name].get(family, ())
    return ()


def knowledge_phrases(router: Router, language: str) -> list[str]:
    """The content questions of the router's skills as a caller says them: lower case, without
    punctuation, numbers as words ("30 dagen" -> "dertig dagen")."""
    phrases = []
    for skill in router.skills.values():
        phrases += [spoken_words(text, language) for text in question_phrases(skill.root, language)]
    return [phrase for phrase in phrases if phrase]


def spoken_words(text: str, language: str) -> str:
    """``text`` as the words a recognizer hears."""
    words = _NUMBER.sub(lambda found: _number(found.group(), language), text.lower().replace("’", "'"))
    return " ".join(_UNSPOKEN.sub(" ", words).split())


def _number(digits: str, language: str) -> str:
    spellings = number_words(int(digits), language)
    return f" {spellings[0]} " if spellings else f" {digits} "
