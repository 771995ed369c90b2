"""Deciding what to do with the ranked entries: answer, ask "do you mean ...?", or abstain.

A single score threshold does not separate right answers from off-topic questions; two methods that agree
do. So an answer needs the keyword index and the embedding model to rank the same entry first, with the
model's similarity and the keyword score above their thresholds (or the question's terms being those of
one of the entry's own questions or phrasings, whose keyword score falls as phrasings are added);
anything with some evidence is offered for confirmation; the rest is left to the fallback. Without the
embedding model, the keyword score and its margin decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .entries import Entry


class DecisionKind(StrEnum):
    """What the dialog should do with a question."""

    ANSWER = "answer"
    CONFIRM = "confirm"
    ABSTAIN = "abstain"


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """One entry that may answer the question, best first in ``Decision.candidates``."""

    entry: Entry
    spoken: str
    """The short answer to say aloud: plain text, at most about 40 words, safe to put into SSML."""
    score: float
    """The combined score the candidates are ordered by (higher is better; comparable within a question)."""
    keyword_score: float
    """BM25 score (0: no word in common)."""
    similarity: float | None
    """Cosine similarity from the embedding model; None when the model is not installed."""

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def text(self) -> str:
        return self.entry.text

    @property
    def link(self) -> str:
        return self.entry.link

    @property
    def source(self) -> str:
        return self.entry.source


class Why(StrEnum):
    """Why a decision went as it did: a code the team's language phrases (``voice knowledge ask``)."""

    CONFIDENT = "confident"
    ASKED = "asked"
    """The question has the very terms of one of the entry's own questions or phrasings."""
    UNSURE = "unsure"
    NOTHING = "nothing"
    NO_CONTENT = "no_content"
    OFF_TOPIC = "off_topic"
    """Unsure, and every entry it would offer is about something else."""


