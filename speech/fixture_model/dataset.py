"""Training material: espeak-ng phrases rendered with silence, level changes and noise.

Each item is planned in the main process (so the plan, and with it the model, is a pure
function of the inputs) and rendered in a synthesis worker, features included, so both
cores work. Frame labels come later, once the lexicon and phone set are known.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import soxr

from speech import noise
from speech.audio import SAMPLE_RATE
from speech.fixture_model.alignment import Alignment
from speech.fixture_model.features import frame_centres, mfcc
from speech.fixture_model.lexicon import PhoneSet
from speech.fixture_model.synth import Synthesis, SynthesisJob, speak_in_worker
from speech.fixture_model.voices import TRAINING_PITCHES, TRAINING_RATES, LocaleVoices

_SNRS: tuple[float | None, ...] = (None, 30.0, None, 20.0, 15.0, None, 10.0, 25.0)
"""Signal-to-noise ratios (dB) cycled over the items; None is clean."""
_NOISES = ("white", "babble", "hum", "babble")
"""Kinds of noise cycled over the noisy items: white, other people talking (twice as often: the hardest
background for a model that has no other way to tell a murmur from words), mains hum."""
_TALKERS = (1, 4, 3, 5, 2, 4)
"""Voices talking at once in the babble items, cycled: one talker is heard as words, four blur into a
murmur (a room, a canteen), and the model must take each for silence around the command (issue 17)."""
_CHATTER = {
    "en": (
        "So I told him we would meet at the corner after lunch.",
        "Did you see the match last night, it went on for ages.",
        "She bought a new bike because the old one kept breaking.",
        "The bus was late again and the driver did not say why.",
        "We are thinking of painting the kitchen a lighter colour.",
        "Honestly the soup was fine but the bread was a bit stale.",
        "He moved to a flat on the other side of town last spring.",
        "If it stays dry we might take the dog up the hill tomorrow.",
        "They said the new library opens in the middle of next month.",
        "I cannot remember where I left my umbrella this morning.",
    ),
    "nl": (
        "Ik zei dat we elkaar na de lunch op de hoek zouden zien.",
        "Heb je de wedstrijd gisteravond gezien, die duurde eindeloos.",
        "Ze kocht een nieuwe fiets omdat de oude steeds kapot ging.",
        "De bus was weer te laat en de chauffeur zei niet waarom.",
        "We denken erover de keuken een lichtere kleur te geven.",
        "De soep was prima maar het brood was een beetje oud.",
        "Hij is vorig voorjaar naar de andere kant van de stad verhuisd.",
        "Als het droog blijft gaan we morgen met de hond de heuvel op.",
        "Ze zeiden dat de nieuwe bibliotheek half volgende maand opent.",
        "Ik weet niet meer waar ik vanochtend mijn paraplu liet.",
    ),
}
"""What the babble talkers say: everyday talk in the locale's language (other locales hear English
chatter, which is babble all the same). Not the sentences of bench/speech_robustness.yaml."""
_BABBLE_SNRS = (15.0, 8.0, 20.0, 5.0, 12.0, 10.0)
"""Signal-to-noise ratios (dB) cycled over the babble items: a room's murmur is often close to the talker."""
_BABBLE_MARGIN = SAMPLE_RATE // 2
"""Samples of babble alone added before and after the command in babble items: murmur before a command
turned the whole command into ``[unk]`` until the models had heard enough murmur labelled silence."""
_BABBLE_RATES = (180, 160, 200, 170)
"""Speaking rates of the babble talkers, in turn."""
_TELEPHONE = (False, False, False, False, True)
"""Items cycled through a telephone band (300-3400 Hz at 8 kHz)."""
_MUFFLES: tuple[float | None, ...] = (None, 700.0, None, None, 1400.0, None, None, 1000.0, None, None, None)
"""Low-pass corners (Hz, first order) cycled over the items: voices with little above 1 kHz, like
espeak-ng's ``steph``, which augmented models refused (issue 17). Eleven, so that a muffled item does
not always come at the same speed (seven speeds)."""
_GAINS = (0.0, -8.0, 4.0, -16.0, -4.0, -28.0, -12.0, -36.0, -2.0)
"""Level changes (dB) cycled over the items: the model has no CMVN. The quiet ones (-28, -36) keep a quiet
talker's command from losing to ``[unk]`` (at -50 dB a model trained down to -16 dB heard nothing,
issue 17). Nine of them, so the cycle does not run in step with the others (8, 7, 5 and 3 long)."""
_SPEEDS = (1.0, 0.92, 1.08, 0.96, 1.04, 0.88, 1.12)
"""Playback speed factors cycled over the items: they shift formants like other vocal tracts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingItem:
    """How to render one training utterance."""

    job: SynthesisJob
    lead: int
    """Samples of silence before the speech."""
    tail: int
    """Samples of silence after the speech."""
    gain_db: float
    speed: float
    """Playback speed: 1.1 plays the speech 10% faster and higher."""
    snr_db: float | None
    """Noise level relative to the speech; None for none."""
    seed: int
    noise: str = "white"
    """``white``, ``babble`` (``babble_jobs`` said at the same time) or ``hum``."""
    babble_jobs: tuple[SynthesisJob, ...] = ()
    telephone: bool = False
    muffle_hz: float | None = None
    """Corner of a first-order low-pass on the speech; None for none."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RenderedItem:
    """A training utterance: what espeak-ng said and the MFCCs of the rendered audio."""

    item: TrainingItem
    synthesis: Synthesis
    features: np.ndarray


