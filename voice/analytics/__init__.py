"""Insights from the conversation log: KPIs, not-understood utterances, conversations, reviews.

Everything reads the store's ``rollup`` (daily counts) and ``signals`` (per-turn) tables, which the
dialog fills with every turn (``voice.store.signals``). See docs/insights.md for each KPI's formula.
"""

from .kpis import FlowSteps, Funnel, Kpis, flow_steps, read_totals, read_trend
from .period import Filters, ReportError
from .report import Report, build_report, format_change, format_value
from .unmatched import UtteranceGroup, normalise, read_not_understood

__all__ = [
    "Filters",
    "FlowSteps",
    "Funnel",
    "Kpis",
    "Report",
    "ReportError",
    "UtteranceGroup",
    "build_report",
    "flow_steps",
    "format_change",
    "format_value",
    "normalise",
    "read_not_understood",
    "read_totals",
    "read_trend",
]
