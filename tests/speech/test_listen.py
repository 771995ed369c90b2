"""The listener's own endpointing: what it keeps while nobody speaks (the real Korean model), where it
ends an utterance (the English fixture model), which partial phrase it takes (scripted results)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import AUDIO, FIXTURE_MODELS, KOREAN_PHRASES, fixture_phrases

from speech import audio, stt
from speech.listen import PRE_ROLL_S, Heard, Listener
from speech.tts import EspeakCliSynthesizer


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


def _said(*parts: str | float, language: str = "en") -> np.ndarray:
    """Clips said by espeak-ng, with seconds of silence between them."""
    synthesizer = EspeakCliSynthesizer()
    pieces = [audio.silence(0.5)]
    for part in parts:
        if isinstance(part, float):
            pieces.append(audio.silence(part))
        else:
            speech = synthesizer.synthesize(part, language)
            pieces.append(audio.resample(speech.samples, speech.rate, audio.SAMPLE_RATE))
    return np.concatenate([*pieces, audio.silence(2.0)])


def _first_heard(stream: np.ndarray, language: str = "en") -> Heard:
    grammar = stt.Grammar(phrases=fixture_phrases(language))
    listener = Listener(stt.Recognizer(FIXTURE_MODELS / language, grammar=grammar))
    for number, chunk in enumerate(audio.frames(stream, 40), start=1):
        heard = listener.feed(chunk, number * 0.04)
        if heard is not None:
            return heard
    raise AssertionError("no end of utterance")


def test_a_pause_inside_a_sentence_does_not_cut_it() -> None:
    """ "where is order", a pause, "one two three four" (as the review recorded it: 0.8 s between the
    clips, about 1.1 s of silence with espeak-ng's own): the words before the pause start a phrase and
    are no whole one, so the listener waits for more (before, 0.7 s of silence ended "where is order")."""
    heard = _first_heard(_said("where is order", 0.8, "one two three four"))
    assert heard.transcript.text == "where is order one two three four", heard.transcript.alternatives


def test_an_order_number_read_digit_by_digit_is_one_utterance() -> None:
    """ "waar is bestelling vijf", then "zes", "zeven", "acht" after pauses of 0.6 s: the listener waits
    for the rest of the phrase, and Vosk, which ends an utterance after 0.5 s of silence of its own,
    must not end it first (it did: "waar is bestelling vijf" was refused, and the digits were misses)."""
    said = _said("waar is bestelling vijf", 0.6, "zes", 0.6, "zeven", 0.6, "acht", language="nl")
    heard = _first_heard(said, "nl")
    assert heard.transcript.text == "waar is bestelling vijf zes zeven acht", heard.transcript.alternatives


def test_a_whole_phrase_still_ends_on_the_early_endpoint() -> None:
    heard = _first_heard(_said("where is my order"))
    assert heard.transcript.text == "where is my order" and heard.how == "phrase"
    assert heard.decided_at - heard.speech_end <= 0.5


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
    return _heard_by(listener).transcript


def _heard_by(listener: Listener) -> Heard:
    speech = np.concatenate([audio.silence(0.3), 0.3 * np.sin(np.arange(8000) * 0.2), audio.silence(1.5)])
    for number, chunk in enumerate(audio.frames(speech.astype(np.float32), 40), start=1):
        heard = listener.feed(chunk, number * 0.04)
        if heard is not None:
            return heard
    raise AssertionError("no end of utterance")


@pytest.mark.parametrize(
    ("partial", "silence_s"),
    [("ik wil", 1.2), ("wat kan ik je", 0.7), ("ik wil iemand spreken", 0.12)],
    ids=["start_of_a_phrase", "no_start_of_one", "whole_phrase"],
)
def test_the_words_so_far_decide_how_long_a_silence_ends_the_utterance(
    partial: str, silence_s: float
) -> None:
    grammar = stt.Grammar(phrases=("ik wil iemand spreken", "ja"))
    recognizer = _ScriptedRecognizer(grammar, ["", "", "", "", "", "", "", "", partial], final=partial)
    heard = _heard_by(Listener(recognizer, min_standout_db=None))  # type: ignore[arg-type]
    assert silence_s <= heard.decided_at - heard.speech_end < silence_s + 0.05


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
