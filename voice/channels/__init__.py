"""Channels: thin adapters between a platform and the assistant.

A channel turns what its platform sends into a ``Turn`` and the assistant's ``Reply`` into what
the platform expects back, within the platform's deadline, and renders errors its own way::

    request --to_turn--> Turn --Assistant.respond--> Reply --to_response--> response

The webhook channels (``WEBHOOKS``) are served by ``voice.server``; the local microphone loop
(``voice.channels.local``) and typed chat (``voice.channels.chat``) are driven by the CLI.
Adding a webhook channel is one module with a ``WebhookChannel`` subclass and one line here.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from ..errors import VoiceError
from ..reply import Reply
from ..turn import Turn
from .alexa import AlexaChannel
from .dialogflow import DialogflowChannel
from .webhook import WebhookChannel, WebRequest, WebResponse

__all__ = ["CHANNEL_NAMES", "WEBHOOKS", "Channel", "WebRequest", "WebResponse", "WebhookChannel"]

In = TypeVar("In", contravariant=True)
Out = TypeVar("Out", covariant=True)


class Channel(Protocol[In, Out]):
    """What every channel does; ``deadline_s`` is how long its platform waits for a reply (None: no limit)."""

    name: str
    deadline_s: float | None

    def to_turn(self, request: In) -> Turn:
        """The caller's turn in ``request``; a ``VoiceError`` when the request is bad."""
        ...

    def to_response(self, reply: Reply, turn: Turn) -> Out:
        """What the platform expects for ``reply``."""
        ...

    def error_response(self, error: VoiceError) -> Out:
        """How the platform is told about a bad request."""
        ...


WEBHOOKS: tuple[type[WebhookChannel], ...] = (AlexaChannel, DialogflowChannel)
"""The webhook channels ``voice serve`` and the WSGI app serve, each at its ``path``."""

CHANNEL_NAMES: tuple[str, ...] = (*(kind.name for kind in WEBHOOKS), "chat", "local")
"""Every channel's ``name``, as turns and reports have it (``voice.channels.local`` needs the speech
package, so its name is written here rather than imported)."""
