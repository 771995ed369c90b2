"""The recognizer's phrase list, built from the loaded skills' templates, content and the built-in intents.

Grammar-constrained recognition only accepts whole phrases, so the phrases are sample
sentences of every intent (list values included), a bounded number per template. The
built-in intents (yes, no, stop, help, a person, ...) are short and said in many ways:
every one of their sentences is in. So are the questions and phrasings of the skills'
content (``skills/<name>/knowledge/<lang>/``), as spoken words: the knowledge base answers
them at the microphone too. Reading them does not load the retrieval engine.
"""

from __future__ import annotations

import re

from .builtins import BUILTIN
from .knowledge import question_phrases
from .nlu import sample_sentences
from .nlu.numbers import number_words
from .router import Router

PER_TEMPLATE = 40
BUILTIN_PER_TEMPLATE = 10_000
"""In effect all: the built-in templates expand to a few hundred sentences per language."""
_UNSPOKEN = re.compile(r"[^\w\s'-]|(?<!\w)-|['-](?!\w)")
"""Punctuation, hyphens not inside a word, apostrophes before no letter (``'s avonds`` keeps its)."""
_NUMBER = re.compile(r"\d+")


def grammar_phrases(router: Router, language: str, *, per_template: int = PER_TEMPLATE) -> list[str]:
    """Distinct sample sentences of every intent the router knows in ``language``, and the
    questions and phrasings of its skills' content in ``language``."""
    matcher = router.matcher(language)
    skills = sample_sentences(matcher, limit=per_template)
    builtins = sample_sentences(matcher, limit=BUILTIN_PER_TEMPLATE, skill=BUILTIN)
    texts = [sample.text for sample in skills if sample.skill != BUILTIN]
    texts += [sample.text for sample in builtins]
    texts += knowledge_phrases(router, language)
    return sorted({" ".join(text.lower().split()) for text in texts if text.strip()})


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
