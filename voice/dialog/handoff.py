"""Handing a conversation over to a human: when, and how the record gets to the team.

Triggers (each configurable): the caller asks for a person, N misunderstood turns in a
row, N turns in a row with low recognition confidence, and irritation in the words.
The record (reason, transcript, slots gathered, ids) is saved in the store's outbox with the
turn that decided it, and a background sender (``voice.dialog.outbox``) hands it to a sink: an
HTTP endpoint (one attempt per try, with the record's id as ``Idempotency-Key``) or a local
queue file (one JSON object per line), retrying with back-off until it is taken.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..hours import BusinessHours
from ..http_json import CallFailed, call_json
from .irritation import IRRITATION_CUES, cue_forms, spoken_words

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffPolicy:
    """When the assistant gives up and gets a person (``[handoff]`` in the config, see ``from_settings``)."""

    max_fallbacks: int = 3
    """The N-th misunderstood turn in a row hands over."""
    max_low_confidence: int = 3
    """The N-th turn in a row heard with low confidence hands over, unless it was answered: then the
    next such turn that was not."""
    low_confidence_below: float = 0.5
    """Below this recognition confidence a turn is heard badly, and a flow's value said in it is
    confirmed before it is acted on."""
    max_no_input: int = 2
    """Silent turns in a row before closing politely."""
    max_refusals: int = 3
    """The N-th value in a row a flow refuses for the same slot hands over ("Op die dag zijn we
    gesloten" to a caller who keeps naming Sunday): each was understood, so none is a miss. A failed
    check of the slot's value (a no, another value) is one too."""
    transfer_to: str = ""
    """The phone number (E.164) a phone gateway puts a handed-over call through to; empty: none is set, and
    the gateway gets no transfer to carry out (``Reply.transfer_to``)."""
    hours: BusinessHours | None = None
    """When colleagues can take over (``[handoff] hours``, on the business's clock); None: always. Outside
    them a handoff promises nobody: the caller hears when the team is back (``Availability``)."""
    irritation_cues: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(IRRITATION_CUES))
    """Words and phrases per language; written as callers' words are compared ("Belachelijk!" is
    "belachelijk"), so a cue with a capital or a comma still matches."""

    _cue_forms: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    """Per language, the cues as matched (``irritation.cue_forms``)."""

    def __post_init__(self) -> None:
        cues = {
            language: tuple(spoken_words(cue) for cue in listed)
            for language, listed in self.irritation_cues.items()
        }
        object.__setattr__(self, "irritation_cues", cues)
        forms = {language: cue_forms(listed, language) for language, listed in cues.items()}
        object.__setattr__(self, "_cue_forms", forms)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> HandoffPolicy:
        """The policy of the config's ``[handoff]`` table (its forms checked by ``voice.config_shapes``).
        A language's ``irritation_cues`` replace the built-in ones of that language; an empty list turns
        irritation off there. What the table does not give keeps its default."""
        given = {name: settings[name] for name in POLICY_SETTINGS if name in settings}
        cues = {language: tuple(listed) for language, listed in given.get("irritation_cues", {}).items()}
        given["irritation_cues"] = {**IRRITATION_CUES, **cues}
        given["hours"] = team_hours(given.get("hours", ALWAYS))
        return cls(**given)

    def availability(self, moment: datetime, *, reachable: bool) -> Availability:
        """Who can take a handoff at ``moment`` (the turn's time on the business's clock): nobody when
        there is no sink or number (``reachable`` false), nobody yet outside the team's ``hours``."""
        if self.hours is None or self.hours.is_open(moment.date(), moment.time()):
            return Availability(reachable=reachable)
        return Availability(reachable=reachable, away=True, back=self.hours.next_opening(moment))

    def irritated(self, text: str, language: str) -> bool:
        """True when the words show irritation (whole words or phrases, any case; Dutch adjectives in
        any form)."""
        spoken = spoken_words(text)
        words, said = set(spoken.split()), f" {spoken} "
        return any(
            form in words if " " not in form else f" {form} " in said
            for form in self._cue_forms.get(language, ())
        )


AFTER_HOURS = "after_hours"
"""The reason the KPIs count a handoff under when the team was away (``HandoffRecord.after_hours``): the
callers who wanted a person and got none."""
ALWAYS = "always"
"""``[handoff] hours`` when colleagues can take over at any time (the default)."""


