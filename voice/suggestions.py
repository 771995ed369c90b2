"""The "did you mean ...?" of an error about a misspelt name: one helper for every check that names one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "nearest"]


def did_you_mean(name: str, known: Iterable[str], form: str = "{!r}") -> str:
    """``" (did you mean 'Nearest'?)"`` for the nearest of ``known``, written in ``form`` (``"<{}>"``), or
    ``""``: a hint inside the sentence, so that each problem stays one sentence."""
    found = nearest(name, known, form)
    return f" (did you mean {found}?)" if found else ""


def nearest(name: str, known: Iterable[str], form: str = "{!r}") -> str:
    """The nearest of ``known`` written in ``form``, or ``""``: for a sentence in the team's words
    (``commands.yaml``) that asks "did you mean" itself."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return form.format(close[0]) if close else ""
