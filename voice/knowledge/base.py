"""``KnowledgeBase``: a skill's content for one language, indexed, asked, and kept up to date.

    kb = KnowledgeBase.load(Path("skills/customer_service"), "nl")
    decision = kb.ask("kan ik met een creditcard betalen")
    decision.kind, decision.candidates[0].spoken, decision.reason

``load`` uses the stored index when it matches the content and rebuilds (and stores) it otherwise.
``ask`` looks at the index's manifest once per call (one ``stat``) and picks up an index that
``voice knowledge import`` rebuilt meanwhile, so a running server needs no restart.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import dense
from .conflicts import EntryTerms, entry_terms, swapped, without
from .content import content_folder, load_content
from .decision import Candidate, Decision, DecisionKind, Evidence, Policy, Why, decide
from .duplicates import Pair, near_duplicates
from .entries import Entry
from .sparse import SparseIndex
from .spoken import spoken_answer
from .storage import (
    building,
    fingerprint,
    index_folder,
    manifest_stamp,
    prepare,
    publish,
    read_manifest,
)
from .text import analyzer
from .vectors import Progress

_LOGGER = logging.getLogger(__name__)
KEYWORD_SHARE = 0.3
"""The keyword index's share of the combined score (the embedding model has the rest). Chosen on every
other evaluation question (0.25, 0.3 and 0.4 tied at top-1 0.878; the middle one), checked on the others
(0.958, 0.944 with the earlier 0.35): a difference of one question per half."""
SHORTLIST = 10


@dataclass(slots=True)
class _Indexes:
    entries: tuple[Entry, ...]
    sparse: SparseIndex | None
    dense: dense.DenseIndex | None
    asked: dict[frozenset[str], int] | None = None
    """The terms of each question and phrasing -> its entry (terms two entries share are left out)."""
    terms: dict[str, EntryTerms] | None = None
    """Each entry's terms by its id, for the entries offered (``conflicts``)."""


