"""Answers from the skills' own content, as a link of the answerer chain (see ``voice.knowledge``).

A question no intent matched goes to the knowledge base of each skill that has content in the
turn's language (``skills/<name>/knowledge/<lang>/``). Confident: the short answer is spoken, the
full text and link go on a card. Unsure: "Do you mean ...?", and yes takes the answer, no offers
the next candidate, and after the last one the caller is asked to put it differently (a miss, so
the fallback policy still ends at a person; so is an offer the caller answers neither yes nor no,
which the dialog counts, except filler such as "wacht even": the offer is asked again). Nothing: the
next answerer (the fallback) decides.
In a flow, the flow's open question is asked again after the answer.

A platform that cannot pass free speech through a fallback sends it as the ``Question`` intent
with the words in its ``query`` slot (Alexa's ``AMAZON.SearchQuery``, see ``voice export alexa``);
``platform_question`` turns that into the text turn it stands for.

The engine (bm25s, numpy, an embedding model when installed) is imported on the first question, so a
command that is never asked one never loads it; a server loads it at its start (``warm``), ``voice chat``
the language it is in before its first prompt (``prepare``).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..builtins import builtin_reply, speakers
from ..errors import VoiceError
from ..knowledge import shown_text
from ..knowledge.activity import MODEL_WORK
from ..knowledge.errors import EmbedderClosed
from ..reply import Card, Expect, Reply
from ..skill import Skill
from ..ssml import joined
from ..state import DialogState, Offer
from ..turn import Turn
from .answerers import Answer

if TYPE_CHECKING:
    from ..knowledge import Decision, Entry, KnowledgeBase

__all__ = ["QUERY_SLOT", "QUESTION_INTENT", "KnowledgeAnswerer", "knowledge_answerer", "platform_question"]

_LOGGER = logging.getLogger(__name__)

QUESTION_INTENT = "Question"
"""The intent a platform sends free speech as (unless a skill declares an intent of that name)."""
QUERY_SLOT = "query"
"""Its one slot: the caller's words after the carrier phrase ("I have a question about {query}")."""


def platform_question(turn: Turn) -> Turn | None:
    """A ``Question`` intent resolved by the platform as the text turn of its ``query`` words;
    None for any other turn. The text then goes through the router and the answerer chain."""
    if turn.intent != QUESTION_INTENT:
        return None
    query = turn.slots.get(QUERY_SLOT)
    text = (query.text or str(query.value)) if query is not None else ""
    return replace(turn, text=text, intent=None, slots=MappingProxyType({}), skill="", match=None)


def knowledge_answerer(skills: Iterable[Skill], *, background: bool = False) -> KnowledgeAnswerer | None:
    """The answerer over the skills that have content, or None when none has.

    ``background`` (servers): the knowledge bases load now, those with a current stored index in full and
    the others from their keywords, whose stored index is built in a thread started now (a missing index
    takes seconds to minutes to build): no caller waits for a build. Otherwise (the CLI, tests) the first
    question loads them.
    """
    loaded = list(skills)
    roots = {skill.name: skill.root for skill in loaded if (skill.root / "knowledge").is_dir()}
    if not roots:
        return None
    answerer = KnowledgeAnswerer(roots, background=background, skills=loaded)
    if background:
        answerer.warm()
    return answerer


@dataclass(frozen=True, slots=True)
class _Found:
    skill: str
    decision: Decision


EXIT_WAIT_S = 30.0
"""How long an exiting process waits for the background loader (a run of the model takes under a second)."""


