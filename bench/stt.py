"""Speech recognition speed on the Korean fixtures, open and grammar mode.

Figures per mode:
- real-time factor (processing time / audio time; below 1 is faster than real time),
- delay from the end of speech to the final result, streaming 100 ms chunks followed by
  silence as a microphone would: the stream time until Vosk's endpoint fires, plus the
  processing time of the chunk that produced it. Median and p95 in milliseconds.
- accuracy: share of fixtures whose final transcript is the expected phrase.
Ends with one JSON line.  Run: .venv/bin/python bench/stt.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speech import audio, stt  # noqa: E402
from speech.fixtures import load_manifest  # noqa: E402
from speech.models import load_model, resolve_model  # noqa: E402
from speech.steady import steady_model  # noqa: E402

PHRASES = ("음악 틀어", "안녕하세요", "불 꺼")
CHUNK_MS = 100
TRAILING_SILENCE_S = 3.0


def end_of_speech(samples: np.ndarray) -> float:
    """Seconds at the end of the last 20 ms frame louder than -45 dBFS."""
    loud = [i for i, frame in enumerate(audio.frames(samples, 20)) if audio.level_dbfs(frame) > -45]
    return (loud[-1] + 1) * 0.02 if loud else 0.0


def run_one(model: object, samples: np.ndarray, grammar: tuple[str, ...] | None) -> tuple[float, float, str]:
    """(processing seconds, delay seconds, final text) for one fixture streamed with trailing silence."""
    recognizer = stt.Recognizer(model, grammar=grammar)
    stream = np.concatenate([samples, audio.silence(TRAILING_SILENCE_S)])
    speech_end = end_of_speech(samples)
    busy = 0.0
    fed = 0
    for chunk in audio.frames(stream, CHUNK_MS):
        started = time.perf_counter()
        final = recognizer.accept(chunk)
        spent = time.perf_counter() - started
        busy += spent
        fed += len(chunk)
        if final is not None:
            return busy, fed / audio.SAMPLE_RATE - speech_end + spent, final.text
    started = time.perf_counter()
    final = recognizer.finish()
    spent = time.perf_counter() - started
    return busy + spent, fed / audio.SAMPLE_RATE - speech_end + spent, final.text


def main() -> None:
    fixtures = [
        f for f in load_manifest(ROOT / "fixtures/audio/manifest.yaml") if f.locale == "ko" and f.expect
    ]
    started = time.perf_counter()
    model = load_model(steady_model(resolve_model("ko")))
    load_s = time.perf_counter() - started
    figures: dict[str, object] = {"bench": "stt", "fixtures": len(fixtures), "model_load_s": round(load_s, 2)}
    print(f"{'mode':8} {'RTF':>6} {'delay p50':>10} {'delay p95':>10} {'accuracy':>9}")
    for mode, grammar in (("open", None), ("grammar", PHRASES)):
        busy_total, audio_total, delays, correct = 0.0, 0.0, [], 0
        for fixture in fixtures:
            samples = audio.read_wav(ROOT / "fixtures/audio" / fixture.filename)
            busy, delay, text = run_one(model, samples, grammar)
            busy_total += busy
            audio_total += audio.duration(samples) + TRAILING_SILENCE_S
            delays.append(delay * 1000)
            correct += text == fixture.expect
        rtf = busy_total / audio_total
        p50 = statistics.median(delays)
        p95 = float(np.percentile(delays, 95))
        print(f"{mode:8} {rtf:6.3f} {p50:8.0f}ms {p95:8.0f}ms {correct / len(fixtures):9.0%}")
        figures[mode] = {
            "rtf": round(rtf, 4),
            "delay_ms_p50": round(p50),
            "delay_ms_p95": round(p95),
            "accuracy": round(correct / len(fixtures), 3),
        }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
