"""The dialog layer every channel shares: slot filling, confirmation, context, handoff, deadlines.

``voice.dialog.manager.Dialog`` is the responder the channels call; this package's top
level holds the small types skills use.
"""

from .flow import Flow, Slot
from .handoff import FanOutSink, HandoffPolicy, HandoffRecord, HandoffSink, HttpSink, QueueFileSink
from .state import ActiveFlow, DialogState

__all__ = [
    "ActiveFlow",
    "DialogState",
    "FanOutSink",
    "Flow",
    "HandoffPolicy",
    "HandoffRecord",
    "HandoffSink",
    "HttpSink",
    "QueueFileSink",
    "Slot",
]
