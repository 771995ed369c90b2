"""End of the user's speech to the first sample of the spoken reply, through the whole local loop.

Each fixture session is: silence, the wake phrase, a pause, a command, silence. The loop
runs on the simulated device (real Vosk, real router and dialog, real espeak-ng). The
delay per command is split into:
- endpointing: stream time from the last speech frame to the decision that the utterance ended,
- recognition: wall time of the chunk that ended it, Vosk's final result included,
- routing: matching, dialog and handler,
- synthesis: espeak-ng rendering the reply (its first sample is ready when it is done).
Reference in the same run: Vosk's own endpoint (``Recognizer.accept`` returning a final) on the
same commands.

The models decode every third 10 ms frame, so where a command starts on that 30 ms grid can decide a
noisy one: ``ko_light_off_130_snr20`` is heard as "꺼 음악 꺼" at one start in three. Each session
therefore runs again with 10 and 20 ms more silence before the wake phrase; ``correct`` counts the
first run (as before), ``correct_by_phase`` every run. Ends with one JSON line.
Run: .venv/bin/python bench/e2e.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speech import audio, stt  # noqa: E402
from speech.devices import SimulatedAudio  # noqa: E402
from speech.models import load_model, resolve_model  # noqa: E402
from speech.steady import steady_model  # noqa: E402
from speech.tts import EspeakSynthesizer  # noqa: E402
from voice import Assistant, build_assistant  # noqa: E402
from voice.assistant import MEMORY_STORE  # noqa: E402
from voice.channels.local import Ears, LocalChannel, LocalLoop, LoopConfig, LoopEvent  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.grammar import grammar_phrases  # noqa: E402

COMMANDS = [
    "ko_music_on_130",
    "ko_music_on_175",
    "ko_music_on_230",
    "ko_light_off_130",
    "ko_light_off_175",
    "ko_light_off_230",
    "ko_music_on_130_snr30",
    "ko_music_on_175_snr20",
    "ko_light_off_130_snr20",
]
WAKE = "ko_hello_175"
PHASE_LEADS_MS = (0, 10, 20)
"""Extra silence before the wake phrase: the three starts on the model's 30 ms frame grid."""
INTENTS = {"ko_music_on": "PlayMusic", "ko_light_off": "LightsOff"}
"""The intent each command fixture must reach (by name prefix), in tests/voice/korean_skill."""


def clip(name: str) -> np.ndarray:
    return audio.read_wav(ROOT / "fixtures/audio" / f"{name}.wav")


def run_session(assistant: Assistant, ears: Ears, command: str, lead_ms: int = 0) -> dict[str, float] | None:
    stream = np.concatenate(
        [
            audio.silence(0.5 + lead_ms / 1000),
            clip(WAKE),
            audio.silence(0.7),
            clip(command),
            audio.silence(3.0),
        ]
    )
    device = SimulatedAudio(stream)
    events: list[LoopEvent] = []
    channel = LocalChannel("ko", EspeakSynthesizer())  # a new session each time
    LocalLoop(
        assistant,
        channel,
        ears,
        LoopConfig(wake_phrase="안녕하세요"),
        (device, device),
        on_event=events.append,
    ).run()
    heard = next((e.data for e in events if e.kind == "heard"), None)
    reply = next((e.data for e in events if e.kind == "reply"), None)
    if heard is None or reply is None:
        return None
    parts = {
        "endpointing": float(heard["endpoint_delay_s"]),
        "recognition": float(heard["recognition_s"]),
        "routing": float(reply["routing_s"]),
        "synthesis": float(reply["synthesis_s"]),
    }
    return {**parts, "total": sum(parts.values()), "correct": float(reply["intent"] == _intent_of(command))}


def _intent_of(command: str) -> str:
    return next(intent for prefix, intent in INTENTS.items() if command.startswith(prefix))


def vosk_endpoint_delay(model: object, grammar: list[str], command: str) -> float:
    """Stream seconds from the end of speech to Vosk's own final result (the reference)."""
    samples = clip(command)
    loud = [i for i, f in enumerate(audio.frames(samples, 20)) if audio.level_dbfs(f) > -45]
    speech_end = (loud[-1] + 1) * 0.02
    recognizer = stt.Recognizer(model, grammar=grammar)
    fed = 0
    for chunk in audio.frames(np.concatenate([samples, audio.silence(3.0)]), 40):
        fed += len(chunk)
        if recognizer.accept(chunk) is not None:
            return fed / audio.SAMPLE_RATE - speech_end
    return fed / audio.SAMPLE_RATE - speech_end


def main() -> None:
    assistant = build_assistant(Config(skills=(str(ROOT / "tests/voice/korean_skill"),)), store=MEMORY_STORE)
    grammar = grammar_phrases(assistant.router, "ko")
    model = load_model(steady_model(resolve_model("ko")))
    ears = Ears(model, grammar)
    runs = {ms: [run_session(assistant, ears, c, ms) for c in COMMANDS] for ms in PHASE_LEADS_MS}
    by_phase = [sum(r is not None and r["correct"] == 1.0 for r in found) for found in runs.values()]
    rows = [r for r in runs[0] if r is not None]
    reference = [vosk_endpoint_delay(model, grammar, c) * 1000 for c in COMMANDS]
    total = [r["total"] * 1000 for r in rows]
    split = {
        k: round(statistics.median(r[k] for r in rows) * 1000, 1)
        for k in ("endpointing", "recognition", "routing", "synthesis")
    }
    print(
        f"{len(rows)}/{len(COMMANDS)} sessions answered, "
        f"{sum(r['correct'] for r in rows):.0f} with the right intent"
    )
    print(
        f"end of speech -> first reply sample: median {statistics.median(total):.0f} ms, "
        f"p95 {np.percentile(total, 95):.0f} ms"
    )
    print("median split (ms): " + ", ".join(f"{k} {v}" for k, v in split.items()))
    print(f"right intent with {', '.join(f'{ms}' for ms in PHASE_LEADS_MS)} ms more lead: {by_phase}")
    print(f"reference, Vosk's own endpoint alone: median {statistics.median(reference):.0f} ms")
    print(
        json.dumps(
            {
                "bench": "e2e",
                "sessions": len(COMMANDS),
                "answered": len(rows),
                "correct": int(sum(r["correct"] for r in rows)),
                "correct_by_phase": by_phase,
                "correct_all_phases": f"{sum(by_phase)}/{len(COMMANDS) * len(PHASE_LEADS_MS)}",
                "delay_ms_p50": round(statistics.median(total)),
                "delay_ms_p95": round(float(np.percentile(total, 95))),
                "split_ms_p50": split,
                "vosk_endpoint_ms_p50": round(statistics.median(reference)),
                "ratio_vs_vosk_endpoint": round(statistics.median(total) / statistics.median(reference), 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
