"""Fixture speech models through real Vosk: held-out voices, rejection, word times, streaming.

Recognition runs on the committed models of fixtures/models (built from fixtures/phrases by
the generator, whose key the tests check, so a stale model fails); the generator itself is
tested on tiny phrase sets (determinism, cache, atomic builds, runtime grammars).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest
import vosk
from conftest import fixture_phrases

import speech.fixture_model as fixture_model
from speech.audio import SAMPLE_RATE
from speech.errors import ModelError, SynthesisError
from speech.fixture_model import (
    UNKNOWN,
    align,
    build_fixture_model,
    default_cache_dir,
    fixture_model_key,
    held_out_utterances,
    is_fixture_model,
    locale_voices,
    recognise,
    synthesize,
)
from speech.fixture_model.decoys import decoys_of
from speech.models import load_model
from speech.stt import DEFAULT_WORD_REJECT_BELOW, Grammar, _without_leading_unknown, transcribe
from voice.grammar import WAKE_PHRASES

PHRASES = {language: fixture_phrases(language) for language in ("en", "nl")}
OUT_OF_SET = {
    "en": ("the weather is nice today", "play some music", "good morning"),
    "nl": ("het weer is mooi vandaag", "speel wat muziek", "doe het licht in de keuken uit"),
}
LOCALES = sorted(PHRASES)


@pytest.fixture(scope="session", autouse=True)
def _quiet_vosk() -> None:
    vosk.SetLogLevel(-1)


@pytest.fixture(scope="session")
def model_paths(fixture_models: dict[str, Path]) -> dict[str, Path]:
    return fixture_models


@pytest.fixture(scope="session")
def models(model_paths: dict[str, Path]) -> dict[str, vosk.Model]:
    return {locale: vosk.Model(str(path)) for locale, path in model_paths.items()}


def test_exports_are_sorted_and_exist() -> None:
    assert fixture_model.__all__ == sorted(fixture_model.__all__)
    assert all(hasattr(fixture_model, name) for name in fixture_model.__all__)


def test_held_out_voices_are_not_training_voices() -> None:
    for locale in LOCALES:
        voices = locale_voices(locale)
        assert voices.held_out
        assert not set(voices.held_out) & set(voices.training)


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_voices_are_recognised(models: dict[str, vosk.Model], locale: str) -> None:
    utterances = held_out_utterances(PHRASES[locale], locale)
    wrong = [
        (u.synthesis.job, text)
        for u in utterances
        if (text := recognise(models[locale], u.audio)["text"]) != u.text
    ]
    accuracy = 1 - len(wrong) / len(utterances)
    assert accuracy >= 0.98, f"{accuracy:.1%} sentence accuracy; misrecognised: {wrong}"


@pytest.mark.parametrize("locale", LOCALES)
def test_out_of_set_speech_is_rejected(models: dict[str, vosk.Model], locale: str) -> None:
    voices = locale_voices(locale).held_out[:2]
    utterances = held_out_utterances(OUT_OF_SET[locale], locale, voices=voices)
    results = [recognise(models[locale], u.audio)["text"] for u in utterances]
    # refused: [unk] alone, or a phrase's first words and [unk] ("when [unk]"), never a whole phrase
    assert all(UNKNOWN in text.split() for text in results), results


@pytest.mark.parametrize("locale", LOCALES)
def test_word_times_match_espeak(models: dict[str, vosk.Model], locale: str) -> None:
    """Within 50 ms, but for the end of the last word: since the models were trained on murmur labelled
    silence it runs up to 0.11 s into the silence after it ("four", en-us+f5 at 165 words a minute)."""
    phrase = {"en": "where is order one two three four", "nl": "waar is bestelling een twee drie vier"}[
        locale
    ]
    for utterance in held_out_utterances([phrase], locale, voices=locale_voices(locale).held_out[:3]):
        words = recognise(models[locale], utterance.audio)["result"]
        expected = align(utterance.synthesis, {}).words
        assert [w["word"] for w in words] == phrase.split()
        for number, (got, spoken) in enumerate(zip(words, expected, strict=True), 1):
            start, end = ((utterance.lead + sample) / 16000 for sample in (spoken.start, spoken.end))
            assert got["start"] == pytest.approx(start, abs=0.05), (got, start)
            assert got["end"] == pytest.approx(end, abs=0.05 if number < len(words) else 0.12), (got, end)


def test_partial_results_stream_before_the_final(models: dict[str, vosk.Model]) -> None:
    phrase = "where is order one two three four"
    audio = held_out_utterances([phrase], "en", voices=locale_voices("en").held_out[:1])[0].audio
    recognizer = vosk.KaldiRecognizer(models["en"], 16000)
    partials = []
    for start in range(0, len(audio), 1600):
        recognizer.AcceptWaveform(audio[start : start + 1600].tobytes())
        partials.append(json.loads(recognizer.PartialResult()).get("partial", ""))
    assert any(partials), "no partial result before the final one"
    assert json.loads(recognizer.FinalResult())["text"] == phrase


def test_runtime_grammar_model_recognises_phrases() -> None:
    """Every held-out voice at both rates. The runtime grammar lets words of one phrase follow another
    ("where is order one a two three four"), so a six-phrase model is not exact: 91% on one machine
    (94% before babble training, 85% before augmentation), 86% on another with an AVX2-only CPU
    (training's floating-point sums follow the CPU's kernels); the committed phrase-graph models
    99.7-100%."""
    phrases = (
        "yes",
        "no",
        "stop",
        "talk to a person",
        "what are your opening hours",
        "where is order one two three four",
    )
    model = vosk.Model(str(build_fixture_model(phrases, "en", runtime_grammar=True)))
    grammar = [*phrases, UNKNOWN]
    utterances = held_out_utterances(phrases, "en")
    right = sum(recognise(model, u.audio, grammar=grammar)["text"] == u.text for u in utterances)
    assert right / len(utterances) >= 0.85, f"{right} of {len(utterances)} recognised"


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_models_are_current_and_carry_a_model_card(
    model_paths: dict[str, Path], locale: str
) -> None:
    path = model_paths[locale]
    assert is_fixture_model(path)
    assert not is_fixture_model(path.parent)
    assert "synthetic speech only" in (path / "README.md").read_text(encoding="utf-8")
    card = json.loads((path / "fixture.json").read_text(encoding="utf-8"))
    assert card["phrases"] == sorted(PHRASES[locale])
    assert card["decoys"] == list(decoys_of(WAKE_PHRASES[locale], locale))
    assert "decoys" in (path / "README.md").read_text(encoding="utf-8")
    assert card["key"] == fixture_model_key(PHRASES[locale], locale, WAKE_PHRASES[locale]), (
        f"fixtures/models/{locale} is stale: rebuild it with 'voice fixtures model -l {locale} "
        f"--phrases fixtures/phrases/{locale}.txt --out fixtures/models/{locale}'"
    )
    assert (path / "graph" / "HCLG.fst").is_file()


NEAR_MISSES = {
    "en": ("hey computers", "hey commuter", "hey come here"),
    "nl": ("hallo computers", "hallo daar", "hallo komt er"),
}
"""Said instead of the wake phrase. Before decoys every English one and "hallo computers" woke the models;
with them 47 of 48 English and all Dutch ones were refused (every held-out voice at both rates). The wake
listener's stricter word confidence (``WAKE_WORD_REJECT_BELOW``) refuses the rest."""


