"""What callers said that was not understood, grouped: near-identical phrasings count together.

The words come from the ``signals`` table, which keeps the (redacted) text of the turns the fallback
answered. A report reads the latest ``SCAN_LIMIT`` such turns of its period (the partial index
``signals_unmatched`` makes that a range read, not a scan of every turn), merges the phrasings that
are the same once lower-cased and stripped of punctuation, then joins those within
``SIMILARITY`` of a more frequent one (rapidfuzz's token-sort ratio, per language). Utterances a
reviewer has dealt with (``voice review``, the dashboard) are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process

from ..redaction import only_placeholders
from ..store import Store
from .period import Filters

__all__ = [
    "SCAN_LIMIT",
    "SIMILARITY",
    "UtteranceGroup",
    "normalise",
    "not_in_log",
    "read_not_understood",
    "reviewed_keys",
]

SCAN_LIMIT = 20_000
"""Not-understood turns of a period read per report, the latest first."""
DISTINCT_LIMIT = 500
"""Distinct phrasings grouped per report, the most frequent first."""
SIMILARITY = 85.0
"""rapidfuzz token-sort ratio (0-100) from which two phrasings are one group."""
SHORT_ANSWER_WORDS = 3
"""A group of phrasings this short ("ja", "nee hoor") is shown with the questions it answered."""
ASKED_LIMIT = 200
"""The latest turns of each short phrasing whose question is read (a log lookup each)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UtteranceGroup:
    """Phrasings of one thing callers said that was not understood."""

    text: str
    """The most frequent phrasing."""
    count: int
    locale: str
    skill: str
    examples: tuple[tuple[str, int], ...]
    """Every phrasing of the group with its count, the most frequent first."""
    last_seen: float
    session_id: str
    """A conversation in which it was said (the latest), for its transcript."""
    asked: tuple[tuple[str, int], ...] = ()
    """For a short answer: what the assistant said just before it (its question), with how often,
    the most frequent first (at most three)."""

    @property
    def redacted(self) -> bool:
        """Whether it is only a placeholder ("[name]"): shown, for the question it answered, but no review
        action takes it (``voice.analytics.review.reviewable``)."""
        return only_placeholders(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": self.count,
            "locale": self.locale,
            "skill": self.skill,
            "examples": dict(self.examples),
            "last_seen": self.last_seen,
            "session_id": self.session_id,
            "asked": dict(self.asked),
        }


def normalise(text: str) -> str:
    """The form phrasings are compared in, and reviews are keyed by: lower case, words only."""
    return " ".join(re.sub(r"[^\w'\s]", " ", text.lower()).split())


def not_in_log(store: Store, texts: list[str]) -> list[str]:
    """Those of ``texts`` that no caller said without being understood: a review may only write what
    callers said (the not-understood list) into a skill's files."""
    marks = ", ".join("?" for _ in texts)
    said = store.select(
        f"SELECT DISTINCT text FROM signals WHERE understood = 'none' AND text IN ({marks})", tuple(texts)
    )
    found = {row[0] for row in said}
    return [text for text in texts if text not in found]


def reviewed_keys(store: Store) -> set[str]:
    return {row[0] for row in store.select("SELECT key FROM reviews")}


def read_not_understood(store: Store, filters: Filters, *, limit: int = 20) -> list[UtteranceGroup]:
    """The ``limit`` most frequent groups of not-understood utterances of the period."""
    return _with_questions(store, filters, _groups(store, filters)[:limit])


def group_phrasings(store: Store, filters: Filters, utterance: str) -> tuple[str, ...]:
    """``utterance`` and the other phrasings of the period's not-understood group that holds it (the
    "+1 similar" of the list): a review deals with the whole group, as the dashboard's form does. Only
    ``utterance`` when no group of the period holds it."""
    key = normalise(utterance)
    for group in _groups(store, filters):
        said = [text for text, _ in group.examples]
        if any(normalise(text) == key for text in said):
            return (utterance, *(text for text in said if normalise(text) != key))
    return (utterance,)


