"""The chat channel: typed lines in, the reply's text out (``voice chat``, and any text front end)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ..errors import VoiceError
from ..reply import Reply
from ..turn import Turn

__all__ = ["ChatChannel"]


@dataclass(frozen=True, slots=True)
class ChatChannel:
    """One typed conversation: each line is a turn of the same session."""

    locale: str
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    user_id: str = ""
    name: str = "chat"
    deadline_s: float | None = None

    def to_turn(self, line: str) -> Turn:
        return Turn(
            text=line.strip(),
            locale=self.locale,
            channel=self.name,
            session_id=self.session_id,
            user_id=self.user_id,
        )

    def to_response(self, reply: Reply, turn: Turn) -> str:
        """The reply as a screen shows it (a booking number "B42", not spelled out as it is said), with
        its card (a link or details) below it."""
        if reply.card is None or reply.card.text == reply.display:
            return reply.display
        return f"{reply.display}\n  [{reply.card.title}] {reply.card.text}"

    def error_response(self, error: VoiceError) -> str:
        return f"error: {error.message}"
