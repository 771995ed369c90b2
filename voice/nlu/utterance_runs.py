"""The runs of an utterance that a template is walked on: as said, and without the skill's skip words.

hassil tries an utterance with and without skip words ("please", "eh"); where the template has a
wildcard at one edge, the skip words come off the other edge only (one all wildcard keeps them). The
pre-filter gets every variant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .compile import Entry
from .graph import Run
from .normalize import Utterance, read_breaks, remove_skip_words, squeeze_cjk

__all__ = ["UtteranceRuns"]


class UtteranceRuns:
    """The utterance with and without skip words, as hassil tries it; each run made once."""

    def __init__(
        self, utterance: Utterance, language: str, now: Any, best_slot: str | None, spaced: bool = True
    ) -> None:
        self.spaced = spaced
        if not spaced:
            utterance = Utterance(squeeze_cjk(utterance.text), squeeze_cjk(utterance.folded))
        self.utterance = utterance
        self.language = language
        self.now = now
        self.best_slot = best_slot
        self._runs: dict[tuple[tuple[str, ...], str], Run | None] = {}

    def runs(self, entry: Entry) -> list[Run]:
        if not entry.skip_words:
            return [self._run((), "with")]  # type: ignore[list-item]
        mode = {"whole": "with", "start": "end", "end": "start"}.get(entry.wildcard_edge, "none")
        found = [self._run(entry.skip_words, mode)]
        if mode == "none" and entry.literal_skip and found[0] is not self._run((), "with"):
            found.insert(0, self._run((), "with"))  # not the same run twice: it would be walked twice
        return [run for run in found if run is not None]

    def variants(self, skip_words: Iterable[tuple[str, ...]]) -> list[str]:
        """The utterance as matched, with and without each skill's skip words.

        Each variant with "-" or "_" also comes with them read as spaces, as ``Run.broken``
        matches it: otherwise the pre-filter would drop templates the walk can match.
        """
        texts = [self.utterance.folded]
        for words in skip_words:
            run = self._run(words, "none")
            if run is not None and run.folded[: run.blank_from] not in texts:
                texts.append(run.folded[: run.blank_from])  # a match may stop before trailing punctuation
        for text in list(texts):
            broken = read_breaks(text)
            if broken is not None and broken not in texts:
                texts.append(broken)
        return texts

    def _run(self, skip_words: tuple[str, ...], mode: str) -> Run | None:
        key = ((), mode) if mode == "with" else (skip_words, mode)  # one unchanged run, one memo
        if key not in self._runs:
            self._runs[key] = self._make(skip_words, mode)
        return self._runs[key]

    def _make(self, skip_words: tuple[str, ...], mode: str) -> Run | None:
        utterance = self.utterance
        if mode != "with":
            stripped = remove_skip_words(
                utterance, skip_words, start=mode != "end", end=mode != "start", anywhere=not self.spaced
            )
            if stripped.folded == utterance.folded:
                return self._run((), "with")
            utterance = stripped
        if not utterance.folded:
            return None
        return Run.of(
            utterance.folded, utterance.text, self.language, self.now, self.best_slot, spaced=self.spaced
        )
