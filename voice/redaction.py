"""Personal data is taken out of text before it is stored.

The dialog stores what callers say and what the assistant answers (history, conversation log,
handoff records). Before it does, ``Redactor`` replaces e-mail addresses, phone numbers, IBANs,
BSNs, card numbers, postcodes with house numbers and dates said as a date of birth by a placeholder
(``[email]``, ``[phone]``, ``[iban]``, ``[bsn]``, ``[card]``, ``[address]``, ``[birthdate]``;
``[number]`` for a run of numbers that holds some but splits into no valid ones, so no digit of a
number found in part is stored), and the values of slots a skill marks ``sensitive`` by the slot's
name (``[name]``), and the whole of an answer to a question about a sensitive slot that does not fill it
(unless a template read all its words: ``voice.dialog.commit``); a turn
that answers a question for a date of birth has every date in it replaced (``Redactor.for_turn``).
Order numbers, other dates, times and amounts stay, an order number also when a phone number follows
it (docs/sessions.md)::

    redactor = Redactor(RedactionSettings.from_config({"redact": ["email", "phone"]}))
    redactor.text("mail jan@example.com of bel 06-12345678")   # "mail [email] of bel [phone]"

An installation chooses the kinds in ``[privacy]`` of ``voice.toml`` (all of them by default)::

    [privacy]
    redact = ["email", "phone", "iban", "bsn", "card", "address", "birthdate"]   # or: redact = false

What is found is decided in ``voice.redaction_rules`` (pure functions, no I/O).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .hesitations import HESITATIONS
from .redaction_rules import CHOSEN_KINDS, Finding, Kind, find_personal_data

if TYPE_CHECKING:
    from .nlu import SlotValue

__all__ = [
    "Finding",
    "Kind",
    "RedactionSettings",
    "Redactor",
    "TurnRedaction",
    "find_personal_data",
    "has_placeholders",
    "only_placeholders",
    "placeholder",
    "redact_slots",
    "redact_text",
]

ALL_KINDS = frozenset(Kind)
KNOWN_CLEAN = 4096
"""Texts remembered as holding no personal data of the configured kinds: replies and short answers
("yes", "stop") repeat, and not scanning them again saves about 7 % of a webhook turn's cost
(``bench/webhook.py``'s app_ms). Only a keyed digest of each text is kept (the key is new in every
process), so the memory holds no caller's words, not even ones no redaction kind covers."""
_clean: dict[tuple[bytes, frozenset[Kind], bool], None] = {}
_DIGEST_KEY = secrets.token_bytes(16)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16, key=_DIGEST_KEY).digest()


def placeholder(name: str) -> str:
    """What stands in for personal data of a kind or a sensitive slot: ``[phone]``, ``[name]``."""
    return f"[{name}]"


_PLACEHOLDER = re.compile(r"\[\w+\]")


def has_placeholders(text: str) -> bool:
    """Whether ``text`` holds a placeholder ("op naam van [name]"): words taken out as personal data."""
    return bool(_PLACEHOLDER.search(text))


def only_placeholders(text: str) -> bool:
    """Whether ``text`` is nothing but placeholders ("[name]", "[name]."): the words behind them were
    taken out, so nothing of it can be learnt from (``voice review``)."""
    return bool(_PLACEHOLDER.search(text)) and not _PLACEHOLDER.sub("", text).strip(" ,.;:!?…")


@dataclass(frozen=True, slots=True, kw_only=True)
class RedactionSettings:
    """Which kinds of personal data an installation takes out (``[privacy]`` of the config)."""

    kinds: frozenset[Kind] = ALL_KINDS

    @classmethod
    def from_config(cls, raw: Any, *, source: str = "<dict>") -> RedactionSettings:
        """Read the ``[privacy]`` table: ``redact = [kinds]``, ``true`` (all, the default) or ``false``."""
        names = ", ".join(kind.value for kind in CHOSEN_KINDS)
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: [privacy] must be a table, like [privacy] redact = [{names}].")
        unknown = sorted(set(raw) - {"redact"})
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting {unknown[0]!r} in [privacy]; the only one is 'redact'."
            )
        redact = raw.get("redact", True)
        if isinstance(redact, bool):
            return cls(kinds=ALL_KINDS if redact else frozenset())
        known = {kind.value for kind in CHOSEN_KINDS}
        if not isinstance(redact, list) or not all(isinstance(v, str) and v in known for v in redact):
            raise ConfigError(
                f"{source}: [privacy] redact must be true, false or a list of {names}; got {redact!r}."
            )
        return cls(kinds=frozenset(Kind(v) for v in redact))


DEFAULT_SETTINGS = RedactionSettings()


def redact_text(
    text: str, settings: RedactionSettings = DEFAULT_SETTINGS, *, birth_date_asked: bool = False
) -> str:
    """``text`` with each piece of personal data of the configured kinds replaced by its placeholder;
    ``birth_date_asked``: it answers a question for a date of birth, so every date in it is one."""
    if not settings.kinds or not text:
        return text
    remembered = (_digest(text), settings.kinds, birth_date_asked)
    if remembered in _clean:
        return text
    pieces, last = [], 0
    for found in find_personal_data(text, settings.kinds, birth_date_asked=birth_date_asked):
        pieces += [text[last : found.start], placeholder(found.kind.value)]
        last = found.end
    if pieces:
        return "".join(pieces) + text[last:]
    if len(_clean) >= KNOWN_CLEAN:  # a full reset is enough: the repeated texts come back at once
        _clean.clear()
    _clean[remembered] = None
    return text