def _groups(store: Store, filters: Filters) -> list[UtteranceGroup]:
    """Every group of the period still to review, the most frequent first."""
    where, params = filters.where(day_column=None, time_column="time")
    rows = store.select(
        "SELECT text, locale, skill, COUNT(*), MAX(time), MAX(session_id) FROM "
        f"(SELECT text, locale, skill, time, session_id FROM signals WHERE understood = 'none' AND {where} "
        f"ORDER BY time DESC LIMIT {SCAN_LIMIT}) AS recent "
        f"GROUP BY text, locale, skill ORDER BY 4 DESC, 1 LIMIT {DISTINCT_LIMIT}",
        params,
    )
    done = reviewed_keys(store)
    return _grouped([row for row in rows if row[0].strip() and normalise(row[0]) not in done])


def _with_questions(store: Store, filters: Filters, groups: list[UtteranceGroup]) -> list[UtteranceGroup]:
    """``groups`` with the assistant's replies just before the turns of each short answer: "nee" means
    nothing to a reviewer until they see it answered "Wilt u de bestelling annuleren?". One read of
    the same latest turns the groups were counted from, and a log lookup per short answer's turn."""
    short = {
        (text, group.locale): number
        for number, group in enumerate(groups)
        if len(normalise(group.text).split()) <= SHORT_ANSWER_WORDS
        for text, _ in group.examples
    }
    if not short:
        return groups
    where, params = filters.where(day_column=None, time_column="time")
    said = sorted({text for text, _ in short})
    marks = ", ".join("?" for _ in said)
    rows = store.select(
        "SELECT latest.text, latest.locale, (SELECT l.text FROM log l WHERE l.session_id = latest.session_id "
        "AND l.speaker = 'assistant' AND l.time < latest.time ORDER BY l.seq DESC LIMIT 1) FROM "
        "(SELECT text, locale, session_id, time, "
        "ROW_NUMBER() OVER (PARTITION BY text, locale ORDER BY time DESC) AS nth FROM "
        f"(SELECT text, locale, session_id, time FROM signals WHERE understood = 'none' AND {where} "
        f"ORDER BY time DESC LIMIT {SCAN_LIMIT}) AS recent WHERE text IN ({marks})) AS latest "
        f"WHERE latest.nth <= {ASKED_LIMIT}",
        (*params, *said),
    )
    asked: dict[int, Counter[str]] = {}
    for text, locale, question in rows:
        if question is not None and (text, locale) in short:
            asked.setdefault(short[text, locale], Counter())[question] += 1
    return [
        replace(group, asked=tuple(sorted(asked[n].items(), key=lambda item: (-item[1], item[0]))[:3]))
        if n in asked
        else group
        for n, group in enumerate(groups)
    ]


def _grouped(rows: list[tuple[Any, ...]]) -> list[UtteranceGroup]:
    """Greedy grouping, most frequent first: each phrasing joins the first group it is close to."""
    groups: list[dict[str, Any]] = []
    heads: dict[str, list[str]] = {}
    """Per language, the normalised first phrasing of each of its groups ..."""
    owners: dict[str, list[int]] = {}
    """... and that group's place in ``groups``."""
    for text, locale, skill, count, last, session in rows:
        key = normalise(text)
        found = process.extractOne(
            key, heads.setdefault(locale, []), scorer=fuzz.token_sort_ratio, score_cutoff=SIMILARITY
        )
        if found is None:
            groups.append({"locale": locale, "skill": skill, "examples": {}, "last": 0.0, "session": ""})
            heads[locale].append(key)
            owners.setdefault(locale, []).append(len(groups) - 1)
        group = groups[owners[locale][found[2]]] if found is not None else groups[-1]
        group["examples"][text] = group["examples"].get(text, 0) + int(count)
        if last > group["last"]:
            group["last"], group["session"] = last, session
    result = [
        UtteranceGroup(
            text=max(g["examples"].items(), key=lambda item: item[1])[0],
            count=sum(g["examples"].values()),
            locale=g["locale"],
            skill=g["skill"],
            examples=tuple(sorted(g["examples"].items(), key=lambda item: (-item[1], item[0]))),
            last_seen=g["last"],
            session_id=g["session"],
        )
        for g in groups
    ]
    return sorted(result, key=lambda group: (-group.count, group.text))
