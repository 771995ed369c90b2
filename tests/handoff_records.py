"""Handoff records for tests of the sinks, the queue file and the data commands: one constructor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from voice.dialog import HandoffRecord

ASKED = ({"speaker": "user", "text": "ik wil een medewerker spreken", "intent": "TalkToAgent"},)


def handoff_record(
    record_id: str,
    *,
    user_id: str,
    session_id: str,
    time: dt.datetime,
    skill: str = "customer_service",
    channel: str = "chat",
    transcript: tuple[dict[str, Any], ...] = ASKED,
) -> HandoffRecord:
    """A Dutch caller's "asked for a person" record."""
    return HandoffRecord(
        id=record_id,
        reason="asked",
        session_id=session_id,
        user_id=user_id,
        skill=skill,
        locale="nl",
        channel=channel,
        time=time,
        transcript=transcript,
        slots={},
    )
