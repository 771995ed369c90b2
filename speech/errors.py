"""The speech layer's failures.

Every expected failure is a ``SpeechError`` whose message is one sentence that says
what is wrong and what to do. The class carries its exit code, so the CLI renders it
like the framework's own ``voice.errors.VoiceError``::

    SpeechError                 exit 1
     +-- AudioError             a WAV that cannot be read or written
     +-- ModelError             no speech model, a broken model, a failed download
     +-- RecognitionError       the recognizer failed on valid audio
     +-- SynthesisError         text-to-speech failed

``speech`` knows nothing of ``voice``: the framework's failures have their own base.
"""

from __future__ import annotations


class SpeechError(Exception):
    """Base of every expected failure; ``str(error)`` is the sentence shown to people."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AudioError(SpeechError):
    """An audio file is missing, empty, truncated or not a WAV."""


class ModelError(SpeechError):
    """A speech model is missing, broken, or could not be downloaded."""

    exit_code = 3


class RecognitionError(SpeechError):
    """The recognizer could not process audio that was valid."""


class SynthesisError(SpeechError):
    """Text-to-speech could not render the text."""