_REASONS = {
    Why.CONFIDENT: "confident: {}",
    Why.ASKED: "asked as the content asks it: {}",
    Why.UNSURE: "unsure: {}",
    Why.NOTHING: "nothing close enough: {}",
    Why.NO_CONTENT: "no content to answer from",
    Why.OFF_TOPIC: "the entries offered are about something else (unsure: {})",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """The best candidate's figures a decision weighed."""

    keyword_score: float
    similarity: float | None = None
    """None: no embedding model, and ``margin`` decided."""
    agree: bool = False
    """With the model: whether the keyword index and the model ranked the same entry first."""
    margin: float = 0.0
    """Without the model: how many times the runner-up's keyword score the best has."""

    @property
    def line(self) -> str:
        """In English, for ``Decision.reason``."""
        if self.similarity is None:
            return f"keyword score {self.keyword_score:.2f}, margin {self.margin:.2f}x (no embedding model)"
        agree = "agree" if self.agree else "disagree"
        return f"similarity {self.similarity:.3f}, keyword score {self.keyword_score:.2f}, methods {agree}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The knowledge base's verdict on one question."""

    kind: DecisionKind
    candidates: tuple[Candidate, ...]
    """Best first; for ``CONFIRM`` offer them in this order ("no" tries the next); empty when abstaining."""
    why: Why
    figures: Figures | None = None
    """None only for ``Why.NO_CONTENT``."""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def reason(self) -> str:
        """Why, in one English line with the figures (scores, margin, agreement): for logs; ``voice
        knowledge ask`` phrases ``why`` and ``figures`` in the team's language."""
        return _REASONS[self.why].format(self.figures.line if self.figures else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The thresholds of the decision (measured on the shipped evaluation sets, see docs/knowledge.md)."""

    answer_similarity: float = 0.88
    """With both methods agreeing, the model's similarity needed to answer without asking..."""
    answer_keywords: float = 4.0
    """... and the keyword score needed with it. Both chosen on every other evaluation question (at most
    1 % false answers there, then the most answered right) and checked on the others: 1.9 % false answers
    there. With six to nine phrasings per entry, 0.86 gave 2.8 % false answers in Dutch."""
    confirm_similarity: float = 0.85
    """The model's similarity needed to offer an entry for confirmation: the highest that kept the right
    entry among those answered or offered as often on every other evaluation question (0.83 before)."""
    confirm_unmatched: float = 0.859
    """The similarity needed to offer an entry that has no word in common with the question ..."""
    confirm_per_keyword: float = 0.005
    """... and how much less it needs per point of keyword score, down to ``confirm_similarity`` (from a
    score of 1.8). Chosen on every other evaluation question: no right entry offered less, then the
    fewest out-of-scope questions offered a guess (24 -> 21 of 38; five settings tied, this one asks
    least); on the others 20 -> 17 of 36, the right entry offered as often (docs/knowledge.md)."""
    answer_keyword: float = 6.0
    """Without the model: the BM25 score needed to answer (with ``answer_margin``)."""
    answer_margin: float = 1.5
    """Without the model: how many times the runner-up's score the best needs to answer."""
    confirm_keyword: float = 3.0
    """Without the model: the BM25 score needed to offer the best entry for confirmation."""
    offered: int = 2
    """How many candidates a confirmation offers at most: each "no" costs the caller a turn. On the
    evaluation sets a right entry offered third never happened (146 questions), while an out-of-scope
    question heard three guesses 21 times."""
    offer_within: float = 0.04
    """With the model, a runner-up is offered too only when its similarity is this close to the best's
    (right entries offered second were within 0.032)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """The ranking figures a decision is made from (index positions into the candidate list)."""

    keyword_first: int | None
    """Position in the candidates of the keyword index's best entry (None: no word matched)."""
    model_first: int | None
    """Position of the embedding model's best entry (None: no model)."""
    said_first: int | None = None
    """Position of the entry one of whose questions or phrasings has the question's very terms (None:
    none has): the caller asked it as the content does."""


def decide(candidates: tuple[Candidate, ...], evidence: Evidence, policy: Policy) -> Decision:
    """Answer, confirm or abstain on ``candidates`` (ordered by combined score)."""
    if not candidates:
        return Decision(kind=DecisionKind.ABSTAIN, candidates=(), why=Why.NO_CONTENT)
    best = candidates[0]
    if best.similarity is None:
        return _by_keywords(candidates, policy)
    agree = evidence.keyword_first == 0 and evidence.model_first == 0
    figures = Figures(keyword_score=best.keyword_score, similarity=best.similarity, agree=agree)
    if agree and best.similarity >= policy.answer_similarity and best.keyword_score >= policy.answer_keywords:
        return Decision(
            kind=DecisionKind.ANSWER, candidates=candidates[:1], why=Why.CONFIDENT, figures=figures
        )
    if agree and evidence.said_first == 0 and best.similarity >= policy.answer_similarity:
        return Decision(kind=DecisionKind.ANSWER, candidates=candidates[:1], why=Why.ASKED, figures=figures)
    close = max(policy.confirm_similarity, best.similarity - policy.offer_within)
    offered = tuple(
        c for c in candidates[: policy.offered] if (c.similarity or 0) >= _needed(c, close, policy)
    )
    if offered and (best.keyword_score > 0 or best.similarity >= policy.answer_similarity):
        return Decision(kind=DecisionKind.CONFIRM, candidates=offered, why=Why.UNSURE, figures=figures)
    return Decision(kind=DecisionKind.ABSTAIN, candidates=(), why=Why.NOTHING, figures=figures)


def _needed(candidate: Candidate, close: float, policy: Policy) -> float:
    """The similarity ``candidate`` needs to be offered: ``close`` to the best, and more the fewer words
    it shares with the question."""
    return max(close, policy.confirm_unmatched - policy.confirm_per_keyword * candidate.keyword_score)


def _by_keywords(candidates: tuple[Candidate, ...], policy: Policy) -> Decision:
    best = candidates[0]
    runner_up = candidates[1].keyword_score if len(candidates) > 1 else 0.0
    margin = best.keyword_score / runner_up if runner_up > 0 else float("inf")
    figures = Figures(keyword_score=best.keyword_score, margin=margin)
    if best.keyword_score >= policy.answer_keyword and margin >= policy.answer_margin:
        return Decision(
            kind=DecisionKind.ANSWER, candidates=candidates[:1], why=Why.CONFIDENT, figures=figures
        )
    offered = tuple(c for c in candidates[: policy.offered] if c.keyword_score >= policy.confirm_keyword)
    if offered:
        return Decision(kind=DecisionKind.CONFIRM, candidates=offered, why=Why.UNSURE, figures=figures)
    return Decision(kind=DecisionKind.ABSTAIN, candidates=(), why=Why.NOTHING, figures=figures)
