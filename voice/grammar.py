"""The recognizer's phrase list, built from the loaded skills' templates.

Grammar-constrained recognition only accepts whole phrases, so the phrases are sample
sentences of every intent (list values included), a bounded number per template.
"""

from __future__ import annotations

from .nlu import sample_sentences
from .router import Router

PER_TEMPLATE = 40


def grammar_phrases(router: Router, language: str, *, per_template: int = PER_TEMPLATE) -> list[str]:
    """Distinct sample sentences of every intent the router knows in ``language``."""
    matcher = router.matcher(language)
    phrases = (sample.text for sample in sample_sentences(matcher, limit=per_template))
    return sorted({" ".join(text.lower().split()) for text in phrases if text.strip()})