def plan(
    phrases: Sequence[str],
    voices: LocaleVoices,
    *,
    copies: int,
    seed: int,
    max_utterances: int | None = None,
    augment: bool = False,
) -> list[TrainingItem]:
    """Every phrase in every training voice, ``copies`` times, with rate, pitch and noise varied.

    With more phrases than ``max_utterances`` allows in every voice, each phrase is said by fewer voices
    (at least one), taken in turn so all voices are heard: the acoustic model learns phones, which a
    long phrase list repeats anyway, and training time and memory grow with the utterances. The noise is
    white, unless ``augment``: then also babble, hum and a telephone band."""
    rng = np.random.default_rng(seed)
    cycles = _Cycles()
    return [
        _item(
            _job(phrases[p], voices, v, turn=p + v + 2 * copy),
            rng,
            cycles,
            babble=functools.partial(_babble, voices, p, v),
            augment=augment,
        )
        for p, v, copy in _pairs(len(phrases), len(voices.training), copies, max_utterances)
    ]


@dataclass(slots=True)
class _Cycles:
    """The variations cycled over a plan's items; each advances only for an item that takes from it."""

    snrs: Iterator[float | None] = field(default_factory=lambda: itertools.cycle(_SNRS))
    gains: Iterator[float] = field(default_factory=lambda: itertools.cycle(_GAINS))
    speeds: Iterator[float] = field(default_factory=lambda: itertools.cycle(_SPEEDS))
    noises: Iterator[str] = field(default_factory=lambda: itertools.cycle(_NOISES))
    telephones: Iterator[bool] = field(default_factory=lambda: itertools.cycle(_TELEPHONE))
    muffles: Iterator[float | None] = field(default_factory=lambda: itertools.cycle(_MUFFLES))
    talkers: Iterator[int] = field(default_factory=lambda: itertools.cycle(_TALKERS))
    babble_snrs: Iterator[float] = field(default_factory=lambda: itertools.cycle(_BABBLE_SNRS))


def _job(text: str, voices: LocaleVoices, v: int, *, turn: int) -> SynthesisJob:
    """``text`` in training voice ``v``, at the rate and pitch of its ``turn``."""
    return SynthesisJob(
        text=text,
        voice=voices.training[v],
        rate=TRAINING_RATES[turn % len(TRAINING_RATES)],
        pitch=TRAINING_PITCHES[(turn + v) % len(TRAINING_PITCHES)],
    )


