"""What one turn tells about the conversation: the signals the KPIs are computed from.

The dialog fills a ``TurnSignals`` per turn; the store writes it in the turn's transaction, as one row
of the ``signals`` table and as counts in the ``rollup`` table (one row per UTC day, channel, locale,
skill and metric), so that the KPIs of any period read a few hundred rows instead of every turn.

Conversation metrics (``conversations``, ``outcome:*``, ``handoff:*``, ``satisfaction:*``, ``hung_up``)
count on the day the conversation started, under its skill; the others on the day of the turn, under
its skill.
A conversation's outcome is moved from its old value to its new one as each turn changes it, so the
rollup always holds each conversation once, with the outcome of its latest turn. Likewise a guess ("Do
you mean ...?") is settled by the turn that takes it or finds it missed (``TurnSignals.guess``): a
missed one's row and count move to not understood.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

__all__ = [
    "GUESS_MISSED",
    "HUNG_UP",
    "LATENCY_STEP",
    "OPEN_GUESS",
    "SIGNAL_COLUMNS",
    "Outcome",
    "RollupDelta",
    "TurnSignals",
    "Understood",
    "day_of",
    "latency_bucket",
    "latency_of_bucket",
    "missed_guess_counts",
    "overrun_count",
    "rollup_deltas",
    "signal_record",
    "signal_row",
    "signal_rows_and_counts",
]

DAY_S = 86400
LATENCY_STEP = 1.1
"""Latency is counted in buckets 10% wide (bucket k holds [1.1^k, 1.1^(k+1)) ms): p50 and p95 within 5%."""
_OVERRUN = "overrun"
"""The metric of the turns whose caller heard "one moment"."""
HUNG_UP = "hung_up"
"""The conversation metric of calls the caller ended by hanging up (on the conversation's day, as its
outcome); the hang-up turn itself counts ``understood:hangup`` on its own day, as every turn does."""


class Understood(StrEnum):
    """How the caller's words were understood."""

    TEMPLATE = "template"
    """A skill's or the built-ins' sentence template matched exactly."""
    FUZZY = "fuzzy"
    """A template matched only in the fuzzy pass."""
    PLATFORM = "platform"
    """Alexa or Dialogflow resolved the intent."""
    KNOWLEDGE = "knowledge"
    """No intent matched; the knowledge base answered or offered an answer."""
    NONE = "none"
    """Not understood: the fallback answered."""
    SILENCE = "silence"
    """The caller said nothing (no input); neither understood nor not."""
    HANGUP = "hangup"
    """The caller hung up (a phone gateway's end-of-call event): no words either."""
    WAITING = "waiting"
    """Said after the handoff, while the caller waits on the line for the colleague: words for the
    person, not the assistant, so neither understood nor not (and kept out of the review list)."""


