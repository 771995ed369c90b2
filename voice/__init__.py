"""voice: one skill definition for a local microphone, Alexa and Dialogflow.

Skill authors import what they need from here.
"""

from .errors import VoiceError

__all__ = ["VoiceError"]