def _item(
    job: SynthesisJob,
    rng: np.random.Generator,
    cycles: _Cycles,
    *,
    babble: Callable[[int], tuple[SynthesisJob, ...]],
    augment: bool,
) -> TrainingItem:
    """How ``job`` is rendered. ``rng`` gives the silences first, then the seed: that order, and which
    cycles an item takes from, fix the plan and so the model (a test pins the plan's digest)."""
    lead, tail = (int(x) for x in rng.integers(SAMPLE_RATE // 20, SAMPLE_RATE // 2, size=2))
    snr_db = next(cycles.snrs)
    kind = next(cycles.noises) if snr_db is not None and augment else "white"
    if kind == "babble":  # more murmur around the command, to be heard as the silence it is
        lead, tail = lead + _BABBLE_MARGIN, tail + _BABBLE_MARGIN
        snr_db = next(cycles.babble_snrs)
    return TrainingItem(
        job=job,
        lead=lead,
        tail=tail,
        gain_db=next(cycles.gains),
        speed=next(cycles.speeds),
        snr_db=snr_db,
        seed=int(rng.integers(2**31)),
        noise=kind,
        babble_jobs=babble(next(cycles.talkers)) if kind == "babble" else (),
        telephone=next(cycles.telephones) and augment,
        muffle_hz=next(cycles.muffles) if augment else None,
    )


def _babble(voices: LocaleVoices, p: int, v: int, talkers: int) -> tuple[SynthesisJob, ...]:
    """Background talk in ``talkers`` other training voices, said at the same time as phrase ``p`` in
    voice ``v``: everyday sentences, not the phrases, so that a command said softly is not taught as
    silence (with the phrases as babble a six-phrase model lost 3-6 points on held-out voices)."""
    chatter = _CHATTER.get(voices.language, _CHATTER["en"])
    training = voices.training
    first = v + 1 + p % (len(training) - 1 or 1)
    chosen = dict.fromkeys(training[(first + 7 * k) % len(training)] for k in range(talkers))
    chosen.pop(training[v], None)
    return tuple(
        SynthesisJob(text=chatter[(p + 3 * k) % len(chatter)], voice=talker, rate=_BABBLE_RATES[k % 4])
        for k, talker in enumerate(chosen or [training[(v + 1) % len(training)]])
    )


def _pairs(phrases: int, voices: int, copies: int, budget: int | None) -> list[tuple[int, int, int]]:
    """(phrase, voice, copy) numbers: all of them within ``budget``, else ``budget // phrases`` voices
    per phrase (at least one), the voices rotating over the phrases."""
    if budget is None or phrases * voices * copies <= budget:
        return list(itertools.product(range(phrases), range(voices), range(copies)))
    per_phrase = max(1, min(voices, budget // (phrases * copies)))
    return [
        (p, (p * per_phrase + k) % voices, copy)
        for p in range(phrases)
        for k in range(per_phrase)
        for copy in range(copies)
    ]


def render(item: TrainingItem) -> RenderedItem:
    """Speak and render one item (runs in a synthesis worker)."""
    synthesis = speak_in_worker(item.job)
    speech = soxr.resample(synthesis.audio.astype(np.float64), SAMPLE_RATE * item.speed, SAMPLE_RATE)
    speech *= 10 ** (item.gain_db / 20)
    if item.muffle_hz is not None:
        speech = _low_pass(speech, item.muffle_hz)
    audio = np.concatenate([np.zeros(item.lead), speech, np.zeros(item.tail)])
    if item.telephone:
        audio = noise.telephone(_to_int16(audio)).astype(np.float64)
    if item.snr_db is not None and item.noise == "white":
        audio = add_noise(audio, item.snr_db, seed=item.seed, reference=speech)
    elif item.snr_db is not None:
        audio = noise.mix(
            _to_int16(audio), _noise_of(item, audio.size), item.snr_db, reference=_to_int16(speech)
        )
    return RenderedItem(item=item, synthesis=synthesis, features=mfcc(_to_int16(audio)))


def _low_pass(speech: np.ndarray, corner_hz: float) -> np.ndarray:
    """``speech`` through a first-order low-pass (6 dB per octave above ``corner_hz``), level kept."""
    spectrum = np.fft.rfft(speech)
    freqs = np.fft.rfftfreq(speech.size, 1 / SAMPLE_RATE)
    filtered = np.fft.irfft(spectrum / np.sqrt(1 + (freqs / corner_hz) ** 2), speech.size)
    before, after = float(np.sqrt(np.mean(speech**2))), float(np.sqrt(np.mean(filtered**2)))
    return filtered * (before / after) if after > 0 else filtered


def _noise_of(item: TrainingItem, length: int) -> np.ndarray:
    """Unit-power noise of the item's kind: mains hum at 45-65 Hz, or other people talking meanwhile."""
    if not item.babble_jobs:
        return noise.hum(length, item.seed, mains_hz=45.0 + item.seed % 21)
    return noise.babble([speak_in_worker(job).audio for job in item.babble_jobs], length, item.seed)


def add_noise(
    audio: np.ndarray, snr_db: float, *, seed: int, reference: np.ndarray | None = None
) -> np.ndarray:
    """``audio`` plus white noise ``snr_db`` below the power of ``reference`` (default: ``audio``).

    Returns int16 if ``audio`` is int16, else float64.
    """
    signal = (audio if reference is None else reference).astype(np.float64)
    power = float(np.mean(signal**2)) if signal.size else 0.0
    noise = np.random.default_rng(seed).standard_normal(len(audio)) * np.sqrt(power / 10 ** (snr_db / 10))
    mixed = audio.astype(np.float64) + noise
    return _to_int16(mixed) if audio.dtype == np.int16 else mixed


def _to_int16(audio: np.ndarray) -> np.ndarray:
    return np.clip(np.round(audio), -32768, 32767).astype(np.int16)


def frame_labels(rendered: RenderedItem, alignment: Alignment, phones: PhoneSet) -> np.ndarray:
    """The pdf of every feature frame: the phone under the frame's centre, silence outside speech."""
    starts = np.array([span.start for span in alignment.phones])
    pdfs = np.array([phones.pdf(span.phone) for span in alignment.phones])
    centres = (frame_centres(len(rendered.features)) - rendered.item.lead) * rendered.item.speed
    index = np.clip(np.searchsorted(starts, centres, side="right") - 1, 0, len(starts) - 1)
    labels = pdfs[index]
    outside = (centres < 0) | (centres >= alignment.phones[-1].end)
    labels[outside] = phones.pdf_of_id(phones.silence_id)
    return labels.astype(np.int32)
