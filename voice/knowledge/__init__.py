"""Answers from the organisation's own content: FAQ files and pages, indexed per skill and language.

    from voice.knowledge import KnowledgeBase
    decision = KnowledgeBase.load(skill_root, "nl").ask(text)
    if decision.kind is DecisionKind.ANSWER: say(decision.candidates[0].spoken)

See docs/knowledge.md.
"""

from __future__ import annotations

from .base import KnowledgeBase
from .content import load_content, read_file
from .decision import Candidate, Decision, DecisionKind, Policy
from .entries import Entry
from .evaluation import EvalSet, Report, evaluate
from .spoken import spoken_answer

__all__ = [
    "Candidate",
    "Decision",
    "DecisionKind",
    "Entry",
    "EvalSet",
    "KnowledgeBase",
    "Policy",
    "Report",
    "evaluate",
    "load_content",
    "read_file",
    "spoken_answer",
]
