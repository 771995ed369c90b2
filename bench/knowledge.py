"""Knowledge retrieval: index build time and per-question latency at 5,000 passages, plus eval figures.

The 5,000 passages are generated help-centre text (products x topics, in Dutch). The index is built as
``voice knowledge import`` builds it (all cores): keywords alone, then with the model (minutes), then again
after 1 % of the passages changed (a re-import embeds only those). Latency is measured pinned to one core:
the shipped evaluation questions of both languages each asked once (the model embeds every one), then
all again (remembered). Ends with one JSON line.
Run: .venv/bin/python bench/knowledge.py
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice.knowledge import EvalSet, KnowledgeBase, evaluate  # noqa: E402
from voice.knowledge import dense as dense_module  # noqa: E402

SKILL = ROOT / "skills" / "customer_service"
PASSAGES = 5000
PRODUCTS = [
    "bank",
    "stoel",
    "tafel",
    "lamp",
    "kast",
    "matras",
    "bed",
    "vloerkleed",
    "spiegel",
    "bureau",
    "koffiezetapparaat",
    "stofzuiger",
]
TOPICS = {
    "afmetingen": "De {p} model {n} is {a} cm breed en {b} cm diep. Het gewicht is {c} kilo.",
    "onderhoud": "Maak de {p} model {n} schoon met een vochtige doek. Gebruik geen schuurmiddel of bleek.",
    "montage": "De {p} model {n} wordt in {a} delen geleverd. Montage duurt zo'n {c} minuten.",
    "garantie": "Op de {p} model {n} zit {g} jaar garantie op constructiefouten, niet op slijtage.",
    "levering": "De {p} model {n} wordt binnen {c} werkdagen bezorgd, tot achter de voordeur of op de kamer.",
    "materiaal": "De {p} model {n} is gemaakt van {m}. Kleuren kunnen iets afwijken.",
}
MATERIALS = ["eikenhout", "metaal en glas", "gerecycled plastic", "katoen en linnen", "bamboe", "leer"]


def generated_markdown(count: int, seed: int = 7) -> str:
    """``count`` passages of realistic product help text, one heading each."""
    rng = random.Random(seed)
    parts = []
    for number in range(count):
        product, topic = rng.choice(PRODUCTS), rng.choice(list(TOPICS))
        values = {
            "p": product,
            "n": f"{rng.choice('ABCDEFGHK')}{number}",
            "a": rng.randint(40, 240),
            "b": rng.randint(30, 120),
            "c": rng.randint(2, 90),
            "g": rng.choice([2, 3, 5]),
            "m": rng.choice(MATERIALS),
        }
        parts.append(
            f"## {topic.capitalize()} van de {product} {values['n']}\n\n{TOPICS[topic].format(**values)}\n"
        )
    return "\n".join(parts)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def latencies(kb: KnowledgeBase, questions: list[str]) -> dict[str, float]:
    """Wall time per question, and the CPU time it used (what it would take on a core of its own)."""
    wall, cpu = [], []
    for question in questions:
        started, used = time.perf_counter(), time.thread_time()
        kb.ask(question)
        cpu.append((time.thread_time() - used) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(percentile(wall, 0.5), 2),
        "p95_ms": round(percentile(wall, 0.95), 2),
        "cpu_p50_ms": round(percentile(cpu, 0.5), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
    }


def write_content(folder: Path, changed: int = 0) -> None:
    """The skill's 5,000 passages; ``changed`` of them (spread out) get a different text."""
    content = folder / "skill" / "knowledge" / "nl"
    content.mkdir(parents=True, exist_ok=True)
    parts = generated_markdown(PASSAGES).split("\n## ")
    for i in range(0, PASSAGES, PASSAGES // changed if changed else PASSAGES + 1):
        parts[i] = parts[i].replace(". ", ", echt waar. ", 1)
    (content / "products.md").write_text("\n## ".join(parts), encoding="utf-8")


def timed_build(folder: Path, use_model: bool) -> tuple[KnowledgeBase, float]:
    root = folder / ("index-model" if use_model else "index-keywords")
    kb = KnowledgeBase.load(folder / "skill", "nl", index_root=root, use_model=use_model)
    assert kb.built is not None, "the content changed, so loading it builds the index"
    return kb, kb.built


def builds(folder: Path, figures: dict[str, object]) -> list[KnowledgeBase]:
    """Build times: keywords only, with the model from scratch, with the model after 1 % changed."""
    write_content(folder)
    keywords, seconds = timed_build(folder, use_model=False)
    figures["build_s"] = round(seconds, 2)
    if not dense_module.available():
        return [keywords]
    combined, seconds = timed_build(folder, use_model=True)
    figures["model_build_s"] = round(seconds, 1)
    write_content(folder, changed=PASSAGES // 100)
    combined, seconds = timed_build(folder, use_model=True)
    figures["model_rebuild_1pct_s"] = round(seconds, 2)
    return [keywords, combined]


def main() -> None:
    evalsets = {
        lang: EvalSet.from_file(SKILL / "knowledge" / "eval" / f"{lang}.yaml") for lang in ("nl", "en")
    }
    questions = [q for s in evalsets.values() for q in (*(q for q, _ in s.questions), *s.out_of_scope)]
    figures: dict[str, object] = {"passages": PASSAGES, "cores": len(os.sched_getaffinity(0))}
    with tempfile.TemporaryDirectory() as tmp:
        indexes = builds(Path(tmp), figures)
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        figures["keywords"] = latencies(indexes[0], questions)
        if len(indexes) > 1:
            figures["combined_first_ask"] = latencies(indexes[1], questions)
            figures["combined_asked_again"] = latencies(indexes[1], questions)
        figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    for name, use_model in (("combined", True), ("keywords", False)):
        if use_model and not dense_module.available():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for lang, evalset in evalsets.items():
                kb = KnowledgeBase.load(SKILL, lang, index_root=Path(tmp), use_model=use_model)
                report = evaluate(kb, evalset).to_dict()
                keep = (
                    "top1",
                    "answered_right",
                    "confirm_rate",
                    "confirm_right",
                    "abstain_rate",
                    "false_answer_rate",
                )
                figures[f"eval_{name}_{lang}"] = {k: report[k] for k in keep}
                print(f"{name} {lang}: " + ", ".join(f"{k} {report[k]}" for k in keep), file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
