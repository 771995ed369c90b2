"""The store tests: the contract every store passes, and what only the SQLite store has."""
