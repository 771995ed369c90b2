"""Sessions, user attributes and the conversation log: ``open_store(url)`` and the ``Store`` API."""

from .base import Clock, ConflictError, StoreError
from .records import (
    DEFAULT_TTL,
    HISTORY_LIMIT,
    JsonDict,
    LogEntry,
    OutboxItem,
    Session,
    Speaker,
    TurnRecord,
    TurnStart,
)
from .sessions import DEFAULT_RETRIES, Store
from .sqlite import SqliteStore
from .url import open_store

__all__ = [
    "Clock",
    "ConflictError",
    "DEFAULT_RETRIES",
    "DEFAULT_TTL",
    "HISTORY_LIMIT",
    "JsonDict",
    "LogEntry",
    "OutboxItem",
    "Session",
    "Speaker",
    "SqliteStore",
    "Store",
    "StoreError",
    "TurnRecord",
    "TurnStart",
    "open_store",
]
