"""Knowledge retrieval: index build time and per-question latency at 5,000 passages, plus eval figures.

The 5,000 passages are generated help-centre text (products x topics, in Dutch); the questions asked are
the shipped evaluation questions. Latency is measured pinned to one core. With the embedding model, the
5,000 passages' vectors are the real vectors of 250 generated passages repeated (embedding 5,000 passages
takes minutes; the query cost does not depend on which vectors are stored). Ends with one JSON line.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice.knowledge import EvalSet, KnowledgeBase, evaluate  # noqa: E402
from voice.knowledge import dense as dense_module  # noqa: E402
from voice.knowledge.base import _Indexes  # noqa: E402

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


def latencies(kb: KnowledgeBase, questions: list[str], rounds: int = 3) -> dict[str, float]:
    timings = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            kb.ask(question)
            timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(timings, 0.5), 2), "p95_ms": round(percentile(timings, 0.95), 2)}


def big_index(folder: Path) -> tuple[KnowledgeBase, float]:
    """A skill with 5,000 generated passages, its keyword index built from scratch (timed)."""
    content = folder / "skill" / "knowledge" / "nl"
    content.mkdir(parents=True)
    (content / "products.md").write_text(generated_markdown(PASSAGES), encoding="utf-8")
    kb = KnowledgeBase.load(folder / "skill", "nl", index_root=folder / "index", use_model=False)
    return kb, kb.rebuild()


def with_model_vectors(kb: KnowledgeBase) -> float:
    """Give ``kb`` embedding vectors (250 real passages' vectors repeated); returns seconds per passage."""
    model = dense_module.embedder()
    sample = kb.entries[:250]
    started = time.perf_counter()
    built = dense_module.DenseIndex.build(sample, model)
    per_passage = (time.perf_counter() - started) / len(sample)
    repeats = -(-len(kb.entries) // len(sample))
    vectors = np.vstack([built.vectors] * repeats)[: 2 * len(kb.entries)]
    starts = np.arange(0, 2 * len(kb.entries), 2, dtype=np.intp)
    current = kb._indexes
    kb._indexes = _Indexes(current.entries, current.sparse, dense_module.DenseIndex(model, vectors, starts))
    return per_passage


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    evalsets = {
        lang: EvalSet.from_file(SKILL / "knowledge" / "eval" / f"{lang}.yaml") for lang in ("nl", "en")
    }
    questions = [q for q, _ in evalsets["nl"].questions] + list(evalsets["nl"].out_of_scope)
    figures: dict[str, object] = {"passages": PASSAGES}
    with tempfile.TemporaryDirectory() as tmp:
        kb, build = big_index(Path(tmp))
        figures["build_s"] = round(build, 2)
        figures["keywords"] = latencies(kb, questions)
        if dense_module.available():
            figures["model_build_ms_per_passage"] = round(with_model_vectors(kb) * 1000, 1)
            figures["combined"] = latencies(kb, questions)
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
