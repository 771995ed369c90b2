"""speech.tts and speech.ssml against the real pyttsx3 + espeak-ng."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from speech import audio, ssml
from speech.errors import SynthesisError
from speech.speakable import speakable
from speech.tts import ESPEAK_RATE, EspeakCliSynthesizer, EspeakSynthesizer, known_variants


@pytest.fixture(scope="module")
def synthesizer() -> EspeakSynthesizer:
    return EspeakSynthesizer()


def _voiced_seconds(samples: np.ndarray, rate: int) -> float:
    """Seconds of 20 ms frames louder than -40 dBFS."""
    loud = [audio.level_dbfs(f) > -40 for f in audio.frames(samples, 20, rate)]
    return sum(loud) * 0.02


@pytest.mark.parametrize(
    ("locale", "text", "min_s", "max_s"),
    [
        ("en", "Hello, how can I help you today?", 1.0, 3.5),
        ("en-GB", "Good morning", 0.5, 2.0),
        ("nl", "Goedemorgen, waarmee kan ik u helpen?", 1.2, 4.0),
        ("nl-NL", "Uw bestelling is onderweg.", 1.0, 3.5),
    ],
    ids=["en", "en-GB", "nl", "nl-NL"],
)
def test_speech_is_valid_audio_of_plausible_length(
    synthesizer: EspeakSynthesizer, locale: str, text: str, min_s: float, max_s: float
) -> None:
    speech = synthesizer.synthesize(text, locale)
    assert speech.rate == ESPEAK_RATE and speech.samples.dtype == np.int16
    assert min_s <= speech.duration <= max_s
    assert _voiced_seconds(speech.samples, speech.rate) > 0.5 * min_s, "mostly not silence"
    decoded = audio.decode_wav(speech.wav_bytes(), rate=ESPEAK_RATE)
    assert np.array_equal(decoded, speech.samples)


def test_dutch_and_english_use_different_voices(synthesizer: EspeakSynthesizer) -> None:
    assert synthesizer.voice_for("nl-BE") == "nl"
    assert synthesizer.voice_for("en_US") == "en-us"
    english = synthesizer.synthesize("zeven", "en").samples
    dutch = synthesizer.synthesize("zeven", "nl").samples
    assert not np.array_equal(english, dutch)


def test_faster_rate_is_shorter() -> None:
    text = "Your appointment is on Tuesday at three o'clock."
    slow = EspeakSynthesizer(rate=120).synthesize(text, "en")
    fast = EspeakSynthesizer(rate=260).synthesize(text, "en")
    assert fast.duration < 0.7 * slow.duration


def test_to_file_writes_a_wav(synthesizer: EspeakSynthesizer, tmp_path: Path) -> None:
    path = synthesizer.to_file("Tot ziens", tmp_path / "bye.wav", "nl")
    assert len(audio.read_wav(path)) > 8000


def test_ssml_break_adds_the_pause(synthesizer: EspeakSynthesizer) -> None:
    plain = synthesizer.synthesize("<speak>one two</speak>", "en")
    paused = synthesizer.synthesize('<speak>one <break time="800ms"/> two</speak>', "en")
    assert paused.duration - plain.duration == pytest.approx(0.8, abs=0.25)


def test_ssml_prosody_and_emphasis_slow_down(synthesizer: EspeakSynthesizer) -> None:
    text = "please hold the line"
    normal = synthesizer.synthesize(f"<speak>{text}</speak>", "en")
    slow = synthesizer.synthesize(f'<speak><prosody rate="x-slow">{text}</prosody></speak>', "en")
    assert slow.duration > 1.3 * normal.duration


def test_unknown_tags_and_broken_ssml_are_still_spoken(synthesizer: EspeakSynthesizer) -> None:
    unknown = synthesizer.synthesize(
        '<speak><audio src="x.mp3"/>Hallo <lang xml:lang="en">there</lang></speak>', "nl"
    )
    broken = synthesizer.synthesize("<speak>Hallo <b>daar", "nl")
    assert unknown.duration > 0.4 and broken.duration > 0.4


def test_unknown_locale_is_one_clear_error(synthesizer: EspeakSynthesizer) -> None:
    with pytest.raises(SynthesisError, match=r"no voice for locale 'xx-YY'"):
        synthesizer.synthesize("hi", "xx-YY")


def test_a_voice_set_for_a_locale_that_espeak_does_not_have_is_named() -> None:
    with pytest.raises(SynthesisError, match=r"no voice 'nosuch', the voice set for 'nl-BE'"):
        EspeakSynthesizer(voices={"nl": "nosuch"}).voice_for("nl-BE")


@pytest.mark.parametrize("voice", ["nl+steph", "en+m3", "nl+12"], ids=["name", "m3", "number"])
def test_a_variant_espeak_has_is_kept(voice: str) -> None:
    synthesizer = EspeakSynthesizer(voices={"nl": voice})
    assert synthesizer.voice_for("nl") == voice
    assert synthesizer.synthesize("hallo", "nl").duration > 0.2


def test_the_variant_changes_the_sound(synthesizer: EspeakSynthesizer) -> None:
    plain = synthesizer.synthesize("hallo daar", "nl").samples
    varied = EspeakSynthesizer(voices={"nl": "nl+steph"}).synthesize("hallo daar", "nl").samples
    assert not np.array_equal(plain, varied)


def test_a_variant_espeak_does_not_have_is_named_with_ones_it_has() -> None:
    with pytest.raises(SynthesisError) as refused:
        EspeakSynthesizer(voices={"nl": "nl+stehp"}).voice_for("nl-BE")
    assert str(refused.value) == (
        "espeak-ng has no variant 'stehp' in the voice 'nl+stehp' for 'nl-BE'; use one it has, such as "
        "'steph', 'steph3', 'steph2' (espeak-ng --voices=variant lists them, the name after '!v/'), "
        "or drop '+stehp'."
    )


@pytest.mark.parametrize("voice", ["nl+Steph", "nl+9", "nl+", "nl+f2+m3"], ids=["case", "m9", "empty", "two"])
def test_variants_espeak_would_skip_silently_are_refused(voice: str) -> None:
    with pytest.raises(SynthesisError, match=r"has no variant .* in the voice '" + re.escape(voice)):
        EspeakSynthesizer(voices={"nl": voice}).voice_for("nl")


def test_variants_are_read_from_espeak_ng() -> None:
    assert {"f2", "m3", "steph", "Alex"} <= known_variants() and "!v/steph" not in known_variants()


def test_rate_out_of_range_is_rejected() -> None:
    with pytest.raises(SynthesisError, match="speaking rate 20 is out of range"):
        EspeakSynthesizer(rate=20)


def test_empty_text_gives_empty_speech(synthesizer: EspeakSynthesizer) -> None:
    assert synthesizer.synthesize("", "en").duration == 0


def test_safe_from_several_threads(synthesizer: EspeakSynthesizer) -> None:
    texts = {f"thread {n}": f"Dit is zin nummer {n}." for n in range(6)}
    expected = {key: synthesizer.synthesize(text, "nl").samples for key, text in texts.items()}
    results: dict[str, np.ndarray] = {}

    def speak(key: str) -> None:
        results[key] = synthesizer.synthesize(texts[key], "nl").samples

    threads = [threading.Thread(target=speak, args=(key,)) for key in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(len(results[key]) == pytest.approx(len(expected[key]), rel=0.05) for key in texts)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("plain text", [ssml.Segment(text="plain text")]),
        (
            '<speak>a<break time="2s"/>b</speak>',
            [ssml.Segment(text="a", pause_ms=2000), ssml.Segment(text="b")],
        ),
        ('<speak>a<break strength="strong"/></speak>', [ssml.Segment(text="a", pause_ms=700)]),
        ('<speak><break time="60s"/>a</speak>', [ssml.Segment(pause_ms=10_000), ssml.Segment(text="a")]),
        (
            '<speak>code <say-as interpret-as="characters">AB12</say-as></speak>',
            [ssml.Segment(text="code A B 1 2")],
        ),
        (
            '<speak>bel <say-as interpret-as="telephone">020 123-4567</say-as></speak>',
            [ssml.Segment(text="bel 0 2 0, 1 2 3, 4 5 6 7")],
        ),
        ('<speak>nummer <sub alias="B 4 2">B42</sub>.</speak>', [ssml.Segment(text="nummer B 4 2.")]),
        ('<speak><prosody rate="50%">x</prosody></speak>', [ssml.Segment(text="x", rate=0.5)]),
        ('<speak><emphasis level="strong">x</emphasis></speak>', [ssml.Segment(text="x", rate=0.8)]),
        (
            "<speak><p>one</p><p>two</p></speak>",
            [ssml.Segment(text="one", pause_ms=300), ssml.Segment(text="two", pause_ms=300)],
        ),
        ("<speak>a &amp; b</speak>", [ssml.Segment(text="a & b")]),
        ("<speak>unclosed <emphasis>x</speak>", [ssml.Segment(text="unclosed x")]),
    ],
    ids=[
        "plain",
        "break-time",
        "break-strength",
        "break-capped",
        "characters",
        "telephone",
        "sub-alias",
        "prosody",
        "emphasis",
        "paragraphs",
        "entity",
        "malformed",
    ],
)
def test_ssml_subset_parses_into_segments(markup: str, expected: list[ssml.Segment]) -> None:
    assert ssml.parse(markup) == expected


def test_voice_and_rate_changes_apply_to_the_very_next_call() -> None:
    """pyttsx3 2.99's driver loop applied them calls late; our engine must not."""
    text = "Your appointment is on Tuesday"
    slow, fast = EspeakSynthesizer(rate=120), EspeakSynthesizer(rate=300)
    durations = [s.synthesize(text, "en").duration for s in (slow, fast, slow, fast)]
    assert durations[0] > 1.8 * durations[1] and durations[2] > 1.8 * durations[3]
    word = "honderddrieënzestig"
    lengths = [len(EspeakSynthesizer().synthesize(word, loc).samples) for loc in ("en", "nl", "en", "nl")]
    assert lengths[0] == pytest.approx(lengths[2], rel=0.005) and lengths[1] == pytest.approx(
        lengths[3], rel=0.005
    )
    assert abs(lengths[1] - lengths[0]) > 0.02 * lengths[0], f"Dutch and English must differ: {lengths}"