@pytest.mark.parametrize("locale", LOCALES)
def test_near_misses_of_the_wake_phrase_are_refused(models: dict[str, vosk.Model], locale: str) -> None:
    wake = WAKE_PHRASES[locale]
    grammar = Grammar.for_wake(wake, PHRASES[locale])
    woke = {
        (u.text, u.synthesis.job.voice, u.synthesis.job.rate): any(
            t.is_match for t in transcribe(u.audio, models[locale], grammar=grammar)
        )
        for u in held_out_utterances((wake, *NEAR_MISSES[locale]), locale)
    }
    wakes = [heard for (text, *_), heard in woke.items() if text == wake]
    near_misses = [key for key, heard in woke.items() if heard and key[0] != wake]
    assert all(wakes), woke
    assert not near_misses


def test_a_near_miss_passes_the_command_threshold_but_not_the_wake_threshold(
    models: dict[str, vosk.Model],
) -> None:
    """One unseen voice's "hey come here" is heard as "hey computer", "computer" at 0.78 and 0.84 (two
    rates): a command is taken at that confidence, a wake is not."""
    said = held_out_utterances(("hey come here",), "en")
    strict = Grammar.for_wake("hey computer", PHRASES["en"])
    loose = dataclasses.replace(strict, word_reject_below=DEFAULT_WORD_REJECT_BELOW)
    heard = {u.synthesis.job: (transcribe(u.audio, models["en"], grammar=loose), u) for u in said}
    loose_wakes = [u for transcripts, u in heard.values() if any(t.is_match for t in transcripts)]
    assert loose_wakes, "no voice's near miss passes the command threshold: the case is gone"
    for u in loose_wakes:
        assert not any(t.is_match for t in transcribe(u.audio, models["en"], grammar=strict))


