"""Measuring a knowledge base on an evaluation file: top-1 accuracy and what the decisions would do.

An evaluation file (YAML)::

    skill: customer_service        # a name under skills/ or a folder
    language: nl
    questions:                     # as callers say them, with the entry id that answers them
      - {say: "kan ik met ideal betalen", expect: betaalmethoden}
    out_of_scope:                  # things callers say that the content does not answer
      - "verkopen jullie ook wasmachines"
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SkillError
from ..strict_yaml import load_yaml
from .base import KnowledgeBase
from .decision import Decision, DecisionKind
from .faq import invalid_yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalSet:
    """Questions with the entry that answers them, and questions nothing should answer."""

    skill: str
    language: str
    questions: tuple[tuple[str, str], ...]
    """(what the caller says, the id of the entry that answers it)."""
    out_of_scope: tuple[str, ...]

    @classmethod
    def from_file(cls, path: str | Path) -> EvalSet:
        file = Path(path)
        try:
            data: Any = load_yaml(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SkillError.said("eval_unreadable", path=file, reason=exc.strerror) from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise invalid_yaml(file, exc) from exc
        if not isinstance(data, dict) or not data.get("language") or not data.get("questions"):
            raise SkillError.said("eval_shape", path=file)
        if not isinstance(data["questions"], list):
            raise SkillError.said("eval_questions", path=file)
        out_of_scope = data.get("out_of_scope") or []
        if not isinstance(out_of_scope, list) or not all(isinstance(q, str) and q for q in out_of_scope):
            raise SkillError.said("eval_out_of_scope_list", path=file)
        questions = []
        for number, item in enumerate(data["questions"], start=1):
            if not isinstance(item, dict) or not item.get("say") or not item.get("expect"):
                raise SkillError.said("eval_question", path=file, number=number)
            questions.append((str(item["say"]), str(item["expect"])))
        return cls(
            skill=str(data.get("skill") or ""),
            language=str(data["language"]),
            questions=tuple(questions),
            out_of_scope=tuple(out_of_scope),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Evaluation figures; rates are fractions (0..1)."""

    language: str
    questions: int
    out_of_scope: int
    top1: float
    """In-scope questions whose best candidate is the expected entry."""
    answered_right: float
    """In-scope questions answered straight away with the expected entry."""
    confirm_rate: float
    """All questions that got "do you mean ...?"."""
    abstain_rate: float
    """All questions left to the fallback."""
    false_answer_rate: float
    """All questions answered with a wrong entry, or answered although out of scope."""
    confirm_right: float
    """In-scope questions confirmed with the expected entry among the offered candidates."""
    confirm_in_scope: float
    """In-scope questions that got "do you mean ...?" (``confirm_rate`` counts both kinds)."""
    out_of_scope_guessed: float
    """Out-of-scope questions that got "do you mean ...?": a guess where the fallback was right."""
    out_of_scope_guesses: float
    """Guesses an out-of-scope question hears on average (each "no" brings the next one offered)."""
    p50_ms: float
    p95_ms: float
    misses: tuple[Miss, ...] = ()
    """What went wrong (for ``voice knowledge eval --verbose``): a wrong entry ranked first or answered,
    and an out-of-scope question offered a guess."""
    unknown: tuple[str, ...] = ()
    """Entry ids the file expects and the content does not have (renamed or removed): their questions
    are left out of the figures, which the rest still give."""
    left_out: int = 0
    """Questions left out for expecting an ``unknown`` id."""

    def to_dict(self, *, misses: bool = False) -> dict[str, Any]:
        """The figures (and ``misses``, as a list of English lines) by name."""
        shown = {name: getattr(self, name) for name in self.__slots__ if misses or name != "misses"}
        return {**shown, "misses": [miss.line for miss in self.misses]} if misses else shown


@dataclass(frozen=True, slots=True)
class Miss:
    """One question that went wrong: what was decided, the entry ranked first and the one expected
    (empty: out of scope)."""

    kind: DecisionKind
    question: str
    got: str
    expected: str

    @property
    def line(self) -> str:
        """In English, for ``--json``."""
        return f"{self.kind.value:7} {self.question!r}: got {self.got}, expected {self.expected or '(none)'}"


@dataclass(slots=True)
class _Tally:
    """What the questions of an evaluation came to, counted as they are asked."""

    top1: int = 0
    right: int = 0
    confirm_right: int = 0
    confirms: int = 0
    abstains: int = 0
    false: int = 0
    guessed: int = 0
    guesses: int = 0
    misses: list[Miss] = field(default_factory=list)

    def add(self, say: str, expect: str, decision: Decision, ranked_first: str) -> None:
        """Count one question (``expect`` empty: out of scope); ``ranked_first``: the best-ranked entry,
        whatever the decision offered (a confirmation skips the unlikely)."""
        best = decision.best.id if decision.best else ""
        answered = decision.kind is DecisionKind.ANSWER
        confirmed = decision.kind is DecisionKind.CONFIRM
        offered = {c.id for c in decision.candidates}
        guess = confirmed and not expect
        self.top1 += bool(expect) and ranked_first == expect
        self.confirms += confirmed
        self.abstains += decision.kind is DecisionKind.ABSTAIN
        self.right += answered and bool(expect) and best == expect
        self.false += answered and best != expect
        self.confirm_right += confirmed and bool(expect) and expect in offered
        self.guessed += guess
        self.guesses += len(offered) if guess else 0
        if answered and best != expect or expect and ranked_first != expect or guess:
            self.misses.append(Miss(decision.kind, say, ranked_first, expect))


def evaluate(kb: KnowledgeBase, evalset: EvalSet) -> Report:
    """Ask every question of ``evalset`` and count; a question expecting an entry the content does not
    have is left out (one renamed entry must not hide the figures of the rest)."""
    known = {e.id for e in kb.entries}
    questions = [(say, expect) for say, expect in evalset.questions if expect in known]
    unknown = tuple(dict.fromkeys(expect for _, expect in evalset.questions if expect not in known))
    tally, timings = _Tally(), []
    cases = [*questions, *((say, "") for say in evalset.out_of_scope)]
    for say, expect in cases:
        started = time.perf_counter()
        decision, ranked = kb.ask_ranked(say)
        timings.append(time.perf_counter() - started)
        tally.add(say, expect, decision, ranked[0].id if ranked else "")
    timings = sorted(timings) or [0.0]
    n_in, total, outside = len(questions), len(cases), len(evalset.out_of_scope)
    return Report(
        language=evalset.language,
        questions=n_in,
        out_of_scope=outside,
        top1=_rate(tally.top1, n_in),
        answered_right=_rate(tally.right, n_in),
        confirm_rate=_rate(tally.confirms, total),
        abstain_rate=_rate(tally.abstains, total),
        false_answer_rate=_rate(tally.false, total),
        confirm_right=_rate(tally.confirm_right, n_in),
        confirm_in_scope=_rate(tally.confirms - tally.guessed, n_in),
        out_of_scope_guessed=_rate(tally.guessed, outside),
        out_of_scope_guesses=_rate(tally.guesses, outside),
        p50_ms=round(timings[len(timings) // 2] * 1000, 2),
        p95_ms=round(timings[int(len(timings) * 0.95)] * 1000, 2),
        misses=tuple(tally.misses),
        unknown=unknown,
        left_out=len(evalset.questions) - n_in,
    )


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0
