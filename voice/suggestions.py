"""The "did you mean ...?" of an error about a misspelt name: one helper for every check that names one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, known: Iterable[str], form: str = "{!r}") -> str:
    """``" (did you mean 'Nearest'?)"`` for the nearest of ``known``, written in ``form`` (``"<{}>"``), or
    ``""``: a hint inside the sentence, so that each problem stays one sentence."""
    nearest = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {form.format(nearest[0])}?)" if nearest else ""
