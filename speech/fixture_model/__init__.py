"""Fixture speech models: small Vosk models trained on espeak-ng speech, for offline tests.

A fixture model is to speech what a recorded tape is to a radio: it recognises a known
phrase list spoken by espeak-ng voices, and nothing else -- never human speech. Build one
with :func:`build_fixture_model`; make test audio in voices it never heard with
:func:`held_out_utterances` or :func:`synthesize`.
"""

from speech.fixture_model.alignment import Alignment, PhoneSpan, WordSpan, align
from speech.fixture_model.build import (
    build_fixture_model,
    default_cache_dir,
    fixture_model_key,
    is_fixture_model,
)
from speech.fixture_model.dataset import add_noise
from speech.fixture_model.evaluate import HeldOutUtterance, held_out_utterances, recognise
from speech.fixture_model.synth import Synthesis, SynthesisJob, synthesize, synthesize_many
from speech.fixture_model.voices import HELD_OUT_RATES, TRAINING_RATES, LocaleVoices, locale_voices
from speech.stt import UNKNOWN_WORD as UNKNOWN

__all__ = [
    "Alignment",
    "HELD_OUT_RATES",
    "HeldOutUtterance",
    "LocaleVoices",
    "PhoneSpan",
    "Synthesis",
    "SynthesisJob",
    "TRAINING_RATES",
    "UNKNOWN",
    "WordSpan",
    "add_noise",
    "align",
    "build_fixture_model",
    "default_cache_dir",
    "fixture_model_key",
    "held_out_utterances",
    "is_fixture_model",
    "locale_voices",
    "recognise",
    "synthesize",
    "synthesize_many",
]