def test_the_wake_phrase_after_other_words_wakes_but_a_command_is_refused(
    model_paths: dict[str, Path],
) -> None:
    """Words or murmur before the wake phrase end in ``[unk]`` and then the phrase (before that path the
    same model heard "so then hey computer" 7 times of 24, now 24). A command is not taken from the end
    of a sentence: "oh well stop" stays refused."""
    model = load_model(model_paths["en"])
    grammar = Grammar(phrases=tuple(PHRASES["en"]))
    said = held_out_utterances(("so then hey computer", "oh well stop"), "en")
    heard = {u: [t.text for t in transcribe(u.audio, model, grammar=grammar)] for u in said}
    wakes = [text == ["hey computer"] for u, text in heard.items() if u.text.endswith("computer")]
    stops = [text == ["stop"] for u, text in heard.items() if u.text.endswith("stop")]
    assert sum(wakes) >= 0.9 * len(wakes), heard
    assert sum(stops) <= 0.1 * len(stops), heard


def test_only_a_leading_unknown_word_is_dropped() -> None:
    unk = {"word": UNKNOWN, "start": 0.1, "end": 0.5, "conf": 1.0}
    stop = {"word": "stop", "start": 0.5, "end": 0.9, "conf": 1.0}
    dropped = _without_leading_unknown({"result": [unk, stop], "text": "[unk] stop"})
    assert dropped == {"result": [stop], "text": "stop"}
    for kept in ({"result": [stop, unk], "text": "stop [unk]"}, {"result": [unk], "text": "[unk]"}, {}):
        assert _without_leading_unknown(kept) == kept


def test_second_build_comes_from_the_cache() -> None:
    phrases = ["ja", "nee", "stop"]
    first = build_fixture_model(phrases, "nl")
    messages: list[str] = []
    started = time.perf_counter()
    path = build_fixture_model(list(reversed(phrases)), "NL", progress=messages.append)
    assert time.perf_counter() - started < 1.0
    assert path == first and path.parent.parent == default_cache_dir()
    assert any("cached" in message for message in messages)


def _digest(path: Path) -> str:
    return hashlib.sha256(
        (path / "am" / "final.mdl").read_bytes() + (path / "graph" / "HCLG.fst").read_bytes()
    ).hexdigest()


def test_training_is_deterministic(tmp_path: Path) -> None:
    first = build_fixture_model(["ja", "nee"], "nl", cache_dir=tmp_path / "one")
    second = build_fixture_model(["ja", "nee"], "nl", cache_dir=tmp_path / "two")
    assert _digest(first) == _digest(second)
    assert [p.name for p in (tmp_path / "one").iterdir()] == [first.parent.name]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(SynthesisError, match="no voice"):
        build_fixture_model(["hallo"], "xx-nothing", cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("phrases", "locale", "match"),
    [
        ([], "en", "at least one"),
        (["  "], "en", "at least one"),
        (["say <yes>"], "en", "reserves"),
        (["yes"], "e n", "locale"),
    ],
    ids=["no-phrases", "blank-phrase", "reserved-character", "bad-locale"],
)
def test_bad_input_is_a_model_error(phrases: list[str], locale: str, match: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=match):
        build_fixture_model(phrases, locale, cache_dir=tmp_path)


def test_synthesize_gives_16khz_speech_with_phoneme_times() -> None:
    synthesis = synthesize("talk to a person", voice="en-us+f5", rate=175)
    assert synthesis.audio.dtype == np.int16
    assert 0.5 < synthesis.duration < 3.0
    starts = [p.start for p in synthesis.phonemes]
    assert starts == sorted(starts) and starts[-1] <= len(synthesis.audio)
    assert [w.word for w in align(synthesis, {}).words] == ["talk", "to", "a", "person"]


STARTS_LIKE_A_PHRASE = {
    "en": ("i would like to cancel my subscription", "what is the weather like today", "i need a taxi"),
    "nl": ("ik wil mijn abonnement opzeggen", "ik ben mijn wachtwoord vergeten", "ik heb een taxi nodig"),
}
"""Out-of-scope sentences that white noise at 10 dB forced onto a phrase before the graph let ``[unk]``
follow a phrase's first words (bench/speech_robustness.py)."""


