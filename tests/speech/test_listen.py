"""The listener's own endpointing, with the real Korean model: what it keeps while nobody speaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import AUDIO, KOREAN_PHRASES

from speech import audio, stt
from speech.listen import PRE_ROLL_S, Listener


def test_long_silence_is_not_kept_only_a_short_pre_roll(korean_model: Path) -> None:
    """A wake listener can wait for hours; the audio it keeps must not grow with the wait."""
    listener = Listener(stt.Recognizer(korean_model, grammar=stt.Grammar(phrases=KOREAN_PHRASES)))
    command = audio.read_wav(AUDIO / "ko_music_on_175.wav")
    stream = np.concatenate([audio.silence(30.0), command, audio.silence(2.0)])
    heard = None
    for number, chunk in enumerate(audio.frames(stream, 40), start=1):
        heard = listener.feed(chunk, number * 0.04)
        if heard is not None:
            break
    assert heard is not None and heard.transcript.text == "음악 틀어"
    kept_s = audio.duration(heard.audio)
    assert kept_s <= audio.duration(command) + PRE_ROLL_S + 1.0, kept_s


class _ScriptedRecognizer:
    """A recognizer whose partial results pass through ``partials`` and whose final is ``final``."""

    def __init__(self, grammar: stt.Grammar, partials: list[str], final: str, conf: float = 1.0) -> None:
        self.grammar, self._partials, self._final, self._conf, self._fed = grammar, partials, final, conf, 0

    def accept(self, chunk: np.ndarray) -> None:
        self._fed += 1

    def partial(self) -> stt.Transcript:
        return stt.Transcript(text=self._partials[min(self._fed, len(self._partials)) - 1])

    def finish(self) -> stt.Transcript:
        words = tuple(stt.Word(word=w, start=0.0, end=0.1, conf=self._conf) for w in self._final.split())
        heard = stt.Transcript(text=self._final, confidence=self._conf, words=words, is_final=True)
        return self.grammar.judge(heard)

    def reset(self) -> None:
        self._fed = 0


def _end_of(listener: Listener) -> stt.Transcript:
    speech = np.concatenate([audio.silence(0.3), 0.3 * np.sin(np.arange(8000) * 0.2), audio.silence(1.0)])
    for number, chunk in enumerate(audio.frames(speech.astype(np.float32), 40), start=1):
        heard = listener.feed(chunk, number * 0.04)
        if heard is not None:
            return heard.transcript
    raise AssertionError("no end of utterance")


@pytest.mark.parametrize(
    ("fillers", "rescue", "expected"),
    [(("음악 꺼", "불 꺼"), False, ""), ((), False, ""), ((), True, "안녕하세요")],
    ids=["wake_listener_takes_its_final", "wake_without_fillers_too", "command_listener_takes_the_partial"],
)
def test_a_wake_phrase_only_passed_through_in_the_partials_does_not_wake(
    fillers: tuple[str, ...], rescue: bool, expected: str
) -> None:
    """Talk whose partial results passed through the wake phrase on the way to other words ("음악 꺼")
    woke the Korean loop; a command listener still takes a whole phrase its partials had. A skill whose
    phrases are only the wake phrase gives the wake grammar no fillers: it must not wake either."""
    grammar = stt.Grammar(phrases=("안녕하세요", *([] if fillers else ["불 꺼"])), fillers=fillers)
    partials = ["", "", "", "", "", "", "", "", "안녕하세요", "안녕하세요 음악", "음악 꺼"]
    recognizer = _ScriptedRecognizer(grammar, partials, final="안녕하세요 음악 꺼")
    listener = Listener(recognizer, rescue_partials=rescue, min_standout_db=None)  # type: ignore[arg-type]
    assert _end_of(listener).text == expected


@pytest.mark.parametrize(
    ("final", "conf", "expected"),
    [
        ("ik wil iemand spreken nu", 1.0, "ik wil iemand spreken"),
        ("oh ik wil iemand spreken", 1.0, "ik wil iemand spreken"),
        ("ik wil iemand", 1.0, "ik wil iemand spreken"),
        ("ik wil", 1.0, ""),
        ("wat kan ik je", 1.0, ""),
        ("", 1.0, ""),
        ("ik wil iemand spreken", 0.3, ""),
    ],
    ids=[
        "extra_word_after",
        "extra_word_before",
        "one_word_short",
        "two_words_short",
        "other_words",
        "nothing",
        "same_words_not_confident",
    ],
)
def test_a_command_listener_takes_the_partial_phrase_only_while_its_final_still_says_it(
    final: str, conf: float, expected: str
) -> None:
    """In babble, partial results pass through phrases on their way to finals that say something else:
    taken anyway, those were most of the loop's false commands."""
    grammar = stt.Grammar(phrases=("ik wil iemand spreken", "ja"))
    partials = ["", "", "", "", "", "", "", "", "ik wil", "ik wil iemand spreken"]
    recognizer = _ScriptedRecognizer(grammar, partials, final=final, conf=conf)
    listener = Listener(recognizer, min_standout_db=None)  # type: ignore[arg-type]
    assert _end_of(listener).text == expected
