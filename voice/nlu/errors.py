"""Template failures of the router, raised while loading or compiling intents.

    VoiceError (voice.errors)
     +-- TemplateError      a broken template, list, range or rule, with where it is
     +-- SlotTypeError      a slot type that cannot be registered, or is not registered

The message names the file, the intent, the sentence and the offending token, so a
skill developer can fix the YAML without a debugger.
"""

from __future__ import annotations

from ..errors import VoiceError

__all__ = ["SlotTypeError", "TemplateError"]


class TemplateError(VoiceError):
    """A template, slot list or expansion rule cannot be parsed or resolved."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        file: str = "",
        intent: str = "",
        sentence: int | None = None,
        position: int | None = None,
        token: str = "",
    ) -> None:
        self.problem = problem
        self.file = file
        self.intent = intent
        self.sentence = sentence
        self.position = position
        self.token = token
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [part for part in (self.file, self._intent_part(), self._position_part()) if part]
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.problem}{suffix}; fix the template and load again."

    def _intent_part(self) -> str:
        if not self.intent:
            return ""
        if self.sentence is None:
            return f"intent {self.intent}"
        return f"intent {self.intent}, sentence {self.sentence}"

    def _position_part(self) -> str:
        return "" if self.position is None else f"position {self.position}"

    def located(self, *, file: str = "", intent: str = "", sentence: int | None = None) -> TemplateError:
        """Return a copy that also says where the template came from."""
        return TemplateError(
            self.problem,
            file=file or self.file,
            intent=intent or self.intent,
            sentence=self.sentence if sentence is None else sentence,
            position=self.position,
            token=self.token,
        )


class SlotTypeError(VoiceError):
    """A slot type cannot be registered (its name is taken, a field is missing) or is not registered."""

    exit_code = 2
