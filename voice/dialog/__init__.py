"""The dialog layer every channel shares: slot filling, confirmation, context, handoff, deadlines.

``Dialog`` is the responder; ``Answerer`` is the extension point for turns no intent
matched; the rest are the small types skills use.
"""

from ..flow import Flow, Slot
from .answerers import Answer, Answerer, Fallback
from .handoff import FanOutSink, HandoffPolicy, HandoffRecord, HandoffSink, HttpSink
from .manager import Dialog, apology
from .queue_file import QueueFileSink

__all__ = [
    "Answer",
    "Answerer",
    "Dialog",
    "Fallback",
    "FanOutSink",
    "Flow",
    "HandoffPolicy",
    "HandoffRecord",
    "HandoffSink",
    "HttpSink",
    "QueueFileSink",
    "Slot",
    "apology",
]
