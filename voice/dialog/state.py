"""The dialog's memory of one session, kept as JSON in ``Session.dialog``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveFlow:
    """An intent being filled in: its slots so far and what was asked last."""

    intent: str
    skill: str
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Slot name -> {"text", "value", "id"}."""
    asking: str | None = None
    """The slot whose value was asked for."""
    confirming: str | None = None
    """``"intent"`` or a slot name while waiting for yes or no; ``"done"`` once the intent is confirmed."""
    confirmed: tuple[str, ...] = ()
    """Slots whose value the caller confirmed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DialogState:
    """Everything the dialog needs from earlier turns; serialised into the session."""

    flow: ActiveFlow | None = None
    previous_intent: str | None = None
    """The last answered intent, for follow-ups ("en morgen?")."""
    previous_slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_reply: dict[str, Any] | None = None
    fallbacks: int = 0
    """Misunderstood turns in a row."""
    low_confidence: int = 0
    """Turns in a row whose recognition confidence was low."""
    no_input: int = 0
    """Silent turns in a row."""
    pending_reply: dict[str, Any] | None = None
    """A reply that arrived after its turn's deadline, spoken at the next turn."""
    handed_over: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict; nested dicts are shared, not copied (states are never changed
        in place), which keeps this off the profile of every turn."""
        raw = {name: getattr(self, name) for name in _STATE_FIELDS}
        if self.flow is not None:
            raw["flow"] = {name: getattr(self.flow, name) for name in _FLOW_FIELDS}
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> DialogState:
        if not raw:
            return cls()
        flow = raw.get("flow")
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__ and k != "flow"}
        if flow:
            flow = {**flow, "confirmed": tuple(flow.get("confirmed", ()))}
        return cls(**known, flow=ActiveFlow(**flow) if flow else None)

    def context(self) -> dict[str, Any]:
        """The intent context for the matcher: the flow in progress, or the previous intent."""
        context: dict[str, Any] = {}
        if self.flow is not None:
            context["dialog"] = self.flow.intent
            if self.flow.asking:
                context["asking"] = self.flow.asking
        if self.previous_intent:
            context["previous"] = self.previous_intent
        return context


_STATE_FIELDS = tuple(f.name for f in fields(DialogState))
_FLOW_FIELDS = tuple(f.name for f in fields(ActiveFlow))