class KnowledgeBase:
    """Answers questions from one skill's content in one language."""

    def __init__(
        self, skill_root: Path, language: str, *, index_dir: Path, policy: Policy, use_model: bool
    ) -> None:
        self.skill_root = skill_root
        self.language = language
        self.index_dir = index_dir
        self.policy = policy
        self.use_model = use_model
        self._indexes = _Indexes((), None, None)
        self._stamp = -1
        self.built: float | None = None
        """Seconds the last ``rebuild`` of this object took; None when it used the stored index."""
        self.progress: Progress | None = None
        """Told how many texts a rebuild has embedded, of how many (``load`` sets it)."""

    @classmethod
    def load(
        cls,
        skill_root: str | Path,
        language: str,
        *,
        index_root: Path | None = None,
        policy: Policy | None = None,
        use_model: bool | None = None,
        progress: Progress | None = None,
    ) -> KnowledgeBase:
        """The skill's knowledge for ``language``: the stored index, rebuilt first when the content changed.

        ``use_model``: use the packaged embedding model (default: when it is installed); ``progress``:
        told how many texts a rebuild has embedded, of how many (``voice knowledge import`` shows it).
        """
        kb = cls._at(skill_root, language, use_model, policy, index_root)
        kb.progress = progress
        if not kb._stored_index_is_current():
            with building(kb.index_dir):
                if not kb._stored_index_is_current():  # else another process built it meanwhile
                    kb._build()
        for _ in range(3):  # a read can lose its version to two publishes in a row: read the newest
            if kb.reload():
                break
        return kb

    @classmethod
    def keywords_now(
        cls, skill_root: str | Path, language: str, *, policy: Policy | None = None
    ) -> KnowledgeBase:
        """The content's keyword index, built in memory only (under a second for 5,000 passages): what a
        server answers with while ``load`` builds the stored index, which takes minutes with the model."""
        kb = cls._at(skill_root, language, False, policy)
        entries = load_content(kb.content_dir)
        sparse = SparseIndex.build(entries, analyzer(language)) if entries else None
        kb._indexes = _keyword_lookups(_Indexes(entries, sparse, None))
        kb._stamp = manifest_stamp(kb.index_dir)  # a build published later is read in, keywords only
        return kb

    @classmethod
    def stored_is_current(
        cls, skill_root: str | Path, language: str, *, use_model: bool | None = None
    ) -> bool:
        """Whether ``load`` would use the stored index as it is (no build)."""
        return cls._at(skill_root, language, use_model)._stored_index_is_current()

    @classmethod
    def _at(
        cls,
        skill_root: str | Path,
        language: str,
        use_model: bool | None,
        policy: Policy | None = None,
        index_root: Path | None = None,
    ) -> KnowledgeBase:
        """An empty knowledge base of the skill's content in ``language``, at its index folder."""
        root = Path(skill_root)
        model = dense.usable() if use_model is None else use_model
        folder = index_folder(root, language, index_root)
        return cls(root, language, index_dir=folder, policy=policy or Policy(), use_model=model)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._indexes.entries

    @property
    def content_dir(self) -> Path:
        return content_folder(self.skill_root, self.language)

    def rebuild(self) -> float:
        """Read the content, build the indexes and store them; returns the seconds it took."""
        with building(self.index_dir):
            return self._build()

    def _build(self) -> float:
        started = time.perf_counter()
        # the content's fingerprint before it is read: a file copied in meanwhile leaves the index outdated
        # (and rebuilt by the next import), never marked current without it
        content = fingerprint(self.content_dir)
        entries = load_content(self.content_dir)
        sparse = SparseIndex.build(entries, analyzer(self.language)) if entries else None
        model = self._dense_build(entries) if self.use_model and entries else None
        staging = prepare(self.index_dir)
        if sparse is not None:
            sparse.save(staging)
        if model is not None:
            model.save(staging)
        (staging / "entries.json").write_text(
            json.dumps([e.to_dict() for e in entries], ensure_ascii=False), encoding="utf-8"
        )
        seconds = time.perf_counter() - started
        manifest = {
            "content": content,
            "entries": len(entries),
            "model": dense.MODEL if model is not None else None,
            "build_seconds": round(seconds, 3),
        }
        publish(staging, self.index_dir, manifest)
        self.built = seconds
        _LOGGER.info("knowledge index %s built: %d entries in %.2f s", self.index_dir, len(entries), seconds)
        return seconds

    def _dense_build(self, entries: tuple[Entry, ...]) -> dense.DenseIndex:
        """The meaning index, embedding only what the stored index has not embedded yet."""
        folder = self.index_dir.resolve()
        stored = read_manifest(folder)
        known = {}
        if stored is not None and stored.get("model") == dense.MODEL:
            known = dense.DenseIndex.load(folder, dense.embedder()).known()
        return dense.DenseIndex.build(entries, dense.embedder(), known, self.progress)

    def reload(self) -> bool:
        """Read the stored index (done by ``ask`` when the index changed on disk); False when there was
        none to read. All files come from the one version the index folder points at; when even that
        went meanwhile (two rebuilds in a row), the index in memory stays and the next question tries
        again."""
        folder = self.index_dir.resolve()
        stamp = manifest_stamp(folder)
        manifest = read_manifest(folder)
        if manifest is None:
            return False
        try:
            self._indexes = self._read(folder, manifest)
        except OSError as exc:
            _LOGGER.warning("knowledge index %s went while it was read (%s); keeping the last", folder, exc)
            return False
        self._stamp = stamp
        return True

    def _read(self, folder: Path, manifest: dict[str, Any]) -> _Indexes:
        raw = json.loads((folder / "entries.json").read_text(encoding="utf-8"))
        entries = tuple(Entry.from_dict(item) for item in raw)
        sparse = SparseIndex.load(folder, analyzer(self.language)) if entries else None
        model = None
        if self.use_model and manifest.get("model") == dense.MODEL:
            model = dense.DenseIndex.load(folder, dense.embedder())
        return _keyword_lookups(_Indexes(entries, sparse, model))

    def near_duplicates(self) -> list[Pair]:
        """Pairs of entries that ask the same question with different answers (``duplicates``), from the
        vectors the index holds."""
        indexes = self._indexes
        if indexes.sparse is None:
            return []
        vectors = indexes.dense.vectors[indexes.dense.starts] if indexes.dense is not None else None
        return near_duplicates(indexes.entries, indexes.sparse.analyzer.terms, vectors)

    def ask(self, question: str) -> Decision:
        """What to do with ``question``: answer, confirm (with candidates in order) or abstain."""
        return self.ask_ranked(question)[0]

    def ask_ranked(self, question: str) -> tuple[Decision, tuple[Candidate, ...]]:
        """``ask`` and ``rank`` from one ranking: an evaluation needs both, and ranking is most of the
        work."""
        candidates, evidence = self._ranked(question)
        decision = decide(candidates, evidence, self.policy)
        if decision.kind is DecisionKind.CONFIRM:
            decision = self._on_topic(question, decision)
        return decision, candidates

    def _on_topic(self, question: str, decision: Decision) -> Decision:
        """``decision`` without the entries offered that are about something else (``conflicts``): a
        "yes" would read their answer to another question."""
        kept = tuple(c for c in decision.candidates if not self._about_something_else(question, c))
        if kept == decision.candidates:
            return decision
        if kept:
            return replace(decision, candidates=kept)
        return replace(decision, kind=DecisionKind.ABSTAIN, candidates=(), why=Why.OFF_TOPIC)

    def _about_something_else(self, question: str, candidate: Candidate) -> bool:
        """Whether ``question`` asks ``candidate``'s question about another subject: its words in the place
        of the entry's subject take it away from the entry (needs the model: a synonym brings it closer)."""
        indexes = self._indexes
        sparse, model, entry = indexes.sparse, indexes.dense, (indexes.terms or {}).get(candidate.id)
        if sparse is None or model is None or entry is None or candidate.similarity is None:
            return False
        new = swapped(frozenset(sparse.analyzer.terms(question)), entry, sparse.positions_with)
        if not new:
            return False
        rest = without(question, new, sparse.analyzer.terms, entry.beside)
        return not rest or float(model.scores(rest)[entry.position]) > candidate.similarity

    def rank(self, question: str) -> tuple[Candidate, ...]:
        """The best entries for ``question`` by combined score, before any decision (at most 10)."""
        return self._ranked(question)[0]

    def _ranked(self, question: str) -> tuple[tuple[Candidate, ...], Evidence]:
        if manifest_stamp(self.index_dir) != self._stamp:
            self.reload()
        indexes = self._indexes
        if indexes.sparse is None:
            return (), Evidence(keyword_first=None, model_first=None)
        keyword = indexes.sparse.scores(question)
        similarity = indexes.dense.scores(question) if indexes.dense is not None else None
        combined = _combined(keyword, similarity)  # once: it standardises every entry's scores
        order = _order(combined)
        candidates = tuple(
            self._candidate(indexes.entries[i], float(combined[i]), float(keyword[i]), similarity, i)
            for i in order
        )
        said = (indexes.asked or {}).get(frozenset(indexes.sparse.analyzer.terms(question)))
        evidence = Evidence(
            keyword_first=_position(order, keyword) if keyword.max() > 0 else None,
            model_first=_position(order, similarity) if similarity is not None else None,
            said_first=order.index(said) if said in order else None,
        )
        return candidates, evidence

    def _candidate(
        self, entry: Entry, score: float, keyword: float, similarity: npt.NDArray[np.float32] | None, i: int
    ) -> Candidate:
        return Candidate(
            entry=entry,
            spoken=spoken_answer(entry, self.language),
            score=score,
            keyword_score=keyword,
            similarity=float(similarity[i]) if similarity is not None else None,
        )

    def _stored_index_is_current(self) -> bool:
        manifest = read_manifest(self.index_dir)
        if manifest is None or manifest.get("content") != fingerprint(self.content_dir):
            return False
        return (manifest.get("model") == dense.MODEL) == self.use_model


