"""A report: the KPIs of a period beside those of the period before, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import Store
from .kpis import FlowSteps, Kpis, read_totals
from .period import Filters
from .team import Texts, texts
from .unmatched import UtteranceGroup, read_not_understood

__all__ = ["Report", "build_report", "group_line", "written_number"]

Value = float | int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The KPIs of ``filters``' period and of the period of the same length before it."""

    filters: Filters
    current: Kpis
    previous: Kpis
    not_understood: tuple[UtteranceGroup, ...] = ()
    satisfaction: str = "scale"
    """The question asked (``[insights] satisfaction``): the figure of ``yes_no`` is the share of yes,
    which the table shows in percent; the CSV and the JSON keep it as it is (a fraction, unit ``score``)."""

    @property
    def satisfaction_unit(self) -> str:
        """The unit the team reads the satisfaction in: percent for yes/no, else the mean score."""
        return "%" if self.satisfaction == "yes_no" else "score"

    def rows(
        self, say: Texts | None = None, flow_name: Callable[[str], str] | None = None
    ) -> list[tuple[str, str, Value, Value]]:
        """(KPI, unit, this period, the period before); unit ``%`` for rates (held as fractions, 0-1,
        and shown as percent), ``ms``, ``score`` or ``n``. The KPI is named in ``say``'s language
        (English by default, as the CSV keeps it), a flow by ``flow_name`` of its intent, else by its
        intent."""
        words = say or texts("en")
        now, before = self.current, self.previous
        rows: list[tuple[str, str, Value, Value]] = [
            (words("kpi_conversations"), "n", now.conversations, before.conversations),
            (words("kpi_containment"), "%", now.containment_rate, before.containment_rate),
            (words("kpi_handoff_rate"), "%", now.handoff_rate, before.handoff_rate),
        ]
        for reason in sorted({*now.handoffs, *before.handoffs}):
            name = words("kpi_handoff_reason", reason=say.term("reason", reason) if say else reason)
            rows.append((name, "%", _share(now, reason), _share(before, reason)))
        rows += [
            (words("kpi_gave_up"), "n", now.gave_up, before.gave_up),
            (words("kpi_hung_up"), "n", now.hung_up, before.hung_up),
            (words("kpi_fallback_rate"), "%", now.fallback_rate, before.fallback_rate),
            (words("kpi_recognition_rate"), "%", now.recognition_rate, before.recognition_rate),
            (
                words("kpi_knowledge_answer_rate"),
                "%",
                now.knowledge_answer_rate,
                before.knowledge_answer_rate,
            ),
            (words("kpi_latency_p50"), "ms", now.latency_p50_ms, before.latency_p50_ms),
            (words("kpi_latency_p95"), "ms", now.latency_p95_ms, before.latency_p95_ms),
            (words("kpi_satisfaction"), "score", now.satisfaction_score, before.satisfaction_score),
            (words("kpi_turns"), "n", now.turns, before.turns),
        ]
        earlier = dict(before.intents)
        rows += [
            (words("kpi_intent", name=name), "n", count, earlier.get(name, 0)) for name, count in now.intents
        ]
        funnels = {funnel.flow: funnel for funnel in before.flows}
        for funnel in now.flows:
            old = funnels.get(funnel.flow)
            earlier_rate = old.completion_rate if old is not None else None
            flow = flow_name(funnel.flow) if flow_name else funnel.flow
            rows.append((words("kpi_flow_completion", flow=flow), "%", funnel.completion_rate, earlier_rate))
            for kind in ("failed", "handed_over", "abandoned"):
                was = getattr(old, kind) if old is not None else 0
                rows.append((words(f"kpi_flow_{kind}", flow=flow), "n", getattr(funnel, kind), was))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.to_dict(),
            "current": self.current.to_dict(),
            "previous": {"filters": self.filters.previous().to_dict(), **self.previous.to_dict()},
            "not_understood": [group.to_dict() for group in self.not_understood],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        """The rows as CSV, each value in its unit: rates in percent (``%``), their changes in
        percentage points, as the table shows them (the JSON keeps rates as fractions)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["kpi", "unit", "current", "previous", "change"])
        for name, unit, now, before in self.rows():
            change = _change(unit, now, before)
            writer.writerow([name, unit, *(_plain(_scaled(unit, value)) for value in (now, before, change))])
        return out.getvalue()

    def to_table(self, say: Texts | None = None, flow_name: Callable[[str], str] | None = None) -> str:
        """A table for the terminal in ``say``'s language and its way of writing numbers; rates in %,
        changes in percentage points; the flows by ``flow_name`` (``StageNames.heading``, as the
        dashboard names them), else by intent; the not-understood groups with the question a short
        answer was given to."""
        say = say or texts("en")
        language = say.language
        slice_ = ", ".join(f"{k}={v}" for k, v in self.filters.to_dict().items() if k in _SLICE and v)
        start, end = self.filters.start, self.filters.end
        lines = [say("report_period", start=start, end=end, slice=slice_, days=self.filters.days)]
        table = [(say("report_kpi"), say("report_now"), say("report_before"), say("report_change"))]
        for name, unit, now, before in self.rows(say, flow_name):
            unit = self.satisfaction_unit if unit == "score" else unit
            shown = format_value(unit, now, language), format_value(unit, before, language)
            table.append((name, *shown, format_change(unit, now, before, language)))
        widths = [max(len(row[i]) for row in table) for i in range(4)]
        for row in table:
            lines.append(
                "  ".join(
                    cell.ljust(w) if i == 0 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        if self.not_understood:
            lines.append("")
            lines.append(say("report_not_understood"))
            lines += [
                f"  {format_value('n', group.count, language):>6}  {group_line(group, say)}"
                for group in self.not_understood
            ]
        return "\n".join(lines)


_SLICE = ("channel", "locale", "skill")


def _share(kpis: Kpis, reason: str) -> float | None:
    return kpis.handoffs.get(reason, 0) / kpis.conversations if kpis.conversations else None


def _change(unit: str, now: Value, before: Value) -> Value:
    if now is None or before is None:
        return None
    return round(now - before, 6) if unit != "n" else now - before


def _scaled(unit: str, value: Value) -> Value:
    """``value`` in the unit it is shown in (a rate of 0.25 is 25 %)."""
    return None if value is None else round(value * _FORMATS.get(unit, _COUNT_FORMAT)[0], 6)


def _plain(value: Value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


_FORMATS = {
    "%": (100, "{:,.1f}%", "{:+,.1f} {points}"),
    "ms": (1, "{:,.0f} ms", "{:+,.0f} ms"),
    "score": (1, "{:,.2f}", "{:+,.2f}"),
}
"""Per unit: the factor a value is shown with, its format, and the format of a change."""
_COUNT_FORMAT = (1, "{:,}", "{:+,}")
_SEPARATORS = {"nl": str.maketrans(",.", ".,")}
"""Languages whose thousands and decimal separators are not English's: a Dutch reader reads 5,572 as
five and a half, so the team's language writes ``5.572 ms`` and ``25,0%``."""
_POINTS = {"nl": "procentpunt"}
"""The word for percentage points after a change of a rate, where English's ``pt`` is none: a Dutch
reader reads "+2,0 procentpunt"."""


