"""The project's error type and the speech layer's failures.

Every expected failure is a ``VoiceError`` whose message is one sentence that says
what is wrong and what to do. The class carries how to render it, so one CLI wrapper
and one Flask error handler treat every error alike::

    VoiceError                  exit 1, HTTP 400
     +-- AudioError             a WAV that cannot be read or written
     +-- ModelError             no speech model, a broken model, a failed download
     +-- RecognitionError       the recognizer failed on valid audio
     +-- SynthesisError         text-to-speech failed

``voice.errors`` adds the framework's failures (templates, requests, verification).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class VoiceError(Exception):
    """Base of every expected failure; ``str(error)`` is the sentence shown to people."""

    exit_code: int = 1
    http_status: int = 400
    headers: ClassVar[Mapping[str, str]] = {}
    """Extra HTTP headers for the error response (``WWW-Authenticate`` ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AudioError(VoiceError):
    """An audio file is missing, empty, truncated or not a WAV."""


class ModelError(VoiceError):
    """A speech model is missing, broken, or could not be downloaded."""

    exit_code = 3


class RecognitionError(VoiceError):
    """The recognizer could not process audio that was valid."""


class SynthesisError(VoiceError):
    """Text-to-speech could not render the text."""
