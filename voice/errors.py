"""The framework's errors; the base ``VoiceError`` lives in ``speech.errors``.

VoiceError (speech.errors)
 +-- AudioError, ModelError, RecognitionError, SynthesisError   (speech layer)
 +-- ConfigError            a bad config file or setting
 +-- VerificationError      an Alexa request that failed verification (HTTP 400)
"""

from __future__ import annotations

from speech.errors import AudioError, ModelError, RecognitionError, SynthesisError, VoiceError

__all__ = [
    "AudioError",
    "ConfigError",
    "ModelError",
    "RecognitionError",
    "SkillError",
    "SynthesisError",
    "VerificationError",
    "VoiceError",
]


class ConfigError(VoiceError):
    """A config file or setting is invalid."""

    exit_code = 2


class VerificationError(VoiceError):
    """An Alexa request failed verification: its signature, certificate, timestamp or application id."""

    http_status = 400


class SkillError(VoiceError):
    """A skill is broken: a missing response, a bad template, a handler that cannot load."""

    exit_code = 2
