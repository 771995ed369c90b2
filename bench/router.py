"""Benchmark: this router against hassil on Home Assistant's templates (nl and en).

Both load home-assistant-intents with the same small fake home (areas, floors,
named devices with their domains), sentences are generated from the templates
with a fixed seed, and both parse the same sentences in this process. The last
line printed is one JSON object: throughputs, their ratio, and the share of the
sentences hassil matches for which both return the same intent and slots.

    .venv/bin/python bench/router.py [--per-language 1000] [--seed 1] [--repeat 3]

Times are CPU time (``time.process_time``), best of ``--repeat`` passes, because
other processes may share the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from hassil import Intents, recognize_best
from hassil.intents import SlotList, TextSlotList
from home_assistant_intents import get_intents

from voice.nlu import IntentSet, Matcher, sample_sentences

_LOGGER = logging.getLogger(__name__)

HOMES: dict[str, dict[str, Any]] = {
    "nl": {
        "area": ["keuken", "woonkamer", "slaapkamer", "badkamer"],
        "floor": ["begane grond", "eerste verdieping"],
        "name": [
            ("plafondlamp", "light"),
            ("leeslamp", "light"),
            ("koffiezetapparaat", "switch"),
            ("rolluik slaapkamer", "cover"),
            ("plafondventilator", "fan"),
            ("thermostaat", "climate"),
            ("televisie", "media_player"),
        ],
    },
    "en": {
        "area": ["kitchen", "living room", "bedroom", "bathroom"],
        "floor": ["ground floor", "first floor"],
        "name": [
            ("ceiling light", "light"),
            ("reading lamp", "light"),
            ("coffee maker", "switch"),
            ("bedroom blinds", "cover"),
            ("ceiling fan", "fan"),
            ("thermostat", "climate"),
            ("television", "media_player"),
        ],
    },
}

Result = tuple[str, dict[str, Any]] | None


def _name_values(home: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"in": name, "out": name, "context": {"domain": domain}} for name, domain in home["name"]]


def _hassil(language: str) -> Callable[[str], Result]:
    intents = Intents.from_dict(get_intents(language) or {})
    home = HOMES[language]
    lists: dict[str, SlotList] = {
        "area": TextSlotList.from_strings(home["area"]),
        "floor": TextSlotList.from_strings(home["floor"]),
        "name": TextSlotList.from_tuples([(v["in"], v["out"], v["context"]) for v in _name_values(home)]),
    }

    def parse(text: str) -> Result:
        found = recognize_best(text, intents, slot_lists=lists, language=language)
        if found is None:
            return None
        return found.intent.name, {name: entity.value for name, entity in found.entities.items()}

    return parse


def _ours(matcher: Matcher) -> Callable[[str], Result]:
    def parse(text: str) -> Result:
        found = matcher.match(text)
        if found is None:
            return None
        return found.intent, {name: slot.value for name, slot in found.slots.items()}

    return parse


def _matcher(language: str) -> Matcher:
    matcher = Matcher([IntentSet.from_home_assistant(language)])
    home = HOMES[language]
    matcher.set_list("area", home["area"])
    matcher.set_list("floor", home["floor"])
    matcher.set_list("name", _name_values(home))
    return matcher


def _sentences(matcher: Matcher, count: int, seed: int) -> list[str]:
    texts = sorted({sample.text for sample in sample_sentences(matcher, limit=2, seed=seed)})
    random.Random(seed).shuffle(texts)
    return texts[:count]


def _timed(parse: Callable[[str], Result], sentences: list[str], repeat: int) -> tuple[list[Result], float]:
    """Results and the best of ``repeat`` timed passes (other processes share the CPU)."""
    best = float("inf")
    results: list[Result] = []
    for _ in range(repeat):
        start = time.process_time()
        results = [parse(text) for text in sentences]
        best = min(best, time.process_time() - start)
    return results, best


def _same(left: Result, right: Result) -> bool:
    if left is None or right is None:
        return left is right
    return left[0] == right[0] and left[1] == right[1]


def run_language(language: str, count: int, seed: int, repeat: int) -> dict[str, Any]:
    """Bench one language; return its figures."""
    started = time.perf_counter()
    matcher = _matcher(language)
    compile_seconds = time.perf_counter() - started
    sentences = _sentences(matcher, count, seed)
    theirs, hassil_seconds = _timed(_hassil(language), sentences, repeat)
    ours, our_seconds = _timed(_ours(matcher), sentences, repeat)
    matched = [i for i, found in enumerate(theirs) if found is not None]
    agree = [i for i in matched if _same(theirs[i], ours[i])]
    for index in [i for i in matched if i not in set(agree)][:5]:
        _LOGGER.warning(
            "%s differs: %r hassil=%s ours=%s", language, sentences[index], theirs[index], ours[index]
        )
    return {
        "language": language,
        "sentences": len(sentences),
        "hassil_matched": len(matched),
        "agree": len(agree),
        "we_only": sum(1 for i, found in enumerate(ours) if found and not theirs[i]),
        "hassil_seconds": hassil_seconds,
        "our_seconds": our_seconds,
        "compile_seconds": compile_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per router; the best counts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    rows = [run_language(language, args.per_language, args.seed, args.repeat) for language in ("nl", "en")]
    for row in rows:
        hassil_rate = row["sentences"] / row["hassil_seconds"]
        print(
            f"{row['language']}: {row['sentences']} sentences, hassil {hassil_rate:.0f}/s, "
            f"ours {row['sentences'] / row['our_seconds']:.0f}/s (compile {row['compile_seconds']:.2f} s), "
            f"agreement {row['agree']}/{row['hassil_matched']}, matched only by us {row['we_only']}"
        )
    total = sum(row["sentences"] for row in rows)
    hassil_rate = total / sum(row["hassil_seconds"] for row in rows)
    our_rate = total / sum(row["our_seconds"] for row in rows)
    matched = sum(row["hassil_matched"] for row in rows)
    agree = sum(row["agree"] for row in rows)
    print(
        json.dumps(
            {
                "sentences": total,
                "hassil_per_s": round(hassil_rate, 1),
                "ours_per_s": round(our_rate, 1),
                "ratio": round(our_rate / hassil_rate, 2),
                "hassil_matched": matched,
                "agree": agree,
                "agreement": round(agree / matched, 4) if matched else None,
                "per_language": {
                    row["language"]: {
                        "sentences": row["sentences"],
                        "hassil_matched": row["hassil_matched"],
                        "agree": row["agree"],
                        "ratio": round(row["hassil_seconds"] / row["our_seconds"], 2),
                    }
                    for row in rows
                },
            }
        )
    )


if __name__ == "__main__":
    main()
