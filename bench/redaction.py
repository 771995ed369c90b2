"""Benchmark: how much personal data ``voice.redaction`` takes out, and what it takes by mistake.

A generated corpus of Dutch and English utterances written the way callers speak, typed in a chat
or as a speech recognizer writes them ("nul zes een twee ...", "oh seven seven ..."). Each utterance
plants pieces of personal data (e-mail, phone, IBAN, BSN, card, postcode + house number; valid
check digits) and pieces that must survive (order numbers, dates, times, amounts), and knows where
each piece is.

- ``redacted``: the share of planted personal data whose whole span is inside something found
  (goal >= 0.99), also per kind and per form (written, spoken);
- ``redacted_by_mistake``: the share of order numbers, dates, times and amounts that something
  found overlaps (goal <= 0.01), also per kind;
- ``us_per_utterance``: the mean cost of ``redact_text`` per utterance (best of three passes);
- ``birth_years``: a figure of its own, on 400 short utterances beside the corpus: the share of years
  of birth said on their own ("ik ben geboren in 1985", "born in nineteen eighty five") redacted, and
  of other years ("in 1985 opgericht", "order 1985") redacted by mistake;
- ``birth_dates_apart``: 400 more, half a year of birth and its day said apart ("geboren in 1985 op 12
  maart": both must go), half the day an appointment in the next clause ("geboren in 1985, op 12 maart
  kom ik langs": it must stay);
- ``long_numbers``: 400 more, half a mobile number with two or three digits too many ("06 1234567890"),
  half an order number or bar code of 12 digits, some starting with a 0 (they must stay).

The last line is one JSON object.

    .venv/bin/python bench/redaction.py [--utterances 2400] [--seed 15] [--show 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from redaction_corpus import (  # noqa: E402
    PERSONAL,
    Utterance,
    birth_date_apart_utterances,
    birth_year_utterances,
    corpus,
    long_number_utterances,
)

from voice.redaction import find_personal_data, redact_text  # noqa: E402

# --- measuring ----------------------------------------------------------------------------------


def share(part: Counter[str], whole: Counter[str]) -> dict[str, float]:
    return {key: round(part[key] / whole[key], 4) for key in sorted(whole)}


def measure(utterances: list[Utterance], show: int) -> dict[str, object]:
    planted, caught, kept, hit = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    misses: list[str] = []
    for u in utterances:
        found = find_personal_data(u.text)
        for piece, start, end in u.pieces:
            key = f"{piece.kind}/{piece.form}"
            if piece.kind in PERSONAL:
                planted[key] += 1
                if any(f.start <= start and end <= f.end for f in found):
                    caught[key] += 1
                elif len(misses) < show:
                    misses.append(f"missed {key}: {u.text!r}")
            else:
                kept[key] += 1
                if any(f.start < end and start < f.end for f in found):
                    hit[key] += 1
                    if len(misses) < show:
                        misses.append(f"took {key}: {u.text!r} -> {redact_text(u.text)!r}")
    for line in misses:
        print(line, file=sys.stderr)
    return {
        "planted_personal": planted.total(),
        "redacted": round(caught.total() / planted.total(), 4),
        "redacted_by_kind": share(_by_kind(caught), _by_kind(planted)),
        "redacted_by_form": share(caught, planted),
        "kept_items": kept.total(),
        "redacted_by_mistake": round(hit.total() / kept.total(), 4),
        "redacted_by_mistake_by_kind": share(_by_kind(hit), _by_kind(kept)),
    }


FIGURE_PERSONAL = frozenset({"birth_year", "birth_day", "phone"})


def figure(utterances: list[Utterance]) -> dict[str, float]:
    """For a figure of its own: the share of planted pieces (years and days of birth, phone numbers)
    redacted, and of the other pieces (other years and dates, order numbers) redacted by mistake."""
    caught, hit, planted, kept = 0, 0, 0, 0
    for u in utterances:
        found = find_personal_data(u.text)
        for piece, start, end in u.pieces:
            if piece.kind in FIGURE_PERSONAL:
                planted += 1
                caught += any(f.start <= start and end <= f.end for f in found)
            else:
                kept += 1
                hit += any(f.start < end and start < f.end for f in found)
    return {"redacted": round(caught / planted, 4), "redacted_by_mistake": round(hit / kept, 4)}


def _by_kind(counts: Counter[str]) -> Counter[str]:
    out = Counter[str]()
    for key, n in counts.items():
        out[key.split("/")[0]] += n
    return out


def cost_us(utterances: list[Utterance]) -> float:
    """Mean microseconds of ``redact_text`` per utterance, best of three passes."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for u in utterances:
            redact_text(u.text)
        best = min(best, time.perf_counter() - started)
    return round(best / len(utterances) * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--show", type=int, default=10, help="print this many misses and mistakes")
    args = parser.parse_args()
    utterances = corpus(args.utterances, args.seed)
    report: dict[str, object] = {"bench": "redaction", "utterances": len(utterances)}
    report["languages"] = dict(Counter(u.language for u in utterances))
    report |= measure(utterances, args.show)
    report["us_per_utterance"] = cost_us(utterances)
    report["birth_years"] = figure(birth_year_utterances(400, args.seed))
    report["birth_dates_apart"] = figure(birth_date_apart_utterances(400, args.seed))
    report["long_numbers"] = figure(long_number_utterances(400, args.seed))
    report["goals_met"] = report["redacted"] >= 0.99 and report["redacted_by_mistake"] <= 0.01  # type: ignore[operator]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
