"""Build a fixture model for a phrase list, or fetch it from the cache.

A build synthesises the phrases in many espeak-ng voices, learns the lexicon from
espeak-ng's phonemes, trains the network and writes two Vosk model folders that share the
acoustic model: ``hclg`` (the phrases as a fixed graph) and ``grammar`` (a word loop for
Vosk's runtime grammars). The result is cached under a hash of every input, and written
to a temporary folder that is renamed into place, so a crashed build leaves nothing behind
and a second call returns at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from speech.errors import ModelError
from speech.fixture_model import voices as voice_lists
from speech.fixture_model.alignment import align
from speech.fixture_model.dataset import RenderedItem, TrainingItem, frame_labels, plan, render
from speech.fixture_model.decoys import decoys_of
from speech.fixture_model.graph import Scoring
from speech.fixture_model.lexicon import Lexicon
from speech.fixture_model.synth import SynthesisJob, map_in_workers, synthesize_many
from speech.fixture_model.train import Network, TrainingConfig, train
from speech.fixture_model.voices import LocaleVoices, locale_voices
from speech.fixture_model.writer import write_model_folders
from speech.models import fixture_card, scratch_beside, voice_cache_dir
from speech.tts import DEFAULT_RATE

_LOGGER = logging.getLogger(__name__)

GENERATOR_VERSION = 7
"""Bump when a change to the generator changes the models it builds."""

_RESERVED = "[]<>#"
_DECOY_SHARE = 4
"""Decoys get a quarter of the phrases' utterance budget on top (the 12 decoys: 924 utterances, every voice
once). Taken from the phrases' budget instead, they cost about three commands in the robustness bench."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildSpec:
    """Everything a fixture model depends on; its hash names the cache entry."""

    phrases: tuple[str, ...]
    voices: LocaleVoices
    wake_phrase: str = ""
    """The wake phrase among the phrases ("" for none): the decoys are near misses of it, and in the graph
    it may follow ``[unk]`` (``graph.build_hclg``)."""
    decoys: tuple[str, ...] = ()
    """Near misses of the wake phrase: trained and in the graph like phrases, so that a near miss is
    decoded as its decoy, which no grammar accepts, instead of as the wake phrase (``decoys.py``)."""
    copies: int = 2
    """Renderings of each phrase per training voice (other rates, pitches and noise): with augmentation one
    copy recognised held-out Dutch voices 96.9% of the time, two 97.8-98.6%; with every human-sounding
    training voice too, 100% in every build measured (issue 17)."""
    augment: bool = True
    """Noise of other kinds in training too: other people talking (babble), mains hum, a telephone band,
    muffled voices (``dataset.plan``); docs/fixture-models.md says what it does."""
    max_utterances: int = 4000
    """Training utterances aimed at: a long phrase list is said by fewer voices per phrase, but every phrase
    by at least one voice per copy, so more phrases than this make more utterances (``dataset.plan``).
    30 phrases are said by 66 of the 77 voices each, twice (3960); a skill's 1715 English phrases in all
    voices took 2,633 s and 9.4 GB (issue 17)."""
    seed: int = 7
    training: TrainingConfig = field(default_factory=TrainingConfig)
    scoring: Scoring = field(default_factory=Scoring)

    @property
    def key(self) -> str:
        """A hex digest of the inputs, the generator version and the voice settings."""
        inputs = {
            "version": GENERATOR_VERSION,
            "spec": asdict(self),
            "rates": voice_lists.TRAINING_RATES,
            "pitches": voice_lists.TRAINING_PITCHES,
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$VOICE_CACHE_DIR/fixture-models``, else ``~/.cache/voice-skills/fixture-models``."""
    return voice_cache_dir("fixture-models")


def normalise_phrases(phrases: Sequence[str]) -> tuple[str, ...]:
    """Lowercase, single-spaced, unique, sorted phrases; rejects empty or reserved input."""
    clean = sorted({" ".join(phrase.lower().split()) for phrase in phrases})
    if not clean or "" in clean:
        raise ModelError("a fixture model needs at least one non-empty phrase; check the phrase list.")
    for phrase in clean:
        if any(char in phrase for char in _RESERVED):
            raise ModelError(f"phrase {phrase!r} uses one of {_RESERVED!r}, which Kaldi reserves; remove it.")
    return tuple(clean)


def fixture_model_key(phrases: Sequence[str], locale: str, wake_phrase: str | None = None) -> str:
    """The hash a model built now from these phrases would carry (``fixture.json`` ``key``).

    A committed model whose key differs was built by another generator or phrase list: rebuild it.
    """
    return _spec(phrases, locale, wake_phrase).key


def _spec(phrases: Sequence[str], locale: str, wake_phrase: str | None) -> BuildSpec:
    """The build of ``phrases``, with the decoys of ``wake_phrase`` when it is one of them."""
    clean = normalise_phrases(phrases)
    voices = locale_voices(locale)
    wake = " ".join((wake_phrase or "").lower().split())
    if wake not in clean:
        return BuildSpec(phrases=clean, voices=voices)
    decoys = tuple(d for d in decoys_of(wake, voices.language) if d not in clean)
    return BuildSpec(phrases=clean, voices=voices, wake_phrase=wake, decoys=decoys)


def build_fixture_model(
    phrases: Sequence[str],
    locale: str,
    *,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    runtime_grammar: bool = False,
    wake_phrase: str | None = None,
) -> Path:
    """Build (or fetch from the cache) a Vosk model that recognises ``phrases`` spoken by espeak-ng.

    Returns the model folder for ``vosk.Model``. By default its graph is the phrase list
    itself (``graph/HCLG.fst``); with ``runtime_grammar=True`` it is a word loop that
    ``KaldiRecognizer(model, rate, grammar_json)`` restricts at run time. The model
    recognises synthetic espeak-ng speech only. When ``wake_phrase`` is one of the phrases, the model
    also learns near misses of it (``decoys.py``), which it decodes as themselves, so they are refused.
    """
    spec = _spec(phrases, locale, wake_phrase)
    report = progress or _LOGGER.info
    entry = (cache_dir or default_cache_dir()) / f"{spec.voices.locale}-{spec.key[:20]}"
    if not is_fixture_model(entry / "hclg"):
        _build_atomically(spec, entry, report)
    else:
        report(f"fixture model cached at {entry}")
    return entry / ("grammar" if runtime_grammar else "hclg")


def _build_atomically(spec: BuildSpec, entry: Path, report: Callable[[str], None]) -> None:
    try:
        scratch = scratch_beside(entry)
    except OSError as exc:
        raise ModelError(
            f"cannot write the fixture model cache {entry.parent} ({exc}); set VOICE_CACHE_DIR."
        ) from exc
    try:
        _build(spec, scratch, report)
        os.rename(scratch, entry)
    except OSError:
        if not is_fixture_model(entry / "hclg"):  # not merely a concurrent build that won the race
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(f"fixture model written to {entry}")


def training_plan(phrases: Sequence[str], locale: str, wake_phrase: str | None = None) -> list[TrainingItem]:
    """The utterances a model built now from these phrases trains on, before they are rendered."""
    return _plan(_spec(phrases, locale, wake_phrase))


def _plan(spec: BuildSpec) -> list[TrainingItem]:
    items = plan(
        spec.phrases,
        spec.voices,
        copies=spec.copies,
        seed=spec.seed,
        max_utterances=spec.max_utterances,
        augment=spec.augment,
    )
    if spec.decoys:  # on top of the phrases' budget: the phrases keep every utterance they had without decoys
        items += plan(
            spec.decoys,
            spec.voices,
            copies=1,
            seed=spec.seed + 1,
            max_utterances=spec.max_utterances // _DECOY_SHARE,
            augment=spec.augment,
        )
    return items


def _build(spec: BuildSpec, folder: Path, report: Callable[[str], None]) -> None:
    items = _plan(spec)
    voices = len({item.job.voice for item in items})
    said = f"{len(spec.phrases)} phrases" + (f" and {len(spec.decoys)} decoys" if spec.decoys else "")
    report(f"synthesising {len(items)} utterances of {said} in {voices} voices")
    started = time.perf_counter()
    rendered = map_in_workers(render, items)
    report(f"synthesised in {time.perf_counter() - started:.0f} s")
    lexicon, network = _learn(spec, rendered, report)
    report(f"writing the model ({len(lexicon.words)} words, {len(lexicon.phone_set().base)} phones)")
    write_model_folders(
        folder, spec.phrases, spec.decoys, spec.wake_phrase, lexicon, network, spec.scoring, _card_data(spec)
    )


def _learn(
    spec: BuildSpec, rendered: list[RenderedItem], report: Callable[[str], None]
) -> tuple[Lexicon, Network]:
    vocabulary = sorted({word for phrase in spec.phrases + spec.decoys for word in phrase.split()})
    solo_jobs = [
        SynthesisJob(text=word, voice=spec.voices.lexicon_voice, rate=DEFAULT_RATE) for word in vocabulary
    ]
    solo = {
        word: tuple(p.symbol for p in synthesis.phonemes if not p.symbol.startswith("_"))
        for word, synthesis in zip(vocabulary, synthesize_many(solo_jobs), strict=True)
    }
    alignments = [align(item.synthesis, solo) for item in rendered]
    lexicon = Lexicon.from_alignments(alignments)
    phones = lexicon.phone_set()
    labels = [
        frame_labels(item, alignment, phones) for item, alignment in zip(rendered, alignments, strict=True)
    ]
    frames = sum(len(label) for label in labels)
    report(f"training on {frames} frames ({frames / 360000:.1f} h), {phones.num_pdfs} classes")
    network = train([item.features for item in rendered], labels, phones.num_trained, spec.training, report)
    return lexicon, network


def _card_data(spec: BuildSpec) -> dict[str, object]:
    return {
        "fixture_model": True,
        "generator_version": GENERATOR_VERSION,
        "key": spec.key,
        "locale": spec.voices.locale,
        "phrases": list(spec.phrases),
        "wake_phrase": spec.wake_phrase,
        "decoys": list(spec.decoys),
        "training_voices": list(spec.voices.training),
        "held_out_voices": list(spec.voices.held_out),
    }


def is_fixture_model(path: Path) -> bool:
    """Whether the Vosk model folder at ``path`` is a fixture model (it recognises synthetic speech only)."""
    return bool(fixture_card(path).get("fixture_model"))