class Outcome(StrEnum):
    """Where a conversation stands after its latest turn."""

    CONTAINED = "contained"
    """No person, and the caller was not left unhelped."""
    HANDOFF = "handoff"
    """Handed over to a person."""
    GAVE_UP = "gave_up"
    """Its latest turn left the caller unhelped: not understood, a flow or an offered answer left
    open, or closed after silence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnSignals:
    """One turn as the KPIs see it; written by the store with the turn."""

    session_id: str
    user_id: str
    time: float
    """Seconds since the epoch (the turn's time)."""
    channel: str
    locale: str
    skill: str
    """The skill that answered (the flow's, the matched intent's, the knowledge's), else empty."""
    intent: str = ""
    understood: Understood = Understood.TEMPLATE
    confidence: float | None = None
    text: str = ""
    """The caller's words (as the log keeps them), kept here only for turns not understood, and for a
    guess until the caller takes it (``OPEN_GUESS``)."""
    flow: str = ""
    """The intent of the flow this turn worked on, if any."""
    flow_started: bool = False
    flow_step: str = ""
    """The steps (slots it asks for) the flow reached at this turn, in its order, space-separated: the
    one it asks for next, and those the caller filled before being asked; each once per run."""
    flow_completed: bool = False
    flow_failed: bool = False
    """The flow's handler ran and reported a failure (``Reply.failed``: the booking API was down): not
    completed, and no caller dropped off. Only in ``rollup`` (``flow:<flow>:failed``), not a column."""
    flow_handed_over: bool = False
    """The flow's handler ran and handed the caller to a person (``Reply(handoff=True)``: a booking the
    calendar did not confirm): not completed, and no caller dropped off. Only in ``rollup``
    (``flow:<flow>:handed_over``), not a column."""
    flow_abandoned: bool = False
    """The flow ended without its handler (cancel, stop, start over, the caller hung up)."""
    flow_left: str = ""
    """The flow open before this turn that another flow (``flow``) took the place of; it counts as
    abandoned, under ``flow_left_skill``. Only in ``rollup``: the ``signals`` row names the new flow."""
    flow_left_skill: str = ""
    confirmation: str = ""
    """``asked``, ``accepted`` or ``refused``: a flow's yes/no question about a slot or the intent;
    a yes or no that answers one and leads to the next holds both, space-separated (``accepted asked``)."""
    knowledge: str = ""
    """``answer``, ``confirm`` (a "Do you mean") or ``abstain`` (it had nothing; the fallback spoke)."""
    guess: str = ""
    """What this turn made of the guess ("Do you mean ...?") an earlier turn of the session left open:
    ``accepted`` (a yes took an offered answer) or ``missed`` (no to the last one, or ignored: the caller
    moved on); empty when none was settled. Not a column: the store settles that turn's row with this
    one (``GUESS_MISSED``): a missed guess was not understood."""
    handoff: str = ""
    """``caller`` (asked for a person) or ``assistant`` (decided by a policy) when the turn handed over."""
    handoff_reason: str = ""
    irritation: bool = False
    """The words held an irritation cue."""
    handler_error: bool = False
    deadline_overrun: bool = False
    """The caller heard "one moment": the turn missed its deadline."""
    latency_ms: float = 0.0
    """From the dialog receiving the turn to its reply, before the commit."""
    satisfaction: float | None = None
    """The answer to the end-of-conversation question: 1 yes / 0 no, or 1-5."""
    conversation_started: bool = False
    """This is the conversation's first turn."""
    conversation_day: int = 0
    """The UTC day (days since the epoch) the conversation started."""
    conversation_skill: str = ""
    """The skill the conversation's metrics count under (fixed at its first turn)."""
    outcome_before: Outcome | None = None
    """The conversation's outcome after its previous turn; None on its first."""
    outcome: Outcome = Outcome.CONTAINED

    @property
    def day(self) -> int:
        return day_of(self.time)


class RollupDelta(NamedTuple):
    """A change of one count of the ``rollup`` table: a tuple, so it is the row the statement takes (a turn
    makes a dozen; a frozen dataclass cost ~2 µs each to build)."""

    day: int
    channel: str
    locale: str
    skill: str
    metric: str
    delta: int


SIGNAL_COLUMNS = (
    "session_id",
    "user_id",
    "time",
    "channel",
    "locale",
    "skill",
    "intent",
    "understood",
    "confidence",
    "text",
    "flow",
    "flow_started",
    "flow_step",
    "flow_completed",
    "flow_abandoned",
    "confirmation",
    "knowledge",
    "handoff",
    "handoff_reason",
    "irritation",
    "handler_error",
    "deadline_overrun",
    "latency_ms",
    "satisfaction",
    "outcome",
)
"""The columns of the ``signals`` table after its ``seq``, in order."""


_FLAGS = frozenset(f.name for f in fields(TurnSignals) if f.type == "bool")
"""Columns SQLite returns as 0 and 1."""


def signal_record(row: Sequence[Any]) -> dict[str, Any]:
    """A row of ``SIGNAL_COLUMNS`` as JSON-ready values, the flags as booleans in every store."""
    return {c: bool(v) if c in _FLAGS else v for c, v in zip(SIGNAL_COLUMNS, row, strict=True)}


OPEN_GUESS = "understood = 'knowledge' AND knowledge = 'confirm' AND text <> ''"
"""The ``signals`` rows of guesses ("Do you mean ...?") not settled yet: they keep the caller's words
until a later turn (``TurnSignals.guess``) takes the guess, or finds it missed (``GUESS_MISSED``)."""
GUESS_MISSED = (("understood:none", 1), ("understood:knowledge", -1))
"""The ``rollup`` counts a missed guess moves, on its own turn's day, channel, locale and skill."""


def signal_row(signals: TurnSignals) -> tuple[object, ...]:
    """The row of ``SIGNAL_COLUMNS``; the text only of a turn that was not understood, or is a guess
    whose answer the next turns give (``OPEN_GUESS``)."""
    row = list(_SIGNAL_VALUES(signals))
    row[_UNDERSTOOD], row[_OUTCOME] = signals.understood.value, signals.outcome.value
    row[_TEXT] = signals.text if _words_kept(signals) else ""
    return tuple(row)


_SIGNAL_VALUES = attrgetter(*SIGNAL_COLUMNS)
_UNDERSTOOD, _OUTCOME, _TEXT = (SIGNAL_COLUMNS.index(c) for c in ("understood", "outcome", "text"))


def _words_kept(signals: TurnSignals) -> bool:
    guessed = signals.understood is Understood.KNOWLEDGE and signals.knowledge == "confirm"
    return signals.understood is Understood.NONE or guessed


def missed_guess_counts(
    time: float, channel: str, locale: str, skill: str
) -> list[tuple[int, str, str, str, str, int]]:
    """The ``rollup`` deltas (day, channel, locale, skill, metric, delta) of a missed guess, from its
    stored row's time, channel, locale and skill."""
    return [(day_of(time), channel, locale, skill, metric, delta) for metric, delta in GUESS_MISSED]


def signal_rows_and_counts(
    signals: Iterable[TurnSignals],
) -> tuple[list[tuple[object, ...]], list[RollupDelta]]:
    """The ``signals`` rows and ``rollup`` deltas (day, channel, locale, skill, metric, delta) to write."""
    rows, deltas = [], []
    for turn in signals:
        rows.append(signal_row(turn))
        deltas.extend(rollup_deltas(turn))
    if len(rows) > 1:
        deltas = _merged(deltas)
    return rows, deltas


def overrun_count(signals: TurnSignals) -> tuple[int, str, str, str, str, int]:
    """The ``rollup`` count (day, channel, locale, skill, metric, delta) that marking the stored turn
    ``signals`` as a missed deadline adds (``Store.save``'s ``overrun``)."""
    return (signals.day, signals.channel, signals.locale, signals.skill, _OVERRUN, 1)


def day_of(time: float) -> int:
    """The UTC day of ``time``, as days since the epoch."""
    return int(time // DAY_S)


def latency_bucket(ms: float) -> int:
    """The latency bucket of ``ms`` milliseconds (0 for anything under 1 ms)."""
    return 0 if ms < 1 else int(math.log(ms) / math.log(LATENCY_STEP))


def latency_of_bucket(bucket: int) -> float:
    """The middle of a bucket, in ms (a percentile's value when it falls in it)."""
    return float(LATENCY_STEP ** (bucket + 0.5))


def rollup_deltas(signals: TurnSignals) -> list[RollupDelta]:
    """The counts one turn adds (and, for a changed outcome, moves), sorted by their key."""
    latency = f"latency:{latency_bucket(signals.latency_ms):03d}"
    turn = ["turns", f"understood:{signals.understood.value}", latency]
    turn += _turn_metrics(signals)
    conversation: list[tuple[str, int]] = []
    if signals.outcome_before is None:
        conversation.append(("conversations", 1))
    if signals.outcome_before is not signals.outcome:
        conversation.append((f"outcome:{signals.outcome.value}", 1))
        if signals.outcome_before is not None:
            conversation.append((f"outcome:{signals.outcome_before.value}", -1))
    if signals.handoff:
        conversation.append((f"handoff:{signals.handoff_reason or signals.handoff}", 1))
    if signals.satisfaction is not None:
        conversation.append((f"satisfaction:{signals.satisfaction:g}", 1))
    if signals.understood is Understood.HANGUP:  # how the conversation ended, not what a turn said
        conversation.append((HUNG_UP, 1))
    deltas = [
        RollupDelta(signals.day, signals.channel, signals.locale, signals.skill, metric, 1) for metric in turn
    ]
    if signals.flow_left:
        place = (signals.day, signals.channel, signals.locale, signals.flow_left_skill)
        deltas.append(RollupDelta(*place, f"flow:{signals.flow_left}:abandoned", 1))
    where = (signals.conversation_day, signals.channel, signals.locale, signals.conversation_skill)
    deltas += [RollupDelta(*where, metric, delta) for metric, delta in conversation]
    return _merged(deltas)


def _turn_metrics(signals: TurnSignals) -> list[str]:
    metrics = [f"intent:{signals.intent}"] if signals.intent else []
    if signals.flow:
        flow = f"flow:{signals.flow}"
        events = (
            (signals.flow_started, "started"),
            (signals.flow_completed, "completed"),
            (signals.flow_failed, "failed"),
            (signals.flow_handed_over, "handed_over"),
            (signals.flow_abandoned, "abandoned"),
        )
        metrics += [f"{flow}:{name}" for happened, name in events if happened]
        metrics += [f"{flow}:step:{step}" for step in signals.flow_step.split()]
    if signals.knowledge and signals.understood in (Understood.KNOWLEDGE, Understood.NONE):
        metrics.append("knowledge:asked")  # the caller's words went to the knowledge base
    metrics += [f"confirm:{event}" for event in signals.confirmation.split()]
    if signals.knowledge:
        metrics.append(f"knowledge:{signals.knowledge}")
    for happened, name in (
        (signals.irritation, "irritation"),
        (signals.handler_error, "error"),
        (signals.deadline_overrun, _OVERRUN),
    ):
        if happened:
            metrics.append(name)
    return metrics


def _merged(deltas: list[RollupDelta]) -> list[RollupDelta]:
    """One delta per key (a database upsert may touch a row once per statement), in key order, so that
    concurrent turns lock the rows they share in the same order."""
    totals: dict[tuple[int, str, str, str, str], int] = {}
    for d in deltas:
        key = (d.day, d.channel, d.locale, d.skill, d.metric)
        totals[key] = totals.get(key, 0) + d.delta
    return [RollupDelta(*key, delta) for key, delta in sorted(totals.items()) if delta]
