"""The robustness bench's pieces: conditions, scores and adverse audio (speech.robustness, speech.noise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import AUDIO

from speech import audio, noise
from speech.robustness import Condition, Score, Spoken, conditions, edit_distance, heard


def test_the_conditions_cover_noise_a_phone_line_and_unseen_rates_and_pitches() -> None:
    names = [c.name for c in conditions()]
    assert (
        names[0] == "clean"
        and "telephone" in names
        and {"rate_120", "rate_250", "pitch_20", "pitch_80"} <= set(names)
    )
    assert {f"{k}_{s}" for k in ("white", "babble", "hum") for s in (20, 10, 5)} <= set(names)


def test_word_errors_and_rates_are_counted() -> None:
    assert edit_distance(["where", "is", "my", "order"], ["where", "is", "order"]) == 1
    assert edit_distance(["a", "b"], ["c", "a", "b", "d"]) == 2
    score = Score()
    said = np.zeros(10, np.int16)
    score.add(Spoken(text="where is my order", audio=said, speech=said, in_scope=True), "where is my order")
    score.add(Spoken(text="track my order", audio=said, speech=said, in_scope=True), "")
    score.add(Spoken(text="tell me a joke", audio=said, speech=said, in_scope=False), "help")
    figures = score.figures()
    assert figures["command_acc"] == 0.5 and figures["reject"] == 0.5 and figures["false_accept"] == 1.0
    assert figures["word_acc"] == round(4 / 7, 4) and score.examples == [("tell me a joke", "help")]


def test_noise_is_mixed_at_the_snr_of_the_speech_alone_and_deterministically() -> None:
    speech = audio.read_wav(AUDIO / "en_fx_where_is_my_order.wav")
    condition = Condition(name="white_10", noise="white", snr_db=10.0)
    first = heard(speech, "x", True, condition, seed=3, babble=np.zeros(0))
    again = heard(speech, "x", True, condition, seed=3, babble=np.zeros(0))
    assert np.array_equal(first.audio, again.audio)
    lead = first.audio[: int(0.4 * audio.SAMPLE_RATE)]
    assert abs(noise.power(speech) / noise.power(lead) - 10.0) < 1.5
    phone = noise.telephone(speech)
    spectrum = np.abs(np.fft.rfft(phone.astype(np.float64)))
    freqs = np.fft.rfftfreq(phone.size, 1 / audio.SAMPLE_RATE)
    assert spectrum[freqs > 4200].sum() < 0.01 * spectrum.sum()


def test_a_phrase_with_one_doubtful_word_is_refused() -> None:
    from speech.stt import Grammar, Transcript, Word

    grammar = Grammar(phrases=("turn off the lights", "yes"))

    def said(*confs: float) -> Transcript:
        words = tuple(
            Word(word=w, start=i, end=i + 0.3, conf=c)
            for i, (w, c) in enumerate(zip(("turn", "off", "the", "lights"), confs, strict=True))
        )
        return Transcript(text="turn off the lights", confidence=sum(confs) / 4, words=words, is_final=True)

    assert grammar.judge(said(1.0, 0.95, 0.9, 0.8)).is_match
    assert not grammar.judge(said(1.0, 1.0, 1.0, 0.6)).is_match, "mean 0.9, but one word Vosk doubts"
    assert Grammar(phrases=("yes",), word_reject_below=0.0).judge(said(1.0, 1.0, 1.0, 0.6)).alternatives


def test_the_wake_phrase_heard_while_listening_is_no_command(korean_model: Path) -> None:
    """The loop takes the wake phrase heard while listening as a wake; the bench must not count it as
    an out-of-scope sentence accepted as a command."""
    from speech.robustness import grammar_decoder
    from speech.stt import Grammar

    wake = audio.read_wav(AUDIO / "ko_hello_175.wav")
    samples = np.concatenate([audio.silence(0.4), wake, audio.silence(0.6)])
    grammar = Grammar(phrases=("음악 틀어", "불 꺼", "안녕하세요"))
    assert grammar_decoder(korean_model, grammar)(samples) == "안녕하세요"
    assert grammar_decoder(korean_model, grammar, not_commands=("안녕하세요",))(samples) == ""
