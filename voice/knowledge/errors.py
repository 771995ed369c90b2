"""Errors of the knowledge engine that its callers handle by kind."""

from __future__ import annotations


class EmbedderClosed(RuntimeError):
    """The process is exiting: the embedding model takes no more work (a build under way stops)."""
