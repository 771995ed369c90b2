"""Fixtures of the knowledge tests; they live in knowledge_support, whose helpers tests import."""

from .knowledge_support import _private_index, shipped

__all__ = ["_private_index", "shipped"]