def format_value(unit: str, value: Value, language: str = "en") -> str:
    """A KPI as a person reads it in ``language``: ``62.5%``, ``840 ms``, ``1,234`` (Dutch ``62,5%``,
    ``1.234``); ``-`` when there is nothing to count."""
    if value is None:
        return "-"
    factor, shown, _ = _FORMATS.get(unit, _COUNT_FORMAT)
    return written_number(shown.format(value * factor), language)


def format_change(unit: str, now: Value, before: Value, language: str = "en") -> str:
    change = _change(unit, now, before)
    if change is None:
        return ""
    factor, _, shown = _FORMATS.get(unit, _COUNT_FORMAT)
    return written_number(shown.format(change * factor, points=_POINTS.get(language, "pt")), language)


def written_number(number: str, language: str) -> str:
    """``number`` as formatted in English, with ``language``'s separators (no Babel for two swaps)."""
    table = _SEPARATORS.get(language)
    return number.translate(table) if table else number


def group_line(group: UtteranceGroup, say: Texts) -> str:
    """A not-understood group on one line: its words, how many similar, and for a short answer the
    question it answered ("ja" alone tells a reviewer nothing)."""
    others = len(group.examples) - 1
    parts = [group.text]
    if others:
        parts.append(f"({say('similar', count=others)})")
    if group.asked:
        parts.append(" / ".join(say("asked_before", question=question) for question, _ in group.asked))
    return "  ".join(parts)


def build_report(
    store: Store,
    filters: Filters,
    *,
    top: int = 10,
    not_understood: int = 10,
    flows: FlowSteps | None = None,
    satisfaction: str = "scale",
) -> Report:
    """The report of ``filters``: two rollup reads and one read of the period's not-understood turns;
    ``flows`` (``flow_steps`` of the skills) puts each funnel's steps in its flow's order;
    ``satisfaction`` is the question asked (``Report.satisfaction``)."""
    return Report(
        filters=filters,
        current=Kpis.from_totals(read_totals(store, filters), top=top, flows=flows),
        previous=Kpis.from_totals(read_totals(store, filters.previous()), top=top, flows=flows),
        not_understood=tuple(read_not_understood(store, filters, limit=not_understood)),
        satisfaction=satisfaction,
    )
