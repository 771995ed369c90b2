"""The framework's errors: one base, a subclass per kind of failure.

Every expected failure is a ``VoiceError`` whose message is one sentence that says what is
wrong and what to do. The class carries how to render it (an exit code, an HTTP status and
headers), so one CLI wrapper and one Flask error handler treat every error alike::

    VoiceError                  exit 1, HTTP 400
     +-- ConfigError            a bad config file or setting (exit 2)
     +-- SkillError             a broken skill: template, response, handler (exit 2)
     +-- VerificationError      an Alexa request that failed verification (voice.channels.alexa_certs)
     +-- RequestError           a malformed webhook request (voice.channels.webhook)
     +-- StoreError             the session database failed (voice.store, HTTP 503)
     +-- TemplateError          a broken intent template (voice.nlu.errors)

The speech layer has its own base, ``speech.errors.SpeechError`` (speech knows nothing of voice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    from .analytics.team import Texts

__all__ = ["ConfigError", "SkillError", "VoiceError", "yaml_problem"]


class VoiceError(Exception):
    """Base of every expected failure of the framework; ``str(error)`` is the sentence shown to people."""

    exit_code: int = 1
    http_status: int = 400
    headers: ClassVar[Mapping[str, str]] = {}
    """Extra HTTP headers for the error response (``WWW-Authenticate`` ...)."""
    words: ClassVar[str] = "commands"
    """The texts file (``voice/locales/<lang>/<words>.yaml``) whose ``key`` is the sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = ""
        """The sentence's key in the ``words`` file (``said``); empty for one written in English only."""
        self.values: Mapping[str, Any] = {}

    @classmethod
    def said(cls, key: str, /, **values: Any) -> Self:
        """The error whose sentence is ``key`` of ``commands.yaml``: in English as its ``message`` (logs,
        HTTP, tests), and in the team's words where a command shows it (``told``)."""
        from .analytics.team import texts  # the team's words are read as responses: above the errors

        error = cls(texts("en", cls.words)(key, **values))
        error.key, error.values = key, values
        return error

    def told(self, say: Texts) -> str:
        """The sentence in the language of ``say`` (the command's words), where it has them; else
        ``message``. A value that is itself an error (the problem a skill's line names) is told in that
        language too."""
        from .analytics.team import texts

        if not self.key:
            return self.message
        values = {k: v.told(say) if isinstance(v, VoiceError) else v for k, v in self.values.items()}
        return (say if self.words == "commands" else texts(say.language, self.words))(self.key, **values)


class ConfigError(VoiceError):
    """A config file or setting is invalid."""

    exit_code = 2


class SkillError(VoiceError):
    """A skill is broken: a missing response, a bad template, a handler that cannot load."""

    exit_code = 2


def yaml_problem(exc: Exception) -> str:
    """A YAML parser's error as one line: where and what ("line 3, column 1: expected the node content")."""
    mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return where + " ".join(str(problem or exc).split())
