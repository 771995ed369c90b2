"""The recognizer's phrase list, built from the loaded skills' templates and the built-in intents.

Grammar-constrained recognition only accepts whole phrases, so the phrases are sample
sentences of every intent (list values included), a bounded number per template. The
built-in intents (yes, no, stop, help, a person, ...) are short and said in many ways:
every one of their sentences is in.
"""

from __future__ import annotations

from .builtins import BUILTIN
from .nlu import sample_sentences
from .router import Router

PER_TEMPLATE = 40
BUILTIN_PER_TEMPLATE = 10_000
"""In effect all: the built-in templates expand to a few hundred sentences per language."""


def grammar_phrases(router: Router, language: str, *, per_template: int = PER_TEMPLATE) -> list[str]:
    """Distinct sample sentences of every intent the router knows in ``language``."""
    matcher = router.matcher(language)
    skills = sample_sentences(matcher, limit=per_template)
    builtins = sample_sentences(matcher, limit=BUILTIN_PER_TEMPLATE, skill=BUILTIN)
    texts = [sample.text for sample in skills if sample.skill != BUILTIN]
    texts += [sample.text for sample in builtins]
    return sorted({" ".join(text.lower().split()) for text in texts if text.strip()})