class KnowledgeAnswerer:
    """Answers what no intent matched from the skills' FAQ and pages."""

    name = "knowledge"

    def __init__(
        self, roots: dict[str, Path], *, background: bool = False, skills: Iterable[Skill] = ()
    ) -> None:
        """``skills``: who may say the answerer's framework replies their own way (``builtin:``)."""
        self.roots, self.background = roots, background
        self.skills: dict[str, Skill] = {skill.name: skill for skill in skills}
        self._bases: dict[tuple[str, str], KnowledgeBase | None] = {}
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None

    def warm(self) -> None:
        """Load every skill's knowledge base of every language with content, before the first turn.

        A current stored index is loaded now: its files take milliseconds, the model once about a second
        (measured with the shipped FAQ); a question asked at once is answered as every later one. One that
        must be built first (minutes with the model for large content) gets its keyword index now, in
        memory (under a second for 5,000 passages), and its build in a daemon thread.

        The knowledge modules are imported here, not in the thread: a process that exits at once would
        have the thread import bm25s while the interpreter shuts down, and the exit hook that import
        registers is refused then ("can't register atexit after shutdown", a traceback at exit)."""
        from ..knowledge import KnowledgeBase

        keys = [(skill, path.name) for skill, root in self.roots.items() for path in _languages(root)]
        outdated = [key for key in keys if not KnowledgeBase.stored_is_current(self.roots[key[0]], key[1])]
        for skill, language in keys:
            load = KnowledgeBase.keywords_now if (skill, language) in outdated else KnowledgeBase.load
            self._keep((skill, language), partial(load, self.roots[skill], language))
        if outdated:
            self._loading = threading.Thread(
                target=self._load_all, args=(outdated,), name="voice-knowledge", daemon=True
            )
            self._loading.start()
            atexit.register(self._stop_loading)

    def _stop_loading(self) -> None:
        """At exit: the model takes no more work, and the loader is let finish (it stops at its next
        model run). A daemon thread still inside ONNX Runtime or importing it while the interpreter
        shuts down aborts the process."""
        MODEL_WORK.close()
        if self._loading is not None:
            self._loading.join(EXIT_WAIT_S)

    def prepare(self, language: str) -> None:
        """Load the knowledge bases of ``language`` now, where the first question would (a server's
        ``warm`` loaded them all already)."""
        for skill in self.roots:
            self._base(skill, language)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background loading; True once every knowledge base is loaded."""
        if self._loading is not None:
            self._loading.join(timeout)
        return self._loading is None or not self._loading.is_alive()

    def _load_all(self, keys: list[tuple[str, str]]) -> None:
        """Build and load the knowledge bases whose stored index was missing or outdated; their keywords
        answer meanwhile."""
        try:
            for skill, language in keys:
                self._keep((skill, language), partial(_load, self.roots[skill], language))
        except EmbedderClosed:  # the process exits meanwhile: nothing to keep or report
            return

    def _keep(self, key: tuple[str, str], loaded: Callable[[], KnowledgeBase]) -> None:
        try:
            base: KnowledgeBase | None = loaded()
        except EmbedderClosed:  # the process exits: _load_all stops
            raise
        except Exception:  # the content is broken: its questions go to the fallback; the log says why
            _LOGGER.exception("the knowledge of %s in %s could not be loaded", *key)
            base = None
        with self._lock:
            self._bases[key] = base

    def answer(self, turn: Turn, state: DialogState) -> Answer | None:
        found = self._ask(turn)
        if found is None:
            return None
        best = found.decision.best
        assert best is not None
        resume = state.last_reply if state.flow is not None else None  # the flow's open question
        if found.decision.kind == "answer":
            reply = _answer_reply(resume, best.entry, best.spoken)
            return Answer(reply, replace(state, fallbacks=0, offer=None))
        candidates = tuple(c.id for c in found.decision.candidates)
        offer = Offer(by=self.name, source=found.skill, candidates=candidates, resume=resume)
        return self._offer(turn, state, offer, best.entry.offered)

    def settle(self, turn: Turn, state: DialogState, accepted: bool) -> Answer:
        offer = state.offer
        assert offer is not None
        entries = self._entries(offer.source, turn.language)
        if accepted and offer.candidates[0] in entries:
            entry = entries[offer.candidates[0]]
            reply = _answer_reply(offer.resume, entry, _spoken(entry, turn.language))
            return Answer(reply, replace(state, fallbacks=0, offer=None))
        rest = tuple(c for c in offer.candidates[1:] if c in entries)
        if not accepted and rest:
            return self._offer(turn, state, replace(offer, candidates=rest), entries[rest[0]].offered)
        rephrase = self._builtin(turn, state, "knowledge_rephrase", expect=Expect.ANSWER)
        reply = _resumed(rephrase, rephrase.text, offer.resume)
        return Answer(reply, replace(state, offer=None, fallbacks=state.fallbacks + 1))

    def _offer(self, turn: Turn, state: DialogState, offer: Offer, title: str) -> Answer:
        question = self._builtin(turn, state, "knowledge_confirm", title=title.rstrip("?")).text
        reply = Reply(speech=question, reprompt=question, expect=Expect.CONFIRMATION)
        return Answer(reply, replace(state, offer=offer))

    def _builtin(self, turn: Turn, state: DialogState, key: str, **values: Any) -> Reply:
        """A framework reply, as the skills of the conversation say it (their ``builtin:`` versions)."""
        flow = state.flow.skill if state.flow else None
        return builtin_reply(turn, key, skills=speakers(self.skills, flow, turn.skill), **values)

    def _ask(self, turn: Turn) -> _Found | None:
        """The best decision of the skills with content in the turn's language; None when all abstain."""
        if not turn.text.strip():
            return None
        offers: list[_Found] = []
        for skill in self.roots:
            base = self._base(skill, turn.language)
            decision = base.ask(turn.text) if base is not None else None
            if decision is None or decision.kind == "abstain":
                continue
            _LOGGER.info("knowledge of %s: %s (%s)", skill, decision.kind, decision.reason)
            if decision.kind == "answer":
                return _Found(skill, decision)
            offers.append(_Found(skill, decision))
        return offers[0] if offers else None

    def _entries(self, skill: str, language: str) -> dict[str, Entry]:
        base = self._base(skill, language)
        return {entry.id: entry for entry in base.entries} if base is not None else {}

    def _base(self, skill: str, language: str) -> KnowledgeBase | None:
        """The skill's knowledge base for ``language``, loaded once (None without content, with content
        that cannot be loaded, and in the background mode while it is still loading)."""
        key = (skill, language)
        with self._lock:
            if key not in self._bases and not self.background:
                root = self.roots[skill]
                base = None
                if (root / "knowledge" / language).is_dir():
                    try:
                        base = _load(root, language)
                    except VoiceError as exc:  # broken content: its questions go to the fallback
                        _LOGGER.error("the knowledge of %s in %s is not used: %s", skill, language, exc)
                self._bases[key] = base
            return self._bases.get(key)


def _languages(root: Path) -> list[Path]:
    folder = root / "knowledge"
    return sorted(path for path in folder.iterdir() if path.is_dir() and len(path.name) <= 3)


def _load(root: Path, language: str) -> KnowledgeBase:
    from ..knowledge import KnowledgeBase

    return KnowledgeBase.load(root, language)


def _answer_reply(resume: Reply | None, entry: Entry, spoken: str) -> Reply:
    """The short answer, the flow's open question after it, and the full text on a card."""
    card = Card(title=entry.title, text=shown_text(entry))
    return _resumed(Reply(speech=spoken, card=card, expect=Expect.ANSWER), spoken, resume)


def _resumed(reply: Reply, said: str, resume: Reply | None) -> Reply:
    """``reply``, followed by the question a flow in progress asked (``resume``), which it expects again."""
    if resume is None:
        return reply
    question = resume.reprompt or resume.text
    return replace(
        reply, speech=joined(said, question), reprompt=question, expect=resume.expect, slot=resume.slot
    )


def _spoken(entry: Entry, language: str) -> str:
    from ..knowledge import spoken_answer

    return spoken_answer(entry, language)