def redact_slots(
    slots: Mapping[str, Any],
    sensitive: Collection[str] = (),
    settings: RedactionSettings = DEFAULT_SETTINGS,
) -> dict[str, Any]:
    """JSON slot values as they may be stored: a ``sensitive`` slot's value becomes ``[its name]``, and
    personal data in the text of the others is redacted."""
    return {
        name: placeholder(name) if name in sensitive else _redact_value(value, settings)
        for name, value in slots.items()
    }


def _redact_value(value: Any, settings: RedactionSettings) -> Any:
    if isinstance(value, str):
        return redact_text(value, settings)
    if isinstance(value, list | tuple):
        return [_redact_value(v, settings) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, settings) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class TurnRedaction:
    """What to take out of one turn's texts: the configured kinds, and the words of its sensitive slots."""

    settings: RedactionSettings
    sensitive: frozenset[str] = frozenset()
    words: tuple[tuple[re.Pattern[str], str], ...] = ()
    """(the slot's words, its placeholder), longest words first."""
    birth_date_asked: bool = False
    """The caller answers a question for a date of birth: every date said in the turn is one."""
    unfilled: str | None = None
    """The placeholder of the sensitive slot whose question the caller's words answer without filling
    it: which of them hold its value is unknown, so all of them stand for it."""

    def text(self, text: str) -> str:
        """The text with the sensitive slots' words and personal data replaced."""
        for pattern, stand_in in self.words:
            text = pattern.sub(stand_in, text)
        return redact_text(text, self.settings, birth_date_asked=self.birth_date_asked)

    def said(self, text: str) -> str:
        """The caller's words as stored: ``text``, or the slot's placeholder for an answer that did not
        fill a sensitive slot ("mijn geboortedatum is de dertigste februari" to a ``datum`` slot)."""
        return self.unfilled if self.unfilled and text.strip() else self.text(text)

    def slots(self, slots: Mapping[str, Any]) -> dict[str, Any]:
        return redact_slots(slots, self.sensitive, self.settings)


@dataclass(frozen=True, slots=True)
class Redactor:
    """The installation's redaction: ``text`` and ``slots``, or ``for_turn`` with its sensitive slots."""

    settings: RedactionSettings = field(default=DEFAULT_SETTINGS)

    def text(self, text: str) -> str:
        return redact_text(text, self.settings)

    def slots(self, slots: Mapping[str, Any], sensitive: Collection[str] = ()) -> dict[str, Any]:
        return redact_slots(slots, sensitive, self.settings)

    def for_turn(
        self,
        slots: Mapping[str, SlotValue],
        sensitive: Collection[str],
        *,
        birth_date_asked: bool = False,
        unfilled: str | None = None,
    ) -> TurnRedaction:
        """The redaction of a turn whose ``sensitive`` slots (of ``slots``) must not be stored: their
        spoken words and values are replaced wherever the caller or the assistant said them.
        ``birth_date_asked``: the turn answers a question for a date of birth (a slot of a date type
        named like one, ``voice.redaction_dates.names_birth_date``): every date said in it is
        ``[birthdate]`` when that kind is redacted, as an answer says no "geboren" before its date.
        ``unfilled``: the sensitive slot whose question the caller's words answer without filling it
        (a date the parser could not read): they are stored as its placeholder, all of them."""
        words: list[tuple[str, str]] = []
        for name in sensitive:
            slot = slots.get(name)
            if slot is not None:
                said = {slot.text, str(slot.value) if isinstance(slot.value, str | int) else ""}
                words += [(w.strip(), placeholder(name)) for w in said if len(w.strip()) > 1]
        words.sort(key=lambda pair: -len(pair[0]))
        patterns = tuple(
            (re.compile(rf"(?<!\w){_spaced(w)}(?!\w)", re.IGNORECASE), stand_in) for w, stand_in in words
        )
        asked = birth_date_asked and Kind.BIRTHDATE in self.settings.kinds
        stand_in = placeholder(unfilled) if unfilled else None
        return TurnRedaction(self.settings, frozenset(sensitive), patterns, asked, stand_in)


_HESITATION = "|".join(sorted({sound for sounds in HESITATIONS.values() for sound in sounds}, key=len)[::-1])
_BETWEEN = rf"(?:\W+(?:(?:{_HESITATION})\W+)*)"
"""What may stand between a slot's words where the caller said them: spaces and punctuation ("De Vries,
Zoë"), and hesitation sounds, which the router left out of the slot ("Zoë eh de Vries")."""


def _spaced(words: str) -> str:
    """A pattern for the words of ``words`` as a caller may have said them."""
    return _BETWEEN.join(re.escape(part) for part in re.findall(r"\w+", words))
