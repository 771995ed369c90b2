"""Answers from the organisation's own content: FAQ files and pages, indexed per skill and language.

    from voice.knowledge import KnowledgeBase
    decision = KnowledgeBase.load(skill_root, "nl").ask(text)
    if decision.kind is DecisionKind.ANSWER: say(decision.candidates[0].spoken)

See docs/knowledge.md. The index (``KnowledgeBase``, ``evaluate``: bm25s, numpy, the model) is
imported on first use, so reading content (``question_phrases`` for the recognizer's grammar,
the exports) does not load it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .content import load_content, question_phrases, read_file
from .decision import Candidate, Decision, DecisionKind, Figures, Policy, Why
from .entries import Entry
from .spoken import shown_text, spoken_answer

if TYPE_CHECKING:
    from .base import KnowledgeBase
    from .evaluation import EvalSet, Report, evaluate

_LAZY = {
    "KnowledgeBase": ".base",
    "EvalSet": ".evaluation",
    "Report": ".evaluation",
    "evaluate": ".evaluation",
}


def __getattr__(name: str) -> Any:
    """The index's names, imported when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name], __name__), name)


__all__ = [
    "Candidate",
    "Decision",
    "DecisionKind",
    "Entry",
    "EvalSet",
    "Figures",
    "KnowledgeBase",
    "Policy",
    "Report",
    "Why",
    "evaluate",
    "load_content",
    "question_phrases",
    "read_file",
    "shown_text",
    "spoken_answer",
]