@pytest.mark.parametrize(
    ("text", "language", "spoken"),
    [
        ("open from 9:00 to 17:30", "en", "open from 9 am to 5:30 pm"),
        ("we close at 17:00", "en", "we close at 5 pm"),
        ("closed 12:00 - 13:00, open until 0:00", "en", "closed noon to 1 pm, open until midnight"),
        ("open at 9:00 or 9:30", "en", "open at 9 o'clock or 9:30"),
        ("open van 9:00 tot 17:30", "nl", "open van 9 uur tot 17 uur 30"),
        ("we sluiten om 17:00", "nl", "we sluiten om 17 uur"),
        ("om 08:05", "nl-NL", "om 8 uur 5"),
        ("order 1234, 25:00 or 9:60 are no times", "en", "order 1234, 25:00 or 9:60 are no times"),
        ("um 9:00", "de", "um 9:00"),
    ],
)
def test_clock_times_are_rewritten_the_way_people_say_them(text: str, language: str, spoken: str) -> None:
    """English says a 24-hour time with am or pm ("17 o'clock" is no English); Dutch says "17 uur"."""
    assert speakable(text, language) == spoken


@pytest.mark.parametrize(
    ("text", "language", "spoken"),
    [
        (
            "di t/m za van 9.00 tot 16.00 uur. Kosten: € 15,10",
            "nl",
            "dinsdag tot en met zaterdag van 9 uur tot 16 uur. Kosten: 15 euro 10",
        ),
        ("Balie 8.30 - 17.00 uur, Ma-vr.", "nl", "Balie 8 uur 30 tot 17 uur, Maandag tot en met vrijdag."),
        (
            "Grofvuil: € 15,- per 100 kg, € 1.250,- of € 0,50.",
            "nl",
            "Grofvuil: 15 euro per 100 kg, 1250 euro of 50 cent.",
        ),
        (
            "I.v.m. werk gesloten, o.a. za en zo.",
            "nl",
            "In verband met werk gesloten, onder andere zaterdag en zondag.",
        ),
        ("Het kost 2.50; ik kom zo; do het.", "nl", "Het kost 2.50; ik kom zo; do het."),
        (
            "Mon-Fri 9.00am-5.30pm. Costs €15.10, e.g. paper.",
            "en",
            "Monday to Friday 9 am to 5:30 pm. Costs 15 euros 10, for example paper.",
        ),
        (
            "Opens at 9.00, Sat 10:00-14:00, €1 or €0.50.",
            "en",
            "Opens at 9 am, Saturday 10 am to 2 pm, 1 euro or 50 cents.",
        ),
        (
            "Version 2.30 is out. The sun is out on Sat and Sun.",
            "en",
            "Version 2.30 is out. The sun is out on Saturday and Sunday.",
        ),
    ],
    ids=[
        "nl-hours-amount",
        "nl-range",
        "nl-amounts",
        "nl-abbreviations",
        "nl-no-times",
        "en-hours-amount",
        "en-times",
        "en-words",
    ],
)
def test_times_amounts_days_and_abbreviations_are_said_as_people_say_them(
    text: str, language: str, spoken: str
) -> None:
    assert speakable(text, language) == spoken


