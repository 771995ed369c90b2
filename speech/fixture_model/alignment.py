"""Word and phone timings of a synthesised phrase, from espeak-ng's phoneme events.

espeak-ng tags every phoneme with the text position of its word, which gives word
boundaries directly. Where espeak-ng runs words together (one dictionary entry for
several words), the later words get no phonemes of their own; their share is recovered
by aligning the merged phonemes against each word spoken alone.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from speech.errors import ModelError
from speech.fixture_model.synth import PhonemeEvent, Synthesis

SILENCE = "SIL"
"""The phone of pauses and the silence around speech."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneSpan:
    """One phone in time."""

    phone: str
    """An espeak-ng phoneme mnemonic, or :data:`SILENCE`."""
    start: int
    """First sample at 16 kHz."""
    end: int
    """One past the last sample."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WordSpan:
    """One word in time, with its phones."""

    word: str
    phones: tuple[PhoneSpan, ...]

    @property
    def start(self) -> int:
        """First sample at 16 kHz."""
        return self.phones[0].start

    @property
    def end(self) -> int:
        """One past the last sample."""
        return self.phones[-1].end

    @property
    def pronunciation(self) -> tuple[str, ...]:
        return tuple(span.phone for span in self.phones)


@dataclass(frozen=True, slots=True, kw_only=True)
class Alignment:
    """Where each phone and word of a synthesised phrase lies."""

    phones: tuple[PhoneSpan, ...]
    """Every phone including silences, covering the whole waveform."""
    words: tuple[WordSpan, ...]


def align(synthesis: Synthesis, solo: Mapping[str, tuple[str, ...]]) -> Alignment:
    """Word and phone timings of ``synthesis``; ``solo`` maps each word to its phones spoken alone."""
    words = synthesis.job.text.split()
    spans, owners = _phone_spans(synthesis)
    groups: list[list[PhoneSpan]] = [[] for _ in words]
    for span, owner in zip(spans, owners, strict=True):
        if owner is not None:
            groups[owner].append(span)
    for first, last in _merged_runs(groups):
        _split_merged(groups, first, last, words, solo)
    word_spans = tuple(
        WordSpan(word=word, phones=tuple(group)) for word, group in zip(words, groups, strict=True)
    )
    return Alignment(phones=tuple(spans), words=word_spans)


def _phone_spans(synthesis: Synthesis) -> tuple[list[PhoneSpan], list[int | None]]:
    """Phones with their end samples and the index of the word each belongs to (None: silence)."""
    offsets = _word_offsets(synthesis.job.text)
    events: list[PhonemeEvent] = list(synthesis.phonemes)
    bounds = [event.start for event in events] + [len(synthesis.audio)]
    spans: list[PhoneSpan] = []
    owners: list[int | None] = []
    if bounds[0] > 0:
        spans.append(PhoneSpan(phone=SILENCE, start=0, end=bounds[0]))
        owners.append(None)
    for event, start, end in zip(events, bounds, bounds[1:], strict=False):
        if end <= start:
            continue
        pause = event.symbol.startswith("_")
        spans.append(PhoneSpan(phone=SILENCE if pause else event.symbol, start=start, end=end))
        owners.append(None if pause else max(0, bisect.bisect_right(offsets, event.text_position) - 1))
    return spans, owners


def _word_offsets(text: str) -> list[int]:
    """1-based character offsets of each word, as espeak-ng counts them."""
    offsets = []
    position = 0
    for word in text.split():
        position = text.index(word, position)
        offsets.append(position + 1)
        position += len(word)
    return offsets


def _merged_runs(groups: Sequence[Sequence[PhoneSpan]]) -> list[tuple[int, int]]:
    """Index ranges (first, last) of a word holding phones plus its neighbours that got none."""
    runs = []
    index = 0
    while index < len(groups):
        last = index
        while last + 1 < len(groups) and not groups[last + 1]:
            last += 1
        first = index
        if not groups[first] and last + 1 < len(groups):
            last += 1  # leading words without phones merge into the next word
        if last > first:
            runs.append((first, last))
        index = last + 1
    return runs


def _split_merged(
    groups: list[list[PhoneSpan]],
    first: int,
    last: int,
    words: Sequence[str],
    solo: Mapping[str, tuple[str, ...]],
) -> None:
    """Share the phones of words ``first..last`` out by aligning against each word spoken alone."""
    merged = [span for group in groups[first : last + 1] for span in group]
    count = last - first + 1
    if len(merged) < count:
        raise ModelError(
            f"espeak-ng drops a word of {' '.join(words)!r}; rephrase it or spell the words out."
        )
    best: tuple[int, tuple[int, ...]] | None = None
    for cuts in itertools.combinations(range(1, len(merged)), count - 1):
        edges = (0, *cuts, len(merged))
        cost = sum(
            _edit_distance([s.phone for s in merged[a:b]], solo.get(words[first + i], ()))
            for i, (a, b) in enumerate(itertools.pairwise(edges))
        )
        if best is None or cost < best[0]:
            best = (cost, edges)
    assert best is not None
    for i, (a, b) in enumerate(itertools.pairwise(best[1])):
        groups[first + i] = merged[a:b]


def _edit_distance(left: Sequence[str], right: Sequence[str]) -> int:
    row = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(right, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1]
