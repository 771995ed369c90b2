"""Benchmark: this router against hassil on Home Assistant's corpus, with HA's own test method.

Reads a checkout of home-assistant/intents (``sentences/<lang>/*.yaml`` and ``tests/<lang>/*.yaml``;
the path argument, or ``HA_INTENTS_PATH``). Per language both routers load the same files (timed),
get the area, floor and name lists of ``tests/<lang>/_fixtures.yaml``, and recognise every test
sentence with the test's context, interleaved in this process (hassil as HA calls it: best_slot_name
"name", the name list narrowed to the names in the sentence, which is not timed). Reported per
language and pooled: agreement with hassil (intent and every slot value), each router's accuracy
against the tests' expectations, CPU time per sentence and load time. The last line is one JSON object.

    .venv/bin/python bench/router.py PATH [--languages en,nl] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "voice" / "nlu")]

from ha_method import HassilRouter, OurRouter, cases, fixture_lists, languages, loaded, meets  # noqa: E402

_LOGGER = logging.getLogger(__name__)


def run_language(corpus: Path, language: str, limit: int | None, show: int) -> dict[str, Any]:
    """Load both routers, recognise every test sentence with each, interleaved; return the figures."""
    lists = fixture_lists(corpus, language)
    theirs, hassil_load = loaded(HassilRouter, corpus, language, lists)
    ours, our_load = loaded(OurRouter, corpus, language, lists)
    row: dict[str, Any] = dict.fromkeys(("sentences", "agree", "hassil_correct", "our_correct"), 0)
    for case in cases(corpus, language)[:limit]:
        hassil_result, our_result = theirs.recognize(case), ours.recognize(case)
        same = _key(hassil_result) == _key(our_result)
        row["sentences"] += 1
        row["agree"] += same
        row["hassil_correct"] += meets(case, hassil_result)
        row["our_correct"] += meets(case, our_result)
        if not same and show > 0:
            show -= 1
            _LOGGER.warning(
                "%s %s %r: hassil=%s ours=%s", language, case.file, case.sentence, hassil_result, our_result
            )
    row.update(
        language=language,
        hassil_seconds=theirs.seconds,
        our_seconds=ours.seconds,
        hassil_load=hassil_load,
        our_load=our_load,
    )
    return row


def _key(result: Any) -> Any:
    return None if result is None else (result[0], result[1])


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sentences = sum(row["sentences"] for row in rows)
    count = sentences or 1
    hassil_s, our_s = sum(r["hassil_seconds"] for r in rows), sum(r["our_seconds"] for r in rows)
    return {
        "sentences": sentences,
        "agreement": round(sum(r["agree"] for r in rows) / count, 4),
        "hassil_accuracy": round(sum(r["hassil_correct"] for r in rows) / count, 4),
        "our_accuracy": round(sum(r["our_correct"] for r in rows) / count, 4),
        "hassil_ms": round(1000 * hassil_s / count, 3),
        "our_ms": round(1000 * our_s / count, 4),
        "speedup": round(hassil_s / our_s, 2) if our_s else None,
        "hassil_load_s": round(sum(r["hassil_load"] for r in rows), 2),
        "our_load_s": round(sum(r["our_load"] for r in rows), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=os.environ.get("HA_INTENTS_PATH"))
    parser.add_argument("--languages", help="comma-separated (default: every language with tests)")
    parser.add_argument("--limit", type=int, help="at most this many test sentences per language")
    parser.add_argument("--show", type=int, default=3, help="disagreements to log per language")
    args = parser.parse_args()
    if not args.corpus:
        parser.error("give the path of a home-assistant/intents checkout (or set HA_INTENTS_PATH)")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    corpus = Path(args.corpus)
    chosen = args.languages.split(",") if args.languages else languages(corpus)
    rows = []
    for language in chosen:
        row = run_language(corpus, language, args.limit, args.show)
        rows.append(row)
        figures = _figures([row])
        print(f"{language}: " + ", ".join(f"{key} {value}" for key, value in figures.items()), flush=True)
    pooled = _figures(rows)
    pooled["languages"] = len(rows)
    pooled["below_hassil"] = [r["language"] for r in rows if r["our_correct"] < r["hassil_correct"]]
    pooled["per_language"] = {r["language"]: _figures([r]) for r in rows}
    print(json.dumps(pooled))


if __name__ == "__main__":
    main()