@pytest.mark.parametrize(
    ("language", "text", "misread"),
    [
        (
            "nl",
            "Open di t/m za van 9.00 tot 16.00 uur. Kosten: € 15,10 of € 15,-.",
            ["sl'ES", "n'8l", "'Y:*o:t,e:k@n", "k,Oma:"],
        ),
        ("en", "Open Mon-Fri 9.30am-5.00pm. Costs €15.10.", ["pOInt", "m'0n", "j'U@roUz f'Ifti:n"]),
    ],
    ids=["nl", "en"],
)
def test_espeak_reads_the_speakable_form_without_slashes_zeros_or_signs(
    language: str, text: str, misread: list[str]
) -> None:
    """espeak-ng said "te slash em", "negen nul nul", "euroteken vijftien komma een nul" (and "nine point
    three zero", "euros fifteen point one zero")."""

    def phonemes(said: str) -> str:
        return subprocess.run(
            ["espeak-ng", "-v", language, "-q", "-x", said], capture_output=True, text=True, check=True
        ).stdout

    as_written = phonemes(text)
    assert [sound for sound in misread if sound in as_written] == misread  # what the fix is for
    assert [sound for sound in misread if sound in phonemes(speakable(text, language))] == []


def test_the_synthesizer_says_clock_times_in_words() -> None:
    """Bit-identical espeak-ng output: "9:00" is spoken exactly as "9 uur", not "negen nul nul"."""
    synthesizer = EspeakCliSynthesizer()
    as_written = synthesizer.synthesize("We gaan om 9:00 open.", "nl").samples
    assert np.array_equal(as_written, synthesizer.synthesize("We gaan om 9 uur open.", "nl").samples)
    assert not np.array_equal(as_written, synthesizer.synthesize("We gaan om 9 00 open.", "nl").samples)
