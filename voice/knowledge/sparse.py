"""The keyword index: BM25 (bm25s) over the analysed terms of every entry's fields.

Each entry becomes two documents -- its question with all its phrasings, and its answer -- so a short spoken
question is compared with questions, not drowned in a long answer. An entry scores its better document,
with answers weighted down by ``ANSWER_WEIGHT``. (Measured: one document per phrasing did worse.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from .entries import Entry
from .text import Analyzer

ANSWER_WEIGHT = 0.7
"""How much an answer's (or passage's) match counts beside a match of the question's own words."""

Scores = npt.NDArray[np.float32]


def fields(entry: Entry) -> list[tuple[str, float]]:
    """The documents an entry is indexed as, with their weights: its questions, then its answer."""
    questions = " ".join((entry.title, *entry.phrasings))
    return [(questions, 1.0), (f"{entry.title}. {entry.short} {entry.text}", ANSWER_WEIGHT)]


@dataclass(slots=True)
class SparseIndex:
    """BM25 scores per entry for a question."""

    analyzer: Analyzer
    bm25: bm25s.BM25
    starts: npt.NDArray[np.intp]
    """Index of each entry's first document (documents are stored entry by entry)."""
    weights: Scores

    @classmethod
    def build(cls, entries: Sequence[Entry], analyzer: Analyzer) -> SparseIndex:
        docs: list[str] = []
        weights: list[float] = []
        starts: list[int] = []
        for entry in entries:
            starts.append(len(docs))
            for text, weight in fields(entry):
                docs.append(text)
                weights.append(weight)
        analyzer.learn(docs)
        bm25 = bm25s.BM25(k1=1.5, b=0.75)
        bm25.index([analyzer.terms(d) for d in docs], show_progress=False)
        return cls(analyzer, bm25, np.array(starts, dtype=np.intp), np.array(weights, dtype=np.float32))

    def scores(self, question: str) -> Scores:
        """One BM25 score per entry (its best document's), 0 when no word matches."""
        terms = [t for t in self.analyzer.terms(question) if t in self.bm25.vocab_dict]
        if not terms or not len(self.starts):
            return np.zeros(len(self.starts), dtype=np.float32)
        per_doc = self.bm25.get_scores(terms).astype(np.float32) * self.weights
        result: Scores = np.maximum.reduceat(per_doc, self.starts)
        return result

    def positions_with(self, term: str) -> frozenset[int]:
        """The positions (their order in the index) of the entries that have ``term`` (an analysed term)
        in their questions or answer."""
        if term not in self.bm25.vocab_dict or not len(self.starts):
            return frozenset()
        found = np.maximum.reduceat(self.bm25.get_scores([term]), self.starts)
        return frozenset(int(i) for i in np.flatnonzero(found))

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / "bm25"), show_progress=False)
        np.save(folder / "sparse_starts.npy", self.starts)
        np.save(folder / "sparse_weights.npy", self.weights)
        (folder / "vocabulary.json").write_text(
            json.dumps(sorted(self.analyzer.vocabulary)), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path, analyzer: Analyzer) -> SparseIndex:
        analyzer.vocabulary = set(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return cls(
            analyzer, bm25, np.load(folder / "sparse_starts.npy"), np.load(folder / "sparse_weights.npy")
        )
