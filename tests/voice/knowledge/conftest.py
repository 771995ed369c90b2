"""The knowledge tests' fixtures live in knowledge_support (a plain module, so its helpers can be imported)."""

from .knowledge_support import _private_index, shipped

__all__ = ["_private_index", "shipped"]