@pytest.mark.parametrize("locale", LOCALES)
def test_speech_that_starts_like_a_phrase_is_refused_in_white_noise(
    models: dict[str, vosk.Model], locale: str
) -> None:
    from speech import noise

    voices = locale_voices(locale).held_out[:2]
    utterances = held_out_utterances(STARTS_LIKE_A_PHRASE[locale], locale, voices=voices)
    results, transcripts = [], []
    for seed, utterance in enumerate(utterances):
        padded = np.concatenate([np.zeros(6400, np.int16), utterance.audio, np.zeros(9600, np.int16)])
        noisy = noise.mix(padded, noise.white(padded.size, seed), 10.0, reference=utterance.audio)
        results.append(recognise(models[locale], noisy)["text"])
        transcripts += [t.text for t in transcribe(noisy, models[locale]) if t.text]
    accepted = [text for text in results if UNKNOWN not in text.split()]
    assert len(accepted) <= 1, results  # the bench: 3% of 30 sentences (en 7%) at this SNR, 50-57% before
    # without a phrase list (the loop's open-vocabulary second opinion) a refusal is no words at all,
    # never the phrase's first words that came before the [unk]
    assert set(transcripts) <= set(PHRASES[locale]), (results, transcripts)


def test_a_long_phrase_list_is_said_by_fewer_voices_within_the_budget() -> None:
    """A skill's ~1700 phrases in all 64 voices took 2,633 s and 9.4 GB; the plan keeps to the budget,
    says every phrase and uses every voice; a list that fits is said in every voice as before."""
    from speech.fixture_model.dataset import plan

    voices = locale_voices("en")
    many = [f"phrase number {n}" for n in range(1715)]
    items = plan(many, voices, copies=1, seed=7, max_utterances=2000)
    assert len(items) <= 2000
    assert {item.job.text for item in items} == set(many)
    assert {item.job.voice for item in items} == set(voices.training)
    few = PHRASES["en"][: 2000 // len(voices.training)]
    assert plan(few, voices, copies=1, seed=7, max_utterances=2000) == plan(few, voices, copies=1, seed=7)
    assert len(plan(few, voices, copies=1, seed=7)) == len(few) * len(voices.training)


PLAN_DIGESTS = {
    "en": "1f3e1182cb69ae39e07dc2cee478ec9e229a906a2f8ba0519327c5be40b6dbdf",
    "nl": "2b8c5b8c6962f2182ad07cb9356f3e7ee6471e20760172d7dac56d7661e70a46",
}
"""SHA-256 of the repr of the committed models' training plans (phrases and decoys)."""


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_models_training_plan_is_unchanged(locale: str) -> None:
    """The order of the plan's random draws and cycles fixes every utterance, and so the model: a plan that
    differs builds other models than the committed ones. If that is meant, bump GENERATOR_VERSION, rebuild
    fixtures/models and update the digest."""
    from speech.fixture_model.build import training_plan

    items = training_plan(PHRASES[locale], locale, WAKE_PHRASES[locale])
    assert hashlib.sha256(repr(items).encode()).hexdigest() == PLAN_DIGESTS[locale]


def test_augmentation_adds_babble_hum_and_a_telephone_band_only_when_asked() -> None:
    from speech.fixture_model.dataset import plan

    voices = locale_voices("en")
    plain = plan(PHRASES["en"], voices, copies=1, seed=7)
    assert {(item.noise, item.telephone, item.babble_jobs) for item in plain} == {("white", False, ())}
    mixed = plan(PHRASES["en"], voices, copies=1, seed=7, augment=True)
    assert {item.noise for item in mixed if item.snr_db is not None} == {"white", "babble", "hum"}
    assert any(item.telephone for item in mixed)
    babble = [item for item in mixed if item.noise == "babble"]
    talkers = [{job.voice for job in item.babble_jobs} for item in babble]
    assert all(item.job.voice not in heard for item, heard in zip(babble, talkers, strict=True))
    assert {len(heard) for heard in talkers} == {1, 2, 3, 4, 5}  # one talker heard as words; a murmur
    assert not {job.text for item in babble for job in item.babble_jobs} & set(PHRASES["en"])  # everyday talk
    assert min(item.lead for item in babble) >= SAMPLE_RATE // 2  # murmur alone before the command


def test_espeak_audio_does_not_depend_on_memory_left_by_earlier_work() -> None:
    """soxr's int16 path dithered the end of an utterance with what earlier work left in memory: one
    augmented Dutch training utterance in 3840 differed in every build, and so did the model (issue 17)."""
    from speech.fixture_model.synth import to_16k

    samples = np.arange(66305)
    native = (3000 * np.sin(samples * 0.05) * np.exp(-samples / 30000)).astype(np.int16)
    rng = np.random.default_rng(0)
    outputs = set()
    for _ in range(40):
        sizes = rng.integers(1000, 200000, 8)
        leftovers = [rng.integers(-(2**15), 2**15, size, dtype=np.int16) for size in sizes]
        del leftovers
        outputs.add(to_16k(native, 22050).tobytes())
    assert len(outputs) == 1
