"""espeak-ng speech with phoneme timings, synthesised in worker processes.

libespeak-ng reports the start sample of every phoneme when it is initialised with
phoneme events, which gives frame-exact training labels for free. The library keeps one
global state per process, and pyttsx3 (``speech.tts``) initialises it in the calling
process with its own callback, so synthesis here always runs in spawned worker
processes: the two never share a libespeak-ng instance.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from speech.audio import SAMPLE_RATE, resample, to_int16  # SAMPLE_RATE: that of every waveform here
from speech.errors import SynthesisError

_LOGGER = logging.getLogger(__name__)
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

_LIBRARY = "libespeak-ng.so.1"
_WORKERS = 2
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_PHONEME = 7
_PARAMETER_RATE = 1
_PARAMETER_PITCH = 3
_POSITION_CHARACTER = 1
_CHARS_UTF8 = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthesisJob:
    """One phrase to speak with one espeak-ng voice."""

    text: str
    voice: str
    """An espeak-ng voice name, optionally with a variant: ``en-us+f3``."""
    rate: int
    """Words per minute."""
    pitch: int = 50
    """espeak-ng's pitch parameter, 0-100."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PhonemeEvent:
    """A phoneme as espeak-ng reported it."""

    symbol: str
    """espeak-ng's phoneme mnemonic; pauses start with ``_``."""
    start: int
    """First sample at 16 kHz."""
    text_position: int
    """1-based character offset of the word it belongs to."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Synthesis:
    """A spoken phrase: the waveform and what espeak-ng said when."""

    job: SynthesisJob
    audio: np.ndarray
    """int16 samples at 16 kHz, mono."""
    phonemes: tuple[PhonemeEvent, ...]

    @property
    def duration(self) -> float:
        """Seconds."""
        return len(self.audio) / SAMPLE_RATE


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class _Engine:
    """The worker's libespeak-ng, initialised once with phoneme events."""

    def __init__(self) -> None:
        self._lib = ctypes.CDLL(_LIBRARY)
        self._samples: list[np.ndarray] = []
        self._events: list[tuple[str, int, int]] = []
        self._callback = _CALLBACK(self._collect)
        self._start()

    def _start(self) -> None:
        self.native_rate = self._lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT
        )
        if self.native_rate <= 0:
            raise SynthesisError("libespeak-ng failed to initialise; reinstall espeak-ng.")
        self._lib.espeak_SetSynthCallback(self._callback)

    def _synth(self, text: bytes, flags: int) -> None:
        self._lib.espeak_Synth(text, len(text) + 1, 0, _POSITION_CHARACTER, 0, flags, None, None)
        self._lib.espeak_Synchronize()

    def _collect(self, wav: ctypes.Array[ctypes.c_short], count: int, events: ctypes.Array[_Event]) -> int:
        if wav and count > 0:
            self._samples.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events[index].type != 0:
            event = events[index]
            if event.type == _EVENT_PHONEME:
                symbol = event.id.string.decode("utf-8", "replace")
                self._events.append((symbol, event.sample, event.text_position))
            index += 1
        return 0

    def speak(self, job: SynthesisJob) -> Synthesis:
        if self._lib.espeak_SetVoiceByName(job.voice.encode()) != 0:
            raise SynthesisError(
                f"espeak-ng has no voice {job.voice!r}; list voices with `espeak-ng --voices`."
            )
        self._lib.espeak_SetParameter(_PARAMETER_RATE, job.rate, 0)
        self._lib.espeak_SetParameter(_PARAMETER_PITCH, job.pitch, 0)
        self._samples, self._events = [], []
        self._synth(job.text.encode(), _CHARS_UTF8)
        native = np.concatenate(self._samples) if self._samples else np.zeros(0, np.int16)
        scale = SAMPLE_RATE / self.native_rate
        audio = to_16k(native, self.native_rate)
        phonemes = tuple(
            PhonemeEvent(symbol=symbol, start=round(sample * scale), text_position=position)
            for symbol, sample, position in self._events
        )
        return Synthesis(job=job, audio=audio, phonemes=phonemes)


def to_16k(native: np.ndarray, rate: int) -> np.ndarray:
    """espeak-ng's int16 samples at ``rate`` as int16 at 16 kHz, resampled in float and rounded.

    Not soxr's int16 path: it dithers, and its dither at the end of the signal depends on memory
    that earlier work in the process left behind, so one augmented Dutch training utterance in 3840
    came out different in every build, and with it the trained network (issue 17).
    """
    return to_int16(resample(native, rate, SAMPLE_RATE))


_ENGINE: _Engine | None = None


def _init_worker() -> None:
    global _ENGINE
    _ENGINE = _Engine()


def speak_in_worker(job: SynthesisJob) -> Synthesis:
    """Speak ``job`` with this worker's engine; only valid inside :func:`map_in_workers`."""
    if _ENGINE is None:
        raise SynthesisError("speak_in_worker runs only inside map_in_workers; call synthesize() instead.")
    return _ENGINE.speak(job)


def _run_chunk(task: tuple[Callable[[_Item], _Result], Sequence[_Item]]) -> list[_Result]:
    function, chunk = task
    return [function(item) for item in chunk]


def map_in_workers(function: Callable[[_Item], _Result], items: Sequence[_Item]) -> list[_Result]:
    """Run a module-level ``function`` over ``items`` in fresh worker processes, keeping order.

    libespeak-ng carries state from one phrase to the next (pitch flutter, echo), so each
    worker is a new process that speaks one fixed, contiguous share of ``items``: the same
    items give the same samples. ``function`` may call :func:`speak_in_worker`; doing the
    feature work there as well uses both cores.
    """
    if not items:
        return []
    size = -(-len(items) // _WORKERS)
    tasks = [(function, items[start : start + size]) for start in range(0, len(items), size)]
    _LOGGER.debug("speaking %d items in %d worker processes", len(items), len(tasks))
    context = multiprocessing.get_context("spawn")
    try:
        with context.Pool(len(tasks), initializer=_init_worker, maxtasksperchild=1) as pool:
            parts = pool.map(_run_chunk, tasks, chunksize=1)
    except OSError as exc:
        raise SynthesisError(f"libespeak-ng could not be loaded ({exc}); install espeak-ng.") from exc
    return [result for part in parts for result in part]


def synthesize_many(jobs: Sequence[SynthesisJob]) -> list[Synthesis]:
    """Speak every job in the worker processes; results keep the order of ``jobs``."""
    return map_in_workers(speak_in_worker, jobs)


def synthesize(text: str, *, voice: str, rate: int = 175, pitch: int = 50) -> Synthesis:
    """Speak one phrase with an espeak-ng voice: 16 kHz int16 audio plus phoneme timings."""
    return synthesize_many([SynthesisJob(text=text, voice=voice, rate=rate, pitch=pitch)])[0]