def _keyword_lookups(indexes: _Indexes) -> _Indexes:
    """``indexes`` with each entry's terms and the questions the content asks, analysed once."""
    if indexes.sparse is None:
        return indexes
    found = entry_terms(indexes.entries, indexes.sparse.analyzer)
    return replace(indexes, asked=_asked(found.values()), terms=found)


def _asked(entries: Iterable[EntryTerms]) -> dict[frozenset[str], int]:
    """The terms of every question and phrasing, with the entry that asks them (when only one does)."""
    found: dict[frozenset[str], int | None] = {}
    for entry in entries:
        for terms in entry.forms:
            if terms:
                found[terms] = entry.position if found.get(terms, entry.position) == entry.position else None
    return {terms: i for terms, i in found.items() if i is not None}


def _combined(
    keyword: npt.NDArray[np.float32], similarity: npt.NDArray[np.float32] | None
) -> npt.NDArray[np.float32]:
    """Each method's scores as standard scores, mixed: scales differ, so raw scores cannot be added."""
    if similarity is None:
        return keyword
    result: npt.NDArray[np.float32] = KEYWORD_SHARE * _standard(keyword) + (1 - KEYWORD_SHARE) * _standard(
        similarity
    )
    return result


def _standard(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    spread = float(scores.std())
    result: npt.NDArray[np.float32] = (scores - scores.mean()) / spread if spread > 0 else scores * 0
    return result


def _order(combined: npt.NDArray[np.float32]) -> list[int]:
    count = min(SHORTLIST, len(combined))
    top = np.argpartition(-combined, count - 1)[:count]
    return [int(i) for i in top[np.argsort(-combined[top], kind="stable")]]


def _position(order: list[int], scores: npt.NDArray[np.float32]) -> int | None:
    """Where the method's own best entry stands in the combined order (None: not in the shortlist)."""
    best = int(np.argmax(scores))
    return order.index(best) if best in order else None
