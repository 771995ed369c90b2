"""The KPIs of a period, computed from the rollup's daily counts (see docs/insights.md for each formula).

``Kpis.from_totals`` is pure: it turns the summed counts of a period (metric -> count) into the KPIs,
so the formulas are tested without a database. ``read_totals`` sums the counts with one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..skill import Skill
from ..store import Store
from ..store.signals import HUNG_UP, latency_of_bucket
from .period import Filters

__all__ = ["FlowSteps", "Funnel", "Kpis", "flow_steps", "read_totals", "read_trend"]

FlowSteps = Mapping[str, Sequence[str]]
"""Flow intent -> its steps in the order it asks them (``flow_steps``)."""
RECOGNISED = ("understood:template", "understood:fuzzy", "understood:platform")
UNSPOKEN = ("silence", "hangup", "waiting")
"""Turns that said nothing to the assistant: no input, a hang-up, words to the colleague after a handoff."""


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Funnel:
    """One flow: how many started it, reached each of its questions, and completed it."""

    flow: str
    started: int
    steps: tuple[tuple[str, int], ...]
    """Each question (slot) with how many times callers reached it, in the flow's order (``FlowSteps``);
    steps the flow no longer has (or of a flow no skill loaded has) after them, most reached first."""
    completed: int
    failed: int = 0
    """The handler ran and reported a failure (the booking API was down): the caller went through every
    step, so this is no drop-off."""
    handed_over: int = 0
    """The handler ran and handed the caller to a person (a booking the calendar did not confirm): also
    through every step, and no drop-off."""
    abandoned: int
    """Ended without the handler by cancel, stop, start over, a hang-up or another flow."""

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.started)

    @property
    def stages(self) -> tuple[tuple[str, int], ...]:
        """started, each step, completed: the bars of the funnel."""
        return (("started", self.started), *self.steps, ("completed", self.completed))

    @property
    def drop_off(self) -> str:
        """The stage after which most callers went no further (the largest fall to the next stage, the
        first of equal ones); empty when no stage loses callers. A flow whose handler failed or handed
        over reached its end: it counts beside the completed ones there, not as callers who dropped off."""
        stages = (*self.stages[:-1], ("ended", self.completed + self.failed + self.handed_over))
        falls = [(stages[i][1] - stages[i + 1][1], stages[i][0]) for i in range(len(stages) - 1)]
        worst = max((fall for fall, _ in falls), default=0)
        return next(name for fall, name in falls if fall == worst) if worst > 0 else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "started": self.started,
            "steps": dict(self.steps),
            "completed": self.completed,
            "failed": self.failed,
            "handed_over": self.handed_over,
            "abandoned": self.abandoned,
            "completion_rate": self.completion_rate,
            "drop_off": self.drop_off,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpis:
    """The KPIs of one period and slice."""

    conversations: int = 0
    contained: int = 0
    gave_up: int = 0
    hung_up: int = 0
    """Conversations whose caller hung up (a phone gateway's end-of-call event), however they stood;
    counted on the day the conversation started, as its other figures are."""
    handoffs: Mapping[str, int] = field(default_factory=dict)
    """Handed-over conversations by reason (``asked``: the caller asked; the others the assistant decided)."""
    turns: int = 0
    spoken: int = 0
    """Turns in which the caller said something to the assistant (all but ``UNSPOKEN``)."""
    recognised: int = 0
    not_understood: int = 0
    knowledge_asked: int = 0
    knowledge_answered: int = 0
    intents: tuple[tuple[str, int], ...] = ()
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    satisfaction: Mapping[float, int] = field(default_factory=dict)
    """Answers to the end-of-conversation question: score -> how many."""
    flows: tuple[Funnel, ...] = ()

    @property
    def containment_rate(self) -> float | None:
        return _rate(self.contained, self.conversations)

    @property
    def handoff_rate(self) -> float | None:
        return _rate(sum(self.handoffs.values()), self.conversations)

    @property
    def fallback_rate(self) -> float | None:
        return _rate(self.not_understood, self.spoken)

    @property
    def recognition_rate(self) -> float | None:
        return _rate(self.recognised, self.spoken)

    @property
    def knowledge_answer_rate(self) -> float | None:
        return _rate(self.knowledge_answered, self.knowledge_asked)

    @property
    def satisfaction_score(self) -> float | None:
        """The mean answer: the share of yes on a yes/no question, else the mean of 1-5."""
        answers = sum(self.satisfaction.values())
        return sum(score * n for score, n in self.satisfaction.items()) / answers if answers else None

    @classmethod
    def from_totals(cls, totals: Mapping[str, int], *, top: int = 10, flows: FlowSteps | None = None) -> Kpis:
        """The KPIs of a period from its summed rollup counts (metric -> count); ``flows`` orders each
        funnel's steps as its flow asks them."""
        grouped = _by_prefix(totals)
        turns = totals.get("turns", 0)
        intents = sorted(grouped.get("intent", {}).items(), key=lambda item: (-item[1], item[0]))
        p50, p95 = _percentiles(grouped.get("latency", {}), (0.5, 0.95))
        return cls(
            conversations=totals.get("conversations", 0),
            contained=totals.get("outcome:contained", 0),
            gave_up=totals.get("outcome:gave_up", 0),
            hung_up=totals.get(HUNG_UP, 0),
            handoffs=dict(sorted(grouped.get("handoff", {}).items())),
            turns=turns,
            spoken=turns - sum(totals.get(f"understood:{how}", 0) for how in UNSPOKEN),
            recognised=sum(totals.get(metric, 0) for metric in RECOGNISED),
            not_understood=totals.get("understood:none", 0),
            knowledge_asked=totals.get("knowledge:asked", 0),
            knowledge_answered=totals.get("knowledge:answer", 0),
            intents=tuple(intents[:top]),
            latency_p50_ms=p50,
            latency_p95_ms=p95,
            satisfaction={float(k): v for k, v in grouped.get("satisfaction", {}).items()},
            flows=_funnels(grouped.get("flow", {}), flows or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """Every KPI, JSON-ready."""
        return {
            "conversations": self.conversations,
            "containment_rate": self.containment_rate,
            "contained": self.contained,
            "gave_up": self.gave_up,
            "hung_up": self.hung_up,
            "handoff_rate": self.handoff_rate,
            "handoffs": dict(self.handoffs),
            "turns": self.turns,
            "fallback_rate": self.fallback_rate,
            "recognition_rate": self.recognition_rate,
            "knowledge_answer_rate": self.knowledge_answer_rate,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            "satisfaction_score": self.satisfaction_score,
            "satisfaction_answers": sum(self.satisfaction.values()),
            "top_intents": dict(self.intents),
            "flows": [funnel.to_dict() for funnel in self.flows],
        }


def _by_prefix(totals: Mapping[str, int]) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = {}
    for metric, count in totals.items():
        prefix, _, rest = metric.partition(":")
        if rest:
            grouped.setdefault(prefix, {})[rest] = count
    return grouped


def _percentiles(buckets: Mapping[str, int], points: tuple[float, ...]) -> list[float | None]:
    ordered = sorted((int(bucket), count) for bucket, count in buckets.items() if count > 0)
    total = sum(count for _, count in ordered)
    found: list[float | None] = []
    for point in points:
        seen, value = 0, None
        for bucket, count in ordered:
            seen += count
            if seen >= point * total:
                value = round(latency_of_bucket(bucket), 1)
                break
        found.append(value)
    return found


def flow_steps(skills: Iterable[Skill]) -> FlowSteps:
    """Each flow's steps (the slots it asks for) in order, for the funnels."""
    return {intent: flow.steps for skill in skills for intent, flow in skill.flows.items()}


def _ordered(steps: Mapping[str, int], order: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """The steps in ``order``; any other after them, most reached first."""
    rest = sorted(((s, n) for s, n in steps.items() if s not in order), key=lambda item: (-item[1], item[0]))
    return (*((step, steps[step]) for step in order if step in steps), *rest)


def _funnels(counts: Mapping[str, int], orders: FlowSteps) -> tuple[Funnel, ...]:
    """Funnels from ``<flow>:started``, ``<flow>:step:<slot>``, ``<flow>:completed``, ``<flow>:failed``,
    ``<flow>:handed_over``, ``<flow>:abandoned``."""
    flows: dict[str, dict[str, Any]] = {}
    for key, count in counts.items():
        flow, _, event = key.partition(":")
        found = flows.setdefault(flow, {"steps": {}})
        if event.startswith("step:"):
            found["steps"][event[5:]] = count
        else:
            found[event] = count
    return tuple(
        Funnel(
            flow=flow,
            started=found.get("started", 0),
            steps=_ordered(found["steps"], orders.get(flow, ())),
            completed=found.get("completed", 0),
            failed=found.get("failed", 0),
            handed_over=found.get("handed_over", 0),
            abandoned=found.get("abandoned", 0),
        )
        for flow, found in sorted(flows.items(), key=lambda item: -item[1].get("started", 0))
    )


def read_totals(store: Store, filters: Filters) -> dict[str, int]:
    """The period's rollup counts, summed per metric (one query over the period's days)."""
    where, params = filters.where()
    rows = store.select(f"SELECT metric, SUM(count) FROM rollup WHERE {where} GROUP BY metric", params)
    return {metric: int(total) for metric, total in rows if total}


TREND_METRICS = ("conversations", "outcome:contained", "turns", "understood:none")


def read_trend(store: Store, filters: Filters) -> dict[str, list[int]]:
    """Per day of the period: conversations, contained ones, turns, turns not understood."""
    where, params = filters.where()
    marks = ", ".join("?" for _ in TREND_METRICS)
    rows = store.select(
        f"SELECT day, metric, SUM(count) FROM rollup WHERE {where} AND metric IN ({marks}) "
        "GROUP BY day, metric",
        [*params, *TREND_METRICS],
    )
    series = {metric: [0] * filters.days for metric in TREND_METRICS}
    for day, metric, total in rows:
        series[metric][int(day) - filters.first_day] = int(total)
    return series