def team_hours(setting: str | Mapping[str, Any]) -> BusinessHours | None:
    """The ``[handoff] hours`` setting as hours (``BusinessHours``' form: ``{ monday = "09:00-17:00",
    sunday = "closed" }``); None for ``"always"``. A window of the wrong form raises ``SkillError``."""
    if isinstance(setting, str):  # "always": the only text the config's check lets through
        return None
    return BusinessHours.from_dict(setting, source="[handoff] hours")


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a colleague can take a handoff at one turn, so that nobody is promised one who is not there."""

    reachable: bool = True
    """A record reaches a sink, or a gateway transfers the call (``Dialog.reachable``)."""
    away: bool = False
    """Outside the team's ``[handoff] hours``: the caller is told when they are back, nothing is transferred,
    and the record is marked ``after_hours`` for a call back."""
    back: datetime | None = None
    """When the team is away, their next start (None when their hours have none)."""

    @property
    def present(self) -> bool:
        """A colleague takes over now: the caller may be promised one."""
        return self.reachable and not self.away


POLICY_SETTINGS = (
    "max_fallbacks",
    "max_low_confidence",
    "low_confidence_below",
    "max_no_input",
    "max_refusals",
    "transfer_to",
    "hours",
    "irritation_cues",
)
"""The ``[handoff]`` keys that set the policy (when, and where the call goes); the others say where the
records go."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffRecord:
    """What a colleague needs to take over without asking everything again."""

    id: str
    """Unique per handoff: the idempotency key of its delivery."""
    reason: str
    """``asked``, ``fallbacks``, ``refusals``, ``low_confidence``, ``irritation``, or ``skill:<intent>``."""
    session_id: str
    user_id: str
    skill: str
    locale: str
    channel: str
    time: datetime
    transcript: tuple[dict[str, Any], ...]
    """The conversation so far: speaker, text, intent."""
    slots: dict[str, Any]
    """Slot values gathered in the flow in progress."""
    after_hours: bool = False
    """Handed over outside the team's ``[handoff] hours``: the caller was told nobody is there now and
    when the team is back, and waits for a call back (``reason`` still says why they needed a person)."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        data["transcript"] = list(self.transcript)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HandoffRecord:
        """Read what ``to_dict`` wrote."""
        fields = dict(data)
        fields["time"] = datetime.fromisoformat(fields["time"])
        fields["transcript"] = tuple(fields.get("transcript", ()))
        return cls(**fields)


class HandoffSink(ABC):
    """Where handoff records go."""

    @abstractmethod
    def deliver(self, record: HandoffRecord) -> bool:
        """Deliver one record; True when it arrived."""

    def deliver_if(self, record: HandoffRecord, still_wanted: Callable[[], bool]) -> bool:
        """Deliver ``record`` unless ``still_wanted()`` says an erasure (``voice data forget``) took it
        from the outbox on its way; then there is nothing to deliver, so True. A sink that an erasure
        rewrites asks under the lock it writes with, so the record cannot land after the erasure."""
        return not still_wanted() or self.deliver(record)


class HttpSink(HandoffSink):
    """POSTs each record as JSON with its id as ``Idempotency-Key``, with a timeout per attempt, through
    ``voice.http_json`` (every failure, an answer that is no HTTP too, is a failed attempt).

    ``retries`` are immediate extra attempts; the outbox sender retries later, with back-off, anyway.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        retries: int = 0,
        backoff: float = 0.2,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.url, self.timeout, self.retries, self.backoff = url, timeout, retries, backoff
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def deliver(self, record: HandoffRecord) -> bool:
        body = json.dumps(record.to_dict(), ensure_ascii=False).encode("utf-8")
        headers = {**self.headers, "Idempotency-Key": record.id}
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:  # any 2xx takes it; the answer's body, if any, is not read
                call_json(request, timeout=self.timeout, system="the handoff endpoint", read_answer=False)
                return True
            except CallFailed as failed:
                _LOGGER.warning(
                    "handoff delivery attempt %d to %s failed: %s", attempt + 1, self.url, failed.message
                )
            if attempt < self.retries:  # no pause after the last attempt: the sender's back-off takes over
                time.sleep(self.backoff * (attempt + 1))
        # a warning: a queue file after it may take the record; the outbox says when nothing did
        _LOGGER.warning("handoff record for session %s was not delivered to %s", record.session_id, self.url)
        return False


class FanOutSink(HandoffSink):
    """Tries the sinks in order and stops at the first that takes the record (HTTP, then a queue file)."""

    def __init__(self, sinks: Sequence[HandoffSink]) -> None:
        self.sinks = tuple(sinks)

    def deliver(self, record: HandoffRecord) -> bool:
        return any(sink.deliver(record) for sink in self.sinks)

    def deliver_if(self, record: HandoffRecord, still_wanted: Callable[[], bool]) -> bool:
        return any(sink.deliver_if(record, still_wanted) for sink in self.sinks)
