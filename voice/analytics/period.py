"""Which turns a report covers: a period of whole UTC days, and optionally one channel, locale and skill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import VoiceError
from ..language import language_of
from .team import texts

__all__ = ["Filters", "ReportError", "checked_language"]

_EPOCH = dt.date(1970, 1, 1)


class ReportError(VoiceError):
    """A report was asked for with filters that make no sense (an unreadable date, an empty period).

    Its sentence is the text ``key`` of ``insights.yaml`` (English as ``message``), so the dashboard
    shows it in the page's language, and a command in the team's (``told``)."""

    http_status = 400
    words = "insights"

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(texts("en", self.words)(key, **values))
        self.key, self.values = key, values


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """The period (``start`` to ``end``, both included, UTC days) and the slice of the traffic."""

    start: dt.date
    end: dt.date
    channel: str = ""
    """Empty: every channel."""
    locale: str = ""
    """A language (``nl``) takes its regional locales too (``nl-NL``, ``nl-BE``); empty: all."""
    skill: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ReportError("period_reversed", start=self.start, end=self.end)
        if (self.start - dt.date.min).days < self.days:
            raise ReportError("period_too_early", start=self.start, end=self.end)

    @classmethod
    def last_days(cls, days: int, *, today: dt.date | None = None, **slice_: str) -> Filters:
        """The ``days`` days up to and including ``today`` (default: today, UTC)."""
        end = today or dt.datetime.now(dt.UTC).date()
        try:
            start = end - dt.timedelta(days=days - 1)
        except OverflowError:
            raise ReportError("days_too_many", days=days, end=end) from None
        return cls(start=start, end=end, **slice_)

    @classmethod
    def from_query(cls, args: Mapping[str, Any], *, today: dt.date | None = None) -> Filters:
        """Filters from ``from``/``to`` (ISO dates; default the last 7 days), ``channel``, ``locale``,
        ``skill``."""
        default = cls.last_days(7, today=today)
        try:
            start = dt.date.fromisoformat(args["from"]) if args.get("from") else default.start
            end = dt.date.fromisoformat(args["to"]) if args.get("to") else default.end
        except ValueError as exc:
            raise ReportError("not_a_date", problem=exc) from exc
        slice_ = {name: str(args.get(name) or "").strip() for name in ("channel", "locale", "skill")}
        return cls(start=start, end=end, **slice_)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def first_day(self) -> int:
        """The first day as days since the epoch (the rollup's ``day``)."""
        return (self.start - _EPOCH).days

    @property
    def last_day(self) -> int:
        return (self.end - _EPOCH).days

    @property
    def since(self) -> float:
        """The period's start in seconds since the epoch."""
        return self.first_day * 86400.0

    @property
    def until(self) -> float:
        """The end of the period's last day, in seconds since the epoch."""
        return (self.last_day + 1) * 86400.0

    def previous(self) -> Filters:
        """The period of the same length just before this one, same slice."""
        length = dt.timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def where(self, day_column: str | None = "day", time_column: str | None = None) -> tuple[str, list[Any]]:
        """A SQL condition (``?`` placeholders) and its parameters for this period and slice."""
        clauses: list[str] = []
        params: list[Any] = []
        if day_column:
            clauses.append(f"{day_column} BETWEEN ? AND ?")
            params += [self.first_day, self.last_day]
        if time_column:
            clauses.append(f"{time_column} >= ? AND {time_column} < ?")
            params += [self.since, self.until]
        for column in ("channel", "skill"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.locale:
            clauses.append("(locale = ? OR locale LIKE ?)")
            params += [self.locale, f"{self.locale}-%"]
        return " AND ".join(clauses) or "1 = 1", params

    def checked(
        self, *, channels: Collection[str], skills: Collection[str], languages: Collection[str]
    ) -> Filters:
        """These filters with the language of their locale (``nl-BE``: ``nl``), their channel, skill and
        language checked against ``channels``, ``skills`` and the ``languages`` served: a value no turn
        can have is a ``ReportError`` naming the choices, where the report would silently be all zeros."""
        channel = self.channel.lower()
        if channel and channel not in channels:
            raise ReportError("unknown_channel", name=repr(self.channel), choices=", ".join(sorted(channels)))
        if self.skill and self.skill not in skills:
            raise ReportError("unknown_skill", name=repr(self.skill), choices=", ".join(sorted(skills)))
        return replace(self, channel=channel, locale=checked_language(self.locale, languages))

    def to_dict(self) -> dict[str, str]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "channel": self.channel,
            "locale": self.locale,
            "skill": self.skill,
        }

    def day_date(self, day: int) -> dt.date:
        return _EPOCH + dt.timedelta(days=day)


def checked_language(locale: str, spoken: Collection[str]) -> str:
    """The language of ``locale`` ("" for every one); one the assistant does not serve (``nederlands``, or
    ``en`` when the config's ``locales`` leave it out) is a ``ReportError`` naming the ones it serves."""
    if not locale:
        return ""
    if language_of(locale) not in spoken:
        raise ReportError("unknown_language", name=repr(locale), choices=", ".join(sorted(spoken)))
    return language_of(locale)
