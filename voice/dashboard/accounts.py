"""Who may open the dashboard: users with password hashes, failed logins and a locked-out period.

Users come from the config (``[dashboard.users]``, name = a hash made by ``voice dashboard user hash``)
and from the store (``voice dashboard user add NAME``), so every worker of every host sees the same
ones. Hashes are werkzeug's (scrypt). After ``lockout_failures`` failed logins in a row a name is
locked for ``lockout_minutes``, whatever password comes next; the count lives in the store too.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ConfigError
from ..store import Store

__all__ = ["Accounts", "DashboardSettings", "Verdict"]

# A hash of a random password, checked when the name is unknown, so both cost the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardSettings:
    """The config file's ``[dashboard]`` table."""

    users: Mapping[str, str] = field(default_factory=dict)
    """Name -> password hash."""
    secret_key: str = ""
    """Signs the session cookies; empty: one generated once and kept in the store."""
    secure_cookies: bool = True
    """Send the session cookie over HTTPS only (browsers also allow it on http://localhost)."""
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    session_hours: float = 8.0

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> DashboardSettings:
        """The settings of a ``[dashboard]`` table; the config checked its keys and values when it was read
        (``voice.config_shapes.DASHBOARD_KEYS``), so a wrong one stops every command, not a login."""
        return cls(**{**values, "users": dict(values.get("users", {}))})


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a login attempt."""

    ok: bool
    locked_for_s: float = 0.0
    """Seconds the name stays locked; a locked name is refused even with the right password."""


class Accounts:
    """The dashboard's users and logins over a store."""

    def __init__(self, store: Store, settings: DashboardSettings) -> None:
        self.store, self.settings = store, settings

    def add(self, name: str, password: str) -> bool:
        """Create a user, or give an existing one a new password; True when that lifted a lockout (a
        new password is how a locked-out reviewer gets in again)."""
        if not name.strip() or len(password) < 8:
            raise ConfigError("a dashboard user needs a name and a password of at least 8 characters.")
        if name in self.settings.users:
            raise ConfigError(
                f"dashboard user {name} has its password in the config file ([dashboard.users]), which wins "
                "over the store's; put a new hash there (voice dashboard user hash), or use "
                f"voice dashboard user unlock {name}."
            )
        self.store.execute(
            "INSERT INTO dashboard_users (name, password_hash, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
            (name, generate_password_hash(password), self.store.clock()),
        )
        return self.unlock(name)

    def remove(self, name: str) -> bool:
        """Remove a user of the store, and its failed logins (a user added again starts unlocked)."""
        self.unlock(name)
        return self.store.execute("DELETE FROM dashboard_users WHERE name = ?", (name,)) > 0

    def unlock(self, name: str) -> bool:
        """Forget the name's failed logins and lockout; True when it was locked."""
        locked = self.locked_for(name) > 0
        self.store.execute("DELETE FROM dashboard_logins WHERE name = ?", (name,))
        return locked

    def locked_for(self, name: str) -> float:
        """Seconds the name stays locked (0: it may log in)."""
        rows = self.store.select("SELECT locked_until FROM dashboard_logins WHERE name = ?", (name,))
        return max(0.0, float(rows[0][0]) - self.store.clock()) if rows else 0.0

    def names(self) -> list[str]:
        stored = [row[0] for row in self.store.select("SELECT name FROM dashboard_users")]
        return sorted({*stored, *self.settings.users})

    def login(self, name: str, password: str) -> Verdict:
        """Check a name and password, counting failures and locking the name after too many."""
        now = self.store.clock()
        if locked_for := self.locked_for(name):
            return Verdict(False, locked_for)
        if check_password_hash(self._hash(name) or _DUMMY_HASH, password) and self._hash(name):
            self.store.execute("DELETE FROM dashboard_logins WHERE name = ?", (name,))
            return Verdict(True)
        return self._failed(name, now)

    def _hash(self, name: str) -> str | None:
        if name in self.settings.users:
            return self.settings.users[name]
        rows = self.store.select("SELECT password_hash FROM dashboard_users WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def _failed(self, name: str, now: float) -> Verdict:
        self.store.execute(
            "INSERT INTO dashboard_logins (name, failures, locked_until) VALUES (?, 1, 0) "
            "ON CONFLICT (name) DO UPDATE SET failures = dashboard_logins.failures + 1",
            (name,),
        )
        rows = self.store.select("SELECT failures FROM dashboard_logins WHERE name = ?", (name,))
        if rows and rows[0][0] >= self.settings.lockout_failures:
            until = now + self.settings.lockout_minutes * 60
            self.store.execute(
                "UPDATE dashboard_logins SET failures = 0, locked_until = ? WHERE name = ?", (until, name)
            )
            return Verdict(False, until - now)
        return Verdict(False)

    def secret_key(self) -> str:
        """The configured secret, else the one kept in the store (made once, shared by every worker)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        self.store.execute(
            "INSERT INTO dashboard_settings (name, value) VALUES ('secret_key', ?) "
            "ON CONFLICT (name) DO NOTHING",
            (secrets.token_urlsafe(32),),
        )
        return str(self.store.select("SELECT value FROM dashboard_settings WHERE name = 'secret_key'")[0][0])
